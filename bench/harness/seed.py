"""Section: the seed's settings (tol = 0.1), fit by fit, in this process."""

from . import _solvers
from ._format import ratio, seconds, table

SEED_TOL = 0.1
MAX_ITER = 100  # the seed's (scikit-learn's default)
SOLVERS = (*_solvers.FASTSAGA_BACKENDS, "sklearn")
TITLE = "Seed settings (tol = 0.1)"


def measure(context, solver, tol=SEED_TOL, max_iter=MAX_ITER):
    """Fit ``solver`` ``context.repeats`` times; return the median figures."""
    problem = context.problem()
    _solvers.warm_up(problem, solver)
    fits = [
        _solvers.fit(problem, solver, tol=tol, max_iter=max_iter)
        for _ in range(context.repeats)
    ]
    first = fits[0]
    optimum = context.optimum()["value"]
    result = {
        "fit_seconds": _solvers.median([f.seconds for f in fits]),
        "fit_seconds_all": [f.seconds for f in fits],
        "epochs": first.epochs,
        "objective": first.objective,
        "suboptimality": (first.objective - optimum) / optimum,
        "certified_gap": first.certified_gap,
        "test_score": first.test_score,
        "sparsity": first.sparsity,
    }
    context.progress(
        f"seed settings, {solver}: {result['fit_seconds']:.3f} s, "
        f"{first.epochs} epochs, score {first.test_score:.4f}, "
        f"certified gap {first.certified_gap:.1e}"
    )
    return result


def _table(data):
    reference = data["sklearn"]["fit_seconds"]
    rows = [
        (
            "fastsaga " + solver if solver != "sklearn" else "scikit-learn saga",
            seconds(d["fit_seconds"]),
            ratio(reference, d["fit_seconds"]),
            d["epochs"],
            f"{d['suboptimality']:.1e}",
            f"{d['certified_gap']:.1e}",
            f"{d['test_score']:.4f}",
            f"{d['sparsity']:.2f} %",
        )
        for solver, d in data.items()
    ]
    return table(
        ("solver", "fit time", "speed-up vs sklearn", "epochs",
         "(F - F*)/F*", "certified gap", "test score", "sparsity"),
        rows,
    )


def _context_line(context):
    problem = context.problem()
    n, d, n_rows = problem.shape
    return (
        f"{problem.name} ({n:,} x {d:,}, K = {n_rows}), L1, C = {problem.C:g}, "
        f"tol = {SEED_TOL}, max_iter = {MAX_ITER}, random_state = 0; fit time "
        f"is the median of {context.repeats} fits (Numba compiled beforehand), "
        "the other figures are the first fit's; \"certified gap\" is the "
        "duality gap's upper bound on (F - F*)/F*, computed alike for every "
        "solver's model."
    )


def run(context):
    data = {solver: measure(context, solver) for solver in SOLVERS}
    markdown = f"{_context_line(context)}\n\n{_table(data)}"
    return {
        "title": TITLE,
        "markdown": markdown,
        "data": data,
        "readme": [f"### {TITLE}\n\n{markdown}"],
    }
