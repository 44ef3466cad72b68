"""The SAGA epoch loop: set-up, epochs through a kernel, stopping.

The estimator validates and encodes; this module solves.  It is also the
entry point for code that needs more than one fit (regularisation paths warm
start from a previous :class:`SagaState`).
"""

import time
import warnings
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state

from . import _problem
from ._backends import get_backend
from ._memory import aligned_copy, padded_rows, padded_zeros


@dataclass
class SagaState:
    """Iterate and gradient memory of a SAGA run.

    ``W`` (``(K, d)``, class-major) and ``b`` (``(K,)``) are the weights;
    ``S = sum_i G_i x_i^T`` and ``Sb = sum_i G_i`` the memory sums;
    ``G`` (``(n, K)``) the per-sample gradient memory.  ``W`` and ``S`` are
    views of ``W_rows`` and ``S_rows``, whose rows start on cache lines and
    end with zero columns up to a whole line (``_memory.padded_zeros``): the
    dense kernels run on those and on ``X`` padded alike, whose zero
    features keep the padding at zero.
    """

    W: np.ndarray
    b: np.ndarray
    S: np.ndarray
    Sb: np.ndarray
    G: np.ndarray
    W_rows: np.ndarray = None
    S_rows: np.ndarray = None

    @classmethod
    def zeros(cls, n_samples, n_rows, n_features, dtype):
        return cls.from_weights(
            np.zeros((n_rows, n_features), dtype),
            np.zeros(n_rows, dtype),
            n_samples,
        )

    def copy(self):
        return self._from_rows(
            aligned_copy(self.W_rows), aligned_copy(self.S_rows),
            self.W.shape[1], self.b.copy(), self.Sb.copy(), self.G.copy(),
        )

    @classmethod
    def from_weights(cls, W, b, n_samples):
        """Start at (a copy of) ``(W, b)`` with an empty gradient memory."""
        n_rows, n_features = W.shape
        W_rows = padded_zeros(n_rows, n_features, W.dtype)
        W_rows[:, :n_features] = W
        return cls._from_rows(
            W_rows, padded_zeros(n_rows, n_features, W.dtype), n_features,
            b.copy(), np.zeros_like(b), np.zeros((n_samples, n_rows), W.dtype),
        )

    @classmethod
    def _from_rows(cls, W_rows, S_rows, n_features, b, Sb, G):
        return cls(
            W=W_rows[:, :n_features], b=b, S=S_rows[:, :n_features], Sb=Sb,
            G=G, W_rows=W_rows, S_rows=S_rows,
        )

    @classmethod
    def at_point(cls, X, y, sample_weight, W, b):
        """Start at ``(W, b)`` with the memory of every sample's gradient there.

        A warm start needs it: with an empty memory the first epoch takes
        plain stochastic-gradient steps, which push a start at the optimum
        away from it.  At zero weights an empty memory is as good (it is
        scikit-learn's start) and costs nothing.
        """
        state = cls.from_weights(W, b, X.shape[0])
        state.reset_to(X, y, sample_weight, W, b)
        return state

    def reset_to(self, X, y, sample_weight, W, b):
        """Move, in place, to ``(W, b)`` with the memory ``at_point`` takes.

        A roll-back uses it: the weights of the epoch's start are all it
        keeps, and the memory is rebuilt there (rarely: a few times a fit at
        most), which spares a copy of the whole state every epoch.
        """
        self.W[...] = W
        self.b[...] = b
        if not (np.any(W) or np.any(b)):
            self.S[...] = 0
            self.Sb[...] = 0
            self.G[...] = 0
            return
        G = _problem.sample_gradients(X, y, self.W, self.b, sample_weight)
        self.G[...] = G
        self.S[...] = np.asarray(X.T @ G).T
        self.Sb[...] = G.sum(axis=0)


