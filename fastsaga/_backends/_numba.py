"""Numba SAGA kernels: the hot loops only (the maths is in ``_problem``).

Compiled with ``cache=True`` where numba has a writable cache directory (one
compile per machine, not per process; see ``jit``) and ``nogil=True`` (fits
in threads run in parallel).  The fastmath flags allow reassociation and
contraction so the fused per-feature loop vectorises; they change results by
rounding only.  NaN and inf keep their meaning: no "nnan", no "ninf".
"""

import warnings

import numpy as np
from numba import njit

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
