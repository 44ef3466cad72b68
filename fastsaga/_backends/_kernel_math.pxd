# cython: language_level=3
"""Inline maths shared by the Cython kernels (``cimport`` it, never import).

Small ``nogil`` helpers, fused over float32/float64: comparisons that
vectorise, the libm functions of the right precision, and one sample's
gradient and loss, used by both ``_cython.pyx`` and ``_cython_sparse.pyx``.
"""

from cython cimport floating
from libc.math cimport exp, expf, fabs, fabsf, log, log1p, log1pf, logf


# Plain comparisons, not fmin/fmax: those must honour NaN operands, which
# stops GCC from inlining and vectorising them.  A NaN still propagates
# through the soft-threshold below (v - clip(v) is NaN).
cdef inline floating _min(floating a, floating b) noexcept nogil:
    return a if a < b else b


cdef inline floating _max(floating a, floating b) noexcept nogil:
    return a if a > b else b


cdef inline floating _exp(floating v) noexcept nogil:
    if floating is float:
        return expf(v)
    return exp(v)


cdef inline floating _log(floating v) noexcept nogil:
    if floating is float:
        return logf(v)
    return log(v)


cdef inline floating _log1p(floating v) noexcept nogil:
    if floating is float:
        return log1pf(v)
    return log1p(v)


cdef inline floating _abs(floating v) noexcept nogil:
    if floating is float:
        return fabsf(v)
    return fabs(v)


cdef inline floating _sample_gradient(
    const floating* z, Py_ssize_t n_rows, Py_ssize_t label, floating weight,
    floating* out,
) noexcept nogil:
    """Set ``out = weight * (softmax(z) - onehot(label))``, return the loss.

    One row means the binary logistic loss (sigmoid, ``label`` in {0, 1}).
    Only exponentials of non-positive numbers are taken, so large logits
    cannot overflow.
    """
    cdef Py_ssize_t k
    cdef floating top, total, e, p, scale
    if n_rows == 1:
        e = _exp(-_abs(z[0]))
        p = 1 / (1 + e) if z[0] >= 0 else e / (1 + e)
        out[0] = weight * (p - label)
        return _max(z[0], 0) + _log1p(e) - label * z[0]
    top = z[0]
    for k in range(1, n_rows):
        top = _max(top, z[k])
    out[0] = _exp(z[0] - top)
    total = out[0]
    for k in range(1, n_rows):
        out[k] = _exp(z[k] - top)
        total += out[k]
    scale = weight / total
    for k in range(n_rows):
        out[k] *= scale
    out[label] -= weight
    return _log(total) + top - z[label]
