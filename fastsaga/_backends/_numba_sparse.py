"""Numba SAGA kernel for CSR input, with lazy (just-in-time) updates.

A step on sample ``i`` only does the rank-one work on the features of
``x_i``.  Every other feature ``j`` would only take the step
``w <- prox(decay * w - step_over_n * S[:, j])`` with ``S[:, j]`` constant,
so those steps are skipped and applied in closed form when ``j`` is next
touched, and for all features at the end of the epoch.

State is feature-major: row ``j`` of ``table`` is ``[W[:, j], S[:, j]]``,
so one cache miss brings a feature's weights and memory sums.  The number of
steps already applied to each feature is an int32 ``stamps[j, -1]``: in the
row's padding when it has room (``stamps`` is then an int32 view of the
table), in an array of its own otherwise (the solver's ``FeatureMajorState``
decides).

The closed form (``_catch_up``): the missed-step map is piecewise affine and
monotone in ``w``, so the iterate moves monotonically through at most three
regimes (positive, zero, negative), each an affine recursion
``u <- decay * u - e`` solved by ``decay**m * u - e * sum_{l<m} decay**l``.
Both factors come from tables built once per epoch (``_problem.
lazy_decay_tables``).  Every regime's form, and a stop at zero under a
drift within the threshold, are one soft-threshold of ``decay**m w - c G_m``
at ``t G_m``, so the usual case costs two multiplies and a clip; only a
crossing of zero under a stronger drift takes a logarithm, to count the
steps before it (and exponentials, so that path needs no tables).  The
fast path runs in the data's dtype (the tables come in it too), since in
float32 a vector holds twice the weights and no conversions are needed; the
rare crossing path runs in float64.

The loops are those of ``_cython_sparse.pyx.tp``, in the same order.
"""

import numpy as np
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.core.compiler import CompilerBase, DefaultPassBuilder
from numba.extending import intrinsic

from ._numba import FASTMATH, _sample_gradient, jit

# NumPy's error model: a division by zero gives inf/NaN instead of raising.
# The kernel never relies on the exception, and the check on every division
# of the catch-up dominated the step loop.
_OPTIONS = dict(nogil=True, fastmath=FASTMATH, error_model="numpy")
_jit = jit(**_OPTIONS)


class _NoAliasCompiler(CompilerBase):
    """Numba's nopython pipeline with its ``noalias`` flag set.

    The flag marks every pointer argument ``noalias`` (C's ``restrict``):
    LLVM then drops the run-time overlap checks it puts before each
    vectorised class loop.  Sound for ``sparse_epoch``, whose arrays never
    share an element that the kernel writes (``stamps`` may view the
    table's padding, which the table's own accesses never reach; a prefetch
    is no access).
    """

    def define_pipelines(self):
        self.state.flags.noalias = True
        return [DefaultPassBuilder.define_nopython_pipeline(self.state)]


_jit_noalias = jit(**_OPTIONS, pipeline_class=_NoAliasCompiler)


@intrinsic
def _prefetch(typingctx, array, offset):
    """Hint the CPU to fetch (for writing) the line of ``array.flat[offset]``.

    LLVM's prefetch intrinsic, which Numba does not expose; C-contiguous
    arrays only.  A hint: it changes no result.
    """
    if not (isinstance(array, types.Array) and isinstance(offset, types.Integer)):
        return None

    def codegen(context, builder, signature, args):
        data = context.make_array(signature.args[0])(context, builder, args[0]).data
        byte_pointer = ir.IntType(8).as_pointer()
        flag = ir.IntType(32)
        function = cgutils.get_or_insert_function(
            builder.module,
            ir.FunctionType(ir.VoidType(), [byte_pointer, flag, flag, flag]),
            "llvm.prefetch.p0i8",
        )
        address = builder.bitcast(builder.gep(data, [args[1]]), byte_pointer)
        # write access, high locality, data cache
        builder.call(function, [address, flag(1), flag(3), flag(1)])
        return context.get_dummy_value()

    return types.void(array, offset), codegen


