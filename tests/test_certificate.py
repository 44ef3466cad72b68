"""The estimator's certificate: ``dual_gap_``, ``objective_`` and ``gap_tol``.

``F`` is the objective divided by ``C * n_samples``; ``_reference.objective``
is scikit-learn's objective divided by ``C``, that is ``n * F`` (with any
sample weights: the penalty is scaled by ``n``, not by the weights' sum).
The optimum ``F*`` is ``_reference.solve``'s value over ``n``, computed in
float64 and independently of fastsaga.  The reference optimum approximates
``F*`` from above, so ``F - F_ref*`` is at most the true suboptimality: a
``dual_gap_`` below it is a gap that is not a bound.
"""

import functools
import warnings
from dataclasses import dataclass

import _reference
import numpy as np
import pytest
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning

from fastsaga import LogisticRegression
from fastsaga._solver import GAP_CHECK_EVERY

# (C, l1_ratio) of each penalty; C is small enough under L1 for the optimum
# to have zero weights as well as non-zero ones.
PENALTIES = {
    "l1": (0.1, 1.0),
    "l2": (1.0, 0.0),
    "elasticnet": (0.1, 0.5),
}
N_SAMPLES, N_FEATURES = 120, 8
# Rounding allowance on F - F* (F is about 0.3 to 1 here).
TINY = 1e-12

PROBLEMS = pytest.mark.parametrize("n_classes", [2, 3], ids=["binary", "multinomial"])
INTERCEPTS = pytest.mark.parametrize(
    "fit_intercept", [True, False], ids=["intercept", "no-intercept"]
)
CONTAINERS = pytest.mark.parametrize("container", ["dense", "csr"])
BACKENDS = pytest.mark.parametrize("backend", ["numba", "cython"])
PENALIZED = pytest.mark.parametrize("penalty", list(PENALTIES))


