"""Section: the seed's settings (tol = 0.1), fit by fit, in this process."""

from . import _solvers
from ._format import ratio, seconds, table

SEED_TOL = 0.1
MAX_ITER = 100  # the seed's (scikit-learn's default)
SOLVERS = (*_solvers.FASTSAGA_BACKENDS, "sklearn")


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
        "test_score": first.test_score,
        "sparsity": first.sparsity,
    }
    context.progress(
        f"seed settings, {solver}: {result['fit_seconds']:.3f} s, "
        f"{first.epochs} epochs, score {first.test_score:.4f}"
    )
    return result


def run(context):
    data = {solver: measure(context, solver) for solver in SOLVERS}
    reference = data["sklearn"]["fit_seconds"]
    rows = [
        (
            "fastsaga " + solver if solver != "sklearn" else "scikit-learn saga",
            seconds(d["fit_seconds"]),
            ratio(reference, d["fit_seconds"]),
            d["epochs"],
            f"{d['suboptimality']:.1e}",
            f"{d['test_score']:.4f}",
            f"{d['sparsity']:.2f} %",
        )
        for solver, d in data.items()
    ]
    markdown = table(
        ("solver", "fit time", "speed-up vs sklearn", "epochs",
         "(F - F*)/F*", "test score", "sparsity"),
        rows,
    ) + (
        f"\n\nL1, C = {context.problem().C:g}, tol = {SEED_TOL}, "
        f"max_iter = {MAX_ITER}, random_state = 0; fit time is the median of "
        f"{context.repeats} fits (Numba compiled beforehand); the other "
        "figures are those of the first fit."
    )
    return {"title": "Seed settings (tol = 0.1)", "markdown": markdown, "data": data}
