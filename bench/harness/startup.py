"""Section: fresh processes: the whole example, and Numba's cold start.

The seed's headline figure is the run time of its whole script (imports,
loading, fit, figure), so ``fastsaga mnist`` and the seed's script (adapted
to load MNIST from the IDX files, ``seed_example.py``) are each timed in a
new process, with Numba's on-disk cache warm.  Numba's cold start is the
time the first fit of a new process takes over the second, with the on-disk
cache warm and with an empty one.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ._context import SINGLE_THREAD
from ._format import ratio, seconds, table
from ._solvers import median

# Scripts run in new processes (the package need not be importable there).
SEED_EXAMPLE = Path(__file__).with_name("seed_example.py")
FIRST_FIT = Path(__file__).with_name("first_fit.py")
_EXAMPLE_RUN = re.compile(r"Example run in ([0-9.]+) s")
PROCESS_TIMEOUT = 600


def fresh_environment(**extra):
    """The environment of a benchmarked process: one thread, no display."""
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    return {**env, **SINGLE_THREAD, "MPLBACKEND": "Agg", **extra}


def timed_process(command, env, cwd):
    """Run ``command``; return ``(wall seconds, stdout)``."""
    start = time.perf_counter()
    completed = subprocess.run(
        command, env=env, cwd=cwd, capture_output=True, text=True,
        timeout=PROCESS_TIMEOUT,
    )
    wall = time.perf_counter() - start
    if completed.returncode != 0:
        raise RuntimeError(
            f"{' '.join(map(str, command))} failed ({completed.returncode}):\n"
            f"{completed.stderr[-2000:]}"
        )
    return wall, completed.stdout


def numba_cold_start(cache_dir=None):
    """Time a new process's first and second fit; ``cache_dir`` None is warm.

    With a ``cache_dir`` (empty), Numba compiles the kernels in the first fit;
    without, it loads them from its usual on-disk cache, which the caller
    has warmed.
    """
    extra = {} if cache_dir is None else {"NUMBA_CACHE_DIR": str(cache_dir)}
    wall, out = timed_process(
        [sys.executable, str(FIRST_FIT)],
        fresh_environment(**extra), cwd=None,
    )
    fits = json.loads(out.strip().splitlines()[-1])
    return {**fits, "added": fits["first_fit"] - fits["second_fit"], "process": wall}


def _cold_start(context):
    if not context.quick:
        numba_cold_start()  # warms the usual cache (--quick trusts it is)
    runs = {"warm on-disk cache": [], "empty cache": []}
    for _ in range(context.repeats):
        runs["warm on-disk cache"].append(numba_cold_start())
        with tempfile.TemporaryDirectory() as empty:
            runs["empty cache"].append(numba_cold_start(Path(empty)))
    data = {
        mode: {key: median([r[key] for r in rs]) for key in rs[0]}
        for mode, rs in runs.items()
    }
    for mode, d in data.items():
        context.progress(
            f"Numba cold start, {mode}: first fit {d['first_fit']:.3f} s, "
            f"second {d['second_fit']:.3f} s"
        )
    return data


def _example_commands(context, directory):
    data_dir = [] if context.mnist_dir is None else ["--data-dir", context.mnist_dir]
    return {
        "fastsaga mnist": [
            sys.executable, "-m", "fastsaga", "mnist",
            "--plot", str(directory / "fastsaga_mnist.png"), *data_dir,
        ],
        "seed script (scikit-learn saga)": [sys.executable, str(SEED_EXAMPLE)],
    }


def _whole_example(context):
    env = fresh_environment()
    if context.mnist_dir is not None:
        env["FASTSAGA_MNIST_DIR"] = context.mnist_dir
    runs = {}
    with tempfile.TemporaryDirectory() as directory:
        commands = _example_commands(context, Path(directory))
        timed_process(commands["fastsaga mnist"], env, directory)  # warms Numba's cache
        for _ in range(context.repeats):
            for name, command in commands.items():
                wall, out = timed_process(command, env, directory)
                reported = float(_EXAMPLE_RUN.search(out).group(1))
                runs.setdefault(name, []).append(
                    {"process": wall, "reported": reported}
                )
                context.progress(f"whole example, {name}: {wall:.2f} s")
    return {
        name: {key: median([r[key] for r in rs]) for key in rs[0]}
        for name, rs in runs.items()
    }


def _markdown(example, cold):
    parts = []
    if example is None:
        parts.append("The whole example is not run with --quick (it needs MNIST).")
    else:
        seed = example["seed script (scikit-learn saga)"]
        parts.append(table(
            ("command", "process wall time", "vs seed", "'Example run in' (printed)"),
            [
                (name, seconds(d["process"]), ratio(seed["process"], d["process"]),
                 seconds(d["reported"]))
                for name, d in example.items()
            ],
        ))
        parts.append(
            "Each in a new process (interpreter start, imports, loading MNIST "
            "from the IDX files, fit at tol = 0.1, figure saved), Numba's "
            "cache warm; the seed's script differs from the original only in "
            "loading MNIST with fastsaga.datasets.load_mnist instead of "
            "fetch_openml and in not calling plt.show()."
        )
    parts.append(table(
        ("Numba cache", "first fit", "second fit", "added by the first fit",
         "process wall time"),
        [
            (mode, seconds(d["first_fit"]), seconds(d["second_fit"]),
             seconds(d["added"]), seconds(d["process"]))
            for mode, d in cold.items()
        ],
    ))
    parts.append(
        "Cold start: a new process fits a 500 x 784, 10-class float64 problem "
        "for 2 epochs twice; 'added' is the first fit's time minus the "
        "second's. The empty cache is a fresh NUMBA_CACHE_DIR."
    )
    return "\n\n".join(parts)


def run(context):
    example = None if context.quick else _whole_example(context)
    cold = _cold_start(context)
    return {
        "title": "Fresh processes: the whole example, Numba's cold start",
        "markdown": _markdown(example, cold),
        "data": {"whole_example": example, "numba_cold_start": cold},
    }
