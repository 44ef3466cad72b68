"""The duality gap: a true bound on the suboptimality, and zero at the optimum.

The suboptimality is judged with ``_reference`` (its objective and its tight
optimum), never with fastsaga's own objective.  The reference optimum only
approximates ``F*`` from above, so ``F(W, b) - F_ref*`` is at most the true
suboptimality: a gap below it is a gap that is not a bound.
"""

import functools
import tracemalloc
from dataclasses import dataclass

import _reference
import numpy as np
import pytest
from scipy import sparse
from scipy.optimize import minimize

from fastsaga import _problem
from fastsaga._duality import duality_gap

# (C, l1_ratio) of each penalty; C is small enough under L1 for the optimum
# to have zero weights as well as non-zero ones.
PENALTIES = {
    "l1": (0.1, 1.0),
    "l2": (1.0, 0.0),
    "elasticnet": (0.1, 0.5),
    "none": (np.inf, 0.0),
}
N_SAMPLES, N_FEATURES = 120, 8


@dataclass(frozen=True)
class Case:
    X: np.ndarray  # float64 holding float32 values: every container is one problem
    y: np.ndarray
    sample_weight: np.ndarray
    C: float
    l1_ratio: float
    fit_intercept: bool
    optimum: _reference.ReferenceSolution

    @property
    def n_rows(self):
        return self.optimum.W.shape[0]

    @property
    def strengths(self):
        """``(alpha, beta)`` of ``F``, the reference objective ``H`` over ``n``."""
        if np.isinf(self.C):
            return 0.0, 0.0
        scale = 1.0 / (self.C * N_SAMPLES)
        return (1.0 - self.l1_ratio) * scale, self.l1_ratio * scale

    def value(self, W, b):
        """``F(W, b)`` from the reference objective."""
        H = _reference.objective(
            self.X, self.y, W, b, self.sample_weight, self.C, self.l1_ratio
        )
        return H / N_SAMPLES

    @property
    def optimal_value(self):
        return self.optimum.value / N_SAMPLES

    def gap(self, W, b, container="dense", dtype=np.float64):
        X = self.X.astype(dtype)
        if container == "csr":
            X = sparse.csr_matrix(X)
        alpha, beta = self.strengths
        return duality_gap(
            X, self.y, W, b, self.sample_weight, alpha, beta, self.fit_intercept
        )


def _sparse_weighted_data(n_classes):
    """A problem with 40% zeros in X and sample weights, some of them zero."""
    X, y = _reference.make_data(n_classes, n_samples=N_SAMPLES, n_features=N_FEATURES)
    rng = np.random.RandomState(n_classes)
    X[rng.uniform(size=X.shape) < 0.4] = 0.0
    X = X.astype(np.float32).astype(np.float64)
    sample_weight = rng.uniform(0.2, 2.0, size=N_SAMPLES)
    sample_weight[rng.choice(N_SAMPLES, 10, replace=False)] = 0.0
    return X, y, sample_weight


@functools.cache
def problem(n_classes, penalty, fit_intercept):
    X, y, sample_weight = _sparse_weighted_data(n_classes)
    C, l1_ratio = PENALTIES[penalty]
    n_rows = 1 if n_classes == 2 else n_classes
    optimum = _reference.solve(X, y, n_rows, sample_weight, C, l1_ratio, fit_intercept)
    assert optimum.residual < 1e-5
    return Case(X, y, sample_weight, C, l1_ratio, fit_intercept, optimum)


def partial_fit(case, n_steps):
    """``n_steps`` proximal-gradient steps from zero, in the reference's maths."""
    l2, l1 = (0.0, 0.0) if np.isinf(case.C) else (
        (1.0 - case.l1_ratio) / case.C, case.l1_ratio / case.C
    )
    curvature = 0.5 * case.sample_weight.sum() * (
        np.linalg.norm(case.X, 2) ** 2 + 1.0
    ) + l2
    step = 1.0 / curvature
    W, b = np.zeros_like(case.optimum.W), np.zeros(case.n_rows)
    for _ in range(n_steps):
        _, grad_W, grad_b = _reference.smooth_part(
            case.X, case.y, W, b, case.sample_weight, case.C, case.l1_ratio
        )
        W = W - step * grad_W
        W = np.sign(W) * np.maximum(np.abs(W) - step * l1, 0.0)
        if case.fit_intercept:
            b = b - step * grad_b
    return W, b


