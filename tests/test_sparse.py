"""Sparse (CSR) input: the lazy kernels walk the dense kernels' iterates.

The dense fit of ``X.toarray()`` is the reference: with the same seed both
paths draw the same sample indices, so the weights must agree to rounding.
"""

import time
import tracemalloc

import numpy as np
import pytest
from fastsaga._backends._cython_sparse import MAX_COMPILED_CLASSES
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse

from fastsaga import LogisticRegression, _problem
from fastsaga._backends._numba_sparse import FEW_CLASSES, _catch_up
from fastsaga._layout import DenseLayout

# A few epochs, stopped by max_iter on purpose.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

PENALTIES = {
    "l1": dict(penalty="l1", C=0.1),
    "l2": dict(C=0.5),
    "elasticnet": dict(penalty="elasticnet", l1_ratio=0.5, C=0.2),
    "none": dict(penalty=None),
}


def relative_difference(a, b):
    return np.max(np.abs(a - b)) / np.max(np.abs(b))


def sparse_problem(n_classes, n_samples=300, n_features=60, density=0.15, seed=0):
    """Sparse rows whose labels depend on a few features (non-separable)."""
    rng = np.random.RandomState(seed)
    X = sparse.random(
        n_samples, n_features, density=density, format="csr", random_state=rng,
        data_rvs=lambda size: rng.normal(0.0, 2.0, size),
    )
    scores = X @ rng.normal(size=(n_features, n_classes)) + rng.gumbel(
        size=(n_samples, n_classes)
    )
    return X, scores.argmax(axis=1)


@pytest.fixture(autouse=True)
def dense_step_as_csr(monkeypatch):
    """Dense fits keep their starting step, as CSR fits do.

    The CSR kernels must walk the dense one-sample kernel's iterates; the
    step rule differs by layout (dense steps grow), not the kernels.
    """
    monkeypatch.setattr(DenseLayout, "grows_step", False)


def fit(X, y, backend="numba", sample_weight=None, **params):
    # One sample a step: the sparse kernels walk the dense one-sample
    # kernel's iterates (CSR input always takes one sample a step).
    params = dict(dict(tol=0.0, max_iter=6, random_state=3, batch_size=1), **params)
    model = LogisticRegression(backend=backend, **params)
    return model.fit(X, y, sample_weight=sample_weight)


def assert_same_fit(sparse_fit, dense_fit, tolerance=1e-9):
    assert relative_difference(sparse_fit.coef_, dense_fit.coef_) < tolerance
    assert_allclose(sparse_fit.intercept_, dense_fit.intercept_, rtol=tolerance,
                    atol=tolerance * np.max(np.abs(dense_fit.intercept_)))


# --- the closed form of the missed steps -----------------------------------


def stepped(w, m, c, threshold, decay):
    """The reference: ``m`` missed steps, one at a time."""
    for _ in range(m):
        v = decay * w - c
        w = v - min(max(v, -threshold), threshold)
    return w


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("decay", [1.0, 1 - 1e-9, 0.999, 0.9, 0.3, -0.5])
@pytest.mark.parametrize("threshold", [0.0, 0.01])
def test_catch_up_matches_the_step_by_step_loop(decay, threshold, dtype):
    # float32 data: the catch-up runs in float32, to float32's rounding.
    rtol = 1e-9 if dtype == np.float64 else 1e-5
    rng = np.random.RandomState(int(1e6 * (decay + 1)) + int(1e3 * threshold))
    n_rows, longest = 64, 5000
    decay, threshold = dtype(decay), dtype(threshold)
    powers, geometric = _problem.lazy_decay_tables(decay, longest, dtype)
    for m in (1, 2, 7, 100, longest):
        # Weights and drifts on scales that put the crossing anywhere in the
        # gap: positive, zero and negative starts, drifts inside and outside
        # the threshold, either sign.
        table = np.zeros((1, 2 * n_rows), dtype)
        weights = rng.normal(size=n_rows) * rng.choice([0.0, 1e-3, 1.0], n_rows)
        drifts = rng.normal(size=n_rows) * rng.choice([1e-5, 1e-3, 0.05], n_rows)
        table[0, :n_rows] = weights
        table[0, n_rows : 2 * n_rows] = drifts  # S; step_over_n = 1 below
        _catch_up(table, 0, n_rows, m, dtype(1.0), threshold, decay, powers,
                  geometric, np.empty(n_rows, dtype))
        # The reference steps in float64 from the same (rounded) inputs.
        expected = [
            stepped(float(w), m, float(c), float(threshold), float(decay))
            for w, c in zip(
                weights.astype(dtype), drifts.astype(dtype), strict=True
            )
        ]
        assert_allclose(table[0, :n_rows], expected, rtol=rtol,
                        atol=rtol * 1e-3 * max(np.max(np.abs(expected)), 1.0))


