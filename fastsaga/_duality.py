"""A certificate of optimality: the duality gap of the SAGA problem.

The gap bounds ``F(W, b) - F*`` from above, whatever ``(W, b)`` is, so a
solver may stop when it is small with a guarantee that the objective's
change between epochs does not give.  The problem is ``_problem``'s::

    F(W, b) = 1/n sum_i f_i(W x_i + b) + g(W),   f_i = s_i loss(., y_i),
    g(W) = alpha/2 ||W||^2 + beta ||W||_1

Derivation
----------
Fenchel-Young, ``f(z) + f*(theta) >= <theta, z>``, applied to every ``f_i``
and to ``g`` gives, for any ``theta_i`` in ``R^K`` (one per row of ``W``)::

    F(W, b) >= D(Theta) = <sum_i theta_i / n, b> - 1/n sum_i f_i*(theta_i)
                          - g*(-Theta^T X / n)

and so ``D(Theta) <= F*``; ``D`` is largest, equal to ``F*``, at the
optimum's gradients ``theta_i = grad f_i(W* x_i + b*)``.

*The loss.*  ``sup_z <u, z> - logsumexp(z) + z_y`` is the negative entropy
of ``p = u + e_y`` when ``p`` is in the simplex, and ``+inf`` otherwise.  So
``f_i*(theta) = s_i sum_k p_k log p_k`` for ``theta = s_i (p - e_{y_i})``:
the domain is the simplex shifted by ``-e_{y_i}`` and scaled by ``s_i`` (the
single point 0 when ``s_i = 0``).  The binary loss is the two-class case,
``theta = s_i (q - y_i)``, ``q`` in ``[0, 1]``.  The gradient
``G_i = s_i (softmax(z_i) - e_{y_i})`` is of this form with ``p_i`` the
predicted probabilities, so every ``theta_i`` is kept as its ``p_i``.

*A free intercept.*  Minimising over ``b`` makes ``D`` ``-inf`` unless
``sum_i theta_i = 0``, i.e. ``sum_i s_i p_i = c``, the weighted class
counts.  With ``r = sum_i s_i p_i - c`` (summing to zero over classes) and
``S = sum_i s_i``, mixing every ``p_i`` with one point ``q`` of the simplex,
``p_i <- (1 - t) p_i + t q``, stays in every domain and meets the
constraint when ``(1 - t) r + t (S q - c) = 0``, that is
``q = (c - u r) / S`` with ``u = (1 - t) / t``; ``q >= 0`` holds up to
``u = min_{r_k > 0} c_k / r_k``, the smallest ``t``.  Near the optimum
``r`` and ``t`` vanish, and so does the change.

*The penalty.*  With ``alpha > 0``, ``g*(V) = ||S_beta(V)||^2 / (2 alpha)``
(``S_beta`` the soft threshold), finite everywhere: no constraint.  With
L1 alone, ``g*`` is 0 on ``||V||_inf <= beta`` and ``+inf`` outside, so
``Theta`` is scaled by ``kappa = min(1, beta / ||X^T Theta / n||_inf)``
(as celer and cyanure do); ``kappa theta_i`` is ``p_i`` mixed with
``e_{y_i}``, in the domain, and ``sum_i theta_i = 0`` still holds.  Without
penalty, ``g*`` is 0 at ``V = 0`` only: ``X^T Theta = 0`` is generally out
of reach, and the gap is ``inf`` unless it holds exactly.
"""

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.special import entr

from ._problem import (
    float64_row_blocks,
    log_probabilities_from_decision,
    penalty_value,
)


