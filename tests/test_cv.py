"""Regularisation paths and LogisticRegressionCV."""

import _reference
import numpy as np
import pytest
from _reference import make_data
from scipy import sparse
from sklearn.linear_model import LogisticRegressionCV as SklearnLogisticRegressionCV
from sklearn.model_selection import StratifiedKFold

from fastsaga import LogisticRegressionCV, _problem
from fastsaga._layout import DenseLayout
from fastsaga._path import logistic_regression_path

# Cs where every problem below has non-zero coefficients, so the weight-based
# stopping rule also settles the intercepts.
PATH_CS = np.logspace(-1, 2, 6)


def _folds(X, y):
    return list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))


@pytest.mark.parametrize(
    "n_classes, l1_ratio, solver",
    [(2, 0.0, "lbfgs"), (3, 1.0, "saga"), (2, 0.5, "saga"), (3, 0.0, "lbfgs")],
)
def test_same_choice_and_scores_as_sklearn(n_classes, l1_ratio, solver):
    X, y = make_data(n_classes)
    folds = _folds(X, y)
    common = dict(
        Cs=PATH_CS, l1_ratios=(l1_ratio,), cv=folds, scoring="neg_log_loss"
    )
    reference = SklearnLogisticRegressionCV(
        **common, solver=solver, tol=1e-10, max_iter=100_000,
        use_legacy_attributes=False,
    ).fit(X, y)
    ours = LogisticRegressionCV(
        **common, tol=1e-8, max_iter=100_000, random_state=0
    ).fit(X, y)

    assert ours.C_ == reference.C_
    assert ours.l1_ratio_ == reference.l1_ratio_
    np.testing.assert_allclose(ours.scores_, reference.scores_, rtol=0, atol=1e-3)
    for name in ("coefs_paths_", "scores_", "n_iter_", "coef_", "intercept_",
                 "Cs_", "l1_ratios_", "classes_"):
        assert np.shape(getattr(ours, name)) == np.shape(getattr(reference, name))
    np.testing.assert_allclose(ours.coef_, reference.coef_, atol=1e-4)
    np.testing.assert_allclose(ours.intercept_, reference.intercept_, atol=1e-4)


def test_elastic_net_grid_and_refit_false_match_sklearn():
    X, y = make_data(2)
    y = np.array(["no", "yes"])[y]  # string labels go through the encoder
    common = dict(
        Cs=4, l1_ratios=np.array([0.2, 0.9]), cv=_folds(X, y), refit=False,
        fit_intercept=False,
    )
    reference = SklearnLogisticRegressionCV(
        **common, solver="saga", tol=1e-10, max_iter=100_000, scoring=None,
        use_legacy_attributes=False, random_state=0,
    ).fit(X, y)
    ours = LogisticRegressionCV(
        **common, tol=1e-8, max_iter=100_000, random_state=0
    ).fit(X, y)

    # Accuracy (the default scoring) ties a lot: the choice must break ties
    # as scikit-learn does.
    np.testing.assert_array_equal(ours.scores_, reference.scores_)
    assert ours.C_ == pytest.approx(reference.C_)
    assert ours.l1_ratio_ == pytest.approx(reference.l1_ratio_)
    assert ours.coefs_paths_.shape == reference.coefs_paths_.shape
    np.testing.assert_allclose(ours.coef_, reference.coef_, atol=1e-4)
    np.testing.assert_array_equal(ours.intercept_, [0.0])
    np.testing.assert_array_equal(ours.predict(X), reference.predict(X))


@pytest.mark.parametrize("n_classes, l1_ratio", [(2, 0.0), (3, 1.0), (3, 0.5)])
def test_warm_path_reaches_the_objectives_of_cold_fits(n_classes, l1_ratio):
    X, y = make_data(n_classes)
    paths = {
        warm: logistic_regression_path(
            X, y, PATH_CS[::-1], n_classes=n_classes, l1_ratio=l1_ratio,
            tol=1e-9, max_iter=50_000, random_state=0, warm_start=warm,
        )
        for warm in (True, False)
    }
    weights = np.ones(len(y))
    for position, C in enumerate(PATH_CS[::-1]):
        alpha, beta = _problem.penalty_strengths(C, l1_ratio, len(y))
        warm, cold = (
            _problem.objective(
                X, y, paths[w].coefs[position], paths[w].intercepts[position],
                weights, alpha, beta,
            )
            for w in (True, False)
        )
        assert warm == pytest.approx(cold, rel=1e-6)
    # Warm starts are the point: the whole path must not cost more epochs.
    assert paths[True].n_iter.sum() <= paths[False].n_iter.sum()


def test_warm_path_does_not_stop_at_a_zero_that_is_not_optimal(backend):
    # After a C where W = 0 is optimal, the next fit starts from zero with a
    # partial gradient memory: its first epoch can end with W still at zero
    # although zero is not optimal.  Without an optimality check at zero, 11
    # of these 30 seeds stopped there after one epoch.
    X, y = make_data(2)
    ones = np.ones(len(y))
    _, grad_W, _ = _reference.smooth_part(
        X, y, np.zeros((1, X.shape[1])), np.zeros(1), ones, np.inf, 1.0
    )
    # L1 weight 1/C: the largest loss-gradient entry at zero over 1.1.
    C = 1.1 / np.max(np.abs(grad_W))
    optimum = _reference.solve(X, y, 1, ones, C, 1.0, fit_intercept=False)
    for seed in range(30):
        path = logistic_regression_path(
            X, y, [1e-4, C], n_classes=2, l1_ratio=1.0, tol=1e-8,
            max_iter=10_000, random_state=seed, fit_intercept=False,
            backend=backend,
        )
        value = _reference.objective(
            X, y, path.coefs[1], path.intercepts[1], ones, C, 1.0
        )
        assert (value - optimum.value) / optimum.value < 1e-6, seed


