"""Tests of ``fastsaga news20`` and ``fastsaga path``, end to end, on small runs.

``news20`` reads scikit-learn's 20 newsgroups cache from the
``sklearn_data_home`` fixture (``FASTSAGA_SKLEARN_DATA``); ``path`` runs on
iris, bundled with scikit-learn.
"""

import re
import subprocess
import sys

import matplotlib.image
import numpy as np
import pytest

import fastsaga.__main__ as cli
from fastsaga import _news20_example, _path_example
from fastsaga.plot import plot_accuracy_vs_time, plot_regularization_path

# news20's small run: 900 training and 100 test documents, two fits.
NEWS20_SMALL = ["--n-samples", "1000", "--epochs", "1", "3"]

NEWS20_LINES = {
    "dataset": r"Dataset 20newsgroup, train_samples=(\d+), n_features=(\d+), "
    r"n_classes=(\d+)",
    "header": r"\[model=Multinomial, solver=saga, backend=(\w+)\] "
    r"Number of epochs: (\d+)",
    "fit": r"  test accuracy (\d\.\d{4}), non-zero coefficients (\d+\.\d{3})% "
    r"\(mean over classes\), train time (\d+\.\d{3}) s",
    "accuracy": r"Test accuracy for model multinomial: (\d\.\d{4})",
    "run_time": r"Run time \((\d+) epochs\) for model multinomial:(\d+\.\d\d)",
    "example": r"Example run in (\d+\.\d{3}) s",
}
PATH_LINES = {
    "took": r"This took (\d+\.\d{3})s \((\w+)\)",
    "example": r"Example run in (\d+\.\d{3}) s",
}
IRIS_FEATURES = [
    "sepal length (cm)", "sepal width (cm)", "petal length (cm)",
    "petal width (cm)",
]


def find_lines(stdout, patterns):
    """Return ``{name: [groups, ...]}``, each pattern's full-line matches."""
    lines = stdout.splitlines()
    return {
        name: [m.groups() for m in map(re.compile(p).fullmatch, lines) if m]
        for name, p in patterns.items()
    }


def run_cli(capsys, *argv):
    """Run ``fastsaga *argv`` in this process; return ``(out, err)``."""
    status = cli.main(list(argv))
    captured = capsys.readouterr()
    assert status == 0, captured.err
    return captured.out, captured.err


def news20_densities(stdout):
    """The per-class percentages printed after the last fit, as an array."""
    text = stdout.split("per class:\n", 1)[1].split("Run time", 1)[0]
    return np.array(text.replace("[", " ").replace("]", " ").split(), dtype=float)


def parse_path_table(stdout):
    """Return ``(Cs, n_iter, coefs)`` from the path's table."""
    lines = stdout.splitlines()
    start = next(
        i for i, line in enumerate(lines) if line.split()[:3] == [
            "C", "log10(C)", "n_iter"
        ]
    )
    assert all(name in lines[start] for name in IRIS_FEATURES)
    rows = []
    for line in lines[start + 1:]:
        fields = line.split()
        if len(fields) != 3 + len(IRIS_FEATURES):
            break
        rows.append([float(field) for field in fields])
    rows = np.array(rows)
    np.testing.assert_allclose(np.log10(rows[:, 0]), rows[:, 1], atol=2e-3)
    return rows[:, 0], rows[:, 2].astype(int), rows[:, 3:]


# --- news20 -----------------------------------------------------------------


