"""Backend-independent maths of the SAGA problem, in NumPy.

Everything both kernels need but that is not a hot loop lives here, once:
the penalty strengths, the smoothness constants and the step size, the
sampling distribution and the sample-index stream, the objective and the
stopping quantity.  The kernels (``fastsaga._backends``) only run epochs.

The problem, as scikit-learn states it, divided by ``C * n``::

    F(W, b) = 1/n sum_i s_i loss_i(W x_i + b) + alpha/2 ||W||^2 + beta ||W||_1
    alpha = (1 - l1_ratio) / (C n),  beta = l1_ratio / (C n)
"""

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.special import expit, log_expit, logsumexp
from sklearn.utils.extmath import row_norms

# Smoothness of one sample's loss along x_i, per unit of ||x_i||^2.  The
# binary logistic loss has curvature at most 1/4.  The softmax Hessian
# diag(p) - p p^T has largest eigenvalue at most 1/2 (reached with two
# classes at p = (1/2, 1/2, 0, ...)), so 1/2 is the safe constant there;
# scikit-learn's 1/4 under-estimates it by up to 2x.
BINARY_SMOOTHNESS = 0.25
MULTINOMIAL_SMOOTHNESS = 0.5

# The solver starts with a step this many times the SAGA bound of
# `step_size`: the bound takes every sample at its worst curvature, which
# real data rarely reach.  On dense data the step then doubles after every
# epoch whose estimated objective falls, up to MAX_STEP_MULTIPLIER times the
# bound, until the first confirmed rise (any rise of a grown step's estimate,
# a rise of more than ROLLBACK_RISE otherwise): that epoch is rolled back and
# the step halved, down to the bound itself, and it grows no more (see
# `StepRule`).
STEP_MULTIPLIER = 4.0
MAX_STEP_MULTIPLIER = 32.0
ROLLBACK_RISE = 0.05

# batch_size="auto" takes the largest batch, a power of two up to
# MAX_AUTO_BATCH, whose step per sample is at most BATCH_STEP_LOSS shorter
# than one sample's (see `auto_batch_size`), and leaves at least
# MIN_BATCHES_PER_EPOCH steps in an epoch.
MAX_AUTO_BATCH = 64
BATCH_STEP_LOSS = 0.25
MIN_BATCHES_PER_EPOCH = 32

# The full-data smoothness is estimated by this many power iterations on at
# most this many evenly spaced rows (see `full_smoothness`).
POWER_ITERATIONS = 10
POWER_ROWS = 1024

# A float32 X is cast to float64 this many stored values at a time: a block
# costs 8 MB (12 MB in CSR, with its column indices), never a float64 copy
# of the whole of X.
CHUNK_VALUES = 2**20

# Share of the importance-sampling distribution drawn uniformly: it caps
# L_i / (n p_i) at L_mean / (1 - UNIFORM_SHARE), whatever the row norms, and
# keeps every sample reachable.
UNIFORM_SHARE = 0.5


def penalty_strengths(C, l1_ratio, n_samples):
    """Return ``(alpha, beta)``, the L2 and L1 strengths of ``F``.

    ``C = inf`` means no penalty.
    """
    if np.isinf(C):
        return 0.0, 0.0
    scale = 1.0 / (C * n_samples)
    return (1.0 - l1_ratio) * scale, l1_ratio * scale


def smoothness_constants(X, sample_weight, fit_intercept, multinomial):
    """Return ``L_i``, the Lipschitz constant of each sample's loss gradient."""
    factor = MULTINOMIAL_SMOOTHNESS if multinomial else BINARY_SMOOTHNESS
    squared_norms = np.concatenate([
        row_norms(X_rows, squared=True) for _, X_rows in float64_row_blocks(X)
    ])
    if not np.all(np.isfinite(squared_norms)):
        raise ValueError(
            "The squared norm of a row of X overflows; scale X (for example "
            "with sklearn.preprocessing.StandardScaler) before fitting."
        )
    return factor * (squared_norms + float(fit_intercept)) * sample_weight