@dataclass
class FeatureMajorState(SagaState):
    """A :class:`SagaState` laid out for the sparse (lazy) kernels.

    ``table`` row ``j`` is ``[W[:, j], S[:, j], padding]``, so a touched
    feature's state is contiguous; ``W`` and ``S`` are ``(K, d)`` views into
    it, so roll-backs, callbacks and verbose output use it as any state.
    ``stamps[j, -1]`` (int32) counts the steps a kernel call has applied to
    feature ``j``; it is zero between calls.  It lives in the last 4 bytes
    of row ``j``'s padding when there is padding (``stamps`` is an int32
    view of the table), in a ``(d, 1)`` array of its own otherwise.  On 20
    newsgroups (K = 20), an epoch of the Cython kernel took 79 instead of
    87 ms in float64 with the stamps apart (a row of 5 cache lines, not 6),
    and 53 instead of 59 ms in float32 with them in the padding (where they
    cost no access of their own).
    """

    table: np.ndarray = None
    stamps: np.ndarray = None

    @classmethod
    def zeros(cls, n_samples, n_rows, n_features, dtype):
        """Start at zero weights with an empty memory (nothing to copy in)."""
        return cls._from_table(
            cls._zero_table(n_rows, n_features, dtype), np.zeros(n_rows, dtype),
            np.zeros(n_rows, dtype), np.zeros((n_samples, n_rows), dtype),
        )

    @classmethod
    def from_weights(cls, W, b, n_samples):
        """Start at (a copy of) ``(W, b)`` with an empty memory, in a table."""
        G = np.zeros((n_samples, W.shape[0]), dtype=W.dtype)
        return cls._from_table(cls._table_holding(W), b.copy(), np.zeros_like(b), G)

    def copy(self):
        return self._from_table(
            aligned_copy(self.table), self.b.copy(), self.Sb.copy(), self.G.copy()
        )

    @classmethod
    def wrap(cls, state):
        """Copy ``state``'s ``W`` and ``S`` into a table; share the rest."""
        lazy = cls._from_table(
            cls._table_holding(state.W), state.b, state.Sb, state.G
        )
        lazy.S[...] = state.S
        return lazy

    @staticmethod
    def _zero_table(n_rows, n_features, dtype):
        """A zero table of ``d`` rows of ``2K`` items, padded.

        Rows are padded so that none straddles a cache line
        (``_memory.padded_zeros``): a touched feature then costs the
        fewest line fetches, and its vectors start aligned.  On 20 newsgroups
        (K = 20) that made the Cython float32 epoch 13 % faster, the others
        1 to 3 %.
        """
        return padded_zeros(n_features, 2 * n_rows, dtype)

    @classmethod
    def _table_holding(cls, W):
        """A zero table with ``W`` in its first ``K`` columns."""
        table = cls._zero_table(*W.shape, W.dtype)
        table[:, : W.shape[0]] = W.T
        return table

    @classmethod
    def _from_table(cls, table, b, Sb, G):
        n_rows = b.shape[0]
        return cls(
            W=table[:, :n_rows].T,
            b=b,
            S=table[:, n_rows : 2 * n_rows].T,
            Sb=Sb,
            G=G,
            table=table,
            stamps=cls._stamps_for(table, n_rows),
        )

    @staticmethod
    def _stamps_for(table, n_rows):
        """The int32 step stamps of ``table``'s features (see the class)."""
        padding = (table.shape[1] - 2 * n_rows) * table.itemsize
        if padding >= np.dtype(np.int32).itemsize:
            return table.view(np.int32)
        return np.zeros((table.shape[0], 1), dtype=np.int32)

    def store_into(self, state):
        """Write ``W`` and ``S`` back into ``state``'s class-major arrays."""
        state.W[...] = self.W
        state.S[...] = self.S


def state_class(X):
    """The state layout ``saga_solve`` runs on for ``X``, without a copy.

    Sparse data runs on a :class:`FeatureMajorState`; a class-major state
    given with it is copied into one and back (both ways O(d K)), which a fit
    that builds its state in this class spares.
    """
    return FeatureMajorState if sparse.issparse(X) else SagaState


# An epoch is n_samples steps; the sparse kernels stamp each feature with the
# step it was last updated at, in int32.
MAX_SPARSE_SAMPLES = np.iinfo(np.int32).max


