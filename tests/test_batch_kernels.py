"""The mini-batch dense kernel: the two backends agree, threads change nothing.

``dense_batch_epoch`` is called directly, as the solver calls it: W and S
padded to cache lines (``padded_zeros``), ``rows`` aligned.
"""

import sys
import threading
import time

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.datasets import make_classification

from fastsaga._backends import FEATURE_BLOCK, get_backend
from fastsaga._memory import padded_row_length, padded_zeros

# Iterates differ by rounding only (libm, vectorised reductions, contraction).
RELATIVE_TOLERANCE = {np.float64: 1e-10, np.float32: 1e-4}

# Not a multiple of FEATURE_BLOCK, and padded: W's rows are wider than X's.
N_FEATURES = 150
assert N_FEATURES % FEATURE_BLOCK
assert all(padded_row_length(N_FEATURES, size) > N_FEATURES for size in (4, 8))

# Written into the padding of W, S and rows: a kernel must leave it there.
SENTINEL = 7.5


def make_problem(n_classes, dtype, n_samples=200, n_features=N_FEATURES, seed=0):
    """A standardised problem with non-uniform sample weights and scales."""
    X, y = make_classification(
        n_samples=n_samples, n_features=n_features, n_informative=10,
        n_redundant=0, n_classes=n_classes, flip_y=0.15, random_state=seed,
    )
    X = ((X - X.mean(axis=0)) / X.std(axis=0)).astype(dtype)
    rng = np.random.RandomState(seed)
    sample_weight = rng.uniform(0.5, 2.0, n_samples).astype(dtype)
    sample_scale = rng.uniform(0.5, 1.5, n_samples).astype(dtype)
    return X, y.astype(np.intp), sample_weight, sample_scale


def fresh_state(X, n_rows, batch_size):
    """Zero W, b, S, Sb, G and the rows buffer; padding holds SENTINEL."""
    n_samples, n_features = X.shape
    state = dict(
        W=padded_zeros(n_rows, n_features, X.dtype),
        b=np.zeros(n_rows, X.dtype),
        S=padded_zeros(n_rows, n_features, X.dtype),
        Sb=np.zeros(n_rows, X.dtype),
        G=np.zeros((n_samples, n_rows), X.dtype),
    )
    rows = padded_zeros(2 * batch_size, n_features, X.dtype)
    for array in (state["W"], state["S"], rows):
        array[:, n_features:] = SENTINEL
    return state, rows


def constants(X, batch_size, alpha=1e-3, beta=1e-3):
    """Step constants with a step long enough to move, short enough to be stable."""
    n_samples = X.shape[0]
    norm = np.max(np.sum(X.astype(np.float64) ** 2, axis=1))
    step = batch_size / (4 * norm)
    return np.array(
        [step, step / n_samples, 1 - step * alpha, step * beta, 1.0], dtype=X.dtype
    )


def run_epochs(backend, problem, n_rows, indices, fit_intercept, batch_size,
               n_threads=2, n_epochs=2, kernel="dense_batch_epoch"):
    """Run ``n_epochs`` of a kernel from zero; return the state and the losses."""
    X, y, sample_weight, sample_scale = problem
    state, rows = fresh_state(X, n_rows, batch_size)
    step_constants = constants(X, batch_size)
    function = getattr(get_backend(backend), kernel)
    extra = (batch_size, n_threads) if kernel == "dense_batch_epoch" else ()
    losses = [
        function(
            X, y, sample_weight, sample_scale, indices, state["W"], state["b"],
            state["S"], state["Sb"], state["G"], step_constants, fit_intercept,
            *extra, rows,
        )
        for _ in range(n_epochs)
    ]
    return state, np.array(losses), rows


def epoch_indices(n_samples, length, seed=1):
    return np.random.RandomState(seed).randint(n_samples, size=length).astype(np.intp)


