"""Numba SAGA kernels: the hot loops only (the maths is in ``_problem``).

Compiled with ``cache=True`` where numba has a writable cache directory (one
compile per machine, not per process; see ``jit``) and ``nogil=True`` (fits
in threads run in parallel).  The fastmath flags allow reassociation and
contraction so the fused per-feature loop vectorises; they change results by
rounding only.  NaN and inf keep their meaning: no "nnan", no "ninf".
"""

import threading
import warnings
from contextlib import contextmanager

import numba
import numpy as np
from llvmlite import ir
from numba import njit, prange, types
from numba.core import cgutils
from numba.extending import intrinsic

from . import FEATURE_BLOCK

FASTMATH = {"reassoc", "contract", "nsz", "arcp"}

# Numba's refusal to cache, once met: every kernel is then compiled in memory.
_cache_error = None


def jit(**options):
    """``njit(cache=True, **options)``, or without the cache where there is none.

    Numba raises when it decorates a cached function and finds no writable
    directory (a read-only install, a read-only home, no NUMBA_CACHE_DIR).
    The kernels then compile in every process, and the first refusal warns.
    """

    def decorate(function):
        global _cache_error
        if _cache_error is None:
            try:
                return njit(cache=True, **options)(function)
            except RuntimeError as error:
                _cache_error = error
                warnings.warn(
                    f"fastsaga's numba kernels cannot be cached on disk "
                    f"({error}); they are compiled in memory, again in each "
                    "new process. Set NUMBA_CACHE_DIR to a writable directory "
                    "to cache them.",
                    UserWarning,
                    stacklevel=2,
                )
        return njit(**options)(function)

    return decorate


_jit = jit(nogil=True, fastmath=FASTMATH)
_jit_parallel = jit(nogil=True, fastmath=FASTMATH, parallel=True)

# Numba's own entry to scipy's BLAS gemm (numba/_lapack.c), called by symbol
# name: a ctypes pointer would make every kernel using it uncacheable.
# Column-major C (m, n) = alpha op(A) op(B) + beta C, every scalar by pointer.
_gemm = types.ExternalFunction(
    "numba_xxgemm",
    types.intc(
        types.int8,  # kind: "d" or "s"
        types.int8, types.int8,  # transa, transb: "n" or "t"
        types.intp, types.intp, types.intp,  # m, n, k
        types.voidptr, types.voidptr, types.intp,  # alpha, A, lda
        types.voidptr, types.intp, types.voidptr,  # B, ldb, beta
        types.voidptr, types.intp,  # C, ldc
    ),
)
_NO, _TRANSPOSE = np.int8(ord("n")), np.int8(ord("t"))

# Numba's "workqueue" threading layer (where neither OpenMP nor TBB is
# available) must not run two parallel regions at once: fits in threads
# then take turns.
_workqueue_lock = threading.Lock()


@_jit
def _sample_gradient(z, label, weight, out):
    """Set ``out = weight * (softmax(z) - onehot(label))``, return the loss.

    One row means the binary logistic loss (sigmoid, ``label`` in {0, 1}).
    Only exponentials of non-positive numbers are taken, so large logits
    cannot overflow.
    """
    n_rows = z.shape[0]
    if n_rows == 1:
        e = np.exp(-abs(z[0]))
        p = 1 / (1 + e) if z[0] >= 0 else e / (1 + e)
        out[0] = weight * (p - label)
        return max(z[0], 0) + np.log1p(e) - label * z[0]
    top = z[0]
    for k in range(1, n_rows):
        top = max(top, z[k])
    out[0] = np.exp(z[0] - top)
    total = out[0]
    for k in range(1, n_rows):
        out[k] = np.exp(z[k] - top)
        total += out[k]
    scale = weight / total
    for k in range(n_rows):
        out[k] *= scale
    out[label] -= weight
    return np.log(total) + top - z[label]


