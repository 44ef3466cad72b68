"""The SAGA epoch loop: set-up, epochs through a kernel, roll-backs, stopping.

The estimator validates and encodes; this module solves, on a data layout
(``fastsaga._layout``) chosen from ``X`` once.  It is also the entry point for
code that needs more than one fit: regularisation paths warm start from a
previous state, memory included.
"""

import time
import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state

from . import _problem
from ._backends import get_backend
from ._duality import duality_gap

# With gap_tol, the gap (one pass over the data) is computed every this many
# epochs, and whenever the tol rule alone would stop.
GAP_CHECK_EVERY = 5


@dataclass
class SagaResult:
    """What a solve ends with.

    ``n_iter`` counts accepted epochs; ``n_epochs_run`` adds the epochs that
    were rolled back (the kernel ran them too), for time-per-epoch figures.
    ``gap`` bounds ``F(W, b) - F*`` at the end (``_duality``), ``primal`` is
    ``F(W, b)``.
    """

    state: object
    n_iter: int
    converged: bool
    n_epochs_run: int
    gap: float
    primal: float
    batch_size: int = 1
    step_rule: object = None

    @property
    def relative_gap(self):
        """An upper bound on ``(F - F*) / F*``."""
        return _problem.relative_gap(self.gap, self.primal)


