"""Tests of the figures (fastsaga.plot)."""

import matplotlib.image
import numpy as np
import pytest
from matplotlib.figure import Figure

from fastsaga.plot import plot_coefficients, plot_convergence


def test_plot_coefficients_draws_the_seed_figure(tmp_path):
    coef = np.zeros((10, 784))
    coef[3, 100], coef[7, 500] = 2.0, -0.5
    path = tmp_path / "coef.png"
    figure = plot_coefficients(coef, path=path)
    assert isinstance(figure, Figure)
    assert figure.get_suptitle() == "Classification vector for..."
    assert len(figure.axes) == 10
    for digit, axes in enumerate(figure.axes):
        (image,) = axes.get_images()
        assert image.get_array().shape == (28, 28)
        assert image.get_clim() == (-2.0, 2.0)  # symmetric, max |coef|
        assert image.get_cmap().name == "RdBu"
        assert axes.get_xlabel() == f"Class {digit}"
        assert list(axes.get_xticks()) == [] and list(axes.get_yticks()) == []
    np.testing.assert_array_equal(
        figure.axes[3].get_images()[0].get_array().ravel(), coef[3]
    )
    assert matplotlib.image.imread(path).shape == (500, 1000, 4)


def test_plot_coefficients_all_zero_model():
    (image,) = plot_coefficients(np.zeros((10, 784))).axes[0].get_images()
    assert image.get_clim() == (-1.0, 1.0)


def test_plot_coefficients_rejects_other_shapes():
    with pytest.raises(ValueError, match=r"shape \(10, 784\).*got \(3, 784\)"):
        plot_coefficients(np.zeros((3, 784)))


def test_plot_convergence(tmp_path):
    path = tmp_path / "convergence.png"
    curves = {
        "fastsaga": ([0.1, 0.2, 0.4], [1e-1, 1e-3, 0.0]),
        "sklearn": (np.array([0.5, 1.0]), np.array([1e-1, 1e-2])),
    }
    figure = plot_convergence(curves, path, title="MNIST")
    (axes,) = figure.axes
    assert axes.get_xscale() == "log" and axes.get_yscale() == "log"
    assert axes.get_title() == "MNIST"
    lines = {line.get_label(): line for line in axes.get_lines()}
    assert set(lines) == {"fastsaga", "sklearn"}
    # The point at the optimum (suboptimality 0) cannot be drawn on a log axis.
    np.testing.assert_array_equal(lines["fastsaga"].get_xdata(), [0.1, 0.2])
    assert matplotlib.image.imread(path).ndim == 3


def test_plot_convergence_rejects_mismatched_curve(tmp_path):
    with pytest.raises(ValueError, match="curve 'bad'"):
        plot_convergence({"bad": ([1.0, 2.0], [0.1])}, tmp_path / "x.png")