def sampling_probabilities(lipschitz, sampling):
    """Return the probability ``p_i`` of drawing sample ``i`` at each step.

    ``"uniform"`` draws every sample with ``1/n``.  ``"importance"`` mixes the
    uniform distribution with one proportional to ``L_i`` (Schmidt et al.
    2015; Gower et al. 2018), so rows of large norm are visited more often
    with a correspondingly smaller weight.
    """
    n_samples = lipschitz.shape[0]
    uniform = np.full(n_samples, 1.0 / n_samples)
    total = lipschitz.sum()
    if sampling == "uniform" or total == 0.0:
        return uniform
    return UNIFORM_SHARE * uniform + (1.0 - UNIFORM_SHARE) * lipschitz / total


def full_smoothness(X, sample_weight, fit_intercept, multinomial):
    """Estimate the smoothness of the whole data's mean loss, ``L_full``.

    ``L_full = c * lambda_max(1/n sum_i s_i x_i x_i^T)``, with ``x_i`` taking
    a 1 for the intercept and ``c`` the loss's curvature bound: the
    smoothness a batch of all samples would have.  ``POWER_ITERATIONS`` power
    iterations on at most ``POWER_ROWS`` evenly spaced rows (in X's dtype,
    so X is not cast), from a fixed start: cheap, repeatable, and within a
    few per cent on correlated data.  An estimate that comes out low only
    makes batches step longer, which the solver's roll-back catches.
    """
    factor = MULTINOMIAL_SMOOTHNESS if multinomial else BINARY_SMOOTHNESS
    n_samples = X.shape[0]
    rows = slice(None, None, max(1, n_samples // POWER_ROWS))
    X_rows, weights = X[rows], np.asarray(sample_weight[rows], dtype=X.dtype)
    vector = np.random.RandomState(0).standard_normal(X.shape[1]).astype(X.dtype)
    shift = X.dtype.type(1.0)  # the intercept's coordinate
    value = 0.0
    for _ in range(POWER_ITERATIONS):
        scores = weights * (X_rows @ vector + (shift if fit_intercept else 0))
        vector = X_rows.T @ scores / X_rows.shape[0]
        shift = scores.mean() if fit_intercept else 0
        value = float(np.sqrt(np.sum(np.square(vector, dtype=np.float64))
                              + float(shift) ** 2))
        if value == 0.0:
            return 0.0
        vector, shift = vector / value, shift / value
    return factor * value


def batch_smoothness(lipschitz, probabilities, full, batch_size):
    """Return the expected smoothness of a batch of ``batch_size`` draws.

    Drawn independently from ``probabilities`` and averaged with weights
    ``1 / (n p_i)``, ``L(b) = L_full + (L_max - L_full) / b`` with
    ``L_max = max_i L_i / (n p_i)``, one draw's (Gower, Loizou, Qian,
    Sailanbayev, Shulgin and Richtarik 2019, Proposition 3.8; Gazagnadou,
    Gower and Salmon 2019 for SAGA): between ``L_max`` for one sample and
    ``L_full`` for many.
    """
    n_samples = lipschitz.shape[0]
    largest = float(np.max(lipschitz / (n_samples * probabilities)))
    full = min(full, largest)
    return full + (largest - full) / batch_size


def auto_batch_size(lipschitz, probabilities, full):
    """Return the batch size ``batch_size="auto"`` takes for dense data.

    A batch of ``b`` makes ``n / b`` steps an epoch, each ``1 / L(b)`` long,
    so it covers ``L(1) / (b L(b))`` of one sample's distance per sample.
    The largest power of two ``b <= MAX_AUTO_BATCH`` keeping that above
    ``1 / (1 + BATCH_STEP_LOSS)``, that is
    ``b <= 1 + BATCH_STEP_LOSS * L_max / L_full``, and leaving at least
    ``MIN_BATCHES_PER_EPOCH`` steps: large on correlated rows (images),
    where ``L_full`` is far below ``L_max``, small on nearly orthogonal ones.
    """
    single = batch_smoothness(lipschitz, probabilities, full, 1)
    size = 1
    while (
        2 * size <= MAX_AUTO_BATCH
        and 2 * size * MIN_BATCHES_PER_EPOCH <= lipschitz.shape[0]
        and 2 * size * batch_smoothness(lipschitz, probabilities, full, 2 * size)
        <= (1.0 + BATCH_STEP_LOSS) * single
    ):
        size *= 2
    return size


def step_size(lipschitz, probabilities, alpha, full=0.0, batch_size=1):
    """Return the SAGA step bound for the sampling distribution and batch.

    Defazio et al. (2014), as scikit-learn's ``get_auto_step_size`` states
    it: ``1 / (2 L + min(2 n alpha, L))`` with ``L`` the smoothness of the
    reweighted sample functions ``f_i / (n p_i) + alpha/2 ||W||^2``, that is
    ``L = max_i L_i / (n p_i) + alpha`` (``max_i L_i + alpha`` when uniform);
    for batches, their expected smoothness ``L(b) + alpha``
    (:func:`batch_smoothness`, with ``full``, the data's ``L_full``).
    The L2 term is part of each step's gradient, so ``alpha`` belongs in
    ``L``: left out, a strong penalty gives ``step * alpha > 2`` and the
    per-step decay ``1 - step * alpha`` below -1, which diverges.
    """
    n_samples = lipschitz.shape[0]
    smoothness = batch_smoothness(lipschitz, probabilities, full, batch_size) + alpha
    if smoothness == 0.0:
        # No penalty and every sample has zero weight along its row: any
        # step is exact.
        return 1.0
    return 1.0 / (2.0 * smoothness + min(2.0 * n_samples * alpha, smoothness))


def longest_step(alpha):
    """Return the longest step any multiplier or adaptive rule may take.

    The L2 term's curvature ``alpha`` is exact, not a bound with slack as the
    loss's ``L_i`` are, so a longer step than the bound's gains nothing on it.
    ``step * alpha <= 1/2``, which the bound of :func:`step_size` always
    meets, keeps the decay ``1 - step * alpha`` in ``[1/2, 1]``: every step
    shrinks the weights towards zero without overshooting it, whatever ``C``.
    """
    return np.inf if alpha == 0.0 else 0.5 / alpha


@dataclass
class StepRule:
    """The steps of the weights and of the intercepts: measured, not hoped.

    Both start at ``STEP_MULTIPLIER`` times their SAGA bound.  They double
    together after each epoch whose estimated objective fell (:meth:`grow`),
    up to ``MAX_STEP_MULTIPLIER`` times the bound, until the first roll-back;
    each roll-back halves them (:meth:`shorten`), down to the bounds, and
    ends the growth: a step that once overshot is not tried again.  The
    intercepts are not penalised, so their bound leaves ``alpha`` out (a
    block of coordinates may step by its own smoothness): under a strong L2
    penalty the weights' step is tiny, and the intercepts would otherwise
    barely move.
    """

    safe: float  # step_size(..., alpha)
    intercept_safe: float  # step_size(..., 0)
    longest: float  # longest_step(alpha)
    multiplier: float = STEP_MULTIPLIER
    growing: bool = True

    @classmethod
    def for_problem(cls, lipschitz, probabilities, alpha, full=0.0, batch_size=1):
        return cls(
            safe=step_size(lipschitz, probabilities, alpha, full, batch_size),
            intercept_safe=step_size(lipschitz, probabilities, 0.0, full, batch_size),
            longest=longest_step(alpha),
        )

    @property
    def step(self):
        return min(self.multiplier * self.safe, self.longest)

    @property
    def intercept_step(self):
        return self.multiplier * self.intercept_safe

    @property
    def can_shorten(self):
        return self.multiplier > 1.0

    def too_long(self, estimate, previous_estimate):
        """Tell whether an epoch's estimate calls for the exact objective.

        At most ``STEP_MULTIPLIER`` times the bound, a rise of more than
        ``ROLLBACK_RISE`` (:func:`step_too_long`); beyond it, on probation,
        any rise: a grown step that overshoots may stall the objective in
        small oscillations instead of raising it much.
        """
        if self.multiplier > STEP_MULTIPLIER and not estimate < previous_estimate:
            return True
        return step_too_long(estimate, previous_estimate)

    def grow(self):
        """Double the steps after an epoch that lowered the objective."""
        if self.growing:
            self.multiplier = min(2.0 * self.multiplier, MAX_STEP_MULTIPLIER)

    def shorten(self):
        """Halve the steps after a rolled-back epoch; they grow no more."""
        self.multiplier = max(0.5 * self.multiplier, 1.0)
        self.growing = False


@dataclass(frozen=True)
class WeightSums:
    """The reductions of an epoch's end weights that the solver needs.

    The sparse kernels compute them in their end-of-epoch pass over every
    feature (a separate pass over a large ``W`` costs as much as that pass);
    :meth:`of` computes them in NumPy.  ``W`` has a NaN or inf exactly when
    ``absolute`` is not finite.
    """

    squares: float  # sum W**2
    absolute: float  # sum |W|
    largest: float  # max |W|
    largest_change: float  # max |W - W_previous|

    @classmethod
    def of(cls, W, W_previous):
        W64 = np.asarray(W, dtype=np.float64)  # no copy when already float64
        magnitudes = np.abs(W64)
        return cls(
            squares=float(np.sum(np.square(W64))),
            absolute=float(np.sum(magnitudes)),
            largest=float(np.max(magnitudes, initial=0.0)),
            largest_change=float(np.max(np.abs(W64 - W_previous), initial=0.0)),
        )


def penalty_value(W, alpha, beta):
    """Return ``alpha/2 ||W||^2 + beta ||W||_1``."""
    W64 = np.asarray(W, dtype=np.float64)  # no copy when already float64
    return penalty_from_sums(np.sum(np.square(W64)), np.sum(np.abs(W64)), alpha, beta)


def penalty_from_sums(squares, absolute, alpha, beta):
    """Return the penalty of weights with ``sum W**2`` and ``sum |W|`` given."""
    return float(0.5 * alpha * squares + beta * absolute)


def step_too_long(estimate, previous_estimate):
    """Tell whether an epoch's estimated objective rose enough to roll back.

    The estimate is noisy (a sampled loss), so only a rise of more than
    ``ROLLBACK_RISE`` of the previous value, or a non-finite value, counts.
    """
    if not np.isfinite(estimate):
        return True
    return estimate > previous_estimate + ROLLBACK_RISE * abs(previous_estimate)


class IndexStream:
    """Epochs of sample indices drawn with replacement from ``probabilities``.

    Each epoch is ``n`` draws, the very draws of
    ``random_state.choice(n, n, p=probabilities)``: the first index whose
    cumulative probability exceeds a uniform draw.  The cumulative
    distribution is built once rather than every epoch, and so is a guide
    to it: ``guide[b]`` is the answer for ``b / n``, where the search for any
    draw in ``[b / n, (b + 1) / n)`` can start.  From there a few steps
    forward find it (with importance sampling's uniform share every bucket
    holds at most ``1 / UNIFORM_SHARE + 1`` indices), cheaper than a binary
    search over the whole distribution.
    """

    def __init__(self, probabilities):
        self.n_samples = probabilities.shape[0]
        self.uniform = bool(np.all(probabilities == probabilities[0]))
        if self.uniform:
            return  # drawn as integers: no distribution to search
        cdf = np.cumsum(probabilities)
        self.cdf = cdf / cdf[-1]
        buckets = np.arange(self.n_samples) / self.n_samples
        self.guide = self.cdf.searchsorted(buckets, side="right")

    def draw(self, random_state):
        """Return one epoch of indices (intp) from ``random_state``."""
        if self.uniform:
            indices = random_state.randint(self.n_samples, size=self.n_samples)
            return indices.astype(np.intp)
        uniforms = random_state.random_sample(self.n_samples)
        # A bucket below the draw's: u * n may round up to the next integer.
        buckets = np.maximum((uniforms * self.n_samples).astype(np.intp) - 1, 0)
        indices = self.guide[buckets]
        behind = np.flatnonzero(self.cdf[indices] <= uniforms)
        while behind.size:
            indices[behind] += 1
            behind = behind[self.cdf[indices[behind]] <= uniforms[behind]]
        return indices


def lazy_decay_tables(decay, n_steps, dtype=np.float64):
    """Return ``decay**m`` and ``sum_{l<m} decay**l`` for ``m = 0..n_steps``.

    The sparse kernels apply ``m`` skipped steps of ``u <- decay * u - e`` in
    closed form, ``decay**m * u - e * sum_{l<m} decay**l``; tabulating both
    factors once per epoch spares an exponential per touched feature.  They
    are computed in float64 from ``decay`` as the kernels see it (in its
    dtype) with ``log1p``/``expm1``, which keep full precision for ``decay``
    near 1, and rounded once to ``dtype``, the precision the catch-up runs in.
    """
    m = np.arange(n_steps + 1, dtype=np.float64)
    shrink = 1.0 - np.float64(decay)
    if shrink == 0.0:
        powers, geometric = np.ones_like(m), m
    elif shrink >= 1.0:
        # decay <= 0: no logarithm; the kernels step such gaps one by one.
        powers = np.float64(decay) ** m
        geometric = (1.0 - powers) / shrink
    else:
        log_decay = np.log1p(-shrink)
        powers = np.exp(m * log_decay)
        geometric = -np.expm1(m * log_decay) / shrink
    return powers.astype(dtype, copy=False), geometric.astype(dtype, copy=False)


@dataclass(frozen=True)
class StepConstants:
    """The scalars of one SAGA step, in the dtype the kernels run in.

    The kernels multiply rather than divide and never mix dtypes, so every
    combination of step, 1/n and penalty they use is computed here once.
    """

    step: np.floating  # gamma
    step_over_n: np.floating  # gamma / n, multiplies the gradient-memory sum
    decay: np.floating  # 1 - gamma * alpha, the L2 part of the gradient step
    threshold: np.floating  # gamma * beta, the L1 soft-threshold
    intercept_ratio: np.floating  # the intercepts' step over gamma

    @classmethod
    def build(cls, step, alpha, beta, n_samples, dtype, intercept_step=None):
        cast = np.dtype(dtype).type
        ratio = 1.0 if intercept_step is None else intercept_step / step
        return cls(
            step=cast(step),
            step_over_n=cast(step / n_samples),
            decay=cast(1.0 - step * alpha),
            threshold=cast(step * beta),
            intercept_ratio=cast(ratio),
        )

    def as_array(self):
        """The scalars as the kernels take them: one array, in this order."""
        return np.array(
            [self.step, self.step_over_n, self.decay, self.threshold,
             self.intercept_ratio],
            dtype=self.step.dtype,
        )


def float64_row_blocks(X):
    """Yield ``(rows, X[rows])`` in float64, covering ``X`` by blocks of rows.

    A float64 ``X`` is yielded whole (no copy); any other is cast by blocks
    of about ``CHUNK_VALUES`` stored values.
    """
    n_samples = X.shape[0]
    if X.dtype == np.float64:
        yield slice(0, n_samples), X
        return
    values_per_row = X.nnz / max(n_samples, 1) if sparse.issparse(X) else X.shape[1]
    block = max(1, int(CHUNK_VALUES // max(values_per_row, 1.0)))
    for start in range(0, n_samples, block):
        rows = slice(start, min(start + block, n_samples))
        yield rows, _rows_in_float64(X, rows)


def _rows_in_float64(X, rows):
    """Return ``X[rows]`` in float64.

    Of a CSR ``X`` only the block's values and column indices are copied
    (slicing and then casting would copy them twice).
    """
    if not sparse.issparse(X):
        return X[rows].astype(np.float64)
    first, last = X.indptr[rows.start], X.indptr[rows.stop]
    return sparse.csr_matrix(
        (
            X.data[first:last].astype(np.float64),
            X.indices[first:last],
            X.indptr[rows.start : rows.stop + 1] - first,
        ),
        shape=(rows.stop - rows.start, X.shape[1]),
    )


def decision_values(X, W, b):
    """Return ``X W^T + b`` for dense or sparse ``X``, shape ``(n, K)``, float64.

    By blocks of rows, so float32 ``X`` is never copied whole into float64.
    """
    W = np.asarray(W, dtype=np.float64)
    z = np.empty((X.shape[0], W.shape[0]))
    for rows, X_rows in float64_row_blocks(X):
        product = X_rows @ W.T
        z[rows] = product.toarray() if sparse.issparse(product) else product
    return z + b


def sample_gradients(X, y, W, b, sample_weight):
    """Return ``G``, each sample's loss gradient with respect to its logits.

    ``G[i] = s_i * (softmax(z_i) - onehot(y_i))`` (sigmoid minus label for
    one row), shape ``(n, K)``, in ``W``'s dtype: a SAGA memory taken at
    ``(W, b)``.
    """
    z = decision_values(X, W.astype(np.float64), b.astype(np.float64))
    return _gradients_from_decision(z, y, sample_weight).astype(W.dtype)


def _gradients_from_decision(z, y, sample_weight):
    """``sample_gradients`` from the logits ``z`` (float64, ``(n, K)``)."""
    if z.shape[1] == 1:
        G = expit(z) - (y == 1)[:, None]
    else:
        G = probabilities_from_decision(z)
        G[np.arange(z.shape[0]), y] -= 1.0
    return G * sample_weight[:, None]


def mean_loss(X, y, W, b, sample_weight):
    """Return ``1/n sum_i s_i loss_i``.

    ``y`` holds class indices; one row of ``W`` means the binary logistic
    loss with ``y`` in {0, 1}, several rows the multinomial loss.
    """
    z = decision_values(X, W.astype(np.float64), b.astype(np.float64))
    if W.shape[0] == 1:
        signed = np.where(y == 1, 1.0, -1.0) * z[:, 0]
        losses = -log_expit(signed)
    else:
        losses = logsumexp(z, axis=1) - z[np.arange(z.shape[0]), y]
    return float(np.dot(sample_weight, losses) / z.shape[0])


def objective(X, y, W, b, sample_weight, alpha, beta):
    """Return ``F(W, b)``, the quantity every fit is judged by."""
    if not (np.any(W) or np.any(b)):
        # All logits are zero: each loss is log(K) (log 2 for one row).
        n_outcomes = max(W.shape[0], 2)
        return float(np.log(n_outcomes) * np.sum(sample_weight) / X.shape[0])
    return mean_loss(X, y, W, b, sample_weight) + penalty_value(W, alpha, beta)


def relative_change(sums):
    """Return scikit-learn's saga stopping quantity, ``max|dW| / max|W|``.

    ``sums`` are the epoch's :class:`WeightSums`.  A zero that moved has not
    converged (inf); a zero that stayed gives 0.
    """
    change, scale = sums.largest_change, sums.largest
    if scale == 0.0:
        return 0.0 if change == 0.0 else np.inf
    return change / scale


def converged(sums, b, b_previous, tol, zero_is_optimal):
    """The whole stopping rule, judged after each epoch.

    While ``W`` moves, scikit-learn's: ``max|dW| / max|W| <= tol``.  An epoch
    that leaves ``W`` at zero, where it started, says nothing about ``W``:
    the L1 prox holds it there as long as the gradient-memory average is
    within ``beta``, and that memory may lack samples not drawn yet (SAGA
    starts it empty) or come from another C (a warm path).  Such an epoch
    converges only if zero is truly optimal (``zero_is_optimal()``, called
    only then) and the intercepts have settled, judged on the scale of a
    logit (``max|db| / max(1, max|b|) <= tol``), since they may sit at 0.
    """
    if sums.largest > 0.0 or sums.largest_change > 0.0:
        return relative_change(sums) <= tol
    change = float(np.max(np.abs(b - b_previous), initial=0.0))
    scale = max(1.0, float(np.max(np.abs(b), initial=0.0)))
    return change <= tol * scale and zero_is_optimal()


def relative_gap(gap, primal):
    """Return an upper bound on ``(F - F*) / F*`` from the duality gap.

    ``F* >= F - gap``; a gap as large as ``F`` bounds nothing (inf).
    """
    lower = primal - gap
    return gap / lower if lower > 0.0 else (0.0 if gap == 0.0 else np.inf)


def zero_weights_are_optimal(X, y, b, sample_weight, beta, tol):
    """Tell whether ``W = 0`` is optimal for the intercepts ``b``, up to ``tol``.

    At ``W = 0`` the L2 term's gradient vanishes, so zero is optimal exactly
    when every entry of the loss gradient ``X^T G / n`` is at most the L1
    strength ``beta`` in magnitude.  ``tol`` relaxes that bound relatively:
    the intercepts are only within ``tol`` of theirs, so the gradient is too.
    """
    # Every sample's logits are b; G in X's dtype, so X is not cast.
    logits = np.broadcast_to(b.astype(np.float64), (X.shape[0], b.size))
    G = _gradients_from_decision(logits, y, sample_weight).astype(X.dtype)
    largest = np.max(np.abs(X.T @ G), initial=0.0) / X.shape[0]
    return bool(largest <= beta * (1.0 + tol))


def log_probabilities_from_decision(z):
    """Return log class probabilities (log-softmax), exact for large logits."""
    if z.ndim == 1 or z.shape[1] == 1:
        z = z.reshape(-1)
        return np.column_stack([log_expit(-z), log_expit(z)])
    return z - logsumexp(z, axis=1, keepdims=True)


def probabilities_from_decision(z):
    """Return class probabilities from decision values, shape ``(n, K)``."""
    if z.ndim == 1 or z.shape[1] == 1:
        positive = expit(z.reshape(-1))
        return np.column_stack([1.0 - positive, positive])
    z = z - z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return z
