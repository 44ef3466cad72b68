"""The solvers compared, built for a :class:`~._context.Problem`, and timing.

fastsaga's two backends and scikit-learn's saga are always there; cyanure is
an optional peer (:func:`peer_solvers` is empty without it).
"""

import importlib.util
import statistics
import time
import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from fastsaga import LogisticRegression, _problem
from fastsaga._duality import duality_gap
from fastsaga._layout import layout_for
from fastsaga._solver import saga_solve

FASTSAGA_BACKENDS = ("numba", "cython")
# cyanure's solvers compared: its default choice and the one its authors
# recommend for this kind of problem.
CYANURE_SOLVERS = ("auto", "catalyst-miso")


def median(values):
    return float(statistics.median(values))


def timed(function, *args, **kwargs):
    """Return ``(seconds, result)`` of one call."""
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - start, result


@dataclass(frozen=True)
class Fitted:
    """What a fit produced, reduced to the figures the report shows."""

    seconds: float
    epochs: int
    objective: float
    test_score: float
    sparsity: float  # % of zero coefficients
    certified_gap: float  # the duality gap's bound on (F - F*) / F*


def fastsaga_estimator(problem, backend, *, tol, max_iter, sampling="importance"):
    return LogisticRegression(
        C=problem.C, l1_ratio=1.0, tol=tol, max_iter=max_iter,
        backend=backend, sampling=sampling, random_state=0,
    )


def sklearn_estimator(problem, *, tol, max_iter):
    from sklearn.linear_model import LogisticRegression as SklearnLogistic

    # l1_ratio=1 rather than penalty="l1", which scikit-learn 1.8+ deprecates.
    return SklearnLogistic(
        solver="saga", l1_ratio=1.0, C=problem.C, tol=tol, max_iter=max_iter,
        random_state=0,
    )


def estimator(problem, solver, *, tol, max_iter):
    """fastsaga (``solver`` a backend name) or scikit-learn (``"sklearn"``)."""
    if solver == "sklearn":
        return sklearn_estimator(problem, tol=tol, max_iter=max_iter)
    return fastsaga_estimator(problem, solver, tol=tol, max_iter=max_iter)


def warm_up(problem, solver, dtype=np.float64):
    """Compile (Numba) and load every kernel a timed fit will run."""
    if solver in FASTSAGA_BACKENDS:
        n_rows = problem.shape[2]
        fastsaga_trace(
            problem.X_train[: 4 * n_rows].astype(dtype), problem.y_index[: 4 * n_rows],
            n_rows, problem.penalty, backend=solver, sampling="importance",
            max_epochs=1,
        )


def fit(problem, solver, *, tol, max_iter):
    """Fit ``solver`` once on ``problem``; return a :class:`Fitted`."""
    model = estimator(problem, solver, tol=tol, max_iter=max_iter)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        seconds, _ = timed(model.fit, problem.X_train, problem.y_train)
    return Fitted(
        seconds=seconds,
        epochs=int(np.max(model.n_iter_)),
        objective=problem.objective(model.coef_, model.intercept_),
        test_score=float(model.score(problem.X_test, problem.y_test)),
        sparsity=float(np.mean(model.coef_ == 0) * 100),
        certified_gap=certified_gap(problem, model.coef_, model.intercept_),
    )


def certified_gap(problem, coef, intercept):
    """Upper bound on ``(F - F*) / F*`` at ``(coef, intercept)``, any solver's.

    Computed the same way for every solver (not read from fastsaga's
    ``dual_gap_``), so that the bounds compare.
    """
    alpha, beta = problem.penalty
    gap, primal = duality_gap(
        problem.X_train, problem.y_index, coef, intercept,
        np.ones(problem.X_train.shape[0]), alpha, beta, fit_intercept=True,
    )
    return float(_problem.relative_gap(gap, primal))


@dataclass(frozen=True)
class Trace:
    """A fastsaga run, epoch by epoch."""

    epochs: list  # the accepted epoch each record is taken after (1, 2, ...)
    times: list  # fit time (s) at each accepted epoch, set-up included
    values: list  # ``evaluate``'s results (empty without ``evaluate``)
    state: object  # the final iterate and memory (a fastsaga._layout state)
    # Epochs the kernel ran, rolled-back ones included; None when ``stop`` or
    # the time budget ended the run (the solver then returns no count).
    n_epochs_run: int | None

    def per_epoch(self):
        """Time per accepted epoch after the first, so without the set-up.

        A run of a single epoch has no such time: its whole time is given.
        """
        if len(self.epochs) < 2:
            return self.times[-1] / self.epochs[-1]
        return (self.times[-1] - self.times[0]) / (self.epochs[-1] - self.epochs[0])


