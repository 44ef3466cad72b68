"""Test problems, and an independent reference objective and optimum.

Nothing here imports fastsaga: the objective, its gradient and the tight
solve are written from the problem statement (DESIGN.md), so a bug in
``fastsaga._problem`` cannot hide behind an identical bug in the tests.

The objective, divided by ``C`` so that ``C = inf`` (no penalty) is finite::

    H(W, b) = sum_i s_i loss_i(W x_i + b)
              + ((1 - r)/2 ||W||^2 + r ||W||_1) / C

``loss`` is the binary logistic loss (``W`` has one row, ``y`` in {0, 1}) or
the multinomial loss (``W`` has ``K`` rows, ``y`` in {0..K-1}).  ``H`` is
scikit-learn's objective divided by ``C``, so relative comparisons of either
are the same.
"""

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import log_expit, logsumexp, softmax
from sklearn.datasets import make_classification


def make_data(n_classes, n_samples=200, n_features=10, dtype=np.float64, seed=0):
    """Return a small standardised problem ``(X, y)`` with label noise.

    15% of the labels are redrawn, so no hyperplane separates the classes and
    the unpenalised problem has a finite optimum.
    """
    X, y = make_classification(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=min(n_features, 6),
        n_redundant=0,
        n_classes=n_classes,
        flip_y=0.15,
        random_state=seed,
    )
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    return X.astype(dtype), y


def _penalty_weights(C, l1_ratio):
    """Return the L2 and L1 coefficients of ``H``: ``(1-r)/C`` and ``r/C``."""
    if np.isinf(C):
        return 0.0, 0.0
    return (1.0 - l1_ratio) / C, l1_ratio / C


def _logits(X, W, b):
    return X.astype(np.float64) @ W.T + b


def smooth_part(X, y, W, b, sample_weight, C, l1_ratio):
    """Return the value and gradient (dW, db) of ``H`` without its L1 term."""
    l2, _ = _penalty_weights(C, l1_ratio)
    z = _logits(X, W, b)
    n = X.shape[0]
    if W.shape[0] == 1:
        sign = np.where(y == 1, 1.0, -1.0)
        losses = -log_expit(sign * z[:, 0])
        residual = (1.0 / (1.0 + np.exp(-z[:, 0])) - (y == 1))[:, None]
    else:
        losses = logsumexp(z, axis=1) - z[np.arange(n), y]
        residual = softmax(z, axis=1)
        residual[np.arange(n), y] -= 1.0
    residual *= sample_weight[:, None]
    value = float(sample_weight @ losses) + 0.5 * l2 * float(np.sum(W * W))
    grad_W = residual.T @ X.astype(np.float64) + l2 * W
    grad_b = residual.sum(axis=0)
    return value, grad_W, grad_b


def objective(X, y, W, b, sample_weight, C, l1_ratio):
    """Return ``H(W, b)`` (see the module docstring), in float64."""
    W = np.asarray(W, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    _, l1 = _penalty_weights(C, l1_ratio)
    value, _, _ = smooth_part(X, y, W, b, sample_weight, C, l1_ratio)
    return value + l1 * float(np.sum(np.abs(W)))


def gradient_mapping_norm(X, y, W, b, sample_weight, C, l1_ratio, fit_intercept):
    """Return the norm of the proximal-gradient mapping at ``(W, b)``.

    ``||(W, b) - prox_t((W, b) - t grad)|| / t`` with ``t`` one over a bound
    on the smooth part's curvature: zero exactly at the optimum, and the
    distance to the optimum is at most a constant times it.
    """
    l2, l1 = _penalty_weights(C, l1_ratio)
    _, grad_W, grad_b = smooth_part(X, y, W, b, sample_weight, C, l1_ratio)
    curvature = 0.5 * float(np.sum(sample_weight)) * (
        np.linalg.norm(X, 2) ** 2 + float(fit_intercept)
    ) + l2
    t = 1.0 / curvature
    v = W - t * grad_W
    W_next = np.sign(v) * np.maximum(np.abs(v) - t * l1, 0.0)
    squared = np.sum((W - W_next) ** 2)
    if fit_intercept:
        squared += np.sum((t * grad_b) ** 2)
    return float(np.sqrt(squared)) / t


@dataclass
class ReferenceSolution:
    W: np.ndarray
    b: np.ndarray
    value: float
    residual: float


def solve(X, y, n_rows, sample_weight, C, l1_ratio, fit_intercept):
    """Minimise ``H`` tightly with scipy's L-BFGS-B, in float64.

    With an L1 term the weights are split, ``W = P - N`` with ``P, N >= 0``,
    which makes ``H`` smooth under bound constraints (``|W| = P + N`` at the
    optimum).  Returns the minimiser, ``H`` there and the gradient-mapping
    norm, which the caller checks is tiny.
    """
    X = np.asarray(X, dtype=np.float64)
    sample_weight = np.asarray(sample_weight, dtype=np.float64)
    n_features = X.shape[1]
    size = n_rows * n_features
    _, l1 = _penalty_weights(C, l1_ratio)
    split = l1 > 0
    n_w = 2 * size if split else size

    def unpack(theta):
        if split:
            W = (theta[:size] - theta[size : 2 * size]).reshape(n_rows, n_features)
        else:
            W = theta[:size].reshape(n_rows, n_features)
        b = theta[n_w:] if fit_intercept else np.zeros(n_rows)
        return W, b

    def fun(theta):
        W, b = unpack(theta)
        value, grad_W, grad_b = smooth_part(X, y, W, b, sample_weight, C, l1_ratio)
        g = grad_W.ravel()
        if split:
            value += l1 * float(np.sum(theta[: 2 * size]))
            g = np.concatenate([g + l1, -g + l1])
        if fit_intercept:
            g = np.concatenate([g, grad_b])
        return value, g

    n_b = n_rows if fit_intercept else 0
    bounds = [(0.0, None)] * n_w + [(None, None)] * n_b if split else None
    theta = np.zeros(n_w + n_b)
    # A few warm restarts: each drops a stale curvature memory, which helps
    # L-BFGS-B finish the last digits (the caller checks the residual).
    for _ in range(5):
        result = minimize(
            fun, theta, jac=True, method="L-BFGS-B", bounds=bounds,
            options={"maxiter": 50_000, "maxcor": 30, "ftol": 0.0, "gtol": 1e-13},
        )
        theta = result.x
    W, b = unpack(theta)
    value = objective(X, y, W, b, sample_weight, C, l1_ratio)
    residual = gradient_mapping_norm(
        X, y, W, b, sample_weight, C, l1_ratio, fit_intercept
    )
    return ReferenceSolution(W=W, b=b, value=value, residual=residual)