def prepare_data(X):
    """Return ``X`` in the form the kernels run fastest on, copied if needed.

    Sparse ``X`` becomes CSR without duplicate entries: the lazy kernels
    update a feature once per row, so duplicates are summed, in a copy made
    only when there are some.  Dense ``X`` is returned as it is (each solve
    runs the kernel on ``_memory.padded_rows(X)``).  The caller's ``X`` is
    never modified; data already in that form is returned as it is, so
    callers that solve many times (paths) prepare it once.
    """
    if not sparse.issparse(X):
        return X
    if X.shape[0] > MAX_SPARSE_SAMPLES:
        raise ValueError(
            f"sparse X has {X.shape[0]} rows; the lazy kernels count an "
            f"epoch's steps in int32, so they take at most {MAX_SPARSE_SAMPLES}."
        )
    if X.format != "csr":
        X = X.tocsr()
    if not X.has_canonical_format:
        X = X.copy()
        X.sum_duplicates()
    return X


def _dense_epoch(kernels, X, y, sample_weight, sample_scale, indices, state,
                 constants, fit_intercept, W_start, W_end):
    """Run one epoch of the dense kernel; store its end weights in ``W_end``.

    ``X`` is the padded ``_memory.padded_rows`` of the data, as wide as the
    state's ``W_rows``.  Returns the kernel's mean-loss estimate and the end
    weights' :class:`~fastsaga._problem.WeightSums` against ``W_start``.
    """
    mean_loss = kernels.dense_epoch(
        X, y, sample_weight, sample_scale, indices,
        state.W_rows, state.b, state.S_rows, state.Sb, state.G,
        constants.step, constants.step_over_n, constants.decay,
        constants.threshold, fit_intercept,
    )
    W_end[...] = state.W
    return mean_loss, _problem.WeightSums.of(state.W, W_start)


def _sparse_epoch(kernels, X, y, sample_weight, sample_scale, indices, state,
                  constants, fit_intercept, W_start, W_end):
    """Run one epoch of the lazy CSR kernel, as ``_dense_epoch`` does.

    The kernel's closing pass over every feature stores the end weights and
    reduces them: no other pass over a large ``W``.
    """
    powers, geometric = _problem.lazy_decay_tables(
        constants.decay, len(indices), X.dtype
    )
    sums = np.zeros(4)
    mean_loss = kernels.sparse_epoch(
        X.data, X.indices, X.indptr, y, sample_weight, sample_scale, indices,
        state.table, state.stamps, state.b, state.Sb, state.G,
        constants.step, constants.step_over_n, constants.decay,
        constants.threshold, fit_intercept, powers, geometric,
        W_start.T, W_end.T, sums,
    )
    return mean_loss, _problem.WeightSums(*sums)


@dataclass
class SagaResult:
    """What a solve ends with.

    ``n_iter`` counts accepted epochs; ``n_epochs_run`` adds the epochs that
    were rolled back (the kernel ran them too), for time-per-epoch figures.
    """

    state: SagaState
    n_iter: int
    converged: bool
    n_epochs_run: int = 0


