"""to_sklearn(): fastsaga models handed over as scikit-learn's class."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from _reference import make_data
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression as SklearnLogisticRegression

from fastsaga import LogisticRegression, LogisticRegressionCV


def _assert_predicts_like(model, original, X):
    np.testing.assert_array_equal(model.predict(X), original.predict(X))
    np.testing.assert_array_equal(
        model.decision_function(X), original.decision_function(X)
    )
    np.testing.assert_allclose(
        model.predict_proba(X), original.predict_proba(X), rtol=1e-12, atol=1e-15
    )


@pytest.mark.parametrize("n_classes", [2, 3])
def test_same_model_and_predictions(n_classes):
    X, y = make_data(n_classes)
    labels = np.array(["ant", "bee", "cat"])[y]
    frame = pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])])
    fitted = LogisticRegression(
        C=0.5, l1_ratio=0.3, tol=1e-3, max_iter=500, class_weight="balanced",
        random_state=3,
    ).fit(frame, labels)

    with warnings.catch_warnings():
        # No deprecated parameter (penalty) on the way, no feature-name mismatch.
        warnings.simplefilter("error")
        model = fitted.to_sklearn()
        _assert_predicts_like(model, fitted, frame)

    assert type(model) is SklearnLogisticRegression
    for name in ("coef_", "intercept_", "classes_", "n_iter_", "feature_names_in_"):
        np.testing.assert_array_equal(getattr(model, name), getattr(fitted, name))
    assert model.n_features_in_ == fitted.n_features_in_
    expected = dict(
        C=0.5, l1_ratio=0.3, solver="saga", tol=1e-3, max_iter=500,
        fit_intercept=True, class_weight="balanced", random_state=3,
    )
    assert {k: model.get_params()[k] for k in expected} == expected
    # A copy: the handed-over model cannot change the original.
    model.coef_[...] = 0.0
    assert np.any(fitted.coef_ != 0.0)


@pytest.mark.parametrize(
    "params, C, l1_ratio",
    [
        ({"penalty": None}, np.inf, 0.0),
        ({"penalty": "l1", "C": 2.0}, 2.0, 1.0),
        ({"C": 3.0}, 3.0, 0.0),
    ],
)
def test_penalty_maps_to_C_and_l1_ratio(params, C, l1_ratio):
    X, y = make_data(2)
    model = LogisticRegression(**params, max_iter=1000).fit(X, y).to_sklearn()
    assert model.C == C
    assert model.l1_ratio == l1_ratio


def test_round_trips_through_pickle():
    X, y = make_data(3)
    fitted = LogisticRegression(C=0.2, random_state=0).fit(X, y)
    restored = pickle.loads(pickle.dumps(fitted.to_sklearn()))
    assert type(restored) is SklearnLogisticRegression
    _assert_predicts_like(restored, fitted, X)


def test_refits_like_the_original():
    # The mapped parameters describe the same problem: refitting the handed-
    # over model with scikit-learn's saga lands on the same solution.
    X, y = make_data(2)
    fitted = LogisticRegression(C=0.3, l1_ratio=0.5, tol=1e-8, max_iter=10_000)
    fitted.fit(X, y)
    model = fitted.to_sklearn().set_params(tol=1e-10).fit(X, y)
    np.testing.assert_allclose(model.coef_, fitted.coef_, atol=1e-5)


def test_cv_hands_over_the_chosen_model():
    X, y = make_data(3)
    fitted = LogisticRegressionCV(Cs=[0.1, 1.0], cv=2, random_state=0).fit(X, y)
    model = fitted.to_sklearn()
    assert model.C == fitted.C_
    assert model.l1_ratio == fitted.l1_ratio_
    _assert_predicts_like(model, fitted, X)


def test_unfitted_raises():
    with pytest.raises(NotFittedError):
        LogisticRegression().to_sklearn()
