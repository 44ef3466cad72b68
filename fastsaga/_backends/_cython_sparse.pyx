# cython: language_level=3
"""Cython SAGA kernel for CSR input, with lazy (just-in-time) updates.

The same loops as ``_numba_sparse.py``, in the same order (see its module
docstring for the method: feature-major ``[W[:, j], S[:, j]]`` rows and a
step stamp per feature, missed steps applied in closed form from tabulated
powers of ``decay``).
Fused over float32/float64 data and int32/int64 CSR indices.  The GIL is
released for the whole call.
"""

import numpy as np

from cython cimport floating
from libc.math cimport ceil, exp, expm1, log1p
from libc.stdint cimport int32_t, int64_t

from ._kernel_math cimport _abs, _max, _min, _sample_gradient


cdef extern from *:
    """
    #if defined(__GNUC__) || defined(__clang__)
    #define FASTSAGA_PREFETCH(address) __builtin_prefetch((address), 1, 3)
    #else
    #define FASTSAGA_PREFETCH(address) ((void)(address))
    #endif
    """
    void FASTSAGA_PREFETCH(const void* address) noexcept nogil


ctypedef fused index_t:
    int32_t
    int64_t


cdef inline double _soft_threshold(double v, double threshold) noexcept nogil:
    return v - _min(_max(v, -threshold), threshold)


cdef inline double _affine_steps(
    double u, double e, Py_ssize_t k, double shrink, double log_decay
) noexcept nogil:
    """``k`` steps of ``u <- decay * u - e``: ``decay**k u - e sum_{l<k} decay**l``."""
    if shrink == 0:
        return u - e * k
    return exp(k * log_decay) * u + e * expm1(k * log_decay) / shrink


cdef double _catch_up_crossing(
    double w, Py_ssize_t m, double c, double threshold, double decay,
) noexcept nogil:
    """Apply ``m`` steps of ``w <- prox(decay * w - c)`` in any regime.

    One regime per pass: finish the ``m`` steps inside it, or count the steps
    ``k`` until it is left (a logarithm), take them in closed form and the
    crossing step in full.  The iterate is monotone: at most three passes; a
    count off by one through rounding costs a pass, never a wrong result.
    A negative ``decay`` makes the map non-monotone: stepped one by one.
    Scalars only (no tables): this rare path must not weigh on the caller.
    """
    cdef Py_ssize_t k, s
    cdef double shrink, log_decay, sign, u, e, final, estimate, before
    if decay <= 0:
        for s in range(m):
            w = _soft_threshold(decay * w - c, threshold)
        return w
    shrink = 1.0 - decay
    log_decay = log1p(-shrink)
    while m > 0:
        if w > 0 or (w == 0 and c < -threshold):
            sign = 1.0
        elif w < 0 or (w == 0 and c > threshold):
            sign = -1.0
        else:
            return w  # zero for good (|c| <= threshold), or NaN
        # In the frame u = sign * w >= 0 the regime's step is u <- decay*u - e.
        u = sign * w
        e = sign * c + threshold
        final = _affine_steps(u, e, m, shrink, log_decay)
        if final > 0:
            return sign * final
        # Here e > 0: smallest k with decay**k * u - e * G_k <= 0.
        if shrink > 0:
            estimate = log1p(shrink * u / e) / -log_decay
        else:
            estimate = u / e
        k = m
        if estimate < m:
            k = <Py_ssize_t>ceil(estimate)
            if k < 1:
                k = 1
        if k > 1 and _affine_steps(u, e, k - 1, shrink, log_decay) <= 0:
            k -= 1
        before = sign * _affine_steps(u, e, k - 1, shrink, log_decay)
        w = _soft_threshold(decay * before - c, threshold)
        m -= k
    return w


# Inline: the call (nine arguments, an AVX stack frame) cost 3 to 4 % of the
# 20 newsgroups epoch, float32 and float64 alike.
cdef inline void _catch_up(
    floating* row, Py_ssize_t n_rows, Py_ssize_t m, floating step_over_n,
    floating threshold, floating decay, const floating* powers,
    const floating* geometric, floating* original,
) noexcept nogil:
    """Apply the ``m`` missed steps to one feature's weights, in place.

    The fast pass takes the closed form ``soft_threshold(decay**m w -
    c G_m, t G_m)`` (``G_m = sum_{l<m} decay**l``), exact in every regime
    (see ``_numba_sparse._catch_up``) unless the drift, beyond the threshold,
    carries ``w`` through zero: such a weight (its sign flipped or zeroed
    while ``|c| > t``) is redone by ``_catch_up_crossing`` from ``original``.
    Without L1 (``threshold == 0``) the form is one affine map: nothing to
    redo.
    """
    cdef Py_ssize_t k
    cdef floating w, c, new
    cdef floating power = powers[m], geo = geometric[m]
    cdef floating reach = threshold * geo
    cdef bint crossed = False
    for k in range(n_rows):
        w = row[k]
        c = step_over_n * row[n_rows + k]
        new = power * w - c * geo
        new = new - _min(_max(new, -reach), reach)
        original[k] = w
        row[k] = new
        crossed |= (w != 0) & (w * new <= 0) & (_abs(c) > threshold)
    if decay <= 0 or (crossed and threshold > 0):
        for k in range(n_rows):
            w = original[k]
            c = step_over_n * row[n_rows + k]
            if decay <= 0 or (w != 0 and w * row[k] <= 0 and _abs(c) > threshold):
                row[k] = <floating>_catch_up_crossing(w, m, c, threshold, decay)


