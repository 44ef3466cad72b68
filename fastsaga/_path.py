"""Regularisation paths: one SAGA fit per C on one data set, warm started.

A path visits the Cs from the strongest regularisation (smallest C) to the
weakest.  Each fit starts where the previous one stopped, with all of its
:mod:`~fastsaga._layout` state:

* the weights ``W, b``: solutions move continuously with C, so the previous
  optimum is a close starting point;
* the gradient memory ``G, S, Sb``.  ``G[i]`` is the gradient of sample
  ``i``'s *loss* at some past iterate and ``S, Sb`` are its sums.  The loss
  and the sample weights do not depend on C: the penalty enters the solver
  only through ``alpha`` and ``beta`` (the L2 decay and the L1 prox), outside
  the memory.  So after a change of C the memory still holds exactly what a
  SAGA memory holds (loss gradients at past iterates, with sums consistent
  with the table) and the SAGA gradient estimate stays unbiased; it is also
  a good memory, being taken near the new starting point.  The step size
  depends on C (through ``alpha``); ``saga_solve`` recomputes it, with the
  decay and the threshold, from the ``alpha`` and ``beta`` of each call;
  the multiplier the previous fit measured carries over.

Only arrays already validated and encoded come in here; the estimators do
the validation.
"""

from dataclasses import dataclass

import numpy as np
from sklearn.utils import check_random_state

from . import _problem
from ._callbacks import UNTRACKED
from ._layout import layout_for
from ._solver import saga_solve


@dataclass
class PathResult:
    """Solutions along a path, in the order of the ``Cs`` given.

    ``coefs`` has shape ``(n_cs, K, n_features)``, ``intercepts``
    ``(n_cs, K)``, ``n_iter`` (epochs per C) ``(n_cs,)``.
    """

    coefs: np.ndarray
    intercepts: np.ndarray
    n_iter: np.ndarray


def logistic_regression_path(
    X,
    y,
    Cs,
    *,
    n_classes,
    l1_ratio=0.0,
    sample_weight=None,
    fit_intercept=True,
    tol=1e-4,
    max_iter=100,
    random_state=None,
    backend="numba",
    sampling="importance",
    batch_size="auto",
    n_threads=1,
    warm_start=True,
    coef=None,
    intercept=None,
    task=UNTRACKED,
):
    """Fit logistic regression for every C of ``Cs`` on the same data.

    The fits run from the smallest C to the largest; with ``warm_start``
    each starts from the weights and the gradient memory of the previous one
    (see the module docstring for why the memory stays valid).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        C-contiguous float32 or float64.
    y : ndarray of shape (n_samples,)
        Class indices in ``range(n_classes)``.
    Cs : array-like of shape (n_cs,)
        Inverse regularisation strengths, in ``(0, inf]`` (``inf``: none).
    n_classes : int
        Number of classes of the whole problem (a training fold may lack
        some).  Two classes give one row of coefficients (binary loss).
    l1_ratio : float, default=0.0
        Elastic-net mixing, the share of the L1 penalty.
    sample_weight : ndarray of shape (n_samples,), default=None
        Per-sample weights (class weights included); ones if None.
    fit_intercept, tol, max_iter, backend, sampling, batch_size
        As in :class:`fastsaga.LogisticRegression`.
    n_threads : int, default=1
        Threads sharing each batch's work (``n_jobs`` of the estimator).
    random_state : int, RandomState instance or None, default=None
        Seeds the sample-index stream, which runs on across the path.
    warm_start : bool, default=True
        Start each fit from the previous one (its step multiplier too, see
        ``saga_solve``'s ``step_rule``).  ``False`` starts every fit
        from ``coef``/``intercept`` (zeros by default) with an empty memory.
    coef : ndarray of shape (K, n_features), default=None
        Starting weights of the first fit; zeros if None.
    intercept : ndarray of shape (K,), default=None
        Starting intercepts of the first fit; zeros if None.
    task : FitTask, default=UNTRACKED
        The path's task for scikit-learn's callbacks (``fastsaga._estimator``),
        begun and ended by the caller: the fit of each C is a subtask, run in
        the order of the fits, with a subtask per epoch.

    Returns
    -------
    PathResult
    """
    Cs = np.asarray(Cs, dtype=np.float64).reshape(-1)
    layout = layout_for(X)  # once here, not once per C
    n_samples, n_features = layout.X.shape
    n_rows = 1 if n_classes == 2 else n_classes
    if sample_weight is None:
        sample_weight = np.ones(n_samples, dtype=layout.X.dtype)
    random_state = check_random_state(random_state)

    if coef is None:
        initial = layout.zero_state(n_rows)
    else:
        initial = layout.empty_state(
            coef, np.zeros(n_rows) if intercept is None else intercept
        )
    state = initial.copy()
    result = PathResult(
        coefs=np.empty((Cs.size, n_rows, n_features), dtype=layout.X.dtype),
        intercepts=np.empty((Cs.size, n_rows), dtype=layout.X.dtype),
        n_iter=np.empty(Cs.size, dtype=np.int32),
    )
    step_rule = None
    # A stable sort keeps equal Cs in the caller's order; inf sorts last.
    for position in np.argsort(Cs, kind="stable"):
        if not warm_start:
            state = initial.copy()
        alpha, beta = _problem.penalty_strengths(Cs[position], l1_ratio, n_samples)
        fit_task = task.subtask(f"C={Cs[position]:.3g}", max_subtasks=max_iter)
        fit_task.begin(fit_task.model_at(state))
        fit = saga_solve(
            layout,
            y,
            sample_weight,
            state,
            alpha=alpha,
            beta=beta,
            fit_intercept=fit_intercept,
            sampling=sampling,
            backend=backend,
            batch_size=batch_size,
            n_threads=n_threads,
            tol=tol,
            max_iter=max_iter,
            random_state=random_state,
            certify=False,
            step_rule=step_rule,
            **fit_task.epoch_hooks(),
        )
        if warm_start:
            step_rule = fit.step_rule
        fit_task.end(fit_task.model_at(fit.state))
        result.coefs[position] = fit.state.W
        result.intercepts[position] = fit.state.b
        result.n_iter[position] = fit.n_iter
    return result
