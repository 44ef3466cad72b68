"""Section: the performance targets, from the other sections' data.

Each target is a ratio of two figures measured in this run; a target whose
section did not run is listed as not measured.
"""

from ._format import table
from .convergence import DEFAULT_LABEL

BACKENDS = ("numba", "cython")
TITLE = "Performance targets"


def _label(backend, dtype="float64", sampling="importance"):
    return f"fastsaga {backend} {dtype} {sampling}"


def _per_epoch(solvers, flops_per_epoch):
    reference = solvers["sklearn saga"]["per_epoch"]
    rows = []
    for backend in BACKENDS:
        f64 = solvers[_label(backend)]["per_epoch"]
        f32 = solvers[_label(backend, "float32")]["per_epoch"]
        threads = solvers[f"{_label(backend)}, 2 threads"]["per_epoch"]
        flops = flops_per_epoch / f64 / 1e9
        rows += [
            (f"time per epoch, float64, {backend}, vs sklearn",
             reference / f64, ">= 20x", reference / f64 >= 20),
            (f"GFLOP/s per epoch, float64, {backend}",
             flops, ">= 30", flops >= 30),
            (f"time per epoch, n_jobs=2 vs 1, float64, {backend}",
             f64 / threads, ">= 1.7x", f64 / threads >= 1.7),
            (f"time per epoch, float32 vs float64, {backend}",
             f64 / f32, ">= 1.7x", f64 / f32 >= 1.7),
        ]
    numba, cython = (solvers[_label(b)]["per_epoch"] for b in BACKENDS)
    spread = max(numba / cython, cython / numba)
    rows.append(("numba vs cython per epoch (slower / faster)",
                 spread, "<= 1.2x", spread <= 1.2))
    return rows


def _time_to_eps(solvers):
    default = solvers[DEFAULT_LABEL]
    sklearn = solvers["sklearn saga"]
    ours = default["time_to_eps"][1e-3]
    theirs = sklearn["time_to_eps"][1e-3]
    bound = theirs is None
    speedup = (sklearn["longest_run"] if bound else theirs) / ours if ours else None
    rows = [(
        "time to eps 1e-3, default settings, vs sklearn"
        + (" (lower bound: sklearn did not reach it)" if bound else ""),
        speedup, ">= 500x", speedup is not None and speedup >= 500,
    )]
    cyanure = [
        r["time_to_eps"][1e-5] for label, r in solvers.items()
        if label.startswith("cyanure") and r["time_to_eps"][1e-5] is not None
    ]
    ours = default["time_to_eps"][1e-5]
    if cyanure and ours:
        rows.append(("time to eps 1e-5, default settings, vs cyanure's fastest",
                     min(cyanure) / ours, ">= 40x", min(cyanure) / ours >= 40))
    return rows


def _batches(batches):
    """The worst ratio of epochs to eps, auto batch vs one sample a step."""
    rows = []
    for eps in (1e-3, 1e-5):
        ratios = [
            result["runs"]["auto"]["epochs"][eps] / result["runs"]["b=1"]["epochs"][eps]
            for result in batches.values()
            if result["runs"]["auto"]["epochs"][eps]
            and result["runs"]["b=1"]["epochs"][eps]
        ]
        if ratios:
            rows.append((
                f"epochs to eps {eps:g}, batch auto vs 1, worst of "
                f"{len(ratios)} problems", max(ratios), "<= 1.25x",
                max(ratios) <= 1.25,
            ))
    return rows


def _memory(memory):
    rows = []
    for case, result in memory["cases"].items():
        x_mib = result["fastsaga"]["x_mib"]
        excess = (result["fastsaga"]["allocated_mib"]
                  - result["sklearn"]["allocated_mib"])
        rows.append((
            f"peak fit memory above scikit-learn's, {case}, share of X",
            excess / x_mib, "<= 0.25", excess <= 0.25 * x_mib,
        ))
    return rows


def _seed(seed):
    sklearn = seed["sklearn"]
    rows = []
    for backend in BACKENDS:
        speedup = sklearn["fit_seconds"] / seed[backend]["fit_seconds"]
        score_ok = seed[backend]["test_score"] >= sklearn["test_score"]
        rows.append((
            f"seed settings fit time, {backend}, vs sklearn (test score "
            f"{seed[backend]['test_score']:.4f} vs {sklearn['test_score']:.4f})",
            speedup, ">= 5x, score >= sklearn's", speedup >= 5 and score_ok,
        ))
    return rows


def _startup(startup):
    rows = []
    example = startup["whole_example"]
    if example is not None:
        speedup = (example["seed script (scikit-learn saga)"]["process"]
                   / example["fastsaga mnist"]["process"])
        rows.append((
            "whole example in a new process, fastsaga mnist vs the seed's script",
            speedup, "> 1x", speedup > 1,
        ))
    added = startup["numba_cold_start"]["warm on-disk cache"]["added"]
    rows.append(("Numba cold start, warm cache: seconds added to the first fit",
                 added, "< 0.5 s", added < 0.5))
    return rows


def run(context):
    results = context.results
    rows = []
    if "convergence" in results:
        convergence = results["convergence"]
        rows += _per_epoch(convergence["solvers"], convergence["flops_per_epoch"])
        rows += _time_to_eps(convergence["solvers"])
    if "batches" in results:
        rows += _batches(results["batches"]["problems"])
    if "memory" in results:
        rows += _memory(results["memory"])
    if "seed" in results:
        rows += _seed(results["seed"])
    if "startup" in results:
        rows += _startup(results["startup"])
    data = [
        {"figure": f, "measured": m, "target": t, "met": bool(ok)}
        for f, m, t, ok in rows
    ]
    markdown = table(
        ("figure", "measured", "target", "met"),
        [(d["figure"], f"{d['measured']:.3g}", d["target"],
          "yes" if d["met"] else "**no**") for d in data],
    ) if data else "No section measuring a target was run."
    context_line = (
        "Figures of this run (ratios are speed-ups unless said otherwise) "
        "against their targets:"
    )
    return {
        "title": TITLE,
        "markdown": markdown,
        "data": data,
        "readme": [f"### {TITLE}\n\n{context_line}\n\n{markdown}"],
    }
