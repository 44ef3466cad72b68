"""Section: peak memory of a fit, fastsaga against scikit-learn's saga.

Each fit runs in a new process: the data are made there (150,000 x 784, 10
classes, no temporary copy), a first fit on 2,000 rows loads the library's
compiled code, then one epoch is fitted on all rows.  The figure compared is
the peak of the memory that fit allocates (``tracemalloc``, which sees every
NumPy array: a copy of X shows in full); the rise of the process's peak
resident size (``ru_maxrss``) is given beside it, but it also counts a
memmap's file pages as they are read and the libraries' thread stacks.
Cases: float64, float32, and a read-only ``np.memmap`` of float64.
``--quick`` uses 15,000 rows.
"""

import json
import subprocess
import sys

import numpy as np

from ._format import table

TITLE = "Peak memory of a fit"
SHAPE = (150_000, 784)
QUICK_SHAPE = (15_000, 784)
CASES = ("float64", "float32", "memmap float64")
TARGET_SHARE_OF_X = 0.25

_CHILD = r"""
import json, resource, sys, tracemalloc, warnings
import numpy as np
case, library, n, d, path = sys.argv[1:6]
n, d = int(n), int(d)
rng = np.random.default_rng(0)
dtype = np.float32 if case == "float32" else np.float64
if case.startswith("memmap"):
    X = np.load(path, mmap_mode="r")
else:
    X = rng.standard_normal((n, d), dtype=dtype)
y = rng.integers(0, 10, size=n)
if library == "fastsaga":
    from fastsaga import LogisticRegression
    model = LogisticRegression(l1_ratio=1.0, C=0.01, max_iter=1, tol=0.0)
else:
    from sklearn.linear_model import LogisticRegression
    model = LogisticRegression(
        solver="saga", l1_ratio=1.0, C=0.01, max_iter=1, tol=0.0
    )
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    # Once first, on a little of the data: the one-time cost of loading the
    # compiled code is not the fit's.
    model.fit(np.array(X[:2000]), y[:2000])
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    model.fit(X, y)
    _, allocated = tracemalloc.get_traced_memory()
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({
    "allocated_mib": allocated / 2**20,
    "peak_rise_mib": (after - before) / 1024,
    "x_mib": X.nbytes / 2**20,
}))
"""


def _measure(case, library, shape, path):
    output = subprocess.run(
        [sys.executable, "-c", _CHILD, case, library, *map(str, shape), str(path)],
        capture_output=True, text=True, check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def _write_memmap(path, shape):
    """The memmap case's file, written here: a child that wrote it would
    start its fit with those pages already counted in its peak."""
    rng = np.random.default_rng(0)
    X = np.lib.format.open_memmap(path, mode="w+", dtype=np.float64, shape=shape)
    for start in range(0, shape[0], 10_000):
        X[start : start + 10_000] = rng.standard_normal(
            (min(10_000, shape[0] - start), shape[1])
        )
    X.flush()


def run(context):
    shape = QUICK_SHAPE if context.quick else SHAPE
    path = context.out_dir / "memory-case.npy"
    results = {}
    try:
        for case in CASES:
            if case.startswith("memmap"):
                _write_memmap(path, shape)
            results[case] = {
                library: _measure(case, library, shape, path)
                for library in ("sklearn", "fastsaga")
            }
            context.progress(f"memory: {case}: {results[case]}")
    finally:
        path.unlink(missing_ok=True)
    rows = []
    for case, result in results.items():
        x_mib = result["fastsaga"]["x_mib"]
        ours, theirs = (result[library]["allocated_mib"]
                        for library in ("fastsaga", "sklearn"))
        rows.append((
            case, f"{x_mib:.0f}", f"{theirs:.1f}", f"{ours:.1f}",
            f"{(ours - theirs) / x_mib:+.1%}",
            "yes" if ours <= theirs + TARGET_SHARE_OF_X * x_mib else "**no**",
            f"{result['sklearn']['peak_rise_mib']:.0f} / "
            f"{result['fastsaga']['peak_rise_mib']:.0f}",
        ))
    markdown = table(
        ("X", "X (MiB)", "scikit-learn allocates (MiB)", "fastsaga allocates (MiB)",
         "difference, share of X", f"within +{TARGET_SHARE_OF_X:.0%} of X",
         "peak RSS rise, sklearn / fastsaga (MiB)"),
        rows,
    ) + (
        f"\n\n{shape[0]:,} x {shape[1]} samples, 10 classes, one epoch of an L1 "
        "fit, each in a new process: the peak of what the fit allocates "
        "(tracemalloc), and the rise of the process's peak resident size."
    )
    return {
        "title": TITLE,
        "markdown": markdown,
        "data": {"shape": shape, "cases": results},
        "readme": [f"### {TITLE}\n\n{markdown}"],
    }
