"""Section: time to a relative suboptimality, time per epoch, GFLOP/s.

fastsaga runs once from zero per repeat; after each epoch the objective is
evaluated with the clock stopped, so the times are those of the fit alone
(set-up, index draws, kernels, rolled-back epochs included).  scikit-learn
and the peers cannot be observed mid-fit: they are fitted from scratch with
``max_iter`` growing geometrically, the first fit that reaches an eps is
timed again ``repeats - 1`` times, and the median is its time to eps (an
upper bound, within one schedule step, of the exact figure).
"""

import numpy as np

from fastsaga.plot import plot_convergence

from . import _solvers
from ._format import ratio, seconds, table

EPSILONS = (1e-2, 1e-3, 1e-4, 1e-5)
DTYPES = (np.float64, np.float32)
SAMPLINGS = ("importance", "uniform")
TITLE = "Time to eps, time per epoch, GFLOP/s"
DEFAULT_LABEL = "fastsaga numba float64 importance"  # the estimator's defaults
# Left out of the plot, which stays readable with one colour per line: the
# uniform-sampling runs but one (the table has them all).
UNPLOTTED = {
    "fastsaga numba float32 uniform",
    "fastsaga cython float64 uniform",
    "fastsaga cython float32 uniform",
    "fastsaga numba float64 importance, batch 1",
    "fastsaga cython float64 importance, batch 1",
    "fastsaga cython float64 importance, 2 threads",
}
# Runs beside the defaults: one sample a step, and two threads.
VARIANTS = {"batch 1": {"batch_size": 1}, "2 threads": {"n_threads": 2}}
# A fastsaga run ends at the smallest eps or at either limit.
MAX_EPOCHS = 200
FASTSAGA_TIME_BUDGET = 6.0
# Fits from scratch: max_iter grows by this factor, up to MAX_SCRATCH_ITER.
SCHEDULE_GROWTH = 1.5
MAX_SCRATCH_ITER = 3000
# Time per epoch of a fit from scratch: (t(LONG) - t(SHORT)) / (LONG - SHORT),
# which cancels the set-up time.
PER_EPOCH_SHORT, PER_EPOCH_LONG = 5, 15


def flops_per_epoch(problem):
    """Minimum work of an epoch: 2 n d K multiply-adds of 2 flops each."""
    n, d, n_rows = problem.shape
    return 4.0 * n * d * n_rows


def _first_reaching(suboptimalities, eps):
    return next((i for i, s in enumerate(suboptimalities) if s <= eps), None)


def fastsaga_runs(context, backend, dtype, sampling, **settings):
    """Time ``repeats`` fastsaga runs to the smallest eps.

    ``settings`` go to the solver (``batch_size``, ``n_threads``).
    """
    problem, optimum = context.problem(), context.optimum()["value"]
    _, _, n_rows = problem.shape
    X = np.ascontiguousarray(problem.X_train, dtype=dtype)
    _solvers.warm_up(problem, backend, dtype)
    runs = [
        _solvers.fastsaga_trace(
            X, problem.y_index, n_rows, problem.penalty, backend=backend,
            sampling=sampling, max_epochs=MAX_EPOCHS,
            evaluate=lambda W, b: (problem.objective(W, b) - optimum) / optimum,
            stop=lambda suboptimality: suboptimality <= min(EPSILONS),
            time_budget=FASTSAGA_TIME_BUDGET * (0.2 if context.quick else 1),
            **settings,
        )
        for _ in range(context.repeats)
    ]
    to_eps, epochs_to_eps = {}, {}
    for eps in EPSILONS:
        hits = [_first_reaching(run.values, eps) for run in runs]
        reached = all(hit is not None for hit in hits)
        to_eps[eps] = (
            _solvers.median([run.times[h] for run, h in zip(runs, hits, strict=True)])
            if reached else None
        )
        epochs_to_eps[eps] = runs[0].epochs[hits[0]] if reached else None
    per_epoch = _solvers.median([run.per_epoch() for run in runs])
    return {
        "time_to_eps": to_eps,
        "epochs_to_eps": epochs_to_eps,
        "longest_run": max(run.times[-1] for run in runs),
        "per_epoch": per_epoch,
        "curve": {"times": runs[0].times, "suboptimality": runs[0].values},
    }


