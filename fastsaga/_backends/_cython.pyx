# cython: language_level=3
"""Cython SAGA kernels: the hot loops only (the maths is in ``_problem``).

The same loops as ``_numba.py``, in the same order, so both backends walk the
same iterates up to rounding.  ``dense_batch_epoch``, the mini-batch kernel,
shares its feature blocks among OpenMP threads and calls the same BLAS gemm
as Numba does (scipy's).  ``setup.py`` compiles this file with reassociation
allowed (the fused loop is a reduction) and NaN/inf kept.  The GIL is
released for the whole epoch.
"""

import numpy as np

from cython cimport floating
from cython.parallel import prange
from libc.string cimport memcpy
from openmp cimport omp_get_num_procs
from scipy.linalg.cython_blas cimport dgemm, sgemm

from . import FEATURE_BLOCK
from ._kernel_math cimport _max, _min, _sample_gradient


cdef extern from *:
    """
    #if defined(__GNUC__) || defined(__clang__)
    #define FASTSAGA_PREFETCH(address) __builtin_prefetch((address), 0, 3)
    #else
    #define FASTSAGA_PREFETCH(address) ((void)(address))
    #endif
    """
    # Read, keep in all cache levels.
    void _prefetch "FASTSAGA_PREFETCH"(const void* address) noexcept nogil


# As a C integer, for the loops that run without the GIL.
cdef Py_ssize_t _BLOCK = FEATURE_BLOCK


cdef inline void _logits(
    const floating* x, Py_ssize_t n_features, floating[:, ::1] W,
    floating[::1] b, floating* out,
) noexcept nogil:
    """``out = W x + b`` over the first ``n_features`` columns of ``W``."""
    cdef Py_ssize_t k, j
    cdef floating acc
    for k in range(W.shape[0]):
        acc = b[k]
        for j in range(n_features):
            acc += W[k, j] * x[j]
        out[k] = acc


cdef void _fused_row_update(
    floating* w_row, floating* s_row, const floating* x, const floating* x_next,
    Py_ssize_t n_features, floating grad_k, floating d_k, floating decay,
    floating step_over_n, floating threshold, floating* acc_out,
) noexcept nogil:
    """One class row of the fused step; raw pointers so GCC vectorises it."""
    cdef Py_ssize_t j
    cdef floating v, w, acc = acc_out[0]
    for j in range(n_features):
        v = decay * w_row[j] - grad_k * x[j] - step_over_n * s_row[j]
        # Soft-threshold without branches: v - clip(v, -t, t).
        w = v - _min(_max(v, -threshold), threshold)
        w_row[j] = w
        s_row[j] += d_k * x[j]
        acc += w * x_next[j]
    acc_out[0] = acc