def saga_solve(
    layout,
    y,
    sample_weight,
    state,
    *,
    alpha,
    beta,
    fit_intercept=True,
    sampling="importance",
    backend="numba",
    batch_size="auto",
    n_threads=1,
    tol=1e-4,
    max_iter=100,
    random_state=None,
    verbose=0,
    callback=None,
    epoch_begin=None,
    gap_tol=None,
    certify=True,
    step_rule=None,
):
    """Run SAGA epochs from ``state`` (updated in place) until ``tol``.

    Parameters
    ----------
    layout : DenseLayout or SparseLayout
        The data, from ``fastsaga._layout.layout_for(X)``.
    y : ndarray of shape (n_samples,), intp
        Class indices; in {0, 1} when ``state.W`` has a single row (binary).
    sample_weight : ndarray of shape (n_samples,), X's dtype
    state : DenseState or FeatureMajorState
        Starting point and memory, from ``layout``, in X's dtype.
    alpha, beta : float
        L2 and L1 strengths of the scaled objective (see ``_problem``).
    batch_size : int or "auto", default="auto"
        Samples per step on dense data (``_problem.auto_batch_size`` for
        "auto"); sparse data takes one.
    n_threads : int, default=1
        Threads sharing a batch's work; the iterates do not depend on it.
    callback : callable, default=None
        Called as ``callback(epoch, state)`` after every accepted epoch; a
        true return value stops the solve there, without a warning.
    epoch_begin : callable, default=None
        Called as ``epoch_begin(epoch, state)`` before epoch ``epoch`` (from
        1) first runs: an epoch rolled back and run again begins once.
    gap_tol : float, default=None
        If set, stop when the relative duality gap (``_problem.relative_gap``)
        is at most ``gap_tol`` instead of on ``tol``'s rule.
    certify : bool, default=True
        Compute the final duality gap (a pass over the data); without it the
        result's ``gap`` and ``primal`` are NaN.
    step_rule : StepRule, default=None
        A previous solve's ``result.step_rule`` on similar data (the previous
        C of a path): its multiplier and whether it may grow carry over, so a
        warm start does not learn its step again.

    Returns
    -------
    SagaResult
    """
    X = layout.X
    kernels = get_backend(backend)
    n_samples = X.shape[0]
    multinomial = state.W.shape[0] > 1
    lipschitz = _problem.smoothness_constants(
        X, sample_weight, fit_intercept, multinomial
    )
    probabilities = _problem.sampling_probabilities(lipschitz, sampling)
    stream = _problem.IndexStream(probabilities)
    full, batch_size = _batching(
        layout, batch_size, sample_weight, fit_intercept, multinomial, lipschitz,
        probabilities,
    )
    steps = _problem.StepRule.for_problem(
        lipschitz, probabilities, alpha, full, batch_size
    )
    # On CSR data the step keeps its starting multiplier: there a roll-back
    # rebuilds the memory in two passes over X and each exact check costs a
    # pass, which took more time than the longer steps saved.
    steps.growing = layout.grows_step
    if step_rule is not None:
        steps.multiplier, steps.growing = step_rule.multiplier, step_rule.growing
    sample_scale = (1.0 / (n_samples * probabilities)).astype(X.dtype)
    random_state = check_random_state(random_state)

    def objective(W, b):
        return _problem.objective(X, y, W, b, sample_weight, alpha, beta)

    def gap():
        value, primal = duality_gap(
            X, y, state.W, state.b, sample_weight, alpha, beta, fit_intercept
        )
        if verbose:
            print(f"epoch {epoch}: duality gap {value:.3e} (relative "
                  f"{_problem.relative_gap(value, primal):.3e})", flush=True)
        return value, primal

    def finish(converged, certificate=None):
        if certificate is None:
            certificate = gap() if certify else (np.nan, np.nan)
        return SagaResult(
            state, epoch, converged, n_run, *certificate, batch_size, steps
        )

    if verbose:
        print(f"{batch_size} samples per step, step {steps.step:.3e}", flush=True)
    start = time.perf_counter()
    change = np.inf
    previous_estimate = objective(state.W, state.b)
    # F at the epoch's start weights when a check has computed it exactly.
    start_exact = previous_estimate
    # The weights at the epoch's start serve the stopping test and a
    # roll-back; the epoch stores its end weights in the other buffer.
    # order="K": the sparse state's W is a strided view of a feature-major
    # table, and buffers in that layout are filled by the kernels row by row.
    W_start, b_start = state.W.copy(order="K"), state.b.copy()
    W_end = np.empty_like(W_start)
    epoch = n_run = n_begun = 0
    while epoch < max_iter:
        if epoch_begin is not None and n_begun == epoch:
            n_begun += 1
            epoch_begin(n_begun, state)
        constants = _problem.StepConstants.build(
            steps.step, alpha, beta, n_samples, X.dtype, steps.intercept_step
        )
        indices = stream.draw(random_state)
        mean_loss, sums = layout.run_epoch(
            kernels, y, sample_weight, sample_scale, indices, state,
            constants, fit_intercept, W_start, W_end, batch_size, n_threads,
        )
        n_run += 1
        estimate = mean_loss + _problem.penalty_from_sums(
            sums.squares, sums.absolute, alpha, beta
        )
        end_exact = None
        if steps.can_shorten and steps.too_long(estimate, previous_estimate):
            # The estimate is a sample: a rise is confirmed on the exact
            # objective before the epoch is thrown away.
            before = objective(W_start, b_start) if start_exact is None else start_exact
            estimate = end_exact = objective(state.W, state.b)
            if not estimate <= before:
                state.reset_to(X, y, sample_weight, W_start, b_start)
                steps.shorten()
                previous_estimate = start_exact = before
                if verbose:
                    print(f"epoch {epoch + 1}: objective rose, rolled back, "
                          f"step halved to {steps.step:.3e}")
                continue
        start_exact = end_exact
        epoch += 1
        if not (np.isfinite(sums.absolute) and np.all(np.isfinite(state.b))):
            raise FloatingPointError(
                f"SAGA diverged in epoch {epoch} (non-finite weights) at the "
                "theoretical step size; please report this with the data."
            )
        if estimate < previous_estimate:
            steps.grow()
        previous_estimate = estimate
        change = _problem.relative_change(sums)
        done = _problem.converged(
            sums, state.b, b_start, tol,
            lambda: _problem.zero_weights_are_optimal(
                X, y, state.b, sample_weight, beta, tol
            ),
        )
        W_start, W_end = W_end, W_start
        b_start = state.b.copy()
        if verbose:
            print(
                f"epoch {epoch}: objective {objective(state.W, state.b):.10g}, "
                f"change {change:.3e}, time {time.perf_counter() - start:.3f} s",
                flush=True,
            )
        stop = callback is not None and callback(epoch, state)
        certificate = None
        if gap_tol is None:
            if done:
                return finish(True)
        elif done or epoch % GAP_CHECK_EVERY == 0:
            certificate = gap()
            if _problem.relative_gap(*certificate) <= gap_tol:
                return finish(True, certificate)
        if stop:
            return finish(False, certificate)
    certificate = gap() if certify or gap_tol is not None else (np.nan, np.nan)
    if gap_tol is not None and _problem.relative_gap(*certificate) <= gap_tol:
        return finish(True, certificate)
    if gap_tol is None:
        reason = f"last relative change of coef_ {change:.3g}, tol={tol}"
    else:
        relative = _problem.relative_gap(*certificate)
        reason = f"last relative duality gap {relative:.3g}, gap_tol={gap_tol}"
    # scikit-learn's wording first: users filter warnings on it.
    warnings.warn(
        "The max_iter was reached which means the coef_ did not converge "
        f"(max_iter={max_iter} epochs, {reason}); increase max_iter or the "
        "tolerance.",
        ConvergenceWarning,
        stacklevel=2,
    )
    return finish(False, certificate)


def _batching(layout, batch_size, sample_weight, fit_intercept, multinomial,
              lipschitz, probabilities):
    """Return ``(L_full, batch size)``: one sample a step unless batches apply.

    Only dense layouts take batches; ``L_full`` (``_problem.full_smoothness``)
    is estimated only when a batch may be larger than one.
    """
    n_samples = layout.X.shape[0]
    too_few = batch_size == "auto" and (
        n_samples < 2 * _problem.MIN_BATCHES_PER_EPOCH
    )
    if not layout.takes_batches or batch_size == 1 or too_few:
        return 0.0, 1
    full = _problem.full_smoothness(
        layout.X, sample_weight, fit_intercept, multinomial
    )
    if batch_size == "auto":
        return full, _problem.auto_batch_size(lipschitz, probabilities, full)
    return full, min(int(batch_size), n_samples)