def _schedule():
    max_iter = 1
    while max_iter <= MAX_SCRATCH_ITER:
        yield max_iter
        max_iter = max(max_iter + 1, round(max_iter * SCHEDULE_GROWTH))


def scratch_runs(context, label, fit_weights):
    """Time fits from scratch of growing ``max_iter`` (scikit-learn, peers)."""
    problem, optimum = context.problem(), context.optimum()["value"]

    def suboptimality(max_iter):
        seconds_, (W, b) = _solvers.timed(fit_weights, problem, max_iter)
        return seconds_, (problem.objective(W, b) - optimum) / optimum

    points = []
    for max_iter in _schedule():
        fit_seconds, value = suboptimality(max_iter)
        points.append((max_iter, fit_seconds, value))
        context.progress(
            f"{label}: max_iter={max_iter}, {fit_seconds:.3f} s, "
            f"(F - F*)/F* = {value:.2e}"
        )
        projected = fit_seconds * SCHEDULE_GROWTH
        if value <= min(EPSILONS) or projected > context.budget:
            break
    to_eps, iter_to_eps, medians = {}, {}, {}
    for eps in EPSILONS:
        hit = _first_reaching([p[2] for p in points], eps)
        if hit is None:
            to_eps[eps] = iter_to_eps[eps] = None
            continue
        max_iter, first_seconds, _ = points[hit]
        if max_iter not in medians:  # one fit may reach several eps
            again = [suboptimality(max_iter)[0] for _ in range(context.repeats - 1)]
            medians[max_iter] = _solvers.median([first_seconds, *again])
        to_eps[eps], iter_to_eps[eps] = medians[max_iter], max_iter
        context.progress(f"{label}: eps {eps:g} in {to_eps[eps]:.3f} s (median)")
    return {
        "time_to_eps": to_eps,
        "epochs_to_eps": iter_to_eps,
        "longest_run": max(p[1] for p in points),
        "per_epoch": _scratch_per_epoch(context, problem, fit_weights),
        "curve": {
            "times": [p[1] for p in points],
            "suboptimality": [p[2] for p in points],
            "max_iter": [p[0] for p in points],
        },
    }


def _scratch_per_epoch(context, problem, fit_weights):
    differences = []
    for _ in range(context.repeats):
        short, _ = _solvers.timed(fit_weights, problem, PER_EPOCH_SHORT)
        long, _ = _solvers.timed(fit_weights, problem, PER_EPOCH_LONG)
        differences.append((long - short) / (PER_EPOCH_LONG - PER_EPOCH_SHORT))
    return _solvers.median(differences)


def measure(context):
    """Return ``{label: runs}`` for every solver, scikit-learn first."""
    results = {"sklearn saga": scratch_runs(
        context, "sklearn saga", _solvers.sklearn_weights
    )}
    runs = [
        (f"fastsaga {backend} {np.dtype(dtype).name} {sampling}",
         (backend, dtype, sampling), {})
        for backend in _solvers.FASTSAGA_BACKENDS
        for dtype in DTYPES
        for sampling in SAMPLINGS
    ] + [
        (f"fastsaga {backend} float64 importance, {variant}",
         (backend, np.float64, "importance"), settings)
        for backend in _solvers.FASTSAGA_BACKENDS
        for variant, settings in VARIANTS.items()
    ]
    for label, arguments, settings in runs:
        results[label] = fastsaga_runs(context, *arguments, **settings)
        context.progress(
            f"{label}: {results[label]['per_epoch'] * 1e3:.2f} ms/epoch, "
            + ", ".join(
                f"eps {eps:g} in {seconds(t)}"
                for eps, t in results[label]["time_to_eps"].items()
            )
        )
    for label, fit_weights in _solvers.peer_solvers().items():
        results[label] = scratch_runs(context, label, fit_weights)
    return results


def _time_to_eps_cell(result, reference, eps):
    t = result["time_to_eps"][eps]
    if t is None:
        return f"not reached in {seconds(result['longest_run'])}"
    if reference["time_to_eps"][eps] is not None:
        return f"{seconds(t)} ({ratio(reference['time_to_eps'][eps], t)})"
    # scikit-learn did not get there: its longest fit bounds the speed-up.
    return f"{seconds(t)} (> {ratio(reference['longest_run'], t)})"