@dataclass(frozen=True)
class Problem:
    X: np.ndarray  # float64, or float32 for the float32 problems
    y: np.ndarray
    sample_weight: np.ndarray  # float64
    C: float
    l1_ratio: float
    fit_intercept: bool
    optimal_value: float  # F*, from the reference in float64

    def X_as(self, container):
        return sparse.csr_matrix(self.X) if container == "csr" else self.X

    def value(self, model):
        """``F`` at the model's coefficients, from the reference objective."""
        H = _reference.objective(
            self.X.astype(np.float64), self.y, model.coef_, model.intercept_,
            self.sample_weight, self.C, self.l1_ratio,
        )
        return H / self.X.shape[0]

    def fit(self, container="dense", *, weighted=False, **params):
        """Fit with ConvergenceWarning ignored (early stops are the point)."""
        model = LogisticRegression(
            C=self.C, l1_ratio=self.l1_ratio, fit_intercept=self.fit_intercept,
            random_state=0, **params,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return model.fit(
                self.X_as(container), self.y,
                sample_weight=self.sample_weight if weighted else None,
            )

    def assert_bound(self, model):
        """``dual_gap_`` is finite, non-negative and at least ``F - F*``."""
        gap = model.dual_gap_
        suboptimality = self.value(model) - self.optimal_value
        assert np.isfinite(gap) and gap >= 0.0
        assert gap >= suboptimality - TINY, (
            f"dual_gap_={gap:.6e} < F - F*={suboptimality:.6e} "
            f"(n_iter_={model.n_iter_[0]})"
        )
        return gap, suboptimality


def relative_gap(model):
    """``dual_gap_ / (objective_ - dual_gap_)``; inf when the gap bounds nothing."""
    lower = model.objective_ - model.dual_gap_
    return model.dual_gap_ / lower if lower > 0.0 else np.inf


@functools.cache
def problem(n_classes, penalty, fit_intercept, dtype=np.float64, weighted=False):
    X, y = _reference.make_data(
        n_classes, n_samples=N_SAMPLES, n_features=N_FEATURES, dtype=dtype
    )
    if weighted:
        rng = np.random.RandomState(n_classes)
        sample_weight = rng.uniform(0.2, 3.0, size=N_SAMPLES)
        sample_weight[rng.choice(N_SAMPLES, 12, replace=False)] = 0.0
    else:
        sample_weight = np.ones(N_SAMPLES)
    C, l1_ratio = PENALTIES[penalty]
    n_rows = 1 if n_classes == 2 else n_classes
    optimum = _reference.solve(
        X.astype(np.float64), y, n_rows, sample_weight, C, l1_ratio, fit_intercept
    )
    assert optimum.residual < 1e-5
    return Problem(X, y, sample_weight, C, l1_ratio, fit_intercept,
                   optimum.value / N_SAMPLES)


@PROBLEMS
@PENALIZED
@INTERCEPTS
@CONTAINERS
@BACKENDS
def test_dual_gap_bounds_the_suboptimality(n_classes, penalty, fit_intercept,
                                           container, backend):
    case = problem(n_classes, penalty, fit_intercept)
    # Stopped early (max_iter 1..3) and at the default tol.
    for max_iter in (1, 2, 3, 100):
        model = case.fit(container, backend=backend, max_iter=max_iter)
        case.assert_bound(model)


@PROBLEMS
@PENALIZED
@INTERCEPTS
@CONTAINERS
@BACKENDS
def test_dual_gap_vanishes_at_convergence(n_classes, penalty, fit_intercept,
                                          container, backend):
    case = problem(n_classes, penalty, fit_intercept)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model = LogisticRegression(
            C=case.C, l1_ratio=case.l1_ratio, fit_intercept=fit_intercept,
            tol=1e-10, max_iter=10_000, random_state=0, backend=backend,
        ).fit(case.X_as(container), case.y)
    case.assert_bound(model)
    assert relative_gap(model) < 1e-6


@PROBLEMS
@pytest.mark.parametrize("penalty", [*PENALTIES, "none"])
@INTERCEPTS
@CONTAINERS
@BACKENDS
def test_objective_is_the_reference_objective(n_classes, penalty, fit_intercept,
                                              container, backend):
    X, y = _reference.make_data(n_classes, n_samples=N_SAMPLES, n_features=N_FEATURES)
    C, l1_ratio = (np.inf, 0.0) if penalty == "none" else PENALTIES[penalty]
    case = Problem(X, y, np.ones(N_SAMPLES), C, l1_ratio, fit_intercept, np.nan)
    for max_iter in (1, 100):
        model = case.fit(container, backend=backend, max_iter=max_iter)
        assert model.objective_ == pytest.approx(case.value(model), rel=1e-10)


@PROBLEMS
@BACKENDS
def test_dual_gap_bounds_with_sample_weights(n_classes, backend):
    # Weights with zeros: those samples' dual domain is the single point 0.
    case = problem(n_classes, "elasticnet", True, weighted=True)
    for max_iter in (1, 3, 100):
        model = case.fit(max_iter=max_iter, weighted=True, backend=backend)
        case.assert_bound(model)
        assert model.objective_ == pytest.approx(case.value(model), rel=1e-10)


@PROBLEMS
@PENALIZED
@CONTAINERS
def test_float32_dual_gap_is_still_a_bound(n_classes, penalty, container):
    # F* of the float32 values, computed in float64.
    case = problem(n_classes, penalty, True, dtype=np.float32)
    for max_iter in (1, 3, 100):
        model = case.fit(container, max_iter=max_iter)
        assert model.coef_.dtype == np.float32
        case.assert_bound(model)
        assert model.objective_ == pytest.approx(case.value(model), rel=1e-10)


@PROBLEMS
@CONTAINERS
@BACKENDS
@pytest.mark.parametrize("gap_tol", [1e-2, 1e-4])
def test_gap_tol_stops_on_a_certified_relative_gap(n_classes, container, backend,
                                                   gap_tol):
    case = problem(n_classes, "elasticnet", True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model = LogisticRegression(
            C=case.C, l1_ratio=case.l1_ratio, gap_tol=gap_tol, max_iter=1000,
            random_state=0, backend=backend,
        ).fit(case.X_as(container), case.y)
    assert relative_gap(model) <= gap_tol
    case.assert_bound(model)
    # What the certificate promises, checked against the reference optimum.
    F = case.value(model)
    assert (F - case.optimal_value) / case.optimal_value <= gap_tol


@BACKENDS
def test_gap_tol_overrides_a_loose_tol(backend):
    # tol=0.5 alone stops within a couple of epochs, far from the optimum;
    # with gap_tol the fit goes on until the gap is met.
    case = problem(3, "l2", True)
    loose = case.fit(tol=0.5, backend=backend)
    assert relative_gap(loose) > 1e-4
    model = case.fit(tol=0.5, gap_tol=1e-4, max_iter=1000, backend=backend)
    assert model.n_iter_[0] > loose.n_iter_[0]
    assert relative_gap(model) <= 1e-4
    case.assert_bound(model)


@BACKENDS
def test_gap_is_checked_every_few_epochs_when_tol_never_stops(backend):
    case = problem(2, "l2", True)
    model = case.fit(tol=0.0, gap_tol=1e-4, max_iter=1000, backend=backend)
    assert relative_gap(model) <= 1e-4
    assert model.n_iter_[0] % GAP_CHECK_EVERY == 0


@PROBLEMS
@BACKENDS
@pytest.mark.parametrize("gap_tol", [1e-2, 1e-4])
def test_gap_tol_out_of_reach_of_max_iter_warns(n_classes, backend, gap_tol):
    case = problem(n_classes, "l2", True)
    model = LogisticRegression(
        C=case.C, gap_tol=gap_tol, max_iter=2, random_state=0, backend=backend
    )
    with pytest.warns(ConvergenceWarning, match=r"^The max_iter was reached"):
        model.fit(case.X, case.y)
    assert model.n_iter_[0] == 2
    case.assert_bound(model)
    assert relative_gap(model) > gap_tol


def test_gap_tol_met_at_max_iter_does_not_warn():
    # A warning that the fit did not converge exactly when the final
    # certificate misses gap_tol.
    case = problem(2, "l2", True)
    for gap_tol in (1e-1, 1e-2, 1e-3):
        for max_iter in range(1, 3 * GAP_CHECK_EVERY + 1):
            model = LogisticRegression(
                C=case.C, gap_tol=gap_tol, tol=0.0, max_iter=max_iter,
                random_state=0,
            )
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", ConvergenceWarning)
                model.fit(case.X, case.y)
            warned = any(issubclass(w.category, ConvergenceWarning) for w in caught)
            met = relative_gap(model) <= gap_tol
            assert warned == (not met), (
                f"gap_tol={gap_tol}, max_iter={max_iter}: relative gap "
                f"{relative_gap(model):.3g}, warned={warned}"
            )


@PROBLEMS
@BACKENDS
@pytest.mark.parametrize("spelling", ["C=inf", "penalty=None"])
def test_unpenalised_dual_gap_is_inf(n_classes, backend, spelling):
    X, y = _reference.make_data(n_classes, n_samples=N_SAMPLES, n_features=N_FEATURES)
    params = {"C": np.inf} if spelling == "C=inf" else {"penalty": None}
    model = LogisticRegression(
        **params, max_iter=1000, random_state=0, backend=backend
    ).fit(X, y)
    assert model.dual_gap_ == np.inf
    H = _reference.objective(
        X, y, model.coef_, model.intercept_, np.ones(N_SAMPLES), np.inf, 0.0
    )
    assert np.isfinite(model.objective_)
    assert model.objective_ == pytest.approx(H / N_SAMPLES, rel=1e-10)
    # An infinite gap certifies nothing: gap_tol is never met.
    with pytest.warns(ConvergenceWarning, match=r"^The max_iter was reached"):
        model.set_params(gap_tol=1e-2, max_iter=10).fit(X, y)
    assert model.dual_gap_ == np.inf


@pytest.mark.parametrize("gap_tol", [0, 0.0, -1e-3, -1, -np.inf])
def test_gap_tol_must_be_positive(gap_tol):
    X, y = _reference.make_data(2, n_samples=30, n_features=3)
    with pytest.raises(ValueError, match="gap_tol"):
        LogisticRegression(gap_tol=gap_tol).fit(X, y)
