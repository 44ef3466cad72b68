"""Smoke test of the benchmark report on a tiny synthetic problem (--quick).

It measures nothing; it keeps the report code working: every section runs,
and the table, the JSON and the plot are written.
"""

import json

from fastsaga.__main__ import main as fastsaga_main
from fastsaga.benchmarks.convergence import EPSILONS

# Sections owned by other modules of the report that need data sets (paths,
# sparse data) are left to their own tests.
SMOKE_SECTIONS = ("seed", "startup", "convergence", "targets")


def test_quick_report(tmp_path):
    out = tmp_path / "report"
    status = fastsaga_main([
        "bench", "--quick", "--repeats", "1", "--out", str(out),
        "--cache-dir", str(tmp_path / "cache"),
        "--sections", ",".join(SMOKE_SECTIONS),
    ])
    assert status == 0

    markdown = (out / "report.md").read_text()
    assert "Machine:" in markdown and "scikit-learn" in markdown
    assert "| fastsaga numba float64 importance |" in markdown
    assert "| sklearn saga |" in markdown
    assert "Performance targets" in markdown

    raw = json.loads((out / "report.json").read_text())
    assert list(raw["sections"]) == list(SMOKE_SECTIONS)
    solvers = raw["sections"]["convergence"]["solvers"]
    assert {"sklearn saga", "fastsaga numba float64 importance",
            "fastsaga cython float32 uniform"} <= set(solvers)
    default = solvers["fastsaga numba float64 importance"]
    # The tiny problem is solved to every eps, in increasing times.
    times = [default["time_to_eps"][str(eps)] for eps in EPSILONS]
    assert all(t is not None and t > 0 for t in times)
    assert times == sorted(times)
    assert default["per_epoch"] > 0
    optimum = raw["sections"]["convergence"]["optimum"]
    assert optimum["disagreement"] < 1e-8
    seed = raw["sections"]["seed"]
    assert set(seed) == {"numba", "cython", "sklearn"}
    assert all(0 < s["test_score"] <= 1 for s in seed.values())
    cold = raw["sections"]["startup"]["numba_cold_start"]
    assert cold["empty cache"]["first_fit"] > cold["empty cache"]["second_fit"]

    png = out / "convergence.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

