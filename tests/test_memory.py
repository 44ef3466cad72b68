"""Cache-line-aligned and padded arrays for the kernels (``fastsaga._memory``)."""

import tracemalloc
from types import SimpleNamespace

import numpy as np
import pytest
from numpy.testing import assert_array_equal

import fastsaga._backends
import fastsaga._problem
import fastsaga._solver
from fastsaga import LogisticRegression
from fastsaga._layout import DenseLayout, DenseState, FeatureMajorState, layout_for
from fastsaga._memory import (
    CACHE_LINE,
    aligned_copy,
    aligned_empty,
    aligned_zeros,
    padded_row_length,
)
from fastsaga._solver import saga_solve


def rows_on_lines(A):
    """Whether no row of 2-D ``A`` straddles a cache line."""
    row_bytes = A.strides[0]
    whole = row_bytes % CACHE_LINE == 0 or CACHE_LINE % row_bytes == 0
    return whole and A.ctypes.data % CACHE_LINE == 0


def misaligned_copy(X, offset):
    """A C-contiguous copy of ``X`` starting ``offset`` bytes past a cache line."""
    buffer = np.empty(X.nbytes + 2 * CACHE_LINE, dtype=np.uint8)
    start = -buffer.ctypes.data % CACHE_LINE + offset
    copy = buffer[start : start + X.nbytes].view(X.dtype).reshape(X.shape)
    copy[...] = X
    return copy


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(0,), (3, 5), (10, 784), (1, 0)])
def test_aligned_arrays_start_on_a_cache_line(shape, dtype):
    for array in (aligned_empty(shape, dtype), aligned_zeros(shape, dtype)):
        assert array.shape == shape and array.dtype == dtype
        assert array.flags.c_contiguous and array.flags.writeable
        # A zero-size array holds no line to start on.
        assert array.size == 0 or array.ctypes.data % CACHE_LINE == 0
    assert not np.any(aligned_zeros(shape, dtype))


def test_aligned_copy_keeps_values_and_converts_dtype():
    source = misaligned_copy(np.arange(24.0).reshape(4, 6), 16)
    copy = aligned_copy(source)
    assert copy.ctypes.data % CACHE_LINE == 0
    assert_array_equal(copy, source)
    assert not np.shares_memory(copy, source)
    assert aligned_copy(source, np.float32).dtype == np.float32


@pytest.mark.parametrize("offset", [0, 8, 16, 48])
def test_dense_x_is_read_in_place_whatever_its_alignment(monkeypatch, offset):
    X = misaligned_copy(np.random.RandomState(0).rand(40, 5), offset)
    y = np.arange(40) % 3
    layout = layout_for(X)
    assert layout.X is X
    seen = []
    kernels = fastsaga._backends.get_backend("numba")

    def spy(X_kernel, *args):
        seen.append(X_kernel)
        return kernels.dense_epoch(X_kernel, *args)

    monkeypatch.setattr(
        fastsaga._solver, "get_backend", lambda name: SimpleNamespace(dense_epoch=spy)
    )
    before = X.copy()
    LogisticRegression(max_iter=2, tol=0).fit(X, y)
    assert seen and all(array is X for array in seen)
    assert_array_equal(X, before)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n_features", [16, 10])
def test_dense_state_rows_are_on_lines_however_it_is_made(dtype, n_features):
    W = misaligned_copy(np.ones((3, n_features), dtype), 16)
    made = [
        DenseLayout(np.ones((5, n_features), dtype)).zero_state(3),
        DenseState.holding(W, np.zeros(3, dtype), 5),
    ]
    made.append(made[1].copy())
    for state in made:
        assert rows_on_lines(state.W_rows) and rows_on_lines(state.S_rows)
        assert state.W.shape == state.S.shape == (3, n_features)
        assert np.shares_memory(state.W, state.W_rows)
        assert not np.any(state.W_rows[:, n_features:])
    assert_array_equal(made[2].W, W)
    assert not np.shares_memory(made[1].W, W)  # holding copies


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_padding_stays_zero_through_a_solve(backend, multiclass_data):
    X, y = multiclass_data  # 10 float64 features: rows padded to 16
    layout = layout_for(X)
    state = layout.zero_state(3)
    saga_solve(layout, y.astype(np.intp), np.ones(X.shape[0]), state, alpha=1e-3,
               beta=1e-3, backend=backend, tol=0, max_iter=3, random_state=0)
    assert state.W_rows.shape[1] == 16 and np.any(state.W)
    assert not np.any(state.W_rows[:, 10:]) and not np.any(state.S_rows[:, 10:])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("n_features", [8, 10])