@_jit
def _logits(x, W, b, out):
    """``out = W x + b``."""
    for k in range(W.shape[0]):
        acc = b[k]
        row = W[k]
        for j in range(x.shape[0]):
            acc += row[j] * x[j]
        out[k] = acc


@_jit
def _copy_row(X, i, out):
    for j in range(X.shape[1]):
        out[j] = X[i, j]


@_jit
def dense_epoch(
    X, y, sample_weight, sample_scale, indices, W, b, S, Sb, G, constants,
    fit_intercept, rows,
):
    """Run one epoch of proximal SAGA on dense ``X``, in place.

    One step on sample ``i`` updates, for every class ``k`` and feature ``j``
    in a single pass: the weight (gradient step, L2 decay, L1 soft-threshold),
    the gradient-memory sum ``S``, and the logit of the next sample with the
    freshly written weight.

    Returns the epoch's importance-weighted mean of the visited samples'
    losses, an unbiased estimate of the mean loss along the epoch, which the
    solver uses to detect a step that is too long.
    """
    step, step_over_n = constants[0], constants[1]
    decay, threshold = constants[2], constants[3]
    intercept_ratio = constants[4]
    # W and S may be wider than X (rows padded to cache lines): the padding
    # is never read or written.
    n_rows, n_features = W.shape[0], X.shape[1]
    # One block for the small per-step vectors, as in the Cython kernel:
    # separate allocations land at varying alignments, which made LLVM's
    # vectorised reductions round differently from run to run.
    scratch = np.empty((4, n_rows), dtype=W.dtype)
    z, z_next, g, delta = scratch[0], scratch[1], scratch[2], scratch[3]
    n_steps = indices.shape[0]
    loss_sum = 0.0
    if n_steps == 0:
        return loss_sum
    # The step reads its sample and the next one once per class: from the
    # cache-line-aligned ``rows``, copied once per step, rather than from the
    # caller's X, whose rows may straddle lines.
    x, x_next = rows[0, :n_features], rows[1, :n_features]
    _copy_row(X, indices[0], x)
    _logits(x, W, b, z)
    for t in range(n_steps):
        i = indices[t]
        following = indices[t + 1] if t + 1 < n_steps else i
        loss = _sample_gradient(z, y[i], sample_weight[i], g)
        loss_sum += sample_scale[i] * sample_weight[i] * loss
        for k in range(n_rows):
            delta[k] = g[k] - G[i, k]
            G[i, k] = g[k]
        scaled = step * sample_scale[i]
        if fit_intercept:
            for k in range(n_rows):
                b[k] -= intercept_ratio * (scaled * delta[k] + step_over_n * Sb[k])
                Sb[k] += delta[k]
        _copy_row(X, following, x_next)
        for k in range(n_rows):
            w_row = W[k]
            s_row = S[k]
            d_k = delta[k]
            grad_k = scaled * d_k
            acc = b[k]  # already updated: this is the next step's intercept
            for j in range(n_features):
                v = decay * w_row[j] - grad_k * x[j] - step_over_n * s_row[j]
                # Soft-threshold without branches: v - clip(v, -t, t).
                w = v - min(max(v, -threshold), threshold)
                w_row[j] = w
                s_row[j] += d_k * x[j]
                acc += w * x_next[j]
            z_next[k] = acc
        z, z_next = z_next, z
        x, x_next = x_next, x
    return loss_sum / n_steps


@_jit
def _product(transpose_a, transpose_b, m, n, k, A, lda, B, ldb, C, ldc, scalars):
    """Column-major ``C (m, n) = op(A) op(B)`` by BLAS; A, B, C are views.

    ``scalars`` is ``[1, 0]`` in ``C``'s dtype (gemm's alpha and beta).
    """
    kind = np.int8(ord("d")) if C.itemsize == 8 else np.int8(ord("s"))
    _gemm(
        kind, transpose_a, transpose_b, m, n, k, scalars[0:].ctypes, A.ctypes,
        lda, B.ctypes, ldb, scalars[1:].ctypes, C.ctypes, ldc,
    )


