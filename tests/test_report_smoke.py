"""Smoke test of the benchmark report on a tiny synthetic problem (--quick).

It measures nothing; it keeps the report code (``bench/``, put on the path
by the root conftest.py) working: every section runs, and the table, the
JSON, the plot and README.md's benchmark tables (on a copy) are written.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import report
from harness import readme
from harness.convergence import EPSILONS
from harness.sparse import EPOCHS, SYNTHETIC_SCALES

# The sections README.md shows; the path section needs data sets (it is
# left to its own tests).
SMOKE_SECTIONS = readme.SECTIONS
README = Path(report.__file__).parents[1] / "README.md"


def run_quick_report(tmp_path, sections, *extra):
    """Run ``bench/report.py --quick`` in this process; return the out dir."""
    out = tmp_path / "report"
    status = report.main([
        "--quick", "--repeats", "1", "--out", str(out),
        "--cache-dir", str(tmp_path / "cache"), "--sections", ",".join(sections),
        *extra,
    ])
    assert status == 0, (out / "report.md").read_text()
    return out


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    """One quick run of the README's sections, writing a copy of README.md.

    Returns ``(out dir, README copy, README's text before the run)``.
    """
    tmp_path = tmp_path_factory.mktemp("quick")
    copy = tmp_path / "README.md"
    shutil.copyfile(README, copy)
    before = copy.read_text()
    out = run_quick_report(tmp_path, SMOKE_SECTIONS, "--readme", str(copy))
    return out, copy, before


def _outside_block(text):
    """README's text with the block between the markers cut out."""
    start, stop = readme._block_bounds(text, "README")
    return text[:start] + text[stop:]


def test_quick_report(quick_run):
    out, _, _ = quick_run

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


def test_quick_sparse_section(quick_run):
    """The sparse section on its small stand-ins: every table row measured."""
    out, _, _ = quick_run
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


def test_seed_certified_gap_bounds_suboptimality(quick_run):
    """Each solver's certified gap is an upper bound on its (F - F*)/F*."""
    out, _, _ = quick_run
    seed = json.loads((out / "report.json").read_text())["sections"]["seed"]
    for figures in seed.values():
        assert 0 <= figures["certified_gap"] < 1
        assert figures["certified_gap"] >= figures["suboptimality"] - 1e-9
    assert "| certified gap |" in (out / "report.md").read_text()


def test_readme_tables_written_between_markers(quick_run):
    out, copy, before = quick_run
    after = copy.read_text()
    assert _outside_block(after) == _outside_block(before)
    start, stop = readme._block_bounds(after, copy)
    block = after[start:stop]
    raw = json.loads((out / "report.json").read_text())
    assert block.startswith(f"Measured on {raw['machine']['cpu']}, 1 core used")
    assert raw["machine"]["date"][:10] in block.splitlines()[0]
    for heading in ("Seed settings (tol = 0.1)", "Time to eps, time per epoch",
                    "Sparse input: 20 newsgroups", "Sparse input: many features",
                    "Performance targets"):
        assert f"### {heading}" in block
    assert "| certified gap |" in block and "| GFLOP/s |" in block
    # Written again, the block is replaced, not added to.
    readme.write(copy, block)
    assert copy.read_text() == after


def test_readme_without_markers_is_a_usage_error(tmp_path, capsys):
    """Checked before anything runs, so it costs no run's time."""
    plain = tmp_path / "README.md"
    plain.write_text("# a README without the markers\n")
    with pytest.raises(SystemExit) as exit_info:
        report.main(["--quick", "--readme", str(plain)])
    assert exit_info.value.code == 2
    assert "benchmark tables: begin" in capsys.readouterr().err
    assert plain.read_text() == "# a README without the markers\n"


def test_readme_needs_its_sections(tmp_path, capsys):
    copy = tmp_path / "README.md"
    shutil.copyfile(README, copy)
    with pytest.raises(SystemExit) as exit_info:
        report.main(["--quick", "--sections", "seed", "--readme", str(copy)])
    assert exit_info.value.code == 2
    assert "--readme needs the sections" in capsys.readouterr().err


def test_readme_left_alone_when_a_section_fails(tmp_path, monkeypatch):
    copy = tmp_path / "README.md"
    shutil.copyfile(README, copy)
    before = copy.read_text()
    failed = {"title": "seed (failed)", "markdown": "boom", "data": {"error": "boom"}}
    monkeypatch.setattr(report, "_run_sections",
                        lambda context, names: [(name, failed) for name in names])
    status = report.main(["--quick", "--out", str(tmp_path / "out"),
                          "--readme", str(copy)])
    assert status == 1
    assert copy.read_text() == before


def test_report_script_runs_from_anywhere(tmp_path):
    """``python bench/report.py`` finds its harness, whatever the directory."""
    completed = subprocess.run(
        [sys.executable, report.__file__, "--help"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    for option in ("--out", "--quick", "--sections", "--sklearn-data-home",
                   "--readme"):
        assert option in completed.stdout


def test_unknown_section_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        report.main(["--sections", "seed,nope"])
    assert exit_info.value.code == 2
    assert "unknown sections ['nope']" in capsys.readouterr().err
