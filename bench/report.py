"""Write the benchmark report: ``python bench/report.py --help``.

The entry point: options, the sections in turn, the output files.  The
sections and what they share are the ``harness`` package next to this file
(``bench/`` is not installed: run this script from a checkout, with fastsaga
installed).
"""

import argparse
import importlib
import json
import os
import platform
import sys
import time
import traceback
from pathlib import Path

from threadpoolctl import threadpool_info, threadpool_limits

from fastsaga.__main__ import _bounded
from harness import SECTIONS, readme
from harness._context import SINGLE_THREAD, Context, default_cache_dir

DEFAULT_OUT = Path(__file__).parent / "results"
DESCRIPTION = (
    "Benchmark fastsaga against scikit-learn's saga (and cyanure when "
    "installed) on the seed problem: fit times at the seed's settings, the "
    "whole example in a new process, time to a relative suboptimality, time "
    "per epoch and GFLOP/s. Writes report.md, report.json and figures."
)


def _absolute(directory):
    """``directory`` made absolute (None stays None).

    The whole-example section runs its processes in a scratch directory, where
    a relative data path (``FASTSAGA_MNIST_DIR=../shared/mnist``) would miss.
    """
    return None if directory is None else str(Path(directory).resolve())


def _section_names(text):
    """Parse ``--sections``: known section names, comma-separated."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = sorted(set(names) - set(SECTIONS))
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown sections {unknown}; the sections are {list(SECTIONS)}"
        )
    return names


def build_parser():
    """Return the report's argument parser."""
    parser = argparse.ArgumentParser(description=DESCRIPTION)
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT,
        help="directory for report.md, report.json and the figures "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--sections", type=_section_names, default=list(SECTIONS),
        help="comma-separated sections to run, in report order "
        f"(default: {','.join(SECTIONS)})",
    )
    parser.add_argument(
        "--repeats", type=_bounded(int, 0, strict=True), default=3,
        help="runs per figure; figures are medians (default: %(default)s)",
    )
    parser.add_argument(
        "--quick", action="store_true",
        help="a tiny synthetic problem instead of MNIST, and short budgets "
        "(checks the report code, measures nothing meaningful)",
    )
    parser.add_argument(
        "--mnist-dir", "--data-dir", dest="mnist_dir", default=None,
        help="directory of the MNIST IDX files (default: $FASTSAGA_MNIST_DIR)",
    )
    parser.add_argument(
        "--sklearn-data-home", default=None,
        help="scikit-learn data home for other data sets, e.g. 20 newsgroups "
        "(default: scikit-learn's)",
    )
    parser.add_argument(
        "--cache-dir", type=Path, default=None,
        help="where the reference optimum is cached (default: "
        "$FASTSAGA_CACHE_DIR, else ~/.cache/fastsaga)",
    )
    parser.add_argument(
        "--readme", type=Path, default=None,
        help="also write the main tables into this file (README.md), between "
        "its '<!-- benchmark tables: begin' and 'end -->' marker lines",
    )
    parser.add_argument(
        "--budget", type=_bounded(float, 0, strict=True), default=None,
        help="seconds one slow fit (scikit-learn, peers) may take before its "
        "schedule stops (default: 40, 2 with --quick)",
    )
    return parser


def run(args):
    """Run the report for parsed ``args``; return the exit status."""
    os.environ.update(SINGLE_THREAD)
    context = Context(
        out_dir=args.out,
        cache_dir=args.cache_dir or default_cache_dir(),
        repeats=args.repeats,
        quick=args.quick,
        mnist_dir=_absolute(args.mnist_dir or os.environ.get("FASTSAGA_MNIST_DIR")),
        sklearn_data_home=args.sklearn_data_home,
        budget=args.budget or (2.0 if args.quick else 40.0),
    )
    args.out.mkdir(parents=True, exist_ok=True)
    with threadpool_limits(limits=1):
        sections = _run_sections(context, args.sections)
    machine = machine_description()
    _write(context, sections, machine)
    failed = [name for name, section in sections if "error" in section["data"]]
    if failed:
        # A README with some tables missing would be worse than the old one.
        context.progress(
            f"sections {failed} failed; see {args.out / 'report.md'}"
            + (f"; {args.readme} left as it was" if args.readme else "")
        )
        return 1
    if args.readme is not None:
        readme.write(args.readme, readme.block(machine, context.quick, sections))
        context.progress(f"benchmark tables written into {args.readme}")
    return 0


def _run_sections(context, names):
    """Run each section; return ``[(name, section dict)]``."""
    done = []
    for name in names:
        module = importlib.import_module(f"harness.{name}")
        context.progress(f"section {name}: start")
        start = time.perf_counter()
        try:
            section = module.run(context)
        # One broken section must not lose the others.
        except Exception:
            error = traceback.format_exc()
            context.progress(f"section {name}: FAILED\n{error}")
            section = {
                "title": f"{name} (failed)",
                "markdown": f"The section raised an error:\n\n```\n{error}```",
                "data": {"error": error},
            }
        context.results[name] = section["data"]
        context.progress(
            f"section {name}: done in {time.perf_counter() - start:.1f} s"
        )
        done.append((name, section))
    return done


def machine_description():
    """CPU, cores, thread settings and library versions, as a dict."""
    from importlib.metadata import PackageNotFoundError, version

    versions = {"python": platform.python_version()}
    for package in ("fastsaga", "numpy", "scipy", "scikit-learn", "numba",
                    "cython", "threadpoolctl", "cyanure", "matplotlib"):
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            continue
    return {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "cpu": _cpu_model(),
        "logical_cpus": os.cpu_count(),
        "cores_used": 1,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "platform": platform.platform(),
        "blas": sorted({
            f"{info['internal_api']} {info.get('version')}"
            for info in threadpool_info() if info["user_api"] == "blas"
        }),
        "threads": SINGLE_THREAD,
        "versions": versions,
    }


def _cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _write(context, sections, machine):
    versions = ", ".join(f"{k} {v}" for k, v in machine["versions"].items())
    header = [
        "# fastsaga benchmark report",
        "",
        f"Problem: {context.problem().name}" + (
            " (--quick: a tiny synthetic problem, not a measurement)"
            if context.quick else ""
        ) + f"; {machine['date']}.",
        "",
        f"Machine: {machine['cpu']}, {machine['logical_cpus']} logical CPUs, "
        f"{machine['cores_used']} core used (threads pinned to 1: "
        f"{', '.join(machine['threads'])}); load average at the end "
        f"{machine['load_average']}; BLAS {', '.join(machine['blas'])}; "
        f"{machine['platform']}.",
        "",
        f"Versions: {versions}.",
    ]
    body = [f"## {s['title']}\n\n{s['markdown']}" for _, s in sections]
    (context.out_dir / "report.md").write_text(
        "\n".join(header) + "\n\n" + "\n\n".join(body) + "\n"
    )
    raw = {
        "machine": machine,
        "options": {"repeats": context.repeats, "quick": context.quick,
                    "budget": context.budget},
        "sections": {name: s["data"] for name, s in sections},
        "figures": [f for _, s in sections for f in s.get("figures", [])],
    }
    (context.out_dir / "report.json").write_text(
        json.dumps(raw, indent=1, default=_jsonable)
    )
    context.progress(f"report written to {context.out_dir / 'report.md'}")


def _jsonable(value):
    """JSON for what ``json`` cannot write (NumPy scalars and arrays)."""
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def main(argv=None):
    """Run the report from the command line; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.readme is not None:
        problem = readme.usage_problem(args.readme, args.sections)
        if problem:
            parser.error(problem)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