@intrinsic
def _prefetch(typingctx, array, row, column):
    """Ask for the cache line of ``array[row, column]`` (2-d), not waiting for it."""

    def codegen(context, builder, signature, args):
        array_type = signature.args[0]
        view = context.make_array(array_type)(context, builder, args[0])
        address = cgutils.get_item_pointer(
            context, builder, array_type, view, args[1:], wraparound=False
        )
        byte_pointer, int32 = ir.IntType(8).as_pointer(), ir.IntType(32)
        hint = builder.module.declare_intrinsic(
            "llvm.prefetch", [byte_pointer],
            fnty=ir.FunctionType(ir.VoidType(), [byte_pointer] + [int32] * 3),
        )
        # Read, keep in all cache levels, data.
        builder.call(hint, [builder.bitcast(address, byte_pointer), int32(0),
                            int32(3), int32(1)])
        return context.get_dummy_value()

    return types.none(array, row, column), codegen


@_jit
def _prefetch_block(X, indices, first, count, start, length):
    """Ask for features ``start:start + length`` of rows ``indices[first:][:count]``.

    A batch's rows are scattered over X, so the hardware cannot guess them:
    asked for two steps ahead, they arrive while BLAS computes.
    """
    line = 64 // X.itemsize
    for r in range(count):
        i = indices[first + r]
        for j in range(start, start + length, line):
            _prefetch(X, i, j)


@_jit
def _copy_block(X, indices, first, count, rows, offset, start, length):
    """Copy features ``start:start + length`` of rows ``indices[first:][:count]``.

    They go to ``rows[offset:][:count]``, the copy BLAS reads the batch from.
    """
    columns = np.uint64(start)  # unsigned: see _update_block
    for r in range(count):
        i = indices[first + r]
        row = offset + r
        for j in range(np.uint64(length)):
            rows[row, columns + j] = X[i, columns + j]


@_jit
def _batch_gradients(
    z, indices, first, count, y, sample_weight, sample_scale, G, step_per_sample,
    steps,
):
    """Gradients of a batch from its logits ``z``; update the memory ``G``.

    Row ``r`` of ``steps`` gets ``[coef_r, delta_r]``: ``delta_r = g_r - G_i``
    (then ``G_i = g_r``) and its coefficient in the weights' step,
    ``coef_r = step_per_sample * sample_scale[i] * delta_r``.  A sample drawn
    twice in a batch changes nothing the second time, so the memory sums stay
    exact.  Returns the batch's importance-weighted loss sum.
    """
    n_rows = z.shape[1]
    loss_sum = 0.0
    for r in range(count):
        i = indices[first + r]
        delta = steps[r, n_rows:]
        loss = _sample_gradient(z[r], y[i], sample_weight[i], delta)
        loss_sum += sample_scale[i] * sample_weight[i] * loss
        scaled = step_per_sample * sample_scale[i]
        for k in range(n_rows):
            g = delta[k]
            delta[k] = g - G[i, k]
            G[i, k] = g
            steps[r, k] = scaled * delta[k]
    return loss_sum


@_jit
def _block_logits(
    block, X, indices, first, count, W, rows, offset, partial, scalars
):
    """The block's share of the logits of the samples ``indices[first:][:count]``.

    Copies their features of the block to ``rows[offset:]`` (here, in
    parallel, rather than whole rows before: the copy is bound by memory,
    and each thread's part is then at hand), then
    ``partial[block, r] = W[:, block] x_r[block]`` by BLAS.
    """
    start = block * FEATURE_BLOCK
    length = min(FEATURE_BLOCK, X.shape[1] - start)
    _copy_block(X, indices, first, count, rows, offset, start, length)
    _product(
        _TRANSPOSE, _NO, W.shape[0], count, length, W[:, start:], W.shape[1],
        rows[offset:, start:], rows.shape[1], partial[block], W.shape[0], scalars,
    )