def _tables(results, flops):
    """The time-to-eps table and the time-per-epoch table."""
    reference = results["sklearn saga"]
    eps_rows = [
        (label, *(_time_to_eps_cell(r, reference, eps) for eps in EPSILONS))
        for label, r in results.items()
    ]
    epoch_rows = [
        (label, seconds(r["per_epoch"]), ratio(reference["per_epoch"], r["per_epoch"]),
         f"{flops / r['per_epoch'] / 1e9:.2f}")
        for label, r in results.items()
    ]
    return (
        table(("solver", *(f"eps = {eps:g}" for eps in EPSILONS)), eps_rows),
        table(("solver", "time per epoch", "speed-up vs sklearn", "GFLOP/s"),
              epoch_rows),
    )


def _optimum_note(optimum):
    return (
        f"F* = {optimum['value']:.12g}: {optimum['method']}; the solvers "
        f"disagree by {optimum['disagreement']:.1e} (relative)"
        + (f", and cyanure's duality gap certifies F* within "
           f"{optimum['certified_gap']:.1e}" if "certified_gap" in optimum else "")
        + "."
    )


def _notes(context):
    n, d, n_rows = context.problem().shape
    return [
        _optimum_note(context.optimum()),
        "Times are medians of "
        f"{context.repeats} runs, objective evaluations excluded; in brackets "
        "the speed-up over scikit-learn's saga in the same run ('> x' when "
        "scikit-learn did not reach that eps: a lower bound from its longest "
        f"fit). Fits from scratch (scikit-learn, cyanure) grow max_iter by "
        f"{SCHEDULE_GROWTH}x per step, so their time is within one step above "
        f"the exact figure; each fit is capped at about {context.budget:g} s. "
        "cyanure runs with its duality-gap checks off (tol = 0), n_threads = 1.",
        f"GFLOP/s counts 2 n d K = {2 * n * d * n_rows:.3g} multiply-adds (2 "
        "flops each) per epoch. fastsaga's time per epoch is measured inside "
        "its runs (set-up excluded); that of fits from scratch is "
        f"(t(max_iter={PER_EPOCH_LONG}) - t(max_iter={PER_EPOCH_SHORT})) / "
        f"{PER_EPOCH_LONG - PER_EPOCH_SHORT} (a pass over the data for cyanure).",
    ]


def _markdown(context, tables, figure):
    to_eps, per_epoch = tables
    return "\n\n".join([
        "Time to reach (F - F*)/F* <= eps:", to_eps,
        "Time per epoch:", per_epoch,
        *_notes(context),
        f"![convergence]({figure.name})",
    ])


def _readme(context, tables):
    """The README's part: the two tables, one line of context each."""
    to_eps, per_epoch = tables
    problem, optimum = context.problem(), context.optimum()
    return "\n\n".join([
        f"### {TITLE}",
        f"Time to (F - F*)/F* <= eps on the {problem.name} (F* = "
        f"{optimum['value']:.10g}), median of {context.repeats} runs; in "
        "brackets the speed-up over scikit-learn ('> x': scikit-learn did not "
        "reach eps, a bound from its longest fit):",
        to_eps,
        "Time per epoch (fastsaga's without its set-up); GFLOP/s counts "
        "2 n d K multiply-adds per epoch:",
        per_epoch,
        "![convergence](docs/convergence.png)",
    ])


def run(context):
    results = measure(context)
    figure = context.out_dir / "convergence.png"
    plot_convergence(
        {
            label: (r["curve"]["times"], r["curve"]["suboptimality"])
            for label, r in results.items()
            if label not in UNPLOTTED
        },
        figure,
        title=f"{context.problem().name}: L1, C = {context.problem().C:g}",
    )
    tables = _tables(results, flops_per_epoch(context.problem()))
    return {
        "title": TITLE,
        "markdown": _markdown(context, tables, figure),
        "data": {
            "optimum": context.optimum(),
            "flops_per_epoch": flops_per_epoch(context.problem()),
            "solvers": results,
        },
        "figures": [str(figure)],
        "readme": [_readme(context, tables)],
    }
