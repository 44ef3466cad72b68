"""Everything that differs between dense and CSR data, chosen once from ``X``.

:func:`layout_for` is the one place that looks at whether ``X`` is sparse.
It returns a :class:`DenseLayout` or a :class:`SparseLayout`, which own the
data in the form their kernel reads, the state that kernel updates (its
memory layout), and the call of one epoch.  The solver, the estimators and
the regularisation paths only talk to a layout.
"""

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from . import _problem
from ._memory import aligned_copy, padded_zeros

# An epoch is n_samples steps; the sparse kernels stamp each feature with the
# step it was last updated at, in int32.
MAX_SPARSE_SAMPLES = np.iinfo(np.int32).max


def layout_for(X):
    """Return the layout that runs SAGA on ``X`` (prepared once, for many solves).

    ``X`` is C-contiguous float32/64, or a scipy sparse matrix of that dtype
    (run as CSR by the lazy kernels, never densified).
    """
    return SparseLayout(X) if sparse.issparse(X) else DenseLayout(X)


@dataclass
class _Memory:
    """The iterate ``(W, b)`` and SAGA's gradient memory, in any layout.

    ``W`` (``(K, d)``) and ``b`` (``(K,)``) are the weights;
    ``S = sum_i G_i x_i^T`` and ``Sb = sum_i G_i`` the memory sums;
    ``G`` (``(n, K)``) the per-sample gradient memory.
    """

    W: np.ndarray
    b: np.ndarray
    S: np.ndarray
    Sb: np.ndarray
    G: np.ndarray

    def reset_to(self, X, y, sample_weight, W, b):
        """Move, in place, to ``(W, b)`` with every sample's gradient there.

        A warm start needs that memory: with an empty one the first epoch
        takes plain stochastic-gradient steps, which push a start at the
        optimum away from it.  At zero weights an empty memory is as good
        (scikit-learn's start) and costs nothing.  A roll-back uses it too:
        the weights of the epoch's start are all it keeps.
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
class DenseState(_Memory):
    """The dense kernels' state: ``W`` and ``S`` class-major.

    They are views of ``W_rows`` and ``S_rows``, whose rows start on cache
    lines and end with padding up to a whole line (``_memory.padded_zeros``),
    which the kernels run on and never touch past ``X``'s width.
    """

    W_rows: np.ndarray = None
    S_rows: np.ndarray = None

    @classmethod
    def holding(cls, W, b, n_samples):
        """A state at (a copy of) ``(W, b)`` with an empty memory."""
        n_rows, n_features = W.shape
        W_rows = padded_zeros(n_rows, n_features, W.dtype)
        W_rows[:, :n_features] = W
        return cls._from_rows(
            W_rows, padded_zeros(n_rows, n_features, W.dtype), n_features,
            b.copy(), np.zeros_like(b), np.zeros((n_samples, n_rows), W.dtype),
        )

    def copy(self):
        return self._from_rows(
            aligned_copy(self.W_rows), aligned_copy(self.S_rows),
            self.W.shape[1], self.b.copy(), self.Sb.copy(), self.G.copy(),
        )

    @classmethod
    def _from_rows(cls, W_rows, S_rows, n_features, b, Sb, G):
        return cls(
            W=W_rows[:, :n_features], b=b, S=S_rows[:, :n_features], Sb=Sb,
            G=G, W_rows=W_rows, S_rows=S_rows,
        )


@dataclass
class FeatureMajorState(_Memory):
    """The lazy CSR kernels' state: one row of ``table`` per feature.

    ``table`` row ``j`` is ``[W[:, j], S[:, j], padding]``, so a touched
    feature's state is contiguous; ``W`` and ``S`` are ``(K, d)`` views into
    it.  Rows are padded so that none straddles a cache line.
    ``stamps[j, -1]`` (int32) counts the steps a kernel call has applied to
    feature ``j``; it is zero between calls.  It lives in the last 4 bytes
    of row ``j``'s padding when there is padding (``stamps`` is an int32
    view of the table), where it costs no access of its own, and in a
    ``(d, 1)`` array of its own otherwise.
    """

    table: np.ndarray = None
    stamps: np.ndarray = None

    @classmethod
    def holding(cls, W, b, n_samples):
        """A state at (a copy of) ``(W, b)`` with an empty memory."""
        n_rows, n_features = W.shape
        # From np.zeros: a large table comes from the system already zeroed.
        table = padded_zeros(n_features, 2 * n_rows, W.dtype)
        if np.any(W):
            table[:, :n_rows] = W.T
        G = np.zeros((n_samples, n_rows), dtype=W.dtype)
        return cls._from_table(table, b.copy(), np.zeros_like(b), G)

    def copy(self):
        return self._from_table(
            aligned_copy(self.table), self.b.copy(), self.Sb.copy(), self.G.copy()
        )

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


class _Layout:
    """What both layouts share: states built from weights, at a point or empty."""

    state_type = None

    def empty_state(self, W, b):
        """A state at (a copy of) ``(W, b)`` with an empty gradient memory."""
        W = np.asarray(W, dtype=self.X.dtype)
        b = np.asarray(b, dtype=self.X.dtype)
        return self.state_type.holding(W, b, self.X.shape[0])

    def zero_state(self, n_rows):
        """A state at zero weights, with an empty memory (scikit-learn's start)."""
        dtype = self.X.dtype
        return self.empty_state(
            np.zeros((n_rows, self.X.shape[1]), dtype), np.zeros(n_rows, dtype)
        )

    def state_at(self, W, b, y, sample_weight):
        """A state at ``(W, b)`` with every sample's gradient there (warm start)."""
        state = self.empty_state(W, b)
        state.reset_to(self.X, y, sample_weight, state.W, state.b)
        return state


class DenseLayout(_Layout):
    """Dense ``X``, read in place by the kernel; class-major state.

    ``X`` is the caller's C-contiguous array, never copied: a copy aligned to
    cache lines would speed up each epoch a little but doubles the memory of
    a fit, and writing it costs more than it saves over a short fit.
    """

    state_type = DenseState
    takes_batches = True
    grows_step = True

    def __init__(self, X):
        self.X = X

    def run_epoch(self, kernels, y, sample_weight, sample_scale, indices, state,
                  constants, fit_intercept, W_start, W_end, batch_size=1,
                  n_threads=1):
        """Run one epoch of the dense kernel; store its end weights in ``W_end``.

        ``batch_size`` samples a step, the batch's work shared among
        ``n_threads`` threads (one sample a step runs on one).  Returns the
        kernel's mean-loss estimate and the end weights'
        :class:`~fastsaga._problem.WeightSums` against ``W_start``.
        """
        arguments = (
            self.X, y, sample_weight, sample_scale, indices,
            state.W_rows, state.b, state.S_rows, state.Sb, state.G,
            constants.as_array(), fit_intercept,
        )
        rows = padded_zeros(2 * batch_size, self.X.shape[1], self.X.dtype)
        if batch_size == 1:
            mean_loss = kernels.dense_epoch(*arguments, rows)
        else:
            mean_loss = kernels.dense_batch_epoch(
                *arguments, batch_size, n_threads, rows
            )
        W_end[...] = state.W
        return mean_loss, _problem.WeightSums.of(state.W, W_start)


class SparseLayout(_Layout):
    """CSR ``X``, feature-major state, lazy kernels.

    ``X`` becomes CSR without duplicate entries (the lazy kernels update a
    feature once per row), in a copy made only when it is not so already.
    """

    state_type = FeatureMajorState
    takes_batches = False
    grows_step = False

    def __init__(self, X):
        if X.shape[0] > MAX_SPARSE_SAMPLES:
            raise ValueError(
                f"sparse X has {X.shape[0]} rows; the lazy kernels count an "
                f"epoch's steps in int32, so they take at most "
                f"{MAX_SPARSE_SAMPLES}."
            )
        if X.format != "csr":
            X = X.tocsr()
        if not X.has_canonical_format:
            X = X.copy()
            X.sum_duplicates()
        self.X = X

    def run_epoch(self, kernels, y, sample_weight, sample_scale, indices, state,
                  constants, fit_intercept, W_start, W_end, batch_size=1,
                  n_threads=1):
        """Run one epoch of the lazy CSR kernel, as ``DenseLayout`` does.

        One sample a step on one thread (``takes_batches`` is False: the
        solver passes ``batch_size=1``).  The kernel's closing pass over
        every feature stores the end weights and reduces them: no other pass
        over a large ``W``.
        """
        X = self.X
        powers, geometric = _problem.lazy_decay_tables(
            constants.decay, len(indices), X.dtype
        )
        sums = np.zeros(4)
        mean_loss = kernels.sparse_epoch(
            X.data, X.indices, X.indptr, y, sample_weight, sample_scale, indices,
            state.table, state.stamps, state.b, state.Sb, state.G,
            constants.as_array(), fit_intercept, powers, geometric,
            W_start.T, W_end.T, sums,
        )
        return mean_loss, _problem.WeightSums(*sums)