def test_catch_up_over_a_long_gap_has_no_underflow():
    # decay**m underflows to zero: the iterate is at the regime's fixed point.
    decay, m = 0.5, 4000
    powers, geometric = _problem.lazy_decay_tables(decay, m)
    table = np.array([[1e300, -3.0, 1.0, 0.5]])
    _catch_up(table, 0, 2, m, 1.0, 0.25, decay, powers, geometric, np.empty(2))
    # w <- prox(0.5 w - c) with c > t drives both to the negative regime's
    # fixed point -(c - t) / (1 - 0.5): 1e300 crosses zero after ~1000 steps.
    assert_allclose(table[0, :2], [-1.5, -0.5])
    assert_allclose(table[0, :2], [stepped(1e300, m, 1.0, 0.25, decay),
                                   stepped(-3.0, m, 0.5, 0.25, decay)])
    assert np.all(np.isfinite(table))


# --- CSR fits equal dense fits ------------------------------------------------


@pytest.mark.parametrize("penalty", list(PENALTIES))
@pytest.mark.parametrize("n_classes", [2, 4])
def test_csr_fit_equals_dense_fit(backend, n_classes, penalty):
    X, y = sparse_problem(n_classes)
    weights = np.random.RandomState(1).uniform(0.5, 2.0, len(y))
    sparse_fit = fit(X, y, backend, weights, **PENALTIES[penalty])
    dense_fit = fit(X.toarray(), y, backend, weights, **PENALTIES[penalty])
    assert_same_fit(sparse_fit, dense_fit)
    # The problem is not trivial: the weights moved, and L1 zeroed some.
    assert np.max(np.abs(dense_fit.coef_)) > 0.05
    if penalty == "l1":
        assert 0 < np.mean(dense_fit.coef_ == 0) < 1


def assert_csr_fit_equals_dense_fit_with_classes(n_classes, backend):
    X, y = sparse_problem(n_classes, n_samples=20 * n_classes, n_features=80, seed=5)
    assert len(np.unique(y)) == n_classes
    params = PENALTIES["elasticnet"]
    dense = fit(X.toarray(), y, backend, **params)
    assert_same_fit(fit(X, y, backend, **params), dense)


@pytest.mark.parametrize("extra", [0, 1])
def test_csr_fit_equals_dense_fit_at_the_compiled_class_counts_edge(backend, extra):
    # The Cython kernel is compiled for every class count up to a bound and
    # runs larger ones with the count known at run time: both sides of it.
    assert_csr_fit_equals_dense_fit_with_classes(MAX_COMPILED_CLASSES + extra, backend)


@pytest.mark.parametrize("extra", [0, 1])
def test_numba_csr_fit_equals_dense_fit_at_its_class_bound(extra):
    # The Numba kernel is compiled twice: with its class loops bounded by
    # FEW_CLASSES, used up to that many classes, and unbounded beyond.
    assert_csr_fit_equals_dense_fit_with_classes(FEW_CLASSES + extra, "numba")


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("sampling", ["importance", "uniform"])
def test_csr_fit_equals_dense_fit_without_intercept_and_uniform(
    backend, sampling, fit_intercept
):
    X, y = sparse_problem(3, seed=4)
    params = dict(PENALTIES["elasticnet"], fit_intercept=fit_intercept,
                  sampling=sampling)
    dense = fit(X.toarray(), y, backend, **params)
    assert_same_fit(fit(X, y, backend, **params), dense)