def test_news20_backends_agree_and_plot(sklearn_data_home, tmp_path, capsys):
    """Both kernels print the example's lines with the same figures."""
    outputs = {}
    for backend in ("cython", "numba"):
        png = tmp_path / f"news20_{backend}.png"
        out, err = run_cli(
            capsys, "news20", "--backend", backend, *NEWS20_SMALL,
            "--data-home", str(sklearn_data_home), "--plot", str(png),
        )
        found = find_lines(out, NEWS20_LINES)
        assert found["dataset"] == [("900", "130107", "20")]
        assert found["header"] == [(backend, "1"), (backend, "3")]
        assert len(found["fit"]) == 2
        accuracies = [float(fit[0]) for fit in found["fit"]]
        densities = [float(fit[1]) for fit in found["fit"]]
        assert 0.05 < accuracies[0] <= accuracies[1] <= 1.0  # above chance
        assert 0.0 < densities[1] < densities[0] < 100.0  # L1 sparsifies
        assert found["accuracy"] == [(f"{accuracies[-1]:.4f}",)]
        per_class = news20_densities(out)
        assert per_class.shape == (20,)
        assert per_class.mean() == pytest.approx(densities[-1], abs=1e-3)
        assert found["run_time"][0][0] == "3"
        assert float(found["run_time"][0][1]) == pytest.approx(
            float(found["fit"][-1][2]), abs=0.006
        )
        assert len(found["example"]) == 1
        assert f"Figure saved to {png}" in out
        assert (
            f"Loading 20 newsgroups (scikit-learn's cache in {sklearn_data_home})"
            in err
        )
        assert "Loaded 1000 documents x 130107 features" in err
        assert "ConvergenceWarning" not in err  # as the example, not shown
        image = matplotlib.image.imread(png)
        assert image.shape == (480, 640, 4)
        assert image[..., :3].std() > 0.05
        # Everything but the times: the same seed gives the same iterates.
        outputs[backend] = [
            re.sub(r"\d+\.\d+ ?s|:\d+\.\d\d|backend=\w+", "", line)
            for line in out.splitlines()
            if "Figure saved" not in line
        ]
    assert outputs["cython"] == outputs["numba"]


def test_news20_against_sklearn(sklearn_data_home, tmp_path, capsys):
    png = tmp_path / "news20_sklearn.png"
    out, _ = run_cli(
        capsys, "news20", "--backend", "sklearn", "--n-samples", "1000",
        "--epochs", "2", "--data-home", str(sklearn_data_home),
        "--plot", str(png),
    )
    found = find_lines(out, NEWS20_LINES)
    assert found["header"] == [("sklearn", "2")]
    assert float(found["accuracy"][0][0]) > 0.05  # above chance (20 classes)
    assert png.stat().st_size > 0


def test_news20_without_the_cache(tmp_path, capsys):
    status = cli.main(
        ["news20", "--data-home", str(tmp_path), "--plot", str(tmp_path / "x.png")]
    )
    captured = capsys.readouterr()
    assert status == 1
    (line,) = captured.err.strip().splitlines()[-1:]
    assert line.startswith("fastsaga news20: error: 20 newsgroups not found in")
    assert str(tmp_path) in line and "--data-home" in line
    assert not (tmp_path / "x.png").exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["news20", "--n-samples", "0"],
        ["news20", "--epochs"],
        ["news20", "--epochs", "2", "0"],
        ["news20", "--backend", "liblinear"],
        ["path", "--n-cs", "0"],
        ["path", "--decades", "nan"],
        ["path", "--backend", "lbfgs"],
    ],
)
def test_bad_options_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "error:" in err


def test_plot_accuracy_vs_time_draws_the_example_figure():
    figure = plot_accuracy_vs_time(
        {"Multinomial": ([0, 0.1, 0.3], [0.05, 0.5, 0.6])}
    )
    (axes,) = figure.axes
    assert figure.get_suptitle() == "Multinomial Logistic L1\nDataset 20newsgroups"
    assert (axes.get_xlabel(), axes.get_ylabel()) == (
        "Train time (s)", "Test accuracy"
    )
    (line,) = axes.get_lines()
    assert line.get_label() == "Model: Multinomial" and line.get_marker() == "o"
    np.testing.assert_array_equal(line.get_ydata(), [0.05, 0.5, 0.6])
    with pytest.raises(ValueError, match="same length"):
        plot_accuracy_vs_time({"bad": ([0, 1], [0.5])})


# --- path -------------------------------------------------------------------


@pytest.fixture(scope="module")
def liblinear_path():
    """The example's own solver's path: the reference coefficients."""
    return _path_example.run(
        backend="liblinear", echo=lambda *args: None, progress=lambda *args: None
    )