def dense_epoch(
    const floating[:, ::1] X,
    const Py_ssize_t[::1] y,
    const floating[::1] sample_weight,
    const floating[::1] sample_scale,
    const Py_ssize_t[::1] indices,
    floating[:, ::1] W,
    floating[::1] b,
    floating[:, ::1] S,
    floating[::1] Sb,
    floating[:, ::1] G,
    const floating[::1] constants,
    bint fit_intercept,
    floating[:, ::1] rows,
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
    cdef floating step = constants[0], step_over_n = constants[1]
    cdef floating decay = constants[2], threshold = constants[3]
    cdef floating intercept_ratio = constants[4]
    # W and S may be wider than X (rows padded to cache lines): the padding
    # is never read or written.
    cdef Py_ssize_t n_rows = W.shape[0], n_features = X.shape[1]
    cdef Py_ssize_t n_steps = indices.shape[0]
    cdef Py_ssize_t t, k, i, following
    cdef floating scaled, acc, loss
    cdef double loss_sum = 0.0
    cdef floating* swap
    if n_steps == 0:
        return loss_sum
    # Rows: logits of this step, logits of the next, gradient, its change.
    cdef floating[:, ::1] scratch = np.empty(
        (4, n_rows), dtype=np.float32 if floating is float else np.float64
    )
    cdef floating* z = &scratch[0, 0]
    cdef floating* z_next = &scratch[1, 0]
    cdef floating* g = &scratch[2, 0]
    cdef floating* delta = &scratch[3, 0]
    # The step reads its sample and the next one once per class: from the
    # cache-line-aligned ``rows``, copied once per step, rather than from the
    # caller's X, whose rows may straddle lines.
    cdef floating* x = &rows[0, 0]
    cdef floating* x_next = &rows[1, 0]
    with nogil:
        memcpy(x, &X[indices[0], 0], n_features * sizeof(floating))
        _logits(x, n_features, W, b, z)
        for t in range(n_steps):
            i = indices[t]
            following = indices[t + 1] if t + 1 < n_steps else i
            loss = _sample_gradient(z, n_rows, y[i], sample_weight[i], g)
            loss_sum += sample_scale[i] * sample_weight[i] * loss
            for k in range(n_rows):
                delta[k] = g[k] - G[i, k]
                G[i, k] = g[k]
            scaled = step * sample_scale[i]
            if fit_intercept:
                for k in range(n_rows):
                    b[k] -= intercept_ratio * (scaled * delta[k] + step_over_n * Sb[k])
                    Sb[k] += delta[k]
            memcpy(x_next, &X[following, 0], n_features * sizeof(floating))
            for k in range(n_rows):
                # Already updated: this is the next step's intercept.
                acc = b[k]
                _fused_row_update(
                    &W[k, 0], &S[k, 0], x, x_next, n_features,
                    scaled * delta[k], delta[k], decay, step_over_n, threshold,
                    &acc,
                )
                z_next[k] = acc
            swap = z
            z = z_next
            z_next = swap
            swap = x
            x = x_next
            x_next = swap
    return loss_sum / n_steps


cdef inline void _product(
    char transpose_a, char transpose_b, int m, int n, int k, const floating* A,
    int lda, const floating* B, int ldb, floating* C, int ldc,
) noexcept nogil:
    """Column-major ``C (m, n) = op(A) op(B)`` by BLAS gemm (arguments by pointer)."""
    cdef floating alpha = 1, beta = 0
    if floating is float:
        sgemm(&transpose_a, &transpose_b, &m, &n, &k, &alpha, <float*>A, &lda,
              <float*>B, &ldb, &beta, C, &ldc)
    else:
        dgemm(&transpose_a, &transpose_b, &m, &n, &k, &alpha, <double*>A, &lda,
              <double*>B, &ldb, &beta, C, &ldc)


cdef inline void _prefetch_block(
    const floating[:, ::1] X, const Py_ssize_t[::1] indices, Py_ssize_t first,
    Py_ssize_t count, Py_ssize_t start, Py_ssize_t length,
) noexcept nogil:
    """Ask for features ``start:start + length`` of rows ``indices[first:][:count]``.

    A batch's rows are scattered over X, so the hardware cannot guess them:
    asked for two steps ahead, they arrive while BLAS computes.
    """
    cdef Py_ssize_t r, j
    cdef Py_ssize_t line = 64 // sizeof(floating)
    cdef const floating* row
    for r in range(count):
        row = &X[indices[first + r], 0]
        j = start
        while j < start + length:
            _prefetch(row + j)
            j += line


cdef inline void _copy_block(
    const floating[:, ::1] X, const Py_ssize_t[::1] indices, Py_ssize_t first,
    Py_ssize_t count, floating[:, ::1] rows, Py_ssize_t offset, Py_ssize_t start,
    Py_ssize_t length,
) noexcept nogil:
    """Copy features ``start:start + length`` of rows ``indices[first:][:count]``.

    They go to ``rows[offset:][:count]``, the copy BLAS reads the batch from.
    """
    cdef Py_ssize_t r
    for r in range(count):
        memcpy(&rows[offset + r, start], &X[indices[first + r], start],
               length * sizeof(floating))


cdef double _batch_gradients(
    const floating* z, const Py_ssize_t[::1] indices, Py_ssize_t first,
    Py_ssize_t count, const Py_ssize_t[::1] y, const floating[::1] sample_weight,
    const floating[::1] sample_scale, floating[:, ::1] G, double step_per_sample,
    floating[:, ::1] steps,
) noexcept nogil:
    """Gradients of a batch from its logits ``z`` (count, K); update the memory ``G``.

    Row ``r`` of ``steps`` gets ``[coef_r, delta_r]``: ``delta_r = g_r - G_i``
    (then ``G_i = g_r``) and its coefficient in the weights' step,
    ``coef_r = step_per_sample * sample_scale[i] * delta_r``.  A sample drawn
    twice in a batch changes nothing the second time, so the memory sums stay
    exact.  Returns the batch's importance-weighted loss sum.

    The coefficient is formed in double, as Numba does (its ``step / count``
    is a float64), so that float32 runs agree too.
    """
    cdef Py_ssize_t n_rows = G.shape[1]
    cdef Py_ssize_t r, k, i
    cdef floating* delta
    cdef floating loss, g
    cdef double scaled, loss_sum = 0.0
    for r in range(count):
        i = indices[first + r]
        delta = &steps[r, n_rows]
        loss = _sample_gradient(z + r * n_rows, n_rows, y[i], sample_weight[i], delta)
        loss_sum += sample_scale[i] * sample_weight[i] * loss
        scaled = step_per_sample * sample_scale[i]
        for k in range(n_rows):
            g = delta[k]
            delta[k] = g - G[i, k]
            G[i, k] = g
            steps[r, k] = scaled * delta[k]
    return loss_sum


cdef void _block_logits(
    Py_ssize_t block, const floating[:, ::1] X, const Py_ssize_t[::1] indices,
    Py_ssize_t first, Py_ssize_t count, floating[:, ::1] W, floating[:, ::1] rows,
    Py_ssize_t offset, floating[:, :, ::1] partial,
) noexcept nogil:
    """The block's share of the logits of the samples ``indices[first:][:count]``.

    Copies their features of the block to ``rows[offset:]`` (here, in
    parallel, rather than whole rows before: the copy is bound by memory,
    and each thread's part is then at hand), then
    ``partial[block, r] = W[:, block] x_r[block]`` by BLAS.
    """
    cdef Py_ssize_t start = block * _BLOCK
    cdef Py_ssize_t length = min(_BLOCK, X.shape[1] - start)
    _copy_block(X, indices, first, count, rows, offset, start, length)
    _product(
        c't', c'n', W.shape[0], count, length, &W[0, start], W.shape[1],
        &rows[offset, start], rows.shape[1], &partial[block, 0, 0], W.shape[0],
    )


cdef void _update_row(
    floating* w_row, floating* s_row, const floating* step_row,
    const floating* change_row, Py_ssize_t length, floating decay,
    floating step_over_n, floating threshold,
) noexcept nogil:
    """One class row of a block's update; raw pointers so GCC vectorises it."""
    cdef Py_ssize_t j
    cdef floating v
    for j in range(length):
        v = decay * w_row[j] - step_row[j] - step_over_n * s_row[j]
        # Soft-threshold without branches: v - clip(v, -t, t).
        w_row[j] = v - _min(_max(v, -threshold), threshold)
        s_row[j] += change_row[j]


cdef void _update_block(
    Py_ssize_t block, const floating[:, ::1] X, const Py_ssize_t[::1] indices,
    Py_ssize_t first_next, floating[:, ::1] W, floating[:, ::1] S,
    floating[:, ::1] rows, Py_ssize_t now, Py_ssize_t count, Py_ssize_t following,
    Py_ssize_t count_next, Py_ssize_t count_ahead, floating[:, ::1] steps,
    floating decay, floating step_over_n, floating threshold,
    floating[:, :, ::1] products, floating[:, :, ::1] partial,
) noexcept nogil:
    """The step on the features of ``block``: weights, memory, next logits.

    BLAS forms ``products[block] = steps^T x`` over the batch's rows (the
    weights' step in its first ``K`` rows, the memory's change in the
    others); the weights then take the step with L2 decay and L1
    soft-threshold, ``S`` the change; and ``partial[block]`` gets the block's
    share of the next batch's logits with the new weights.
    """
    cdef Py_ssize_t n_rows = W.shape[0]
    cdef Py_ssize_t start = block * _BLOCK
    cdef Py_ssize_t length = min(_BLOCK, X.shape[1] - start)
    cdef floating* product = &products[block, 0, 0]
    cdef Py_ssize_t k
    _prefetch_block(X, indices, first_next + count_next, count_ahead, start, length)
    _product(
        c'n', c't', length, 2 * n_rows, count, &rows[now, start], rows.shape[1],
        &steps[0, 0], steps.shape[1], product, _BLOCK,
    )
    for k in range(n_rows):
        _update_row(
            &W[k, start], &S[k, start], product + k * _BLOCK,
            product + (n_rows + k) * _BLOCK, length, decay, step_over_n, threshold,
        )
    if count_next > 0:
        _block_logits(
            block, X, indices, first_next, count_next, W, rows, following, partial
        )


cdef void _sum_blocks(
    floating[:, :, ::1] partial, Py_ssize_t count, floating[::1] b, floating* z,
) noexcept nogil:
    """``z[r] = b + sum over blocks of partial[block, r]``, blocks in order."""
    cdef Py_ssize_t n_rows = b.shape[0]
    cdef Py_ssize_t r, k, block
    cdef floating acc
    for r in range(count):
        for k in range(n_rows):
            acc = b[k]
            for block in range(partial.shape[0]):
                acc += partial[block, r, k]
            z[r * n_rows + k] = acc


def dense_batch_epoch(
    const floating[:, ::1] X,
    const Py_ssize_t[::1] y,
    const floating[::1] sample_weight,
    const floating[::1] sample_scale,
    const Py_ssize_t[::1] indices,
    floating[:, ::1] W,
    floating[::1] b,
    floating[:, ::1] S,
    floating[::1] Sb,
    floating[:, ::1] G,
    const floating[::1] constants,
    bint fit_intercept,
    Py_ssize_t batch_size,
    int n_threads,
    floating[:, ::1] rows,
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
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}.")
    cdef floating step = constants[0], step_over_n = constants[1]
    cdef floating decay = constants[2], threshold = constants[3]
    cdef floating intercept_ratio = constants[4]
    cdef Py_ssize_t n_rows = W.shape[0], n_steps = indices.shape[0]
    cdef Py_ssize_t n_blocks = (X.shape[1] + _BLOCK - 1) // _BLOCK
    # At most one thread per processor, as in Numba (its default thread count).
    cdef int threads = max(1, min(n_threads, omp_get_num_procs()))
    cdef Py_ssize_t first, count, count_next, count_ahead, block, k, r
    cdef Py_ssize_t parity = 0
    cdef double loss_sum = 0.0, step_sum, change
    if n_steps == 0:
        return loss_sum
    dtype = np.float32 if floating is float else np.float64
    cdef floating[:, ::1] steps = np.empty((batch_size, 2 * n_rows), dtype=dtype)
    cdef floating[:, :, ::1] logits = np.empty((2, batch_size, n_rows), dtype=dtype)
    cdef floating[:, :, ::1] products = np.empty(
        (n_blocks, 2 * n_rows, _BLOCK), dtype=dtype
    )
    cdef floating[:, :, ::1] partial = np.empty(
        (n_blocks, batch_size, n_rows), dtype=dtype
    )
    # The batch's rows are copied from X into the aligned ``rows`` (BLAS
    # reads a batch as one matrix); rows ``now`` and ``following`` alternate
    # between this batch and the next.
    cdef Py_ssize_t now = 0, following = batch_size
    with nogil:
        count = min(batch_size, n_steps)
        for block in prange(n_blocks, num_threads=threads, schedule="static"):
            _block_logits(block, X, indices, 0, count, W, rows, now, partial)
        _sum_blocks(partial, count, b, &logits[0, 0, 0])
        first = 0
        while first < n_steps:
            count = min(batch_size, n_steps - first)
            count_next = min(batch_size, n_steps - first - count)
            count_ahead = min(batch_size, n_steps - first - count - count_next)
            loss_sum += _batch_gradients(
                &logits[parity, 0, 0], indices, first, count, y, sample_weight,
                sample_scale, G, <double>step / count, steps,
            )
            if fit_intercept:
                # Sums in double, as Numba's (its accumulators start as 0.0).
                for k in range(n_rows):
                    step_sum = 0.0
                    change = 0.0
                    for r in range(count):
                        step_sum += steps[r, k]
                        change += steps[r, n_rows + k]
                    b[k] -= intercept_ratio * (step_sum + step_over_n * Sb[k])
                    Sb[k] += change
            for block in prange(n_blocks, num_threads=threads, schedule="static"):
                _update_block(
                    block, X, indices, first + count, W, S, rows, now, count,
                    following, count_next, count_ahead, steps, decay,
                    step_over_n, threshold, products, partial,
                )
            # b is already updated: these are the next step's logits.
            parity = 1 - parity
            _sum_blocks(partial, count_next, b, &logits[parity, 0, 0])
            now, following = following, now
            first += count
    return loss_sum / n_steps
