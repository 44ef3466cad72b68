"""fastsaga inside scikit-learn's meta-estimators, and handed to ONNX.

Each test puts a fastsaga model where scikit-learn puts its own
LogisticRegression: feature selection, calibration, stacking, one-vs-rest,
frozen models, cross-validation in worker processes, grid search, pipelines,
and ONNX export through ``to_sklearn()``.
"""

import os
import pickle

import joblib
import numpy as np
import pytest
from _reference import make_data
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.datasets import load_iris, make_classification
from sklearn.ensemble import StackingClassifier
from sklearn.feature_selection import SelectFromModel
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import (
    GridSearchCV,
    StratifiedKFold,
    cross_val_score,
    cross_validate,
    train_test_split,
)
from sklearn.multiclass import OneVsRestClassifier
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from fastsaga import LogisticRegression, LogisticRegressionCV

# The fits below converge: a ConvergenceWarning here is a failure.
pytestmark = pytest.mark.filterwarnings("error::sklearn.exceptions.ConvergenceWarning")

# SelectFromModel's threshold for an L1-penalised model.
L1_THRESHOLD = 1e-5


def _model(backend="numba", **params):
    """A fastsaga LogisticRegression that converges on the problems below."""
    params = {"tol": 1e-4, "max_iter": 2000, "random_state": 0, **params}
    return LogisticRegression(backend=backend, **params)


def _sparse_problem(n_classes=2, seed=0):
    """Standardised data with 6 informative features among 20."""
    X, y = make_classification(
        n_samples=240,
        n_features=20,
        n_informative=6,
        n_redundant=0,
        n_classes=n_classes,
        flip_y=0.05,
        random_state=seed,
    )
    return StandardScaler().fit_transform(X), y


def _iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _assert_probabilities(proba, n_samples, n_classes):
    assert proba.shape == (n_samples, n_classes)
    assert np.all(proba >= 0.0) and np.all(proba <= 1.0)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)


# -- SelectFromModel ---------------------------------------------------------


@pytest.mark.parametrize("l1", [{"penalty": "l1"}, {"l1_ratio": 1.0}])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_select_from_model_keeps_the_nonzero_coefficients(backend, l1, n_classes):
    X, y = _sparse_problem(n_classes)
    estimator = _model(backend, C=0.05, **l1)
    selector = SelectFromModel(estimator).fit(X, y)

    # The L1 rule, read from penalty="l1" or from l1_ratio=1.
    assert selector.threshold_ == L1_THRESHOLD
    coef = selector.estimator_.coef_
    nonzero = np.any(coef != 0.0, axis=0)
    assert 0 < nonzero.sum() < X.shape[1], "C should leave some, not all, features"
    np.testing.assert_array_equal(selector.get_support(), nonzero)
    # No coefficient is non-zero yet below the threshold: the prox gives zeros.
    np.testing.assert_array_equal(
        np.abs(coef).sum(axis=0) >= L1_THRESHOLD, nonzero
    )
    # The fitted clone is the model fitted directly (same seed, same iterates).
    np.testing.assert_array_equal(coef, clone(estimator).fit(X, y).coef_)

    X_selected = selector.transform(X)
    np.testing.assert_array_equal(X_selected, X[:, nonzero])
    assert selector.get_feature_names_out().tolist() == [
        f"x{j}" for j in np.flatnonzero(nonzero)
    ]


def test_select_from_model_in_a_pipeline(backend):
    X, y = _sparse_problem(3)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, random_state=0, stratify=y
    )
    pipeline = make_pipeline(
        StandardScaler(),
        SelectFromModel(_model(backend, l1_ratio=1.0, C=0.1)),
        KNeighborsClassifier(n_neighbors=7),
    ).fit(X_train, y_train)

    selector = pipeline[1]
    kept = selector.get_support().sum()
    assert 0 < kept < X.shape[1]
    assert pipeline[-1].n_features_in_ == kept
    assert pipeline.predict(X_test).shape == y_test.shape
    _assert_probabilities(pipeline.predict_proba(X_test), len(y_test), 3)
    assert pipeline.score(X_test, y_test) > 0.6

    # A fastsaga model downstream too, and the whole pipeline cross-validated.
    pipeline = make_pipeline(
        SelectFromModel(_model(backend, l1_ratio=1.0, C=0.1)),
        _model(backend, C=1.0),
    )
    scores = cross_val_score(pipeline, X, y, cv=3)
    assert scores.shape == (3,) and scores.mean() > 0.6


