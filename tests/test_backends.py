"""The two kernels compute the same iterates, and fits run in parallel threads."""

import sys
import threading
import time

import numpy as np
import pytest
from _reference import make_data
from numpy.testing import assert_array_equal
from sklearn.datasets import make_classification

from fastsaga import LogisticRegression
from fastsaga._backends import get_backend

# A few epochs, stopped by max_iter on purpose.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

PENALTIES = {
    "l1": dict(penalty="l1", C=0.05),
    "l2": dict(C=0.05),
    "elasticnet": dict(penalty="elasticnet", l1_ratio=0.5, C=0.05),
    "none": dict(penalty=None),
}

# Iterates differ by rounding only: the kernels sum in different orders
# (vectorised reductions), never in what they compute.
RELATIVE_TOLERANCE = {np.float64: 1e-10, np.float32: 1e-4}


def relative_difference(a, b):
    return np.max(np.abs(a - b)) / np.max(np.abs(a))


def fit_both(params, X, y, sample_weight=None):
    fits = {
        backend: LogisticRegression(**params, backend=backend).fit(
            X, y, sample_weight=sample_weight
        )
        for backend in ("numba", "cython")
    }
    return fits["numba"], fits["cython"]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("penalty", list(PENALTIES))
@pytest.mark.parametrize("n_classes", [2, 4])
@pytest.mark.parametrize("sampling", ["importance", "uniform"])
def test_backends_agree_iterate_for_iterate(sampling, n_classes, penalty, dtype):
    X, y = make_data(n_classes, n_samples=300, n_features=20, dtype=dtype)
    sample_weight = np.random.RandomState(0).uniform(0.5, 2.0, len(y)).astype(dtype)
    params = dict(
        PENALTIES[penalty], sampling=sampling, tol=0.0, max_iter=5, random_state=7
    )
    numba_fit, cython_fit = fit_both(params, X, y, sample_weight)
    tolerance = RELATIVE_TOLERANCE[dtype]
    assert numba_fit.coef_.dtype == cython_fit.coef_.dtype == dtype
    assert numba_fit.n_iter_[0] == cython_fit.n_iter_[0] == 5
    assert relative_difference(numba_fit.coef_, cython_fit.coef_) < tolerance
    assert relative_difference(numba_fit.intercept_, cython_fit.intercept_) < tolerance
    # Not trivially equal: five epochs moved the weights from zero.
    assert np.max(np.abs(numba_fit.coef_)) > 1e-3


@pytest.mark.parametrize("n_classes", [2, 4])
def test_backends_agree_without_intercept(n_classes):
    X, y = make_data(n_classes, n_samples=300, n_features=20)
    params = dict(fit_intercept=False, tol=0.0, max_iter=5, random_state=7)
    numba_fit, cython_fit = fit_both(params, X, y)
    assert relative_difference(numba_fit.coef_, cython_fit.coef_) < 1e-10
    assert_array_equal(numba_fit.intercept_, 0.0)
    assert_array_equal(cython_fit.intercept_, 0.0)


def test_different_seeds_give_different_iterates():
    # The agreement above means something only if the seed matters.
    X, y = make_data(3, n_samples=300, n_features=20)
    fits = [
        LogisticRegression(tol=0.0, max_iter=5, random_state=seed).fit(X, y)
        for seed in (0, 1)
    ]
    assert relative_difference(fits[0].coef_, fits[1].coef_) > 1e-6