def arbitrary_points(case):
    """Zero, random points, partial fits and a perturbed optimum."""
    rng = np.random.RandomState(0)
    shape = case.optimum.W.shape

    def intercepts(scale):
        return rng.normal(scale=scale, size=case.n_rows) if case.fit_intercept else (
            np.zeros(case.n_rows)
        )

    points = [(np.zeros(shape), np.zeros(case.n_rows))]
    for scale in (0.1, 1.0, 3.0):
        points.append((rng.normal(scale=scale, size=shape), intercepts(scale)))
    points += [partial_fit(case, n_steps) for n_steps in (1, 10, 100)]
    optimum = case.optimum
    points.append((optimum.W + rng.normal(scale=1e-3, size=shape),
                   optimum.b + intercepts(1e-3)))
    return points


CONTAINERS = pytest.mark.parametrize("container", ["dense", "csr"])
DTYPES = pytest.mark.parametrize("dtype", [np.float64, np.float32],
                                 ids=["float64", "float32"])
PROBLEMS = pytest.mark.parametrize("n_classes", [2, 3], ids=["binary", "multinomial"])
INTERCEPTS = pytest.mark.parametrize("fit_intercept", [True, False],
                                     ids=["intercept", "no-intercept"])


@PROBLEMS
@pytest.mark.parametrize("penalty", list(PENALTIES))
@INTERCEPTS
@CONTAINERS
@DTYPES
def test_gap_bounds_the_suboptimality(n_classes, penalty, fit_intercept, container,
                                      dtype):
    case = problem(n_classes, penalty, fit_intercept)
    for W, b in arbitrary_points(case):
        gap, primal = case.gap(W, b, container, dtype)
        value = case.value(W, b)
        assert primal == pytest.approx(value, rel=1e-12, abs=1e-14)
        assert gap >= 0.0
        assert gap >= value - case.optimal_value - 1e-12 * case.optimal_value
        if penalty == "none":
            assert gap == np.inf  # X^T Theta = 0 is out of reach


@PROBLEMS
@pytest.mark.parametrize("penalty", ["l1", "l2", "elasticnet"])
@INTERCEPTS
@CONTAINERS
@DTYPES
def test_gap_vanishes_at_the_reference_optimum(n_classes, penalty, fit_intercept,
                                               container, dtype):
    case = problem(n_classes, penalty, fit_intercept)
    gap, _ = case.gap(case.optimum.W, case.optimum.b, container, dtype)
    assert 0.0 <= gap < 1e-6 * case.optimal_value


@PROBLEMS
@CONTAINERS
def test_unpenalised_gap_is_finite_where_the_dual_constraint_holds(n_classes,
                                                                   container):
    # With X = 0 only the intercepts matter and X^T Theta = 0 holds exactly.
    X, y, sample_weight = _sparse_weighted_data(n_classes)
    X = np.zeros_like(X)
    n_rows = 1 if n_classes == 2 else n_classes
    optimum = _reference.solve(X, y, n_rows, sample_weight, np.inf, 0.0, True)
    case = Case(X, y, sample_weight, np.inf, 0.0, True, optimum)
    rng = np.random.RandomState(1)
    for W, b in [(optimum.W, optimum.b), (rng.normal(size=optimum.W.shape),
                                           rng.normal(size=n_rows))]:
        gap, _ = case.gap(W, b, container)
        suboptimality = case.value(W, b) - case.optimal_value
        assert suboptimality - 1e-12 <= gap < suboptimality + 1e-6