@_jit
def _update_block(
    block, X, indices, first_next, W, S, rows, now, count, following, count_next,
    count_ahead, steps, decay, step_over_n, threshold, products, partial, scalars,
):
    """The step on the features of ``block``: weights, memory, next logits.

    BLAS forms ``products[block] = steps^T x`` over the batch's rows (the
    weights' step in its first ``K`` rows, the memory's change in the
    others); the weights then take the step with L2 decay and L1
    soft-threshold, ``S`` the change; and ``partial[block]`` gets the block's
    share of the next batch's logits with the new weights.
    """
    n_rows = W.shape[0]
    start = block * FEATURE_BLOCK
    length = min(FEATURE_BLOCK, X.shape[1] - start)
    _prefetch_block(X, indices, first_next + count_next, count_ahead, start, length)
    product = products[block]
    _product(
        _NO, _TRANSPOSE, length, 2 * n_rows, count, rows[now:, start:],
        rows.shape[1], steps, steps.shape[1], product, FEATURE_BLOCK, scalars,
    )
    # Unsigned indices: numba then skips its negative-index check, which on
    # an offset index keeps LLVM from vectorising the loop.
    offset = np.uint64(start)
    for k in range(n_rows):
        for j in range(np.uint64(length)):
            v = (decay * W[k, offset + j] - product[k, j]
                 - step_over_n * S[k, offset + j])
            # Soft-threshold without branches: v - clip(v, -t, t).
            W[k, offset + j] = v - min(max(v, -threshold), threshold)
            S[k, offset + j] += product[n_rows + k, j]
    if count_next > 0:
        _block_logits(
            block, X, indices, first_next, count_next, W, rows, following,
            partial, scalars,
        )


@_jit
def _sum_blocks(partial, count, b, z):
    """``z[r] = b + sum over blocks of partial[block, r]``, blocks in order."""
    for r in range(count):
        for k in range(z.shape[1]):
            acc = b[k]
            for block in range(partial.shape[0]):
                acc += partial[block, r, k]
            z[r, k] = acc


@_jit
def _block_part(block, opening, X, indices, first, W, S, rows, now, count,
                following, count_next, count_ahead, steps, decay, step_over_n,
                threshold, products, partial, scalars):
    """Block ``block``'s part of a step, or (``opening``) of the first logits."""
    if opening:
        _block_logits(block, X, indices, first, count, W, rows, now, partial, scalars)
    else:
        _update_block(
            block, X, indices, first, W, S, rows, now, count, following,
            count_next, count_ahead, steps, decay, step_over_n, threshold,
            products, partial, scalars,
        )


@_jit
def _all_blocks(n_blocks, *arguments):
    for block in range(n_blocks):
        _block_part(block, *arguments)


# Numba's parallel launch takes the GIL back at every region: only fits
# given more than one thread pay for it.
@_jit_parallel
def _all_blocks_in_parallel(n_blocks, *arguments):
    for block in prange(n_blocks):
        _block_part(block, *arguments)


@_jit
def _run_blocks(parallel, n_blocks, *arguments):
    if parallel:
        _all_blocks_in_parallel(n_blocks, *arguments)
    else:
        _all_blocks(n_blocks, *arguments)