def test_fit_does_not_depend_on_the_alignment_of_X(
    backend, multiclass_data, n_features
):
    # X is read in place: rows of 8 float64 fill a line when X starts on
    # one; rows of 10 straddle lines whatever the start.
    X, y = multiclass_data
    X = np.ascontiguousarray(X[:, :n_features])
    fits = [
        LogisticRegression(
            penalty="l1", C=0.5, backend=backend, max_iter=5, tol=0, random_state=0
        ).fit(misaligned_copy(X, offset), y)
        for offset in (0, 16, 48)
    ]
    for fit in fits[1:]:
        assert_array_equal(fit.coef_, fits[0].coef_)
        assert_array_equal(fit.intercept_, fits[0].intercept_)


@pytest.mark.parametrize(
    "length, itemsize, padded",
    [(3, 8, 4), (3, 4, 4), (7, 8, 8), (8, 8, 8), (21, 8, 24), (21, 4, 32),
     (41, 8, 48), (41, 4, 48), (1, 8, 1), (33, 2, 64)],
)
def test_padded_rows_never_straddle_a_cache_line(length, itemsize, padded):
    assert padded_row_length(length, itemsize) == padded
    row_bytes = padded * itemsize
    assert CACHE_LINE % row_bytes == 0 or row_bytes % CACHE_LINE == 0


@pytest.mark.parametrize(
    "n_rows, dtype, stamps_in_padding",
    [(1, np.float64, False), (3, np.float64, True), (20, np.float64, False),
     (20, np.float32, True)],
)
def test_feature_major_table_rows_start_on_lines_with_zero_stamps(
    n_rows, dtype, stamps_in_padding
):
    W = np.arange(n_rows * 5.0, dtype=dtype).reshape(n_rows, 5)
    state = FeatureMajorState.holding(W, np.zeros(n_rows, dtype), 4)
    for made in (state, state.copy()):
        table = made.table
        assert table.shape[1] == padded_row_length(2 * n_rows, table.itemsize)
        assert table.ctypes.data % CACHE_LINE == 0
        assert_array_equal(made.W, W)
        assert not np.any(table[:, n_rows:])  # S and padding
        # Each feature's step stamp: the last 4 bytes of its row's padding
        # when there is padding, an array of its own otherwise.
        assert made.stamps.dtype == np.int32 and made.stamps.shape[0] == 5
        assert np.shares_memory(made.stamps, table) == stamps_in_padding
        assert not np.any(made.stamps[:, -1])
        if stamps_in_padding:
            made.stamps[:, -1] = 7
            assert_array_equal(made.W, W)  # the stamps leave W and S alone
            assert not np.any(made.S)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_dense_fit_allocates_far_less_than_a_copy_of_x(monkeypatch, backend, dtype):
    # No aligned copy, no float64 copy of float32 X: row norms, the objective
    # and the duality gap go through X by blocks of rows (small ones here).
    monkeypatch.setattr(fastsaga._problem, "CHUNK_VALUES", 2**16)
    rng = np.random.RandomState(0)
    X = rng.standard_normal((20_000, 300)).astype(dtype)
    y = rng.randint(3, size=X.shape[0])
    model = LogisticRegression(max_iter=2, tol=0, backend=backend, random_state=0)
    model.fit(X[:100], y[:100])  # compiled before the measure
    tracemalloc.start()
    model.fit(X, y)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 0.25 * X.nbytes
