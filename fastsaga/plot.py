"""Figures: the examples' (MNIST coefficient images, 20 newsgroups accuracy
against time, L1 regularisation path), convergence curves.

Figures that are only saved are plain :class:`matplotlib.figure.Figure`
objects, rendered by Agg: they never touch pyplot or the user's backend.
pyplot is imported only to open a window, and matplotlib itself only when a
figure is drawn: importing this module (as the command line does) does not
load it.
"""

import numpy as np

MNIST_IMAGE_SHAPE = (28, 28)
# The seed's grid: one panel per digit, two rows of five.
_COEFFICIENT_GRID = (2, 5)
# scikit-learn's regularisation path example: the IBM colour-blind-safe
# palette, one colour per iris feature (cycled beyond four).
_PATH_COLOURS = ("#648FFF", "#785EF0", "#DC267F", "#FE6100")


def plot_coefficients(coef, path=None, show=False):
    """Draw one 28x28 image per class of a multinomial MNIST model.

    The figure of scikit-learn's example "MNIST classification using
    multinomial logistic + L1": ten panels (two rows of five), the ``RdBu``
    colour map on a scale symmetric around 0 (``vmin=-scale, vmax=scale``
    with ``scale = max|coef|``), each labelled ``"Class i"``, under the title
    ``"Classification vector for..."``.

    Parameters
    ----------
    coef : array-like of shape (10, 784)
        The fitted ``coef_``, one row per digit.
    path : str or path-like, default=None
        Where to save the figure (format from the suffix, e.g. ``.png``).
    show : bool, default=False
        Open a window with pyplot and block until it is closed.

    Returns
    -------
    figure : matplotlib.figure.Figure
    """
    coef = np.asarray(coef, dtype=np.float64)
    n_panels = _COEFFICIENT_GRID[0] * _COEFFICIENT_GRID[1]
    expected_shape = (n_panels, MNIST_IMAGE_SHAPE[0] * MNIST_IMAGE_SHAPE[1])
    if coef.shape != expected_shape:
        raise ValueError(
            f"coef must have shape {expected_shape} (one 28x28 image per "
            f"digit), got {coef.shape}."
        )
    figure = _new_figure(show, figsize=(10, 5))
    # An all-zero model (very strong penalty) still gets a valid colour scale.
    scale = np.abs(coef).max() or 1.0
    for digit, row in enumerate(coef):
        axes = figure.add_subplot(*_COEFFICIENT_GRID, digit + 1)
        axes.imshow(
            row.reshape(MNIST_IMAGE_SHAPE),
            interpolation="nearest",
            cmap="RdBu",
            vmin=-scale,
            vmax=scale,
        )
        axes.set_xticks(())
        axes.set_yticks(())
        axes.set_xlabel(f"Class {digit}")
    figure.suptitle("Classification vector for...")
    return _finish(figure, path, show)