def saga_solve(
    X,
    y,
    sample_weight,
    state,
    *,
    alpha,
    beta,
    fit_intercept=True,
    sampling="importance",
    backend="numba",
    tol=1e-4,
    max_iter=100,
    random_state=None,
    verbose=0,
    callback=None,
):
    """Run SAGA epochs from ``state`` (updated in place) until ``tol``.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
        C-contiguous float32/64, or scipy sparse of that dtype (run as CSR by
        the lazy kernels, never densified).
    y : ndarray of shape (n_samples,), intp
        Class indices; in {0, 1} when ``state.W`` has a single row (binary).
    sample_weight : ndarray of shape (n_samples,), X's dtype
    state : SagaState
        Starting point and memory, in X's dtype.
    alpha, beta : float
        L2 and L1 strengths of the scaled objective (see ``_problem``).
    callback : callable, default=None
        Called as ``callback(epoch, state)`` after every accepted epoch
        (benchmarks use it to record the objective along the way).

    Returns
    -------
    SagaResult
    """
    X = prepare_data(X)
    if sparse.issparse(X):
        if not isinstance(state, FeatureMajorState):
            # The lazy kernels run on a feature-major copy of W and S, written
            # back however the run ends (a callback may stop it by raising).
            lazy = FeatureMajorState.wrap(state)
            try:
                result = saga_solve(
                    X, y, sample_weight, lazy, alpha=alpha, beta=beta,
                    fit_intercept=fit_intercept, sampling=sampling,
                    backend=backend, tol=tol, max_iter=max_iter,
                    random_state=random_state, verbose=verbose,
                    callback=callback,
                )
            finally:
                lazy.store_into(state)
            return SagaResult(
                state, result.n_iter, result.converged, result.n_epochs_run
            )
    kernels = get_backend(backend)
    n_samples = X.shape[0]
    lipschitz = _problem.smoothness_constants(
        X, sample_weight, fit_intercept, multinomial=state.W.shape[0] > 1
    )
    probabilities = _problem.sampling_probabilities(lipschitz, sampling)
    stream = _problem.IndexStream(probabilities)
    safe_step = _problem.step_size(lipschitz, probabilities, alpha)
    step = min(safe_step * _problem.STEP_MULTIPLIER, _problem.longest_step(alpha))
    sample_scale = (1.0 / (n_samples * probabilities)).astype(X.dtype)
    random_state = check_random_state(random_state)

    start = time.perf_counter()
    change = np.inf
    previous_estimate = _problem.objective(
        X, y, state.W, state.b, sample_weight, alpha, beta
    )
    # The weights at the epoch's start serve the stopping test and a
    # roll-back; the epoch stores its end weights in the other buffer.
    # order="K": the sparse state's W is a strided view of a feature-major
    # table, and buffers in that layout are filled by the kernels row by row.
    W_start, b_start = state.W.copy(order="K"), state.b.copy()
    W_end = np.empty_like(W_start)
    if sparse.issparse(X):
        run_epoch, kernel_X = _sparse_epoch, X
    else:
        run_epoch, kernel_X = _dense_epoch, padded_rows(X)
    epoch = n_run = 0
    # A rolled-back epoch is not counted: it only shortens the step, which
    # happens at most log2(STEP_MULTIPLIER) times.
    while epoch < max_iter:
        constants = _problem.StepConstants.build(
            step, alpha, beta, n_samples, X.dtype
        )
        indices = stream.draw(random_state)
        mean_loss, sums = run_epoch(
            kernels, kernel_X, y, sample_weight, sample_scale, indices, state,
            constants, fit_intercept, W_start, W_end,
        )
        n_run += 1
        estimate = mean_loss + _problem.penalty_from_sums(
            sums.squares, sums.absolute, alpha, beta
        )
        if step > safe_step and _problem.step_too_long(estimate, previous_estimate):
            state.reset_to(X, y, sample_weight, W_start, b_start)
            step = max(0.5 * step, safe_step)
            if verbose:
                print(f"epoch {epoch + 1}: objective rose, rolled back, step "
                      f"halved to {step:.3e}")
            continue
        epoch += 1
        if not (np.isfinite(sums.absolute) and np.all(np.isfinite(state.b))):
            raise FloatingPointError(
                f"SAGA diverged in epoch {epoch} (non-finite weights) at the "
                "theoretical step size; please report this with the data."
            )
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
            value = _problem.objective(
                X, y, state.W, state.b, sample_weight, alpha, beta
            )
            print(
                f"epoch {epoch}: objective {value:.10g}, change {change:.3e}, "
                f"time {time.perf_counter() - start:.3f} s",
                flush=True,
            )
        if callback is not None:
            callback(epoch, state)
        if done:
            return SagaResult(state, epoch, True, n_run)
    # scikit-learn's wording first: users filter warnings on it.
    warnings.warn(
        "The max_iter was reached which means the coef_ did not converge "
        f"(max_iter={max_iter} epochs, last relative change of coef_ "
        f"{change:.3g}, tol={tol}); increase max_iter or tol.",
        ConvergenceWarning,
    )
    return SagaResult(state, max_iter, False, n_run)