# -- CalibratedClassifierCV --------------------------------------------------


@pytest.mark.parametrize("method", ["sigmoid", "isotonic"])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_calibrated_cv(backend, method, n_classes):
    X, y = make_data(n_classes)
    calibrated = CalibratedClassifierCV(
        _model(backend, C=0.5), method=method, cv=3
    ).fit(X, y)

    assert len(calibrated.calibrated_classifiers_) == 3
    for member in calibrated.calibrated_classifiers_:
        assert isinstance(member.estimator, LogisticRegression)
        assert member.estimator.coef_.shape == (
            1 if n_classes == 2 else n_classes, X.shape[1]
        )
    np.testing.assert_array_equal(calibrated.classes_, np.arange(n_classes))
    _assert_probabilities(calibrated.predict_proba(X), len(y), n_classes)
    assert calibrated.predict(X).shape == y.shape
    assert calibrated.score(X, y) > 0.6


@pytest.mark.parametrize("n_classes", [2, 3])
def test_calibrated_frozen_prefit_model(backend, n_classes):
    X, y = make_data(n_classes, n_samples=300)
    X_fit, X_cal, y_fit, y_cal = train_test_split(
        X, y, test_size=0.4, random_state=0, stratify=y
    )
    prefit = _model(backend, C=0.5).fit(X_fit, y_fit)
    coef, intercept = prefit.coef_.copy(), prefit.intercept_.copy()

    calibrated = CalibratedClassifierCV(FrozenEstimator(prefit)).fit(X_cal, y_cal)

    # Calibrated on X_cal, the frozen model not refitted.
    assert len(calibrated.calibrated_classifiers_) == 1
    assert calibrated.calibrated_classifiers_[0].estimator.estimator is prefit
    np.testing.assert_array_equal(prefit.coef_, coef)
    np.testing.assert_array_equal(prefit.intercept_, intercept)
    _assert_probabilities(calibrated.predict_proba(X), len(y), n_classes)
    assert calibrated.score(X, y) > 0.6


# -- StackingClassifier ------------------------------------------------------


@pytest.mark.parametrize("n_classes", [2, 3])
def test_stacking_base_and_final_estimator(backend, n_classes):
    X, y = make_data(n_classes)
    stack = StackingClassifier(
        estimators=[
            ("saga_l1", _model(backend, l1_ratio=1.0, C=0.5)),
            ("saga_l2", _model(backend, C=0.5)),
            ("tree", DecisionTreeClassifier(max_depth=3, random_state=0)),
        ],
        final_estimator=_model(backend, C=1.0),
        cv=3,
    ).fit(X, y)

    for name in ("saga_l1", "saga_l2"):
        assert isinstance(stack.named_estimators_[name], LogisticRegression)
    assert isinstance(stack.final_estimator_, LogisticRegression)
    # predict_proba of each base model: one column per class, the first
    # dropped for a binary problem.
    per_model = 1 if n_classes == 2 else n_classes
    assert stack.final_estimator_.n_features_in_ == 3 * per_model
    assert stack.transform(X).shape == (len(y), 3 * per_model)
    _assert_probabilities(stack.predict_proba(X), len(y), n_classes)
    assert stack.score(X, y) > 0.6

    # The base models are the models fitted directly on all the data.
    np.testing.assert_array_equal(
        stack.named_estimators_["saga_l1"].coef_,
        _model(backend, l1_ratio=1.0, C=0.5).fit(X, y).coef_,
    )