def duality_gap(X, y, W, b, sample_weight, alpha, beta, fit_intercept):
    """Return an upper bound on ``F(W, b) - F*``, and ``F(W, b)``.

    The bound is the gap between ``F(W, b)`` and the dual objective at a
    dual-feasible point built from the sample gradients at ``(W, b)``; it is
    zero at the optimum and, up to rounding, never below ``F(W, b) - F*``.
    See the module docstring for the derivation.  Everything is computed in
    float64 from one pass over ``X``.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Dense or CSR, float32 or float64.
    y : ndarray of shape (n_samples,)
        Class indices: 0 or 1 when ``W`` has one row, ``0..K-1`` otherwise.
    W : ndarray of shape (K, n_features)
        Weights; one row means the binary logistic loss, ``K > 1`` rows the
        multinomial loss.
    b : ndarray of shape (K,) or None
        Intercepts.  With ``fit_intercept=False`` they are held fixed
        (``None`` is zero) and ``F*`` is the minimum over ``W`` alone.
    sample_weight : ndarray of shape (n_samples,)
        Non-negative sample weights ``s_i`` (zeros allowed).
    alpha, beta : float
        L2 and L1 strengths of ``F`` (``_problem.penalty_strengths``).
    fit_intercept : bool
        Whether ``b`` is a free variable of the problem.

    Returns
    -------
    gap : float
        Upper bound on ``F(W, b) - F*``, at least 0.  ``inf`` without
        penalty (``alpha = beta = 0``) unless ``X^T Theta = 0`` holds exactly
        at the dual point (for example when ``X`` is zero).
    primal : float
        ``F(W, b)``.
    """
    X = _as_dense_or_csr(X)
    y = np.asarray(y, dtype=np.intp)
    W = np.asarray(W, dtype=np.float64)
    b = np.zeros(W.shape[0]) if b is None else np.asarray(b, dtype=np.float64)
    sample_weight = np.asarray(sample_weight, dtype=np.float64)
    n_samples = X.shape[0]

    sums = _DataPass.over(X, y, W, b, sample_weight, with_class_sums=fit_intercept)
    primal = sums.weighted_loss / n_samples + penalty_value(W, alpha, beta)

    if fit_intercept:
        mixing, common_point = _centering_mixture(sums.probabilities, y, sample_weight)
    else:
        mixing, common_point = 0.0, np.zeros(sums.probabilities.shape[1])
    correlation = sums.centered_correlation(mixing, common_point) / n_samples

    shrink, penalty_conjugate = _penalty_side(correlation, alpha, beta)
    if not np.isfinite(penalty_conjugate):
        return np.inf, primal

    dual_probabilities = _mixed_probabilities(
        sums.probabilities, y, mixing, common_point, shrink
    )
    entropy = sample_weight @ entr(dual_probabilities).sum(axis=1) / n_samples
    dual = entropy - penalty_conjugate
    if not fit_intercept:
        dual += _fixed_intercept_term(dual_probabilities, y, sample_weight, b)
    return max(primal - dual, 0.0), primal


def _as_dense_or_csr(X):
    if sparse.issparse(X):
        return X if X.format == "csr" else sparse.csr_matrix(X)
    return np.asarray(X)


def _outcome_columns(n_rows):
    """The probability columns that rows of ``W`` stand for.

    Probabilities are kept for ``max(K, 2)`` outcomes, so the binary loss is
    the two-class case; its one row of ``W`` is the positive class.
    """
    return slice(1, 2) if n_rows == 1 else slice(None)


@dataclass
class _DataPass:
    """What the duality gap needs from ``X``, gathered in one pass.

    ``correlation`` is ``Theta^T X`` for the sample gradients ``Theta`` and
    ``class_sums`` is ``(s E)^T X`` for the one-hot labels ``E``: every
    centred ``Theta`` is a combination of the two, so the data are read once.
    Only centring needs ``class_sums``; without intercept they stay zero.
    """

    weighted_loss: float  # sum_i s_i loss_i
    probabilities: np.ndarray  # (n, max(K, 2)) predicted p_i
    correlation: np.ndarray  # (K, d) Theta^T X
    class_sums: np.ndarray  # (max(K, 2), d) (s E)^T X
    columns: slice  # the columns of p_i that W's rows stand for

    @classmethod
    def over(cls, X, y, W, b, sample_weight, with_class_sums):
        n_samples, n_features = X.shape
        n_outcomes = max(W.shape[0], 2)
        columns = _outcome_columns(W.shape[0])
        sums = cls(
            weighted_loss=0.0,
            probabilities=np.empty((n_samples, n_outcomes)),
            correlation=np.zeros(W.shape),
            class_sums=np.zeros((n_outcomes, n_features)),
            columns=columns,
        )
        for rows, X_rows in float64_row_blocks(X):
            y_rows, s_rows = y[rows], sample_weight[rows]
            log_p = log_probabilities_from_decision(np.asarray(X_rows @ W.T) + b)
            label_log_p = log_p[np.arange(log_p.shape[0]), y_rows]
            sums.weighted_loss -= float(s_rows @ label_log_p)
            p = np.exp(log_p, out=log_p)
            sums.probabilities[rows] = p
            theta = _gradients(p, y_rows, s_rows)[:, columns]
            sums.correlation += _dense(X_rows.T @ theta).T
            if with_class_sums:
                # A sparse s E: each row of X is added once, not K times.
                one_hot = _weighted_one_hot(y_rows, s_rows, n_outcomes)
                sums.class_sums += _dense(one_hot.T @ X_rows)
            del X_rows  # free this block before the next one is cast
        return sums

    def centered_correlation(self, mixing, common_point):
        """Return ``Theta^T X`` after mixing every ``p_i`` with ``common_point``.

        ``theta_i <- (1 - t) theta_i + t s_i (q - e_{y_i})``, so ``Theta^T X``
        becomes ``(1 - t) Theta^T X + t (q (s^T X) - (s E)^T X)``.
        """
        if mixing == 0.0:
            return self.correlation.copy()
        weighted_rows = self.class_sums.sum(axis=0)  # s^T X: E's rows sum to 1
        towards = (
            np.outer(common_point[self.columns], weighted_rows)
            - self.class_sums[self.columns]
        )
        return (1.0 - mixing) * self.correlation + mixing * towards