cdef inline void _prefetch_rows(
    floating[:, ::1] table, int32_t[:, ::1] stamps, const index_t[::1] columns,
    const index_t[::1] indptr, Py_ssize_t i,
) noexcept nogil:
    """Ask for the table rows and stamps of sample ``i``'s features.

    The step is memory-bound: the rows of the next sample are fetched while
    the current one is updated (the index stream is known ahead).  A hint
    only: it changes no result.
    """
    cdef Py_ssize_t p, offset
    cdef Py_ssize_t row_bytes = table.shape[1] * sizeof(floating)
    cdef Py_ssize_t stamp = stamps.shape[1] - 1
    cdef const char* row
    for p in range(indptr[i], indptr[i + 1]):
        FASTSAGA_PREFETCH(&stamps[columns[p], stamp])
        row = <const char*>&table[columns[p], 0]
        for offset in range(0, row_bytes, 64):
            FASTSAGA_PREFETCH(row + offset)


def sparse_epoch(
    const floating[::1] data,
    const index_t[::1] columns,
    const index_t[::1] indptr,
    const Py_ssize_t[::1] y,
    const floating[::1] sample_weight,
    const floating[::1] sample_scale,
    const Py_ssize_t[::1] indices,
    floating[:, ::1] table,
    int32_t[:, ::1] stamps,
    floating[::1] b,
    floating[::1] Sb,
    floating[:, ::1] G,
    floating step,
    floating step_over_n,
    floating decay,
    floating threshold,
    bint fit_intercept,
    const floating[::1] powers,
    const floating[::1] geometric,
    const floating[:, ::1] start_weights,
    floating[:, ::1] end_weights,
    double[::1] sums,
):
    """Run proximal SAGA steps over ``indices`` on CSR ``X``, in place.

    The contract of ``_numba_sparse.sparse_epoch`` (arguments, the state
    left on return, the closing pass's ``sums``, the returned mean loss),
    with the GIL released.
    """
    cdef Py_ssize_t n_rows = b.shape[0], n_features = table.shape[0]
    cdef Py_ssize_t stamp = stamps.shape[1] - 1
    cdef Py_ssize_t n_steps = indices.shape[0]
    cdef Py_ssize_t t, k, i, p, j, start, end, missed
    cdef floating x, v, scaled, loss
    cdef floating* row
    cdef double loss_sum = 0.0
    cdef double w, magnitude, squares = 0.0, absolute = 0.0
    cdef double largest = 0.0, largest_change = 0.0
    # Rows: logits, gradient, its change, the change times the step, and the
    # weights of a feature before its catch-up.
    cdef floating[:, ::1] scratch = np.empty(
        (5, n_rows), dtype=np.float32 if floating is float else np.float64
    )
    cdef floating* z = &scratch[0, 0]
    cdef floating* g = &scratch[1, 0]
    cdef floating* delta = &scratch[2, 0]
    cdef floating* grad = &scratch[3, 0]
    cdef floating* original = &scratch[4, 0]
    with nogil:
        for t in range(n_steps):
            i = indices[t]
            start = indptr[i]
            end = indptr[i + 1]
            for k in range(n_rows):
                z[k] = b[k]
            for p in range(start, end):
                j = columns[p]
                row = &table[j, 0]
                missed = t - stamps[j, stamp]
                if missed > 0:
                    _catch_up(row, n_rows, missed, step_over_n, threshold, decay,
                              &powers[0], &geometric[0], original)
                x = data[p]
                for k in range(n_rows):
                    z[k] += row[k] * x
            loss = _sample_gradient(z, n_rows, y[i], sample_weight[i], g)
            loss_sum += sample_scale[i] * sample_weight[i] * loss
            scaled = step * sample_scale[i]
            for k in range(n_rows):
                delta[k] = g[k] - G[i, k]
                G[i, k] = g[k]
                grad[k] = scaled * delta[k]
            if fit_intercept:
                for k in range(n_rows):
                    b[k] -= grad[k] + step_over_n * Sb[k]
                    Sb[k] += delta[k]
            if t + 1 < n_steps:
                _prefetch_rows(table, stamps, columns, indptr, indices[t + 1])
            for p in range(start, end):
                row = &table[columns[p], 0]
                x = data[p]
                for k in range(n_rows):
                    v = decay * row[k] - grad[k] * x - step_over_n * row[n_rows + k]
                    row[k] = v - _min(_max(v, -threshold), threshold)
                # A loop of its own, as in the Numba kernel (see there).
                for k in range(n_rows):
                    row[n_rows + k] += delta[k] * x
                stamps[columns[p], stamp] = t + 1
        for j in range(n_features):
            row = &table[j, 0]
            missed = n_steps - stamps[j, stamp]
            if missed > 0:
                _catch_up(row, n_rows, missed, step_over_n, threshold, decay,
                          &powers[0], &geometric[0], original)
            stamps[j, stamp] = 0
            for k in range(n_rows):
                w = row[k]
                magnitude = _abs(w)
                squares += w * w
                absolute += magnitude
                largest = _max(largest, magnitude)
                largest_change = _max(largest_change, _abs(w - start_weights[j, k]))
                end_weights[j, k] = row[k]
    sums[0] = squares
    sums[1] = absolute
    sums[2] = largest
    sums[3] = largest_change
    return loss_sum / _max(<double>n_steps, 1.0)
