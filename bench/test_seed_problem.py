"""Benchmarks on the seed problem: ``pytest --benchmark`` (skipped otherwise).

MNIST (``$FASTSAGA_MNIST_DIR``), the seed split with random_state 0,
standardised, C = 0.01, L1; fastsaga's backends and scikit-learn's saga at
the seed's tol = 0.1 and at a tight tol.  ``extra_info`` holds epochs, the
final objective F, its suboptimality (F - F*)/F* (F* from the report's
cache, computed on first use), the test score and the sparsity.  Numba is
compiled before timing; its cold start is timed on its own, in new
processes, with a warm and with an empty on-disk cache.
"""

import itertools

import pytest
from threadpoolctl import threadpool_limits

from harness import _solvers
from harness._context import default_cache_dir, seed_problem
from harness._optimum import reference_optimum
from harness.startup import numba_cold_start

SOLVERS = (*_solvers.FASTSAGA_BACKENDS, "sklearn")
TOLERANCES = {"seed": 0.1, "tight": 1e-3}
MAX_ITER = 300
ROUNDS = 3


@pytest.fixture(scope="module", autouse=True)
def single_thread():
    with threadpool_limits(limits=1):
        yield


@pytest.fixture(scope="module")
def problem():
    return seed_problem()


@pytest.fixture(scope="module")
def optimum(problem):
    return reference_optimum(problem, default_cache_dir(), print)["value"]


@pytest.mark.parametrize("tol_name", TOLERANCES)
@pytest.mark.parametrize("solver", SOLVERS)
def test_fit(benchmark, problem, optimum, solver, tol_name):
    _solvers.warm_up(problem, solver)
    tol = TOLERANCES[tol_name]
    fitted = benchmark.pedantic(
        _solvers.fit, args=(problem, solver),
        kwargs={"tol": tol, "max_iter": MAX_ITER}, rounds=ROUNDS, iterations=1,
    )
    suboptimality = (fitted.objective - optimum) / optimum
    benchmark.extra_info.update(
        tol=tol,
        epochs=fitted.epochs,
        objective=fitted.objective,
        suboptimality=suboptimality,
        test_score=fitted.test_score,
        sparsity=fitted.sparsity,
    )
    assert fitted.epochs <= MAX_ITER
    assert suboptimality > -1e-9, "below the reference optimum: F* is wrong"


@pytest.mark.parametrize("cache", ["warm", "empty"])
def test_numba_cold_start(benchmark, tmp_path, cache):
    """A new process's first fit minus its second: Numba's load or compile."""
    numba_cold_start()  # warms the usual on-disk cache
    directories = (tmp_path / f"numba-cache-{i}" for i in itertools.count())

    def setup():
        return ((None if cache == "warm" else next(directories)),), {}

    result = benchmark.pedantic(numba_cold_start, setup=setup, rounds=ROUNDS)
    benchmark.extra_info.update(result)
    assert result["first_fit"] > 0 and result["second_fit"] > 0
