"""Mini-batch SAGA through the estimator: batch sizes, threads, step rule.

The kernels' own agreement (both backends, batch of one against the
one-sample kernel, thread counts) is in ``test_batch_kernels.py``; here the
fits are judged by their objective against the independent reference
optimum of ``_reference``.
"""

import warnings
from types import SimpleNamespace

import _reference
import numpy as np
import pytest
from numpy.testing import assert_array_equal
from scipy import sparse
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning

import fastsaga._path
import fastsaga._solver
from fastsaga import LogisticRegression, _problem
from fastsaga._backends import get_backend

PENALTIES = {"l2": 0.0, "l1": 1.0, "elasticnet": 0.5}


def _correlated_problem(n_classes, n_samples=600, n_features=40, seed=0):
    """Rows with a few strong common directions, as images have."""
    rng = np.random.RandomState(seed)
    factors = rng.standard_normal((n_samples, 3)) @ rng.standard_normal((3, n_features))
    X = factors + 0.3 * rng.standard_normal((n_samples, n_features))
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    scores = X @ rng.standard_normal((n_features, n_classes))
    y = np.argmax(scores + rng.gumbel(size=scores.shape), axis=1)
    return X, y


@pytest.mark.parametrize("batch_size", [1, 2, 7, 64])
@pytest.mark.parametrize("l1_ratio", PENALTIES.values(), ids=PENALTIES.keys())
@pytest.mark.parametrize("n_classes", [2, 3])
def test_every_batch_size_reaches_the_reference_optimum(
    backend, batch_size, l1_ratio, n_classes
):
    X, y = _correlated_problem(n_classes)
    clf = LogisticRegression(
        C=0.1, l1_ratio=l1_ratio, tol=1e-10, max_iter=3000, batch_size=batch_size,
        backend=backend, random_state=0,
    ).fit(X, y)
    assert clf.batch_size_ == batch_size
    ones = np.ones(len(y))
    reference = _reference.solve(X, y, clf.coef_.shape[0], ones, 0.1, l1_ratio, True)
    ours = _reference.objective(X, y, clf.coef_, clf.intercept_, ones, 0.1, l1_ratio)
    assert ours <= reference.value + 1e-8 * abs(reference.value)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_batches_with_weights_reach_the_reference_optimum(backend, fit_intercept):
    X, y = _correlated_problem(3)
    weights = np.random.RandomState(1).uniform(0.2, 3.0, size=len(y))
    clf = LogisticRegression(
        C=0.5, l1_ratio=0.5, tol=1e-10, max_iter=3000, batch_size=16,
        class_weight={0: 2.0, 1: 1.0, 2: 0.5}, fit_intercept=fit_intercept,
        backend=backend, random_state=0,
    ).fit(X, y, sample_weight=weights)
    weights = weights * np.array([2.0, 1.0, 0.5])[y]
    reference = _reference.solve(X, y, 3, weights, 0.5, 0.5, fit_intercept)
    ours = _reference.objective(X, y, clf.coef_, clf.intercept_, weights, 0.5, 0.5)
    assert ours <= reference.value + 1e-8 * abs(reference.value)


def test_float32_batches_reach_the_optimum_to_float32_precision(backend):
    X, y = _correlated_problem(3)
    clf = LogisticRegression(
        C=0.1, l1_ratio=0.5, tol=1e-6, max_iter=2000, batch_size=8,
        backend=backend, random_state=0,
    ).fit(X.astype(np.float32), y)
    assert clf.coef_.dtype == np.float32
    ones = np.ones(len(y))
    reference = _reference.solve(X, y, 3, ones, 0.1, 0.5, True)
    ours = _reference.objective(X, y, clf.coef_, clf.intercept_, ones, 0.1, 0.5)
    assert ours <= reference.value + 1e-5 * abs(reference.value)