@_jit
def _dense_batch_epoch(
    X, y, sample_weight, sample_scale, indices, W, b, S, Sb, G, constants,
    fit_intercept, batch_size, rows, parallel,
):
    step, step_over_n = constants[0], constants[1]
    decay, threshold = constants[2], constants[3]
    intercept_ratio = constants[4]
    n_rows = W.shape[0]
    n_steps = indices.shape[0]
    loss_sum = 0.0
    if n_steps == 0:
        return loss_sum
    n_blocks = -(-X.shape[1] // FEATURE_BLOCK)
    dtype = W.dtype
    steps = np.empty((batch_size, 2 * n_rows), dtype=dtype)
    logits = np.empty((2, batch_size, n_rows), dtype=dtype)
    products = np.empty((n_blocks, 2 * n_rows, FEATURE_BLOCK), dtype=dtype)
    partial = np.empty((n_blocks, batch_size, n_rows), dtype=dtype)
    scalars = np.array([1.0, 0.0], dtype=dtype)
    # The batch's rows are copied from X into the aligned ``rows`` (BLAS
    # reads a batch as one matrix); rows ``now`` and ``following`` alternate
    # between this batch and the next.
    now, following = 0, batch_size
    count = min(batch_size, n_steps)
    _run_blocks(
        parallel, n_blocks, True, X, indices, 0, W, S, rows, now, count,
        following, 0, 0, steps, decay, step_over_n, threshold, products,
        partial, scalars,
    )
    _sum_blocks(partial, count, b, logits[0])
    parity = 0
    for first in range(0, n_steps, batch_size):
        count = min(batch_size, n_steps - first)
        count_next = min(batch_size, n_steps - first - count)
        count_ahead = max(0, min(batch_size, n_steps - first - count - count_next))
        loss_sum += _batch_gradients(
            logits[parity], indices, first, count, y, sample_weight,
            sample_scale, G, step / count, steps,
        )
        if fit_intercept:
            for k in range(n_rows):
                step_sum = 0.0
                change = 0.0
                for r in range(count):
                    step_sum += steps[r, k]
                    change += steps[r, n_rows + k]
                b[k] -= intercept_ratio * (step_sum + step_over_n * Sb[k])
                Sb[k] += change
        _run_blocks(
            parallel, n_blocks, False, X, indices, first + count, W, S, rows,
            now, count, following, count_next, count_ahead, steps, decay,
            step_over_n, threshold, products, partial, scalars,
        )
        # b is already updated: these are the next step's logits.
        parity = 1 - parity
        _sum_blocks(partial, count_next, b, logits[parity])
        now, following = following, now
    return loss_sum / n_steps


def dense_batch_epoch(
    X, y, sample_weight, sample_scale, indices, W, b, S, Sb, G, constants,
    fit_intercept, batch_size, n_threads, rows,
):
    """Run one epoch of mini-batch proximal SAGA on dense ``X``, in place.

    Each step takes ``batch_size`` consecutive samples of ``indices``: their
    gradients at the current weights, then, by blocks of ``FEATURE_BLOCK``
    features, the step on ``W`` and ``S`` (two BLAS products and one pass)
    and the block's share of the next batch's logits.  Blocks are shared
    out among ``n_threads`` threads; each is computed whole by one thread
    and the shares are summed in block order, so the result does not depend
    on ``n_threads``.

    Returns the epoch's importance-weighted mean of the visited samples'
    losses, as ``dense_epoch`` does.
    """
    if n_threads <= 1:
        return _dense_batch_epoch(
            X, y, sample_weight, sample_scale, indices, W, b, S, Sb, G,
            constants, fit_intercept, batch_size, rows, False,
        )
    with _threads(n_threads):
        return _dense_batch_epoch(
            X, y, sample_weight, sample_scale, indices, W, b, S, Sb, G,
            constants, fit_intercept, batch_size, rows, True,
        )


@contextmanager
def _threads(n_threads):
    """Run the enclosed parallel kernel on ``n_threads`` threads (at most numba's)."""
    previous = numba.get_num_threads()
    numba.set_num_threads(max(1, min(n_threads, numba.config.NUMBA_NUM_THREADS)))
    try:
        if _layer_in_use() in (None, "workqueue"):
            with _workqueue_lock:
                yield
        else:
            yield
    finally:
        numba.set_num_threads(previous)


def _layer_in_use():
    """The threading layer numba has started, or None before its first region."""
    try:
        return numba.threading_layer()
    except ValueError:
        return None
