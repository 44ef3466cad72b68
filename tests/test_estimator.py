"""Correctness of fitted models, and the estimator inside scikit-learn tools.

Converged fits are judged by the objective against an independent tight
solve (``_reference``), and against scikit-learn's own saga.
"""

import functools
import pickle
import warnings
from dataclasses import dataclass, field

import _reference
import numpy as np
import pytest
from _reference import make_data
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression as SklearnLogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import compute_class_weight as sklearn_compute_class_weight

from fastsaga import LogisticRegression

# Converged fits must converge: a ConvergenceWarning here is a failure.
pytestmark = pytest.mark.filterwarnings("error::sklearn.exceptions.ConvergenceWarning")

# name -> (fastsaga parameters, (C, l1_ratio) of the reference objective).
# "l2" leaves penalty at "auto" so the default resolution is exercised too.
PENALTIES = {
    "l1": (dict(penalty="l1", C=0.1), (0.1, 1.0)),
    "l2": (dict(C=0.1), (0.1, 0.0)),
    "elasticnet": (dict(penalty="elasticnet", C=0.1, l1_ratio=0.5), (0.1, 0.5)),
    "none": (dict(penalty=None), (np.inf, 0.0)),
}

# The same penalties in scikit-learn 1.9's spelling (l1_ratio decides,
# C=inf is no penalty), which fastsaga accepts as well.
SKLEARN_PENALTIES = {
    "l1": dict(C=0.1, l1_ratio=1.0),
    "l2": dict(C=0.1, l1_ratio=0.0),
    "elasticnet": dict(C=0.1, l1_ratio=0.5),
    "none": dict(C=np.inf),
}

LABELS = np.array(["ant", "bee", "cat"])  # sorted, so index == class index


@dataclass
class Case:
    """One test problem: what fastsaga is given, what the reference solves."""

    X: np.ndarray
    y: np.ndarray  # labels given to fit
    y_index: np.ndarray  # class indices, for the reference
    weights: np.ndarray  # effective per-sample weights, for the reference
    sample_weight: np.ndarray = None  # given to fit
    params: dict = field(default_factory=dict)


def make_case(variant, n_classes):
    """Return the problem for one variant of the objective test."""
    X, y = make_data(n_classes)
    n_samples = len(y)
    case = Case(X=X, y=y, y_index=y, weights=np.ones(n_samples))
    if variant == "float32":
        case.X = X.astype(np.float32)
    elif variant == "no_intercept":
        case.params["fit_intercept"] = False
    elif variant == "uniform":
        case.params["sampling"] = "uniform"
    elif variant == "sample_weight":
        rng = np.random.RandomState(1)
        case.sample_weight = rng.uniform(0.2, 3.0, n_samples)
        case.sample_weight[rng.rand(n_samples) < 0.1] = 0.0
        case.weights = case.sample_weight
    elif variant == "class_weight_dict":
        # String labels: class_weight is keyed by label, not by index.
        per_class = np.array([0.5, 2.0, 1.5])[:n_classes]
        case.y = LABELS[y]
        labels = LABELS[:n_classes]
        case.params["class_weight"] = dict(zip(labels, per_class, strict=True))
        case.weights = per_class[y]
    elif variant == "class_weight_balanced":
        case.params["class_weight"] = "balanced"
        case.weights = (n_samples / (n_classes * np.bincount(y)))[y]
    else:
        assert variant == "float64"
    return case


@functools.cache
def reference_optimum(penalty, n_classes, variant):
    """The tight reference solve of one case (shared by both backends)."""
    case = make_case(variant, n_classes)
    _, (C, l1_ratio) = PENALTIES[penalty]
    n_rows = 1 if n_classes == 2 else n_classes
    reference = _reference.solve(
        case.X, case.y_index, n_rows, case.weights, C, l1_ratio,
        case.params.get("fit_intercept", True),
    )
    # The reference is the optimum to many digits (its proximal-gradient
    # residual is tiny against the gradient at zero, of order n).
    assert reference.residual < 1e-6 * len(case.y)
    return reference