@pytest.mark.parametrize("n_classes", [2, 4])
def test_float32_csr_fit_stays_float32_and_matches_dense(backend, n_classes):
    X, y = sparse_problem(n_classes)
    X = X.astype(np.float32)
    sparse_fit = fit(X, y, backend, **PENALTIES["l1"])
    dense_fit = fit(X.toarray(), y, backend, **PENALTIES["l1"])
    assert sparse_fit.coef_.dtype == np.float32
    assert relative_difference(sparse_fit.coef_, dense_fit.coef_) < 1e-4


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("penalty", ["l1", "elasticnet"])
def test_sparse_backends_agree(penalty, dtype):
    X, y = sparse_problem(4)
    X = X.astype(dtype)
    numba_fit = fit(X, y, "numba", **PENALTIES[penalty])
    cython_fit = fit(X, y, "cython", **PENALTIES[penalty])
    tolerance = 1e-10 if dtype == np.float64 else 1e-4
    assert relative_difference(cython_fit.coef_, numba_fit.coef_) < tolerance
    assert relative_difference(cython_fit.intercept_, numba_fit.intercept_) < tolerance


def test_objective_of_sparse_and_dense_data_agree():
    X, y = sparse_problem(3)
    model = fit(X, y, **PENALTIES["l1"])
    W, b = model.coef_, model.intercept_
    weights = np.ones(X.shape[0])
    assert_allclose(
        _problem.objective(X, y, W, b, weights, 0.1, 0.2),
        _problem.objective(X.toarray(), y, W, b, weights, 0.1, 0.2),
        rtol=1e-12,
    )


# --- awkward CSR matrices -------------------------------------------------------


def awkward_csr(X):
    """``X`` with explicit zeros, unsorted indices and duplicate entries."""
    coo = X.tocoo()
    rng = np.random.RandomState(5)
    # Split every stored value in two entries (duplicates), add an explicit
    # zero to every row, and shuffle the entries within the rows.
    share = rng.uniform(0.2, 0.8, coo.nnz)
    rows = np.concatenate([coo.row, coo.row, np.arange(X.shape[0])])
    cols = np.concatenate([coo.col, coo.col, np.zeros(X.shape[0], int)])
    vals = np.concatenate([share * coo.data, (1 - share) * coo.data,
                           np.zeros(X.shape[0])])
    order = np.lexsort((rng.uniform(size=rows.size), rows))
    indptr = np.searchsorted(rows[order], np.arange(X.shape[0] + 1))
    awkward = sparse.csr_matrix((vals[order], cols[order], indptr), shape=X.shape)
    assert not awkward.has_sorted_indices
    return awkward


def test_duplicates_explicit_zeros_unsorted_indices(backend):
    X, y = sparse_problem(3)
    awkward = awkward_csr(X)
    before = [awkward.data.copy(), awkward.indices.copy(), awkward.indptr.copy()]
    awkward_fit = fit(awkward, y, backend, **PENALTIES["l1"])
    dense_fit = fit(X.toarray(), y, backend, **PENALTIES["l1"])
    assert relative_difference(awkward_fit.coef_, dense_fit.coef_) < 1e-9
    # The caller's matrix is untouched (duplicates were summed in a copy).
    after = [awkward.data, awkward.indices, awkward.indptr]
    for original, now in zip(before, after, strict=True):
        assert_array_equal(original, now)


def test_too_many_rows_for_the_int32_step_stamps_is_refused(monkeypatch):
    from fastsaga import _layout

    X, y = sparse_problem(2)
    monkeypatch.setattr(_layout, "MAX_SPARSE_SAMPLES", X.shape[0] - 1)
    with pytest.raises(ValueError, match="count an epoch's steps in int32"):
        LogisticRegression().fit(X, y)


def test_canonical_csr_is_not_copied():
    from fastsaga._layout import layout_for

    X, _ = sparse_problem(2)
    assert layout_for(X).X is X