@PROBLEMS
@CONTAINERS
def test_a_fixed_nonzero_intercept_is_an_offset_of_the_problem(n_classes, container):
    # Without fit_intercept, F* is the minimum over W with b held where it is.
    X, y, sample_weight = _sparse_weighted_data(n_classes)
    n_rows = 1 if n_classes == 2 else n_classes
    b = np.random.RandomState(4).normal(size=n_rows)
    C = 1.0

    def value_and_gradient(w):
        value, grad_W, _ = _reference.smooth_part(
            X, y, w.reshape(n_rows, N_FEATURES), b, sample_weight, C, 0.0
        )
        return value, grad_W.ravel()

    W_best = minimize(
        value_and_gradient, np.zeros(n_rows * N_FEATURES), jac=True,
        method="L-BFGS-B", options={"ftol": 0.0, "gtol": 1e-12, "maxiter": 10_000},
    ).x.reshape(n_rows, N_FEATURES)
    alpha = 1.0 / (C * N_SAMPLES)
    if container == "csr":
        X = sparse.csr_matrix(X)
    best_value = value_and_gradient(W_best.ravel())[0] / N_SAMPLES
    gap, primal = duality_gap(X, y, W_best, b, sample_weight, alpha, 0.0, False)
    assert gap < 1e-8 * best_value
    W_zero = np.zeros_like(W_best)
    gap, primal = duality_gap(X, y, W_zero, b, sample_weight, alpha, 0.0, False)
    assert gap >= primal - best_value > 0.0


@PROBLEMS
def test_a_single_class_gap_is_the_objective(n_classes):
    # Every label is 0: F* = 0 (b_0 -> inf) and the centred dual point is 0.
    X, _, sample_weight = _sparse_weighted_data(n_classes)
    y = np.zeros(N_SAMPLES, dtype=np.intp)
    n_rows = 1 if n_classes == 2 else n_classes
    rng = np.random.RandomState(2)
    W, b = rng.normal(size=(n_rows, N_FEATURES)), rng.normal(size=n_rows)
    gap, primal = duality_gap(X, y, W, b, sample_weight, 0.01, 0.01, True)
    assert gap == pytest.approx(primal, rel=1e-12)


@PROBLEMS
@INTERCEPTS
def test_zero_weight_samples_change_nothing_but_the_scaling(n_classes, fit_intercept):
    # F over n samples with some zero weights is F over the others times n'/n.
    case = problem(n_classes, "elasticnet", fit_intercept)
    W, b = partial_fit(case, 10)
    alpha, beta = case.strengths
    kept = case.sample_weight > 0.0
    n_kept = int(kept.sum())
    gap, primal = duality_gap(case.X, case.y, W, b, case.sample_weight, alpha, beta,
                              fit_intercept)
    rescale = N_SAMPLES / n_kept
    kept_gap, kept_primal = duality_gap(
        case.X[kept], case.y[kept], W, b, case.sample_weight[kept],
        alpha * rescale, beta * rescale, fit_intercept,
    )
    assert kept_primal == pytest.approx(primal * rescale, rel=1e-12)
    assert kept_gap == pytest.approx(gap * rescale, rel=1e-9)


@PROBLEMS
@pytest.mark.parametrize("penalty", ["l1", "l2"])
@CONTAINERS
def test_float32_rows_in_chunks_give_the_float64_gap(monkeypatch, n_classes, penalty,
                                                     container):
    case = problem(n_classes, penalty, True)
    W, b = partial_fit(case, 10)
    expected = case.gap(W, b, container, np.float64)
    monkeypatch.setattr(_problem, "CHUNK_VALUES", 7 * N_FEATURES)  # blocks of ~10 rows
    chunked = case.gap(W, b, container, np.float32)
    assert chunked == pytest.approx(expected, rel=1e-12)


@CONTAINERS
def test_float32_X_is_never_copied_whole_to_float64(container):
    rng = np.random.RandomState(3)
    n_samples, n_features, n_rows = 40_000, 200, 4
    X = rng.normal(size=(n_samples, n_features)).astype(np.float32)
    if container == "csr":
        X[rng.uniform(size=X.shape) < 0.5] = 0.0
        X = sparse.csr_matrix(X)
    y = rng.randint(n_rows, size=n_samples)
    W = rng.normal(scale=0.1, size=(n_rows, n_features))
    size_in_float64 = 2 * (X.data.nbytes if container == "csr" else X.nbytes)
    tracemalloc.start()
    try:
        duality_gap(X, y, W, np.zeros(n_rows), np.ones(n_samples), 1e-3, 1e-3, True)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Blocks of 2**20 values: a quarter of X, and n x K temporaries.
    assert peak < size_in_float64
