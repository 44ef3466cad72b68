"""Smoke test of the benchmark report on a tiny synthetic problem (--quick).

It measures nothing; it keeps the report code (``bench/``, put on the path
by the root conftest.py) working: every section runs, and the table, the
JSON and the plot are written.
"""

import json
import subprocess
import sys

import pytest

import report
from harness.convergence import EPSILONS
from harness.sparse import EPOCHS, SYNTHETIC_SCALES

# The path section needs data sets (it is left to its own tests); the
# sparse section has a smoke test of its own below.
SMOKE_SECTIONS = ("seed", "startup", "convergence", "targets")


def run_quick_report(tmp_path, sections):
    """Run ``bench/report.py --quick`` in this process; return the out dir."""
    out = tmp_path / "report"
    status = report.main([
        "--quick", "--repeats", "1", "--out", str(out),
        "--cache-dir", str(tmp_path / "cache"), "--sections", ",".join(sections),
    ])
    assert status == 0, (out / "report.md").read_text()
    return out


def test_quick_report(tmp_path):
    out = run_quick_report(tmp_path, SMOKE_SECTIONS)

    markdown = (out / "report.md").read_text()
    assert "Machine:" in markdown and "scikit-learn" in markdown
    assert "| fastsaga numba float64 importance |" in markdown
    assert "| sklearn saga |" in markdown
    assert "## Performance targets" in markdown

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


def test_quick_sparse_section(tmp_path):
    """The sparse section on its small stand-ins: every table row measured."""
    out = run_quick_report(tmp_path, ["sparse"])
    sparse = json.loads((out / "report.json").read_text())["sections"]["sparse"]
    synthetic = sparse["synthetic"]
    measured = [key for key in synthetic if key != "growth_when_d_x10"]
    # Two d for the first value scale, one for each other.
    assert len(measured) == len(SYNTHETIC_SCALES) + 1
    for key in measured:
        for backend in ("numba", "cython"):
            fit = synthetic[key][backend]
            assert fit["per_epoch"] > 0
            assert fit["epochs_run"] >= EPOCHS
    with_sklearn = [key for key in measured if "sklearn" in synthetic[key]]
    assert len(with_sklearn) == len(SYNTHETIC_SCALES)
    assert set(synthetic["growth_when_d_x10"]) == {"numba", "cython"}
    assert sparse["raw_mnist"]["sklearn saga csr"] > 0
    newsgroups = sparse["newsgroups"]
    assert 0 < newsgroups["optimum"]["test_accuracy"] <= 1
    for backend in ("numba", "cython"):
        for dtype in ("float64", "float32"):
            assert newsgroups[f"fastsaga {backend} {dtype} set-up excluded"] > 0
    markdown = (out / "report.md").read_text()
    assert "| values on [0, 1) |" in markdown and "epochs run" in markdown


def test_report_script_runs_from_anywhere(tmp_path):
    """``python bench/report.py`` finds its harness, whatever the directory."""
    completed = subprocess.run(
        [sys.executable, report.__file__, "--help"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    for option in ("--out", "--quick", "--sections", "--sklearn-data-home"):
        assert option in completed.stdout


def test_unknown_section_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        report.main(["--sections", "seed,nope"])
    assert exit_info.value.code == 2
    assert "unknown sections ['nope']" in capsys.readouterr().err
