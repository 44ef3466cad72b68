# cython: language_level=3
"""Cython SAGA kernels: the hot loops only (the maths is in ``_problem``).

The same loops as ``_numba.py``, in the same order, so both backends walk the
same iterates up to rounding.  ``setup.py`` compiles this file with
reassociation allowed (the fused loop is a reduction) and NaN/inf kept.  The
GIL is released for the whole epoch.
"""

import numpy as np

from cython cimport floating
from libc.string cimport memcpy

from ._kernel_math cimport _max, _min, _sample_gradient


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