@pytest.mark.parametrize(
    "variant",
    [
        "float64",
        "float32",
        "no_intercept",
        "uniform",
        "sample_weight",
        "class_weight_dict",
        "class_weight_balanced",
    ],
)
@pytest.mark.parametrize("penalty", list(PENALTIES))
@pytest.mark.parametrize("n_classes", [2, 3])
def test_objective_matches_reference(backend, penalty, n_classes, variant):
    case = make_case(variant, n_classes)
    params, (C, l1_ratio) = PENALTIES[penalty]
    float32 = case.X.dtype == np.float32
    clf = LogisticRegression(
        **params,
        **case.params,
        tol=1e-6 if float32 else 1e-10,
        max_iter=20_000,
        backend=backend,
        random_state=0,
    )
    clf.fit(case.X, case.y, sample_weight=case.sample_weight)

    n_rows = 1 if n_classes == 2 else n_classes
    fit_intercept = case.params.get("fit_intercept", True)
    reference = reference_optimum(penalty, n_classes, variant)

    value = _reference.objective(
        case.X, case.y_index, clf.coef_, clf.intercept_, case.weights, C, l1_ratio
    )
    relative_gap = (value - reference.value) / abs(reference.value)
    # Below the optimum would mean the reference is not one.
    assert relative_gap > -1e-9
    assert relative_gap < (1e-5 if float32 else 1e-8)
    if penalty in ("l2", "elasticnet"):
        # Strongly convex: the minimiser is unique, and the objective gap,
        # second order in the error, alone would miss a slightly wrong one.
        atol = 1e-4 if float32 else 1e-6
        assert_allclose(clf.coef_, reference.W, rtol=0, atol=atol)
        assert_allclose(clf.intercept_, reference.b, rtol=0, atol=atol)

    assert clf.coef_.shape == (n_rows, case.X.shape[1])
    assert clf.coef_.dtype == case.X.dtype
    assert clf.intercept_.shape == (n_rows,)
    if not fit_intercept:
        assert_array_equal(clf.intercept_, 0.0)
    if penalty == "l1":
        assert np.any(clf.coef_ == 0.0), "L1 at C=0.1 should zero some weights"


@functools.cache
def sklearn_saga(penalty, n_classes):
    """scikit-learn's saga, converged tightly (shared by both backends)."""
    X, y = make_data(n_classes, seed=1)
    return SklearnLogisticRegression(
        solver="saga",
        tol=1e-10,
        max_iter=100_000,
        random_state=0,
        **SKLEARN_PENALTIES[penalty],
    ).fit(X, y)


@pytest.mark.parametrize("penalty", list(SKLEARN_PENALTIES))
@pytest.mark.parametrize("n_classes", [2, 3])
def test_matches_sklearn_saga(backend, penalty, n_classes):
    X, y = make_data(n_classes, seed=1)
    X_new, _ = make_data(n_classes, seed=2)
    theirs = sklearn_saga(penalty, n_classes)
    ours = LogisticRegression(
        **SKLEARN_PENALTIES[penalty],
        tol=1e-10,
        max_iter=20_000,
        backend=backend,
        random_state=0,
    ).fit(X, y)
    assert_array_equal(ours.classes_, theirs.classes_)
    assert_allclose(ours.coef_, theirs.coef_, rtol=0, atol=1e-6)
    assert_allclose(ours.intercept_, theirs.intercept_, rtol=0, atol=1e-6)
    for data in (X, X_new):
        assert_array_equal(ours.predict(data), theirs.predict(data))
        assert_allclose(ours.predict_proba(data), theirs.predict_proba(data), atol=1e-6)
        assert_allclose(
            ours.decision_function(data), theirs.decision_function(data), atol=1e-5
        )
        assert_allclose(
            ours.predict_log_proba(data), theirs.predict_log_proba(data), atol=1e-5
        )
    assert ours.score(X, y) == pytest.approx(theirs.score(X, y))


def test_fitted_attributes(multiclass_data):
    X, y = multiclass_data
    labels = LABELS[y]
    clf = LogisticRegression(random_state=0).fit(X, labels)
    assert_array_equal(clf.classes_, LABELS)
    assert clf.n_features_in_ == X.shape[1]
    assert clf.n_iter_.shape == (1,) and 1 <= clf.n_iter_[0] <= clf.max_iter
    assert not hasattr(clf, "feature_names_in_")
    proba = clf.predict_proba(X)
    assert proba.shape == (len(y), 3)
    assert_allclose(proba.sum(axis=1), 1.0)
    assert_array_equal(clf.predict(X), LABELS[np.argmax(proba, axis=1)])
    assert clf.score(X, labels) > 0.6


def test_binary_has_one_row_for_the_second_class(binary_data):
    X, y = binary_data
    clf = LogisticRegression(random_state=0).fit(X, y)
    assert clf.coef_.shape == (1, X.shape[1])
    decision = clf.decision_function(X)
    assert decision.shape == (len(y),)
    assert_allclose(clf.predict_proba(X)[:, 1], 1 / (1 + np.exp(-decision)))


def test_pandas_keeps_feature_names(binary_data):
    pd = pytest.importorskip("pandas")
    X, y = binary_data
    names = [f"pixel_{j}" for j in range(X.shape[1])]
    frame = pd.DataFrame(X, columns=names)
    clf = LogisticRegression(random_state=0).fit(frame, pd.Series(y))
    assert_array_equal(clf.feature_names_in_, names)
    from_array = LogisticRegression(random_state=0).fit(X, y)
    assert_array_equal(clf.coef_, from_array.coef_)
    assert_array_equal(clf.predict(frame), from_array.predict(X))