def _sequential_and_threaded_fits(backend):
    """Fit two problems one after the other, then the same two in two threads."""
    problems = [
        make_data(n_classes, n_samples=300, n_features=20) for n_classes in (2, 5)
    ]

    def fit(problem):
        return LogisticRegression(
            max_iter=10, tol=0.0, backend=backend, random_state=0
        ).fit(*problem)

    sequential = [fit(problem) for problem in problems]
    threaded = [None, None]

    def run(k):
        threaded[k] = fit(problems[k])

    threads = [threading.Thread(target=run, args=(k,)) for k in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sequential, threaded


def test_threaded_fits_match_sequential_fits(backend):
    sequential, threaded = _sequential_and_threaded_fits(backend)
    for alone, together in zip(sequential, threaded, strict=True):
        assert together.n_iter_[0] == alone.n_iter_[0]
        assert relative_difference(alone.coef_, together.coef_) < 1e-12
        assert relative_difference(alone.intercept_, together.intercept_) < 1e-12


def _at_offset(shape, offset):
    """Return zeros of ``shape`` starting ``offset`` doubles past a 64-byte boundary."""
    size = int(np.prod(shape))
    buffer = np.zeros(size + 16)
    start = (-buffer.ctypes.data % 64) // 8 + offset
    return buffer[start : start + size].reshape(shape)


@pytest.mark.parametrize("backend", ["numba", "cython"])
def test_kernel_result_does_not_depend_on_alignment(backend):
    X, y = make_data(5, n_samples=300, n_features=20)
    n_samples, n_features = X.shape
    indices = np.random.RandomState(0).randint(n_samples, size=5 * n_samples)
    ones = np.ones(n_samples)
    kernel = get_backend(backend).dense_epoch
    results = []
    for offset in range(8):
        W, S = _at_offset((5, n_features), offset), _at_offset((5, n_features), offset)
        b, Sb = _at_offset((5,), offset), _at_offset((5,), offset)
        G = _at_offset((n_samples, 5), offset)
        kernel(
            X, y.astype(np.intp), ones, ones, indices.astype(np.intp),
            W, b, S, Sb, G, np.array([0.05, 0.05 / n_samples, 1.0 - 5e-5, 0.0, 1.0]),
            True, _at_offset((2, n_features), offset),
        )
        results.append(W.copy())
    for offset, W in enumerate(results):
        assert_array_equal(W, results[0], err_msg=f"offset {offset} doubles")


def _count_until(stop):
    """Spin a pure-Python loop until ``stop()``; return its iterations."""
    count = 0
    while not stop():
        count += 1
    return count


def _long_epoch(backend):
    """Return a call running one long dense kernel epoch (about 0.3 s)."""
    X, y = make_classification(
        n_samples=2000, n_features=500, n_informative=50, n_classes=10, random_state=0
    )
    n_samples, n_features = X.shape
    n_rows = 10
    indices = np.random.RandomState(0).randint(n_samples, size=40 * n_samples)
    ones = np.ones(n_samples)
    W, S = np.zeros((n_rows, n_features)), np.zeros((n_rows, n_features))
    b, Sb, G = np.zeros(n_rows), np.zeros(n_rows), np.zeros((n_samples, n_rows))
    kernel = get_backend(backend).dense_epoch
    step = 1e-4

    def run():
        kernel(
            X, y.astype(np.intp), ones, ones, indices.astype(np.intp),
            W, b, S, Sb, G, np.array([step, step / n_samples, 1.0, 0.0, 1.0]), True,
            np.zeros((2, n_features)),
        )

    run()  # compile / load outside the measurement
    return run


def test_kernel_releases_the_gil(backend):
    """A Python thread keeps running while a kernel epoch runs in another.

    Wall-clock speed-up of two threaded fits is not a reliable signal on a
    shared 2-core machine (other processes take the second core).  This is:
    if the kernel held the GIL, the main thread's pure-Python loop could not
    advance at all during the epoch (only for the switch interval before the
    worker enters the kernel); with the GIL released it advances at a
    rate comparable to running alone (at worst the two threads share a core).
    """
    epoch = _long_epoch(backend)
    done = threading.Event()
    worker = threading.Thread(target=lambda: (epoch(), done.set()))
    # Short GIL hand-offs, so the Python around the kernel call counts for
    # little (with the default 5 ms, a held GIL still shows ~15%).
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-4)
    try:
        # Timed from before the start: the worker may take the GIL at once.
        start = time.perf_counter()
        worker.start()
        during = _count_until(done.is_set)
        seconds = time.perf_counter() - start
        worker.join()
    finally:
        sys.setswitchinterval(interval)
    # The same loop, the same stop test, for as long, without the kernel.
    stop = threading.Event()
    timer = threading.Timer(seconds, stop.set)
    timer.start()
    alone = _count_until(stop.is_set)
    timer.join()
    assert during / alone > 0.25, (
        f"the Python thread ran at {during / alone:.0%} of its solo rate "
        f"during a {seconds:.2f} s kernel epoch: the kernel seems to hold the GIL"
    )