@_jit
def _prefetch_rows(table, stamps, columns, indptr, i):
    """Ask for the table rows and stamps of sample ``i``'s features.

    The step is memory-bound: the rows of the next sample are fetched while
    the current one is updated (the index stream is known ahead).
    """
    one = np.uintp(1)
    width = np.uintp(table.shape[1])
    per_line = np.uintp(max(64 // table.itemsize, 1))
    stamp_width = np.uintp(stamps.shape[1])
    i = np.uintp(i)
    for p in range(np.uintp(indptr[i]), np.uintp(indptr[i + one])):
        j = np.uintp(columns[p])
        _prefetch(stamps, (j + one) * stamp_width - one)
        for offset in range(np.uintp(0), width, per_line):
            _prefetch(table, j * width + offset)


@_jit
def _soft_threshold(v, threshold):
    return v - min(max(v, -threshold), threshold)


@_jit
def _affine_steps(u, e, k, shrink, log_decay):
    """``k`` steps of ``u <- decay * u - e``: ``decay**k u - e sum_{l<k} decay**l``."""
    if shrink == 0:
        return u - e * k
    return np.exp(k * log_decay) * u + e * np.expm1(k * log_decay) / shrink


# Inlined, as ``_catch_up`` is: a call that may raise, even one never taken,
# kept Numba from pruning the reference counting of the arrays ``_catch_up``
# works on, two increments and two decrements per caught-up feature.
_jit_inline = jit(**_OPTIONS, inline="always")


@_jit_inline
def _catch_up_crossing(w, m, c, threshold, decay):
    """Apply ``m`` steps of ``w <- prox(decay * w - c)`` in any regime.

    Each pass of the loop handles one regime: it either finishes the ``m``
    steps inside it, or counts the steps ``k`` until the regime is left (a
    logarithm), takes them in closed form and the crossing step in full.
    The iterate is monotone, so there are at most three passes; a count off
    by one through rounding costs one more pass, never a wrong result.
    A negative ``decay`` (a step longer than ``1 / alpha``) makes the map
    non-monotone, and is stepped through one step at a time.  Scalars only
    (no tables): this rare path must not weigh on the caller's loop.
    """
    if decay <= 0:
        for _ in range(m):
            w = _soft_threshold(decay * w - c, threshold)
        return w
    shrink = 1.0 - decay
    log_decay = np.log1p(-shrink)
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
            estimate = np.log1p(shrink * u / e) / -log_decay
        else:
            estimate = u / e
        k = m
        if estimate < m:
            k = max(int(np.ceil(estimate)), 1)
        if k > 1 and _affine_steps(u, e, k - 1, shrink, log_decay) <= 0:
            k -= 1
        before = sign * _affine_steps(u, e, k - 1, shrink, log_decay)
        w = _soft_threshold(decay * before - c, threshold)
        m -= k
    return w


# Inlined by Numba into the step loop: called, it took and released a
# reference on each array argument (four atomic calls per touched feature).
@_jit_inline
def _catch_up(table, j, n_rows, m, step_over_n, threshold, decay, powers,
              geometric, original):
    """Apply the ``m`` missed steps to feature ``j``'s weights (table row ``j``).

    The fast pass takes ``soft_threshold(decay**m w - c G_m, t G_m)`` with
    ``G_m = sum_{l<m} decay**l``: the closed form of the regime ``w``
    starts in, clipped at zero when it ends there (where a drift within the
    threshold holds it), and the zero regime's own closed form.  It is exact
    unless the drift, beyond the threshold, carries ``w`` through zero: such
    a weight (its sign flipped or zeroed while ``|c| > t``) is redone by
    ``_catch_up_crossing`` from ``original``.  Without L1 (``threshold ==
    0``) the form is one affine map: nothing to redo.  Only multiplies and
    a clip, no selects: LLVM compiles the scalar remainder of the vectorised
    loop (the K mod 8 last classes) with branches for selects, and the signs
    of a feature's weights are unpredictable.
    The table is indexed in place, never sliced: a view of a row is a new
    array whose reference count is taken and released.
    """
    power = powers[np.uintp(m)]
    geo = geometric[np.uintp(m)]
    reach = threshold * geo
    crossed = False
    for k in range(n_rows):
        w = table[j, k]
        c = step_over_n * table[j, n_rows + k]
        new = power * w - c * geo
        new = new - min(max(new, -reach), reach)
        original[k] = w
        table[j, k] = new
        crossed |= (w != 0) & (w * new <= 0) & (abs(c) > threshold)
    if decay <= 0 or (crossed and threshold > 0):
        for k in range(n_rows):
            w = original[k]
            c = step_over_n * table[j, n_rows + k]
            if decay <= 0 or (w != 0 and w * table[j, k] <= 0 and abs(c) > threshold):
                table[j, k] = _catch_up_crossing(
                    np.float64(w), m, np.float64(c), np.float64(threshold),
                    np.float64(decay),
                )


def _compile_sparse_epoch(class_bound):
    """Compile ``sparse_epoch`` for at most ``class_bound`` classes.

    The bound is a constant of the compiled code: LLVM reads the largest
    trip count of the class loops from it (see ``FEW_CLASSES``).
    """

    @_jit_noalias
    def sparse_epoch(
        data, columns, indptr, y, sample_weight, sample_scale, indices,
        table, stamps, b, Sb, G, constants, fit_intercept,
        powers, geometric, start_weights, end_weights, sums,
    ):
        """``sparse_epoch``, with the class loops bounded by ``class_bound``."""
        # Every index is unsigned (np.uintp): Numba wraps a negative signed index
        # around (a compare and a select per access), which LLVM cannot rule out
        # for indices read from memory (CSR columns, the index stream).
        step, step_over_n = constants[0], constants[1]
        decay, threshold = constants[2], constants[3]
        intercept_ratio = constants[4]
        one = np.uintp(1)
        n_rows = np.uintp(min(b.shape[0], class_bound))
        n_features = np.uintp(table.shape[0])
        stamp = np.uintp(stamps.shape[1]) - one
        z = np.empty(n_rows, dtype=table.dtype)
        g = np.empty(n_rows, dtype=table.dtype)
        delta = np.empty(n_rows, dtype=table.dtype)
        grad = np.empty(n_rows, dtype=table.dtype)
        original = np.empty(n_rows, dtype=table.dtype)
        n_steps = indices.shape[0]
        loss_sum = 0.0
        for t in range(n_steps):
            i = np.uintp(indices[t])
            start = np.uintp(indptr[i])
            end = np.uintp(indptr[i + one])
            for k in range(n_rows):
                z[k] = b[k]
            for p in range(start, end):
                j = np.uintp(columns[p])
                missed = t - stamps[j, stamp]
                if missed > 0:
                    _catch_up(table, j, n_rows, missed, step_over_n, threshold, decay,
                              powers, geometric, original)
                x = data[p]
                for k in range(n_rows):
                    z[k] += table[j, k] * x
            loss = _sample_gradient(z, y[i], sample_weight[i], g)
            loss_sum += sample_scale[i] * sample_weight[i] * loss
            scaled = step * sample_scale[i]
            for k in range(n_rows):
                delta[k] = g[k] - G[i, k]
                G[i, k] = g[k]
                grad[k] = scaled * delta[k]
            if fit_intercept:
                for k in range(n_rows):
                    b[k] -= intercept_ratio * (grad[k] + step_over_n * Sb[k])
                    Sb[k] += delta[k]
            if t + 1 < n_steps:
                _prefetch_rows(table, stamps, columns, indptr, indices[t + 1])
            for p in range(start, end):
                j = np.uintp(columns[p])
                x = data[p]
                for k in range(n_rows):
                    v = (decay * table[j, k] - grad[k] * x
                         - step_over_n * table[j, n_rows + k])
                    table[j, k] = _soft_threshold(v, threshold)
                # The memory sums in a loop of their own: LLVM then unrolls the
                # weights' loop and vectorises its last classes too.
                for k in range(n_rows):
                    table[j, n_rows + k] += delta[k] * x
                stamps[j, stamp] = t + 1
        squares = absolute = largest = largest_change = 0.0
        for j in range(n_features):
            missed = n_steps - stamps[j, stamp]
            if missed > 0:
                _catch_up(table, j, n_rows, missed, step_over_n, threshold, decay,
                          powers, geometric, original)
            stamps[j, stamp] = 0
            for k in range(n_rows):
                w = np.float64(table[j, k])
                magnitude = abs(w)
                squares += w * w
                absolute += magnitude
                largest = max(largest, magnitude)
                largest_change = max(largest_change, abs(w - start_weights[j, k]))
                end_weights[j, k] = table[j, k]
        sums[0] = squares
        sums[1] = absolute
        sums[2] = largest
        sums[3] = largest_change
        return loss_sum / max(n_steps, 1)

    return sparse_epoch


# LLVM runs two vectors per iteration of a vectorised loop (32 float32 in
# 512-bit registers) unless it can prove the trip count small.  A loop over
# 20 classes then never enters its vector body and runs in the remainder
# loops.  Bounded by 63, the class loops run one vector per iteration (64
# brings the two vectors back).
FEW_CLASSES = 63
_sparse_epoch_few = _compile_sparse_epoch(FEW_CLASSES)
_sparse_epoch_any = _compile_sparse_epoch(np.iinfo(np.intp).max)


def sparse_epoch(
    data, columns, indptr, y, sample_weight, sample_scale, indices,
    table, stamps, b, Sb, G, constants, fit_intercept,
    powers, geometric, start_weights, end_weights, sums,
):
    """Run proximal SAGA steps over ``indices`` on CSR ``X``, in place.

    The arguments are those of ``fastsaga._backends.KERNEL_ARGUMENTS``.  The
    closing pass catches every feature up (its stamp back to zero), stores
    the weights in ``end_weights`` and writes their ``WeightSums`` into
    ``sums``: ``sum w**2``, ``sum |w|``, ``max |w|`` and ``max |w -
    start_weights|``.

    Each step: catch up the row's features and accumulate the logits; the
    gradient and the intercept; then the full step on the row's features.
    Returns the importance-weighted mean loss of the visited samples, as
    ``dense_epoch`` does.

    The arrays must not share any element the kernel writes (it is compiled
    with ``noalias``); the classes' count picks one of two compilations.
    """
    kernel = _sparse_epoch_few if len(b) <= FEW_CLASSES else _sparse_epoch_any
    return kernel(
        data, columns, indptr, y, sample_weight, sample_scale, indices,
        table, stamps, b, Sb, G, constants, fit_intercept,
        powers, geometric, start_weights, end_weights, sums,
    )