def test_stacking_on_decision_functions(backend):
    X, y = _iris()
    stack = StackingClassifier(
        estimators=[
            ("saga", _model(backend, C=0.5)),
            ("saga_l1", _model(backend, l1_ratio=1.0, C=0.5)),
        ],
        final_estimator=_model(backend, l1_ratio=1.0, C=1.0),
        stack_method="decision_function",
        cv=3,
    ).fit(X, y)
    assert stack.stack_method_ == ["decision_function", "decision_function"]
    assert stack.final_estimator_.n_features_in_ == 2 * 3
    assert stack.score(X, y) > 0.85


# -- OneVsRestClassifier -----------------------------------------------------


@pytest.mark.parametrize("n_classes", [3, 4])
def test_one_vs_rest(backend, n_classes):
    X, y = _sparse_problem(n_classes)
    labels = np.array(["ant", "bee", "cat", "dog"])[y]
    ovr = OneVsRestClassifier(_model(backend, l1_ratio=0.5, C=0.5)).fit(X, labels)

    assert len(ovr.estimators_) == n_classes
    np.testing.assert_array_equal(ovr.classes_, np.unique(labels))
    decision = ovr.decision_function(X)
    assert decision.shape == (len(y), n_classes)
    for k, estimator in enumerate(ovr.estimators_):
        # Each is the binary model of "class k against the rest".
        assert isinstance(estimator, LogisticRegression)
        assert estimator.coef_.shape == (1, X.shape[1])
        direct = _model(backend, l1_ratio=0.5, C=0.5).fit(X, labels == ovr.classes_[k])
        np.testing.assert_array_equal(estimator.coef_, direct.coef_)
        np.testing.assert_array_equal(estimator.intercept_, direct.intercept_)
        np.testing.assert_allclose(decision[:, k], direct.decision_function(X))
    _assert_probabilities(ovr.predict_proba(X), len(y), n_classes)
    np.testing.assert_array_equal(
        ovr.predict(X), ovr.classes_[np.argmax(decision, axis=1)]
    )
    assert ovr.score(X, labels) > 0.6


def test_one_vs_rest_in_worker_processes():
    X, y = _iris()
    serial = OneVsRestClassifier(_model(C=0.5)).fit(X, y)
    parallel = OneVsRestClassifier(_model(C=0.5), n_jobs=2).fit(X, y)
    for a, b in zip(serial.estimators_, parallel.estimators_, strict=True):
        np.testing.assert_array_equal(a.coef_, b.coef_)
    np.testing.assert_array_equal(serial.predict_proba(X), parallel.predict_proba(X))


# -- FrozenEstimator ---------------------------------------------------------


def test_frozen_estimator_fit_is_a_no_op(backend):
    X, y = make_data(3)
    model = _model(backend, C=0.5).fit(X, y)
    coef, intercept = model.coef_.copy(), model.intercept_.copy()
    expected = model.predict_proba(X)

    frozen = FrozenEstimator(model)
    # Other data, other labels, even another number of features: not refitted.
    rng = np.random.default_rng(0)
    assert frozen.fit(rng.normal(size=(50, 4)), rng.integers(0, 2, 50)) is frozen
    np.testing.assert_array_equal(model.coef_, coef)
    np.testing.assert_array_equal(model.intercept_, intercept)
    np.testing.assert_array_equal(frozen.predict_proba(X), expected)
    np.testing.assert_array_equal(frozen.predict(X), model.predict(X))
    np.testing.assert_array_equal(
        frozen.decision_function(X), model.decision_function(X)
    )
    np.testing.assert_array_equal(frozen.classes_, model.classes_)
    assert frozen.score(X, y) == model.score(X, y)
    # Cloning keeps the fitted model (what meta-estimators do with it).
    assert clone(frozen).estimator is model


# -- cross_validate in worker processes --------------------------------------