@pytest.mark.parametrize("warm_start", [True, False])
def test_csr_path_equals_dense_path(warm_start, monkeypatch):
    # A sparse path runs on one feature-major state from C to C: it must
    # walk the dense path's iterates (same index stream and step rule: dense
    # steps grow, CSR ones do not) to rounding.
    monkeypatch.setattr(DenseLayout, "grows_step", False)
    X, y = make_data(3)
    X[np.abs(X) < 0.5] = 0.0
    paths = [
        logistic_regression_path(
            data, y, PATH_CS, n_classes=3, l1_ratio=0.5, tol=1e-3,
            max_iter=1000, random_state=0, warm_start=warm_start, batch_size=1,
        )
        for data in (X, sparse.csr_matrix(X))
    ]
    np.testing.assert_array_equal(paths[0].n_iter, paths[1].n_iter)
    scale = np.max(np.abs(paths[0].coefs))
    np.testing.assert_allclose(paths[1].coefs, paths[0].coefs, rtol=0,
                               atol=1e-9 * scale)
    np.testing.assert_allclose(paths[1].intercepts, paths[0].intercepts,
                               rtol=0, atol=1e-9 * scale)


def test_path_keeps_the_callers_order_and_inputs():
    X, y = make_data(3)
    coef = np.full((3, X.shape[1]), 0.1)
    X_before, coef_before = X.copy(), coef.copy()
    Cs = [1.0, 0.1, 10.0]
    path = logistic_regression_path(
        X, y, Cs, n_classes=3, tol=1e-6, max_iter=10_000, random_state=0,
        coef=coef,
    )
    assert path.coefs.shape == (3, 3, X.shape[1])
    # Stronger regularisation shrinks: the norms follow the order of Cs.
    norms = np.linalg.norm(path.coefs.reshape(3, -1), axis=1)
    assert norms[1] < norms[0] < norms[2]
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(coef, coef_before)


def test_deterministic_with_or_without_threads():
    X, y = make_data(3)
    params = dict(Cs=PATH_CS, l1_ratios=(0.0, 1.0), cv=3, random_state=7)
    runs = [
        LogisticRegressionCV(**params, n_jobs=n_jobs).fit(X, y)
        for n_jobs in (1, 2, 2)
    ]
    for other in runs[1:]:
        np.testing.assert_array_equal(other.coefs_paths_, runs[0].coefs_paths_)
        np.testing.assert_array_equal(other.scores_, runs[0].scores_)
        np.testing.assert_array_equal(other.n_iter_, runs[0].n_iter_)
        np.testing.assert_array_equal(other.coef_, runs[0].coef_)


def test_penalty_names_resolve_like_logistic_regression():
    X, y = make_data(2, n_samples=60)
    l1 = LogisticRegressionCV(Cs=[1.0], cv=2, penalty="l1").fit(X, y)
    np.testing.assert_array_equal(l1.l1_ratios_, [1.0])
    assert l1.l1_ratio_ == 1.0
    with pytest.raises(ValueError, match="contradicts"):
        LogisticRegressionCV(Cs=[1.0], cv=2, penalty="l2", l1_ratios=[0.5]).fit(X, y)
    with pytest.raises(ValueError, match="elasticnet"):
        LogisticRegressionCV(Cs=[1.0], cv=2, penalty="elasticnet").fit(X, y)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"Cs": [1.0, -1.0]}, "Cs must be"),
        ({"Cs": []}, "Cs must be"),
        ({"l1_ratios": [1.5]}, "l1_ratios must be"),
        ({"l1_ratios": []}, "l1_ratios must be"),
        ({"scoring": "no such scorer"}, "scoring"),
    ],
)
def test_bad_grids_raise(params, message):
    X, y = make_data(2, n_samples=60)
    with pytest.raises(ValueError, match=message):
        LogisticRegressionCV(cv=2, **params).fit(X, y)


@pytest.mark.parametrize("class_weight, weighted", [(None, True), ("balanced", False)])
def test_sample_and_class_weights_match_sklearn(class_weight, weighted):
    X, y = make_data(3)
    weights = np.random.RandomState(0).uniform(0.5, 2.0, len(y)) if weighted else None
    common = dict(
        Cs=PATH_CS[:3], l1_ratios=(0.0,), cv=_folds(X, y), scoring="neg_log_loss",
        class_weight=class_weight,
    )
    reference = SklearnLogisticRegressionCV(
        **common, tol=1e-10, max_iter=10_000, use_legacy_attributes=False
    ).fit(X, y, sample_weight=weights)
    ours = LogisticRegressionCV(
        **common, tol=1e-8, max_iter=100_000, random_state=0
    ).fit(X, y, sample_weight=weights)
    np.testing.assert_allclose(ours.scores_, reference.scores_, atol=1e-6)
    np.testing.assert_allclose(ours.coef_, reference.coef_, atol=1e-4)