def test_empty_rows_and_all_zero_columns(backend):
    X, y = sparse_problem(3, n_features=80)
    X = X.tolil()
    X[::7, :] = 0  # empty rows
    X[:, 10:30] = 0  # all-zero columns
    X = X.tocsr()
    X.eliminate_zeros()
    assert np.any(np.diff(X.indptr) == 0)
    sparse_fit = fit(X, y, backend, **PENALTIES["elasticnet"])
    assert_same_fit(sparse_fit, fit(X.toarray(), y, backend, **PENALTIES["elasticnet"]))
    assert_array_equal(sparse_fit.coef_[:, 10:30], 0.0)


def test_int64_indices_give_the_int32_fit(backend):
    X, y = sparse_problem(3)
    wide = X.copy()
    wide.indices = wide.indices.astype(np.int64)
    wide.indptr = wide.indptr.astype(np.int64)
    assert_array_equal(
        fit(wide, y, backend, **PENALTIES["l1"]).coef_,
        fit(X, y, backend, **PENALTIES["l1"]).coef_,
    )


@pytest.mark.parametrize("indptr_dtype", [np.int32, np.int64])
@pytest.mark.parametrize("indices_dtype", [np.int32, np.int64])
def test_every_combination_of_index_dtypes_gives_the_dense_fit(
    backend, indices_dtype, indptr_dtype
):
    # scipy may hand out int32 column indices with int64 row offsets.
    X, y = sparse_problem(3)
    X.indices = X.indices.astype(indices_dtype)
    X.indptr = X.indptr.astype(indptr_dtype)
    assert_same_fit(
        fit(X, y, backend, **PENALTIES["l1"]),
        fit(X.toarray(), y, backend, **PENALTIES["l1"]),
    )


@pytest.mark.parametrize(
    "convert",
    [sparse.csc_matrix, sparse.coo_matrix, sparse.csr_array, sparse.csc_array],
)
def test_other_sparse_formats_are_accepted(convert):
    X, y = sparse_problem(3)
    expected = fit(X, y, **PENALTIES["l2"]).coef_
    coef = fit(convert(X), y, **PENALTIES["l2"]).coef_
    assert relative_difference(coef, expected) < 1e-12


def test_estimator_tags_accept_sparse():
    assert LogisticRegression().__sklearn_tags__().input_tags.sparse


def test_too_large_to_densify_fits_in_small_memory(backend):
    # Densified this would be 2,000 x 10,000,000 float32: 80 GB.
    n_samples, n_features, per_row = 2000, 10_000_000, 5
    rng = np.random.RandomState(0)
    columns = rng.randint(n_features, size=(n_samples, per_row))
    columns[:, 0] = rng.randint(50, size=n_samples)  # some shared features
    X = sparse.csr_matrix(
        (
            rng.normal(size=n_samples * per_row).astype(np.float32),
            columns.ravel(),
            np.arange(0, n_samples * per_row + 1, per_row),
        ),
        shape=(n_samples, n_features),
    )
    y = (X[:, :50].sum(axis=1).A1 > 0).astype(int)
    tracemalloc.start()
    start = time.perf_counter()
    model = LogisticRegression(C=10.0, max_iter=2, tol=0.0, backend=backend,
                               random_state=0).fit(X, y)
    accuracy = model.score(X, y)
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # O(d K) state (a few float32 arrays of d), far from the dense 80 GB.
    assert peak < 40 * n_features * 4
    assert elapsed < 30
    assert accuracy > 0.6


def test_weights_reach_the_caller_when_a_callback_stops_the_run():
    from fastsaga._layout import layout_for
    from fastsaga._solver import saga_solve

    class Stop(Exception):
        pass

    def stop_after_two(epoch, state):
        if epoch == 2:
            raise Stop

    X, y = sparse_problem(3)
    layout = layout_for(X)
    state = layout.zero_state(3)
    with pytest.raises(Stop):
        saga_solve(layout, y.astype(np.intp), np.ones(X.shape[0]), state, alpha=1e-3,
                   beta=0.0, random_state=0, callback=stop_after_two)
    two_epochs = fit(X, y, max_iter=2, C=1 / (1e-3 * X.shape[0]), random_state=0)
    assert_allclose(state.W, two_epochs.coef_, rtol=1e-12)