def test_fitted_model_pickles(backend):
    X, y = make_data(3)
    model = _model(backend, C=0.5).fit(X, y)
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict_proba(X), model.predict_proba(X))
    # The restored model fits again, to the same iterates.
    np.testing.assert_array_equal(restored.fit(X, y).coef_, model.coef_)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_cross_validate_same_in_worker_processes(backend, n_classes):
    X, y = make_data(n_classes)
    model = _model(backend, C=0.5, l1_ratio=0.5)
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    scoring = {
        "accuracy": "accuracy",
        "neg_log_loss": "neg_log_loss",
        "pid": lambda estimator, X, y: os.getpid(),  # where the fold ran
    }

    serial = cross_validate(
        model, X, y, cv=cv, scoring=scoring, n_jobs=1, return_estimator=True
    )
    # joblib's process-based backend (loky, its default): the model is
    # pickled to the workers and its kernels found again there.
    with joblib.parallel_config(backend="loky"):
        parallel = cross_validate(
            model, X, y, cv=cv, scoring=scoring, n_jobs=2, return_estimator=True
        )

    assert np.all(serial["test_pid"] == os.getpid())
    assert os.getpid() not in parallel["test_pid"]
    for key in ("test_accuracy", "test_neg_log_loss"):
        assert serial[key].shape == (3,)
        np.testing.assert_array_equal(parallel[key], serial[key])
    for a, b in zip(serial["estimator"], parallel["estimator"], strict=True):
        assert isinstance(b, LogisticRegression)
        np.testing.assert_array_equal(b.coef_, a.coef_)
        np.testing.assert_array_equal(b.intercept_, a.intercept_)
    # Better than chance (make_data redraws 15% of the labels).
    assert serial["test_accuracy"].mean() > 1.0 / n_classes + 0.15


# -- GridSearchCV ------------------------------------------------------------


def test_grid_search_over_C_and_l1_ratio(backend):
    X, y = make_data(3)
    grid = {"C": [0.05, 0.5, 5.0], "l1_ratio": [0.0, 0.5, 1.0]}
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    search = GridSearchCV(
        _model(backend), grid, cv=cv, scoring="neg_log_loss", n_jobs=2
    ).fit(X, y)

    results = search.cv_results_
    assert len(results["params"]) == 9
    assert np.all(np.isfinite(results["mean_test_score"]))
    best = search.best_params_
    assert best["C"] in grid["C"] and best["l1_ratio"] in grid["l1_ratio"]
    assert search.best_score_ == np.max(results["mean_test_score"])

    # Every candidate's score is what cross_val_score gives for it.
    for params, mean in zip(results["params"], results["mean_test_score"], strict=True):
        direct = cross_val_score(
            _model(backend, **params), X, y, cv=cv, scoring="neg_log_loss"
        )
        np.testing.assert_allclose(mean, direct.mean(), rtol=1e-12)

    # The refitted model is the best candidate fitted on all the data.
    assert isinstance(search.best_estimator_, LogisticRegression)
    refit = _model(backend, **best).fit(X, y)
    np.testing.assert_array_equal(search.best_estimator_.coef_, refit.coef_)
    _assert_probabilities(search.predict_proba(X), len(y), 3)


# -- LogisticRegressionCV in meta-estimators ---------------------------------


def test_logistic_regression_cv_in_a_pipeline(backend):
    X, y = load_iris(return_X_y=True)
    Cs, l1_ratios = [0.05, 0.5, 5.0], [0.0, 0.5, 1.0]
    pipeline = make_pipeline(
        StandardScaler(),
        LogisticRegressionCV(
            Cs=Cs, l1_ratios=l1_ratios, cv=3, max_iter=2000, random_state=0,
            backend=backend,
        ),
    )
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, random_state=0, stratify=y
    )
    pipeline.fit(X_train, y_train)
    model = pipeline[-1]
    assert model.C_ in Cs and model.l1_ratio_ in l1_ratios
    assert model.scores_.shape == (3, 3, 3)
    _assert_probabilities(pipeline.predict_proba(X_test), len(y_test), 3)
    assert pipeline.score(X_test, y_test) > 0.85
    # The handed-over model, in a pipeline, predicts the same.
    np.testing.assert_allclose(
        model.to_sklearn().predict_proba(pipeline[0].transform(X_test)),
        pipeline.predict_proba(X_test),
        rtol=1e-12,
    )


