"""Tests of the command line: ``fastsaga mnist`` end to end, and its errors."""

import re
import subprocess
import sys

import matplotlib.image
import pytest

import fastsaga.__main__ as cli
from fastsaga.plot import plot_coefficients

# The lines `fastsaga mnist` prints on stdout; the first two and the last are
# the seed example's formats.
RESULT_LINES = {
    "sparsity": r"Sparsity with L1 penalty: (\d+\.\d\d)%",
    "score": r"Test score with L1 penalty: (\d\.\d{4})",
    "fit_time": r"Fit time: (\d+\.\d{3}) s \((\w+)\)",
    "epochs": r"Epochs: (\d+)",
    "objective": r"Objective F on the training data: (\d+\.\d{6})",
    "gap": r"Duality gap (\S+): F is certified within (\S+) % of the optimal "
    r"objective",
    "run_time": r"Example run in (\d+\.\d{3}) s",
}


def parse_results(stdout):
    """Return ``{name: groups}`` for each result line, each found exactly once."""
    lines = stdout.splitlines()
    results = {}
    for name, pattern in RESULT_LINES.items():
        matches = [re.fullmatch(pattern, line) for line in lines]
        matches = [match for match in matches if match]
        assert len(matches) == 1, f"{name!r} line not printed once in:\n{stdout}"
        results[name] = matches[0].groups()
    return results


@pytest.fixture
def figures(monkeypatch):
    """Record the figures the command draws."""
    drawn = []

    def recording_plot(*args, **kwargs):
        drawn.append(plot_coefficients(*args, **kwargs))
        return drawn[-1]

    monkeypatch.setattr(cli, "plot_coefficients", recording_plot)
    return drawn


@pytest.mark.parametrize(
    "backend, dtype",
    [("numba", "float64"), ("cython", "float64"), ("cython", "float32")],
)
def test_mnist_command_end_to_end(
    backend, dtype, mnist_dir, tmp_path, capsys, figures
):
    png = tmp_path / "coefficients.png"
    status = cli.main(
        ["mnist", "--backend", backend, "--dtype", dtype,
         "--data-dir", str(mnist_dir), "--plot", str(png)]
    )
    captured = capsys.readouterr()
    assert status == 0, captured.err
    results = parse_results(captured.out)
    assert float(results["score"][0]) >= 0.82
    assert 50.0 < float(results["sparsity"][0]) < 100.0
    assert results["fit_time"][1] == backend
    assert int(results["epochs"][0]) >= 1
    assert 0.0 < float(results["objective"][0]) < 2.3  # below log(10), the start
    gap, percent = map(float, results["gap"])
    objective = float(results["objective"][0])
    assert 0.0 <= gap < objective
    assert percent == pytest.approx(100 * gap / (objective - gap), rel=1e-2)
    assert f"Figure saved to {png}" in captured.out
    assert f"Loading MNIST (IDX files in {mnist_dir}) ..." in captured.err
    assert "Fitting" in captured.err

    image = matplotlib.image.imread(png)
    assert image.shape == (500, 1000, 4)
    assert image[..., :3].std() > 0.05  # not a blank canvas
    (figure,) = figures
    assert len(figure.axes) == 10
    assert [axes.get_xlabel() for axes in figure.axes] == [
        f"Class {digit}" for digit in range(10)
    ]


@pytest.mark.filterwarnings("error::FutureWarning")
def test_mnist_command_sklearn_backend(mnist_dir, tmp_path, capsys):
    status = cli.main(
        ["mnist", "--backend", "sklearn", "--train-samples", "1000",
         "--test-size", "2000", "--data-dir", str(mnist_dir),
         "--plot", str(tmp_path / "sklearn.png")]
    )
    captured = capsys.readouterr()
    assert status == 0, captured.err
    results = parse_results(captured.out)
    assert results["fit_time"][1] == "sklearn"
    assert float(results["score"][0]) > 0.7
    assert float(results["gap"][0]) >= 0.0  # scikit-learn's fit is certified too


def test_missing_data_is_one_line(tmp_path, capsys, no_openml):
    status = cli.main(["mnist", "--data-dir", str(tmp_path)])
    captured = capsys.readouterr()
    assert status == 1
    progress, line = captured.err.strip().splitlines()
    assert progress == (
        "Loading MNIST (fetch_openml: scikit-learn's cache or the network) ..."
    )
    assert line.startswith("fastsaga mnist: error: MNIST not found:")
    assert str(tmp_path) in line
    assert captured.out == ""


def test_impossible_split_is_one_line(mnist_dir, capsys):
    status = cli.main(
        ["mnist", "--train-samples", "65000", "--data-dir", str(mnist_dir)]
    )
    error_lines = capsys.readouterr().err.strip().splitlines()
    assert status == 1
    assert error_lines[-1].startswith("fastsaga mnist: error: ")
    assert "train_size and test_size" in error_lines[-1]


@pytest.mark.parametrize(
    "option, value, message",
    [
        ("--C", "-1", "argument --C: must be > 0, got -1"),
        ("--C", "nan", "argument --C: must be > 0, got nan"),
        ("--train-samples", "0", "argument --train-samples: must be > 0, got 0"),
        ("--train-samples", "1.5", "expected int, got '1.5'"),
        ("--tol", "-0.1", "argument --tol: must be >= 0, got -0.1"),
        ("--backend", "gpu", "argument --backend: invalid choice: 'gpu'"),
        ("--dtype", "float16", "argument --dtype: invalid choice: 'float16'"),
    ],
)
def test_bad_options_exit_with_one_line(option, value, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["mnist", option, value])
    assert exit_info.value.code == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("fastsaga mnist: error: ")
    assert message in line


def test_python_dash_m_entry_point():
    """``python -m fastsaga`` runs main; an error is one line, no traceback."""
    failed = subprocess.run(
        [sys.executable, "-m", "fastsaga", "mnist", "--C", "-1"],
        capture_output=True, text=True, timeout=120,
    )
    assert failed.returncode == 2
    assert failed.stderr.splitlines() == [
        "fastsaga mnist: error: argument --C: must be > 0, got -1 "
        "(see fastsaga mnist --help)"
    ]


def test_help_lists_the_commands(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--help"])
    assert exit_info.value.code == 0
    assert "mnist" in capsys.readouterr().out


def test_benchmarks_are_not_a_command(capsys):
    """The benchmark report is ``python bench/report.py``, outside the package."""
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["bench"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'bench'" in capsys.readouterr().err


def test_a_command_is_required(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main([])
    assert exit_info.value.code == 2
    assert "required: COMMAND" in capsys.readouterr().err