@pytest.mark.parametrize("batch_size", [7, 64])
def test_thread_count_does_not_change_the_model(backend, batch_size):
    # 150 features: blocks of the kernels' width and a ragged last one.
    X, y = make_classification(
        n_samples=700, n_features=150, n_informative=30, n_classes=4,
        random_state=0,
    )
    fits = [
        LogisticRegression(
            C=0.05, l1_ratio=0.5, max_iter=5, tol=0, batch_size=batch_size,
            n_jobs=n_jobs, backend=backend, random_state=0,
        )
        for n_jobs in (1, 2, 3)
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for clf in fits:
            clf.fit(X, y)
    for clf in fits[1:]:
        assert_array_equal(clf.coef_, fits[0].coef_)
        assert_array_equal(clf.intercept_, fits[0].intercept_)


def test_batch_kernel_reads_the_callers_x_and_never_writes_it(monkeypatch):
    X, y = _correlated_problem(3)
    X.setflags(write=False)
    seen = []
    kernels = get_backend("numba")

    def spy(X_kernel, *args):
        seen.append(X_kernel)
        return kernels.dense_batch_epoch(X_kernel, *args)

    monkeypatch.setattr(
        fastsaga._solver, "get_backend",
        lambda name: SimpleNamespace(dense_batch_epoch=spy),
    )
    before = X.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        LogisticRegression(max_iter=2, tol=0, batch_size=8).fit(X, y)
    assert seen and all(array is X for array in seen)
    assert_array_equal(X, before)


@pytest.mark.parametrize("batch_size", [8, 64])
def test_strong_l2_and_unscaled_data_stay_finite(backend, batch_size):
    X, y = _correlated_problem(3)
    raw = 255.0 * (X - X.min())  # pixel-like scale, large row norms
    for data, C in ((X, 1e-10), (raw, 1.0)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf = LogisticRegression(
                C=C, max_iter=20, batch_size=batch_size, backend=backend,
                random_state=0,
            ).fit(data, y)
        assert np.all(np.isfinite(clf.coef_)) and np.all(np.isfinite(clf.intercept_))


def test_auto_batch_follows_the_data():
    correlated, y = _correlated_problem(3, n_samples=4000)
    # Orthogonal rows: a batch's smoothness is one sample's over its size,
    # so a batch does not step further per sample than one sample does.
    orthogonal = np.zeros((4000, 4000))
    orthogonal[np.arange(4000), np.arange(4000)] = 1.0
    labels = np.arange(4000) % 3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        assert LogisticRegression(max_iter=1).fit(correlated, y).batch_size_ > 1
        clf = LogisticRegression(max_iter=1).fit(orthogonal, labels)
        assert clf.batch_size_ == 1
        sparse_fit = LogisticRegression(max_iter=1, batch_size=16).fit(
            sparse.csr_matrix(correlated), y
        )
    assert sparse_fit.batch_size_ == 1


def test_auto_batch_leaves_enough_steps_per_epoch():
    X, y = _correlated_problem(3, n_samples=200)
    clf = LogisticRegression(max_iter=500, tol=1e-3).fit(X, y)
    assert 1 < clf.batch_size_ <= len(y) / _problem.MIN_BATCHES_PER_EPOCH


@pytest.mark.parametrize("batch_size", [0, -1, 2.5, "big"])
def test_bad_batch_size_is_refused(batch_size):
    X, y = _correlated_problem(2)
    with pytest.raises(ValueError, match="batch_size"):
        LogisticRegression(batch_size=batch_size).fit(X, y)


def test_explicit_batch_larger_than_the_data_takes_all_samples():
    X, y = _correlated_problem(2, n_samples=50)
    clf = LogisticRegression(batch_size=500, max_iter=500, tol=1e-6).fit(X, y)
    assert clf.batch_size_ == 50


def test_batch_smoothness_runs_from_one_sample_to_the_whole_data():
    lipschitz = np.array([1.0, 2.0, 3.0, 10.0])
    probabilities = np.full(4, 0.25)
    assert _problem.batch_smoothness(lipschitz, probabilities, 2.0, 1) == 10.0
    assert _problem.batch_smoothness(lipschitz, probabilities, 2.0, 4) == 4.0
    assert _problem.batch_smoothness(lipschitz, probabilities, 2.0, 10**9) == (
        pytest.approx(2.0)
    )
    # An estimate above the largest single smoothness is capped there.
    assert _problem.batch_smoothness(lipschitz, probabilities, 50.0, 8) == 10.0


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("multinomial", [True, False])
def test_full_smoothness_estimates_the_largest_eigenvalue(fit_intercept, multinomial):
    X, _ = _correlated_problem(2, n_samples=800)
    weights = np.random.RandomState(0).uniform(0.5, 2.0, size=800)
    augmented = np.hstack([X, np.ones((800, 1))]) if fit_intercept else X
    exact = np.linalg.eigvalsh(augmented.T @ (weights[:, None] * augmented) / 800)[-1]
    factor = (
        _problem.MULTINOMIAL_SMOOTHNESS if multinomial else _problem.BINARY_SMOOTHNESS
    )
    estimate = _problem.full_smoothness(X, weights, fit_intercept, multinomial)
    assert estimate == pytest.approx(factor * exact, rel=0.05)


def test_step_grows_while_the_objective_falls_and_stops_at_a_rise():
    rule = _problem.StepRule(safe=1.0, intercept_safe=2.0, longest=np.inf)
    assert rule.step == _problem.STEP_MULTIPLIER
    rule.grow()
    assert rule.step == 2 * _problem.STEP_MULTIPLIER
    assert rule.intercept_step == 4 * _problem.STEP_MULTIPLIER
    for _ in range(20):
        rule.grow()
    assert rule.step == _problem.MAX_STEP_MULTIPLIER
    rule.shorten()
    assert rule.step == _problem.MAX_STEP_MULTIPLIER / 2
    rule.grow()  # a step that once overshot is not tried again
    assert rule.step == _problem.MAX_STEP_MULTIPLIER / 2
    for _ in range(20):
        rule.shorten()
    assert rule.step == 1.0 and not rule.can_shorten


def test_grown_step_never_passes_the_l2_limit():
    rule = _problem.StepRule(safe=1.0, intercept_safe=1.0, longest=3.0)
    for _ in range(10):
        rule.grow()
    assert rule.step == 3.0


def test_grown_step_is_checked_on_any_rise():
    rule = _problem.StepRule(safe=1.0, intercept_safe=1.0, longest=np.inf)
    assert not rule.too_long(1.0, 1.01)
    # At the starting multiplier only a rise beyond ROLLBACK_RISE counts.
    assert not rule.too_long(1.01, 1.0)
    assert rule.too_long(1.0 + 2 * _problem.ROLLBACK_RISE, 1.0)
    rule.grow()
    assert rule.too_long(1.01, 1.0) and rule.too_long(1.0, 1.0)
    assert not rule.too_long(0.99, 1.0)
    assert rule.too_long(np.nan, 1.0)


def test_warm_path_carries_the_measured_step(backend):
    from fastsaga._path import logistic_regression_path

    X, y = _correlated_problem(3)
    seen, results = [], []
    solve = fastsaga._path.saga_solve

    def spy(*args, **kwargs):
        seen.append(kwargs["step_rule"])
        results.append(solve(*args, **kwargs))
        return results[-1]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fastsaga._path, "saga_solve", spy)
        logistic_regression_path(
            X, y, [0.01, 0.1], n_classes=3, tol=1e-4, max_iter=200,
            random_state=0, backend=backend,
        )
    assert seen[0] is None
    assert seen[1] is results[0].step_rule