@pytest.mark.parametrize("backend", ["cython", "numba", "sklearn"])
def test_path_command_matches_liblinear(
    backend, liblinear_path, tmp_path, capsys
):
    png = tmp_path / "path.png"
    out, err = run_cli(capsys, "path", "--backend", backend, "--plot", str(png))
    found = find_lines(out, PATH_LINES)
    assert found["took"][0][1] == backend and len(found["took"]) == 1
    assert len(found["example"]) == 1
    assert f"Figure saved to {png}" in out
    assert f"Computing regularization path (backend {backend}, 16 values" in err
    assert "stopped at max_iter" not in out

    Cs, n_iter, coefs = parse_path_table(out)
    np.testing.assert_allclose(Cs, liblinear_path.Cs, atol=5e-7)  # 6 decimals
    # The example's Cs: l1_min_c times 10**0 .. 10**1 on 16 log-spaced points.
    np.testing.assert_allclose(liblinear_path.Cs[-1] / liblinear_path.Cs[0], 10.0)
    assert (n_iter >= 1).all()
    # The same path as liblinear at tol=1e-6 (the table has 4 decimals).
    np.testing.assert_allclose(coefs, liblinear_path.coefs, atol=1e-3)
    assert (coefs[:3] == 0).all()  # the strongest penalties: all zero
    assert (coefs[-1] != 0).sum() == 3  # sepal length stays out
    image = matplotlib.image.imread(png)
    assert image.shape == (600, 1000, 4)


def test_path_reports_unconverged_fits(capsys, tmp_path):
    out, err = run_cli(
        capsys, "path", "--n-cs", "4", "--decades", "2", "--max-iter", "1",
        "--plot", str(tmp_path / "path.png"),
    )
    _, n_iter, coefs = parse_path_table(out)
    assert coefs.shape == (4, 4) and (n_iter == 1).all()
    match = re.search(r"(\d) of 4 fits stopped at max_iter=1 before reaching tol", out)
    assert match and int(match.group(1)) >= 1
    assert "ConvergenceWarning" not in err


def test_path_command_as_a_program(tmp_path):
    """``python -m fastsaga path``: results on stdout, progress on stderr."""
    completed = subprocess.run(
        [sys.executable, "-m", "fastsaga", "path", "--n-cs", "5",
         "--plot", str(tmp_path / "path.png")],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("This took ")
    assert completed.stderr.startswith("Computing regularization path")
    assert (tmp_path / "path.png").stat().st_size > 0


def test_plot_regularization_path_draws_the_example_figure():
    Cs = np.logspace(-2, -1, 3)
    coefs = np.array([[0, 0, 0, 0], [0, 0, 0.5, 0], [0, -0.1, 1.0, 0.3]])
    figure = plot_regularization_path(Cs, coefs, IRIS_FEATURES)
    (axes,) = figure.axes
    assert axes.get_title() == "Logistic Regression Path"
    assert (axes.get_xlabel(), axes.get_ylabel()) == ("C", "Coefficients")
    assert axes.get_xscale() == "log"
    lines = axes.get_lines()
    assert [line.get_label() for line in lines] == IRIS_FEATURES
    np.testing.assert_array_equal(lines[2].get_ydata(), coefs[:, 2])
    with pytest.raises(ValueError, match="3 feature names for 4"):
        plot_regularization_path(Cs, coefs, IRIS_FEATURES[:3])


def test_examples_modules_defaults_are_the_examples():
    assert _news20_example.EPOCHS == (1, 2, 5)
    parser = cli.build_parser()
    news20 = parser.parse_args(["news20"])
    assert (news20.n_samples, news20.epochs, news20.C) == (5000, [1, 2, 5], 1.0)
    assert (news20.random_state, news20.backend) == (42, "cython")
    path = parser.parse_args(["path"])
    assert (path.n_cs, path.decades, path.tol, path.max_iter) == (
        16, 1.0, 1e-6, 10**6
    )