def test_pipeline_grid_search_and_cross_validation(multiclass_data):
    X, y = multiclass_data
    X = 100.0 * X + 5.0  # the scaler in the pipeline undoes this
    pipeline = make_pipeline(
        StandardScaler(), LogisticRegression(random_state=0, max_iter=1000)
    )
    search = GridSearchCV(
        pipeline, {"logisticregression__C": [0.01, 1.0]}, cv=3
    ).fit(X, y)
    assert search.best_params_["logisticregression__C"] in (0.01, 1.0)
    assert search.score(X, y) > 0.6
    scores = cross_val_score(pipeline, X, y, cv=3)
    assert scores.shape == (3,) and np.all(scores > 0.5)


def test_clone_and_pickle(backend, multiclass_data):
    X, y = multiclass_data
    clf = LogisticRegression(
        penalty="elasticnet", l1_ratio=0.3, C=0.5, backend=backend, random_state=3
    )
    clone_ = clone(clf)
    assert clone_.get_params() == clf.get_params()
    assert not hasattr(clone_, "coef_")
    clf.fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    assert_array_equal(restored.coef_, clf.coef_)
    assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    # Same parameters and seed, same model.
    assert_array_equal(clone(clf).fit(X, y).coef_, clf.coef_)


def test_warm_start_continues_from_previous_coef(backend, multiclass_data):
    X, y = multiclass_data
    params = dict(C=0.1, tol=1e-10, max_iter=20_000, backend=backend, random_state=0)
    converged = LogisticRegression(**params).fit(X, y)

    def objective(clf):
        return _reference.objective(
            X, y, clf.coef_, clf.intercept_, np.ones(len(y)), 0.1, 0.0
        )

    def one_epoch(warm_start):
        clf = LogisticRegression(**{**params, "max_iter": 1, "warm_start": warm_start})
        if warm_start:
            clf.coef_ = converged.coef_.copy()
            clf.intercept_ = converged.intercept_.copy()
        # From zero one epoch cannot converge; from the optimum (with the
        # memory taken there) it may already meet tol.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(X, y)
        assert clf.n_iter_[0] == 1
        return clf

    cold, warm = one_epoch(False), one_epoch(True)
    # From the optimum one epoch stays near it; from zero it cannot get there.
    assert objective(warm) - objective(converged) < 1e-3 * objective(converged)
    assert objective(cold) - objective(converged) > 10 * (
        objective(warm) - objective(converged)
    )
    assert_allclose(warm.coef_, converged.coef_, atol=0.05)

    # A refit with warm_start=True on the same data starts where it stopped.
    refit = LogisticRegression(**{**params, "warm_start": True}).fit(X, y)
    first = refit.coef_.copy()
    refit.set_params(max_iter=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        refit.fit(X, y)
    assert refit.n_iter_[0] == 1
    assert_allclose(refit.coef_, first, atol=1e-6)


def test_warm_start_without_intercept_drops_the_old_intercept(backend, multiclass_data):
    X, y = multiclass_data
    params = dict(tol=1e-10, max_iter=20_000, backend=backend, random_state=0)
    clf = LogisticRegression(warm_start=True, **params).fit(X, y)
    assert np.any(clf.intercept_ != 0.0)
    clf.set_params(fit_intercept=False).fit(X, y)
    assert_array_equal(clf.intercept_, 0.0)
    cold = LogisticRegression(fit_intercept=False, **params).fit(X, y)
    assert_allclose(clf.coef_, cold.coef_, rtol=0, atol=1e-6)


def test_all_zero_coef_still_converges_the_intercept(backend):
    # An L1 penalty strong enough to keep W at zero leaves only the
    # intercepts, whose optimum is the log of the class frequencies (up to a
    # shared shift).  scikit-learn's criterion alone would stop after epoch 1.
    rng = np.random.RandomState(0)
    X = rng.randn(600, 5)
    y = rng.choice(3, size=600, p=[0.6, 0.3, 0.1])
    clf = LogisticRegression(
        C=1e-4, penalty="l1", tol=1e-6, max_iter=5000, backend=backend, random_state=0
    ).fit(X, y)
    assert not np.any(clf.coef_)
    log_frequencies = np.log(np.bincount(y) / len(y))
    assert_allclose(
        clf.intercept_ - clf.intercept_.mean(),
        log_frequencies - log_frequencies.mean(),
        atol=1e-3,
    )
    assert clf.n_iter_[0] > 1


def test_balanced_class_weight_counts_sample_weight(multiclass_data):
    # As in scikit-learn, "balanced" weighs classes by their total sample
    # weight, not their row count.
    X, y = multiclass_data
    sample_weight = np.where(y == 0, 3.0, 1.0)
    params = dict(class_weight="balanced", tol=1e-10, max_iter=20_000, random_state=0)
    ours = LogisticRegression(**params).fit(X, y, sample_weight=sample_weight)
    per_class = sklearn_compute_class_weight(
        "balanced", classes=np.unique(y), y=y, sample_weight=sample_weight
    )
    explicit = LogisticRegression(**{**params, "class_weight": None}).fit(
        X, y, sample_weight=sample_weight * per_class[y]
    )
    assert_allclose(ours.coef_, explicit.coef_, rtol=1e-8, atol=1e-10)