def _dense(product):
    return product.toarray() if sparse.issparse(product) else np.asarray(product)


def _gradients(probabilities, y, sample_weight):
    """Return ``s_i (p_i - e_{y_i})`` for every sample, shape ``(n, max(K, 2))``."""
    G = probabilities * sample_weight[:, None]
    G[np.arange(y.shape[0]), y] -= sample_weight
    return G


def _weighted_one_hot(y, sample_weight, n_outcomes):
    """Return ``s E`` as a CSR matrix: ``s_i`` in column ``y_i`` of row ``i``."""
    n_samples = y.shape[0]
    return sparse.csr_matrix(
        (sample_weight, y, np.arange(n_samples + 1)), shape=(n_samples, n_outcomes)
    )


def _centering_mixture(probabilities, y, sample_weight):
    """Return ``(t, q)``: mixing every ``p_i`` with ``q`` makes ``sum theta_i = 0``.

    ``t`` is the smallest share for which ``q = (c - u r) / S``,
    ``u = (1 - t) / t``, is in the simplex (module docstring); 0 when the
    gradients already sum to zero.
    """
    class_totals = _class_totals(y, sample_weight, probabilities.shape[1])
    total = class_totals.sum()
    excess = _gradient_sum(probabilities, y, sample_weight)  # r
    over = excess > 0.0
    if total == 0.0 or not np.any(over):
        return 0.0, np.zeros_like(class_totals)
    ratio = float(np.min(class_totals[over] / excess[over]))
    common_point = np.maximum(class_totals - ratio * excess, 0.0) / total
    return 1.0 / (1.0 + ratio), common_point


def _penalty_side(correlation, alpha, beta):
    """Return ``(kappa, g*(V))`` for ``V = Theta^T X / n``.

    ``kappa`` is the factor ``Theta`` is shrunk by to put ``V`` in the
    domain of ``g*``, and ``g*`` is taken at the shrunk ``V``.
    """
    largest = float(np.max(np.abs(correlation), initial=0.0))
    if alpha > 0.0:
        thresholded = np.maximum(np.abs(correlation) - beta, 0.0)
        return 1.0, float(np.sum(np.square(thresholded))) / (2.0 * alpha)
    if beta > 0.0:
        return (min(1.0, beta / largest) if largest > 0.0 else 1.0), 0.0
    # No penalty: g* is finite at V = 0 only, which no shrinking reaches.
    return 1.0, (0.0 if largest == 0.0 else np.inf)


def _mixed_probabilities(probabilities, y, mixing, common_point, shrink):
    """Return the dual point's ``p_i``, overwriting ``probabilities``.

    ``p_i <- kappa ((1 - t) p_i + t q) + (1 - kappa) e_{y_i}``, clipped to
    ``[0, 1]`` where rounding pushed an entry out of the simplex.
    """
    p = probabilities
    p *= shrink * (1.0 - mixing)
    p += shrink * mixing * common_point
    p[np.arange(y.shape[0]), y] += 1.0 - shrink
    return np.clip(p, 0.0, 1.0, out=p)


def _fixed_intercept_term(probabilities, y, sample_weight, b):
    """Return ``<sum_i theta_i / n, b>``, the dual's term for a fixed ``b``."""
    theta_sum = _gradient_sum(probabilities, y, sample_weight)
    return float(theta_sum[_outcome_columns(b.shape[0])] @ b) / y.shape[0]


def _class_totals(y, sample_weight, n_outcomes):
    """Return ``c = sum_i s_i e_{y_i}``, the weighted count of every class."""
    return np.bincount(y, weights=sample_weight, minlength=n_outcomes)


def _gradient_sum(probabilities, y, sample_weight):
    """Return ``sum_i s_i (p_i - e_{y_i})``, shape ``(max(K, 2),)``."""
    n_outcomes = probabilities.shape[1]
    return sample_weight @ probabilities - _class_totals(y, sample_weight, n_outcomes)
