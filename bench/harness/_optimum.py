"""The reference optimum ``F*`` of a problem: two tight solves, cached.

``F*`` is the lowest objective of two independent solvers run far past the
precision the report measures (eps down to 1e-5): cyanure (when installed;
its duality gap also gives a certified lower bound) and fastsaga's numba
backend; without cyanure, fastsaga's cython backend is the second solver.
The result is stored as JSON in the cache directory under the problem's
digest, so it is computed once per machine.
"""

import json
import warnings

from . import _solvers

# Relative duality gap cyanure is run to, and its pass limit.
CYANURE_GAP = 1e-6
CYANURE_MAX_PASSES = 1000
# fastsaga is run for this many epochs (it passes eps = 1e-10 well before).
FASTSAGA_EPOCHS = 400


def reference_optimum(problem, cache_dir, progress):
    """Return ``F*`` and how it was obtained, as a JSON-ready dict."""
    path = cache_dir / f"optimum-{problem.key}.json"
    if path.is_file():
        cached = json.loads(path.read_text())
        progress(f"F* = {cached['value']:.12g} (cached in {path})")
        return {**cached, "cache": str(path)}
    progress("computing the reference optimum F* (once; cached afterwards)")
    solves = {}
    if _solvers.cyanure_available():
        solves["cyanure auto"] = _cyanure_solve(problem)
    backends = ("numba",) if solves else _solvers.FASTSAGA_BACKENDS
    for backend in backends:
        solves[f"fastsaga {backend}"] = _fastsaga_solve(problem, backend)
    for name, solve in solves.items():
        progress(f"  {name}: F = {solve['objective']:.14g}")
    value = min(solve["objective"] for solve in solves.values())
    result = {
        "value": value,
        "problem": problem.name,
        "key": problem.key,
        "method": _method(solves),
        "solves": solves,
        "disagreement": (
            max(solve["objective"] for solve in solves.values()) - value
        ) / value,
    }
    lower = [s["lower_bound"] for s in solves.values() if "lower_bound" in s]
    if lower:
        result["certified_gap"] = (value - max(lower)) / value
    cache_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2))
    return {**result, "cache": str(path)}


def _cyanure_solve(problem):
    _solvers.quiet_cyanure()
    model = _solvers.cyanure_estimator(
        problem, "auto", max_iter=CYANURE_MAX_PASSES, tol=CYANURE_GAP
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        seconds, _ = _solvers.timed(model.fit, problem.X_train, problem.y_index)
    W, b = _solvers.cyanure_weights(model)
    # optimization_info_ rows: pass, primal, dual, relative gap, ..., time.
    dual = float(model.optimization_info_[0, 2, :].max())
    return {
        "objective": problem.objective(W, b),
        "lower_bound": dual,
        "passes": int(max(model.n_iter_)),
        "seconds": seconds,
        "settings": f"cyanure solver='auto', tol={CYANURE_GAP:g} (duality gap)",
    }


def _fastsaga_solve(problem, backend):
    _, _, n_rows = problem.shape
    seconds, trace = _solvers.timed(
        _solvers.fastsaga_trace,
        problem.X_train, problem.y_index, n_rows, problem.penalty,
        backend=backend, sampling="importance", max_epochs=FASTSAGA_EPOCHS,
    )
    return {
        "objective": problem.objective(trace.state.W, trace.state.b),
        "epochs": trace.epochs[-1],
        "seconds": seconds,
        "settings": f"fastsaga backend={backend!r}, float64, importance "
        f"sampling, {FASTSAGA_EPOCHS} epochs",
    }


def _method(solves):
    names = " and ".join(solves)
    return (
        f"lowest objective of {names} run to high precision "
        f"({'; '.join(s['settings'] for s in solves.values())})"
    )