def relative_difference(a, b):
    """``max |a - b| / max |a|``; the absolute difference where ``a`` is zero."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return np.max(np.abs(a - b)) / (np.max(np.abs(a)) or 1.0)


def assert_states_close(first, second, tolerance):
    for name in ("W", "b", "S", "Sb", "G"):
        difference = relative_difference(first[name], second[name])
        assert difference < tolerance, (name, difference)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n_classes", [2, 4])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("batch_size", [1, 2, 7, 64])
def test_backends_agree(batch_size, fit_intercept, n_classes, dtype):
    problem = make_problem(n_classes, dtype)
    n_rows = 1 if n_classes == 2 else n_classes
    n_samples = problem[0].shape[0]
    # 395 steps: the last batch is short for every batch size above 1.
    indices = epoch_indices(n_samples, 2 * n_samples - 5)
    numba, numba_losses, _ = run_epochs(
        "numba", problem, n_rows, indices, fit_intercept, batch_size
    )
    cython, cython_losses, _ = run_epochs(
        "cython", problem, n_rows, indices, fit_intercept, batch_size
    )
    tolerance = RELATIVE_TOLERANCE[dtype]
    assert_states_close(numba, cython, tolerance)
    assert relative_difference(numba_losses, cython_losses) < tolerance
    # Not trivially equal: the steps moved the weights from zero.
    assert np.max(np.abs(numba["W"][:, :N_FEATURES])) > 1e-2
    if not fit_intercept:
        assert_array_equal(numba["b"], 0.0)
        assert_array_equal(cython["b"], 0.0)


@pytest.mark.parametrize("n_classes", [2, 4])
def test_batches_of_one_are_dense_epoch_steps(backend, n_classes):
    problem = make_problem(n_classes, np.float64)
    n_rows = 1 if n_classes == 2 else n_classes
    indices = epoch_indices(problem[0].shape[0], 300)
    batched, batched_losses, _ = run_epochs(backend, problem, n_rows, indices, True, 1)
    single, single_losses, _ = run_epochs(
        backend, problem, n_rows, indices, True, 1, kernel="dense_epoch"
    )
    assert_states_close(single, batched, 1e-12)
    assert relative_difference(single_losses, batched_losses) < 1e-12


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_thread_count_changes_nothing(backend, dtype):
    problem = make_problem(4, dtype)
    indices = epoch_indices(problem[0].shape[0], 300)
    # Three blocks: one thread takes all, two share them unevenly, three take
    # one each (where there are three processors: both backends cap there).
    results = [
        run_epochs(backend, problem, 4, indices, True, 16, n_threads=n_threads)
        for n_threads in (1, 2, 3)
    ]
    for state, losses, _ in results[1:]:
        for name in ("W", "b", "S", "Sb", "G"):
            assert_array_equal(state[name], results[0][0][name], err_msg=name)
        assert_array_equal(losses, results[0][1])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_x_and_padding_are_left_alone(backend, dtype):
    problem = make_problem(4, dtype)
    X = problem[0]
    original = X.copy()
    indices = epoch_indices(X.shape[0], 100)
    state, _, rows = run_epochs(backend, problem, 4, indices, True, 7)
    assert_array_equal(X, original)
    for array in (state["W"], state["S"], rows):
        assert array.shape[1] > N_FEATURES
        assert_array_equal(array[:, N_FEATURES:], SENTINEL)


def test_memory_sums_stay_exact_with_repeated_samples(backend):
    # Twenty samples, batches of seven: most batches draw a sample twice.
    problem = make_problem(4, np.float64)
    X = problem[0]
    indices = epoch_indices(20, 140)
    state, _, _ = run_epochs(backend, problem, 4, indices, True, 7)
    G = state["G"]
    assert np.count_nonzero(np.any(G != 0, axis=1)) == 20
    assert relative_difference(G.T @ X, state["S"][:, :N_FEATURES]) < 1e-12
    assert relative_difference(G.sum(axis=0), state["Sb"]) < 1e-12


def test_an_empty_epoch_changes_nothing(backend):
    problem = make_problem(2, np.float64)
    state, losses, _ = run_epochs(
        backend, problem, 1, np.empty(0, np.intp), True, 4, n_epochs=1
    )
    assert_array_equal(losses, 0.0)
    for name in ("b", "Sb", "G"):
        assert_array_equal(state[name], 0.0)
    for name in ("W", "S"):
        assert_array_equal(state[name][:, :N_FEATURES], 0.0)


def _count_until(stop):
    """Spin a pure-Python loop until ``stop()``; return its iterations."""
    count = 0
    while not stop():
        count += 1
    return count


def test_kernel_releases_the_gil(backend):
    """A Python thread keeps running while a batch epoch runs in another.

    As ``test_backends.test_kernel_releases_the_gil``: with the GIL held, the
    main thread's loop could not advance during the epoch.
    """
    problem = make_problem(10, np.float64, n_samples=1000, n_features=784)
    # About 0.1 s of kernel.  Numba takes the GIL back at each parallel
    # region, two per batch: large batches keep them few, so its epoch is not
    # drawn out by the main thread's turns.
    indices = epoch_indices(1000, 50_000)

    def epoch(indices=indices):
        run_epochs(backend, problem, 10, indices, True, 64, n_threads=1, n_epochs=1)

    epoch(indices[:100])  # compile / load outside the measurement
    done = threading.Event()
    worker = threading.Thread(target=lambda: (epoch(), done.set()))
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-4)
    try:
        start = time.perf_counter()
        worker.start()
        during = _count_until(done.is_set)
        seconds = time.perf_counter() - start
        worker.join()
    finally:
        sys.setswitchinterval(interval)
    stop = threading.Event()
    timer = threading.Timer(seconds, stop.set)
    timer.start()
    alone = _count_until(stop.is_set)
    timer.join()
    assert during / alone > 0.25, (
        f"the Python thread ran at {during / alone:.0%} of its solo rate "
        f"during a {seconds:.2f} s batch epoch: the kernel seems to hold the GIL"
    )