class _Stop(Exception):
    """Raised by a trace callback to end a run early."""


def fastsaga_trace(
    X, y_index, n_rows, penalty, *, backend, sampling, max_epochs,
    evaluate=None, stop=None, time_budget=np.inf, batch_size="auto", n_threads=1,
):
    """Run fastsaga's epochs from zero; return the fit time after each epoch.

    The times exclude ``evaluate``, called after each accepted epoch as
    ``evaluate(W, b)`` (for instance the objective) and whose results are
    returned with them; the run ends after ``max_epochs`` epochs, when
    ``stop(value)`` is true or when the fit time passes ``time_budget``.

    Returns
    -------
    Trace
    """
    n_samples = X.shape[0]
    epochs, times, values = [], [], []
    excluded = 0.0

    def record(epoch, state):
        nonlocal excluded
        now = time.perf_counter()
        epochs.append(epoch)
        times.append(now - start - excluded)
        if evaluate is not None:
            values.append(evaluate(state.W, state.b))
        excluded += time.perf_counter() - now
        if (stop is not None and stop(values[-1])) or times[-1] > time_budget:
            raise _Stop

    # Dense X is read in place, so building the layout costs next to nothing.
    layout = layout_for(X)
    state = layout.zero_state(n_rows)
    alpha, beta = penalty
    n_epochs_run = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        try:
            result = saga_solve(
                layout, y_index, np.ones(n_samples, X.dtype), state,
                alpha=alpha, beta=beta, sampling=sampling, backend=backend,
                batch_size=batch_size, n_threads=n_threads,
                tol=0.0, max_iter=max_epochs, random_state=0, callback=record,
                certify=False,  # the final gap's data pass is not used here
            )
            n_epochs_run = result.n_epochs_run
        except _Stop:
            pass
    return Trace(epochs, times, values, state, n_epochs_run)


def cyanure_available():
    return importlib.util.find_spec("cyanure") is not None


def cyanure_estimator(problem, solver, *, max_iter, tol):
    """cyanure's multinomial L1 logistic regression, one thread, quiet.

    ``lambda_1 = 1 / (C n)`` makes its objective ``F``.  With ``tol`` 0 the
    duality gap is never evaluated (its interval is past ``max_iter``), so
    fits of increasing ``max_iter`` time the solver alone.
    """
    from cyanure.estimators import LogisticRegression as CyanureLogistic

    return CyanureLogistic(
        penalty="l1", lambda_1=problem.penalty[1], multi_class="multinomial",
        solver=solver, n_threads=1, tol=tol, max_iter=max_iter,
        duality_gap_interval=5 if tol > 0 else max_iter + 1, verbose=False,
        random_state=0,
    )


def cyanure_weights(model):
    """Return ``(W, b)`` in fastsaga's layout (``W`` class-major)."""
    W = np.asarray(model.coef_, dtype=np.float64).T
    b = np.asarray(model.intercept_, dtype=np.float64).reshape(-1)
    return W, b


def quiet_cyanure():
    """Silence cyanure's INFO log lines (its logger is named "Cyanure")."""
    import logging

    import cyanure.estimators  # noqa: F401  (creates the logger)

    logging.getLogger("Cyanure").setLevel(logging.WARNING)


def peer_solvers():
    """Return ``{label: fit_weights(problem, max_iter) -> (W, b)}``."""
    if not cyanure_available():
        return {}
    quiet_cyanure()

    def fitter(solver):
        def fit_weights(problem, max_iter):
            model = cyanure_estimator(problem, solver, max_iter=max_iter, tol=0.0)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model.fit(problem.X_train, problem.y_index)
            return cyanure_weights(model)

        return fit_weights

    return {f"cyanure {solver}": fitter(solver) for solver in CYANURE_SOLVERS}


def sklearn_weights(problem, max_iter):
    """Fit scikit-learn's saga for ``max_iter`` epochs; return ``(W, b)``."""
    model = sklearn_estimator(problem, tol=0.0, max_iter=max_iter)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(problem.X_train, problem.y_train)
    return model.coef_, model.intercept_