def plot_convergence(curves, path, *, title=None):
    """Plot relative suboptimality against wall time, one line per solver.

    Both axes are logarithmic; points with a zero or negative time or
    suboptimality (a run that reached the reference optimum) cannot be drawn
    on them and are left out.

    Parameters
    ----------
    curves : dict of str -> (array-like, array-like)
        Solver name -> ``(times, suboptimalities)``: wall time in seconds and
        ``(F - F*) / F*`` at the same points.
    path : str or path-like
        Where to save the figure.
    title : str, default=None
        Title of the plot.

    Returns
    -------
    figure : matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 5), layout="constrained")
    axes = figure.add_subplot()
    for name, (times, suboptimalities) in curves.items():
        times = np.asarray(times, dtype=np.float64)
        suboptimalities = np.asarray(suboptimalities, dtype=np.float64)
        if times.shape != suboptimalities.shape or times.ndim != 1:
            raise ValueError(
                f"curve {name!r}: times and suboptimalities must be 1-d and "
                f"of the same length, got shapes {times.shape} and "
                f"{suboptimalities.shape}."
            )
        drawable = (times > 0) & (suboptimalities > 0)
        axes.loglog(
            times[drawable], suboptimalities[drawable], marker=".", label=name
        )
    axes.set_xlabel("wall time (s)")
    axes.set_ylabel("relative suboptimality (F - F*) / F*")
    axes.grid(True, which="major", alpha=0.4)
    axes.legend()
    if title is not None:
        axes.set_title(title)
    return _finish(figure, path, show=False)


def plot_accuracy_vs_time(
    curves, path=None, show=False, *, title="Multinomial Logistic L1"
):
    """Plot test accuracy against training time, one line per model.

    The figure of scikit-learn's example "Multiclass sparse logistic
    regression on 20newgroups": one line with round markers per model,
    labelled ``"Model: <name>"``, under the title ``title`` and
    ``"Dataset 20newsgroups"``.

    Parameters
    ----------
    curves : dict of str -> (array-like, array-like)
        Model name -> ``(train_times, test_accuracies)``, one point per fit
        (the example starts each line at ``(0, 1 / n_classes)``, chance).
    path : str or path-like, default=None
        Where to save the figure.
    show : bool, default=False
        Open a window with pyplot and block until it is closed.
    title : str, default="Multinomial Logistic L1"
        First line of the title (the example's ``"Multinomial vs One-vs-Rest
        Logistic L1"`` when it drew both models).

    Returns
    -------
    figure : matplotlib.figure.Figure
    """
    figure = _new_figure(show, figsize=(6.4, 4.8))
    axes = figure.add_subplot()
    for name, (times, accuracies) in curves.items():
        times = np.asarray(times, dtype=np.float64)
        accuracies = np.asarray(accuracies, dtype=np.float64)
        if times.shape != accuracies.shape or times.ndim != 1:
            raise ValueError(
                f"curve {name!r}: times and accuracies must be 1-d and of the "
                f"same length, got shapes {times.shape} and {accuracies.shape}."
            )
        axes.plot(times, accuracies, marker="o", label=f"Model: {name}")
    axes.set_xlabel("Train time (s)")
    axes.set_ylabel("Test accuracy")
    axes.legend()
    figure.suptitle(f"{title}\nDataset 20newsgroups")
    figure.tight_layout()
    figure.subplots_adjust(top=0.85)
    return _finish(figure, path, show)


def plot_regularization_path(Cs, coefs, feature_names, path=None, show=False):
    """Plot each coefficient against C (log scale): a regularisation path.

    The figure of scikit-learn's example "Regularization path of L1-
    Logistic Regression": one line with round markers per feature, labelled
    with its name, ``C`` on a logarithmic axis, the title ``"Logistic
    Regression Path"``.

    Parameters
    ----------
    Cs : array-like of shape (n_cs,)
        The inverse regularisation strengths, positive.
    coefs : array-like of shape (n_cs, n_features)
        The coefficients fitted at each C.
    feature_names : sequence of str of length n_features
        The legend's labels.
    path : str or path-like, default=None
        Where to save the figure.
    show : bool, default=False
        Open a window with pyplot and block until it is closed.

    Returns
    -------
    figure : matplotlib.figure.Figure
    """
    Cs = np.asarray(Cs, dtype=np.float64)
    coefs = np.asarray(coefs, dtype=np.float64)
    if coefs.ndim != 2 or Cs.shape != coefs.shape[:1]:
        raise ValueError(
            f"coefs must have shape (n_cs, n_features) with n_cs = {Cs.size} "
            f"Cs, got Cs of shape {Cs.shape} and coefs of shape {coefs.shape}."
        )
    if len(feature_names) != coefs.shape[1]:
        raise ValueError(
            f"{len(feature_names)} feature names for {coefs.shape[1]} "
            "coefficients."
        )
    figure = _new_figure(show, figsize=(10, 6))
    axes = figure.add_subplot()
    for feature, name in enumerate(feature_names):
        axes.semilogx(
            Cs,
            coefs[:, feature],
            marker="o",
            color=_PATH_COLOURS[feature % len(_PATH_COLOURS)],
            label=name,
        )
    axes.set_xlabel("C")
    axes.set_ylabel("Coefficients")
    axes.set_title("Logistic Regression Path")
    axes.legend()
    axes.axis("tight")
    return _finish(figure, path, show)


def _new_figure(show, figsize):
    """Return a pyplot figure when it is to be shown, a plain one otherwise."""
    if not show:
        from matplotlib.figure import Figure

        return Figure(figsize=figsize)
    from matplotlib import pyplot as plt

    return plt.figure(figsize=figsize)


def _finish(figure, path, show):
    """Save ``figure`` to ``path`` if given, show it if asked; return it."""
    if path is not None:
        figure.savefig(path)
    if show:
        from matplotlib import pyplot as plt

        plt.show()
    return figure