@pytest.mark.parametrize(
    "params, rule",
    [
        ({"l1_ratios": [1.0]}, "l1"),  # read from l1_ratio_
        ({"penalty": "l1"}, "l1"),  # read from penalty
        ({"l1_ratios": [0.0]}, "mean"),  # L2: the mean importance
    ],
)
def test_select_from_logistic_regression_cv(backend, params, rule):
    X, y = _sparse_problem(2)
    estimator = LogisticRegressionCV(
        Cs=[0.05, 0.1, 0.2], cv=3, max_iter=2000, random_state=0,
        backend=backend, **params,
    )
    selector = SelectFromModel(estimator).fit(X, y)

    fitted = selector.estimator_
    importance = np.abs(fitted.coef_).sum(axis=0)
    nonzero = np.any(fitted.coef_ != 0.0, axis=0)
    if rule == "l1":
        assert fitted.l1_ratio_ == 1.0
        assert 0 < nonzero.sum() < X.shape[1]
        expected, threshold = nonzero, L1_THRESHOLD
    else:
        assert fitted.l1_ratio_ == 0.0
        assert nonzero.all()
        expected, threshold = importance >= importance.mean(), importance.mean()
    # The support is computed from the fitted estimator_ (its l1_ratio_).
    np.testing.assert_array_equal(selector.get_support(), expected)
    assert selector.transform(X).shape == (len(y), expected.sum())

    # scikit-learn's threshold_ property reads the rule from the *unfitted*
    # `estimator` parameter, where l1_ratio_ does not exist yet (scikit-learn
    # does the same with its own LogisticRegressionCV); with a prefit model
    # it reads the fitted l1_ratio_.
    prefit = SelectFromModel(fitted, prefit=True).fit(X, y)
    assert prefit.threshold_ == pytest.approx(threshold, rel=1e-12)
    np.testing.assert_array_equal(prefit.get_support(), expected)


# -- ONNX --------------------------------------------------------------------


def _onnx_runtime():
    """skl2onnx and onnxruntime, or skip (the optional extra "onnx")."""
    reason = (
        "ONNX export needs skl2onnx and onnxruntime: "
        'pip install -e ".[onnx]"'
    )
    skl2onnx = pytest.importorskip("skl2onnx", reason=reason)
    onnxruntime = pytest.importorskip("onnxruntime", reason=reason)
    return skl2onnx, onnxruntime


@pytest.mark.parametrize(
    "data", ["binary", "multiclass", "iris"],
)
def test_onnx_export_predicts_the_same(data):
    skl2onnx, onnxruntime = _onnx_runtime()
    if data == "iris":
        X, y = _iris()
    else:
        X, y = _sparse_problem(2 if data == "binary" else 3)
    model = _model(l1_ratio=1.0, C=0.05).fit(X, y)
    assert np.any(model.coef_ == 0.0), "the L1 model should have zeros"

    onx = skl2onnx.to_onnx(
        model.to_sklearn(),
        X[:1].astype(np.float32),
        options={"zipmap": False},
        target_opset=None,
    )
    session = onnxruntime.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    outputs = [output.name for output in session.get_outputs()]
    assert outputs == ["label", "probabilities"]
    labels, probabilities = session.run(
        None, {session.get_inputs()[0].name: X.astype(np.float32)}
    )

    np.testing.assert_array_equal(labels, model.predict(X))
    assert probabilities.shape == (len(y), len(model.classes_))
    np.testing.assert_allclose(
        probabilities, model.predict_proba(X), rtol=1e-5, atol=1e-6
    )
