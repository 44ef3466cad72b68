"""``fastsaga news20``: scikit-learn's 20 newsgroups L1 example, with fastsaga.

scikit-learn's example "Multiclass sparse logistic regression on 20newgroups"
(``examples/linear_model/plot_sparse_logistic_regression_20newsgroups.py``):
the first 5000 documents of ``fetch_20newsgroups_vectorized(subset="all")``,
a stratified split with 10 % for the test (``random_state=42``), then
``LogisticRegression(solver="saga", penalty="l1", max_iter=epochs,
random_state=42)`` (``C=1``, ``tol=1e-4``) fitted for 1, 2 and 5 epochs.  It
prints each fit's test accuracy, share of non-zero coefficients and training
time, and plots test accuracy against training time.

Only the multinomial model is run: the example's other model, one-vs-rest
(scikit-learn's ``OneVsRestClassifier`` around the same classifier), is left
out.  As in the example, the fits stop at ``max_iter`` on purpose and their
``ConvergenceWarning`` is not shown.
"""

import time
from dataclasses import dataclass, field

import numpy as np

from ._example_tools import convergence_warnings, l1_logistic
from .datasets import load_news20, news20_data_home, news20_split
from .plot import plot_accuracy_vs_time

# The example's numbers of epochs for the multinomial model.
EPOCHS = (1, 2, 5)
MODEL, MODEL_NAME = "multinomial", "Multinomial"


@dataclass
class News20Result:
    """What a run measured, one entry per fit after the chance-level start.

    As in the example, ``times``, ``accuracies`` and ``densities`` start with
    the chance level: ``0`` s, ``1 / n_classes`` and ``1``.
    """

    epochs: list = field(default_factory=list)
    times: list = field(default_factory=list)
    accuracies: list = field(default_factory=list)
    densities: list = field(default_factory=list)
    run_time: float = 0.0


def run(
    *,
    backend="cython",
    data_home=None,
    n_samples=5000,
    epochs=EPOCHS,
    C=1.0,
    tol=1e-4,
    random_state=42,
    plot=None,
    show=False,
    echo=print,
    progress=print,
):
    """Run the example; print its lines with ``echo``, phases with ``progress``.

    Parameters
    ----------
    backend : {"cython", "numba", "sklearn"}
        fastsaga's kernel, or scikit-learn's saga.
    data_home : str or path-like, default=None
        scikit-learn's data home with the 20 newsgroups cache (see
        :func:`fastsaga.datasets.load_news20`).
    n_samples : int, default=5000
        Documents used (the first ones), train and test together.
    epochs : sequence of int, default=(1, 2, 5)
        ``max_iter`` of each fit.
    C, tol, random_state
        The classifier's; ``random_state`` also seeds the split.
    plot : str or path-like, default=None
        Where to save the figure.
    show : bool, default=False
        Open the figure in a window at the end.

    Returns
    -------
    News20Result
    """
    epochs = [int(max_iter) for max_iter in epochs]
    if not epochs or min(epochs) < 1:
        raise ValueError(f"epochs must be positive integers, got {epochs}.")
    start = time.perf_counter()
    directory = news20_data_home(data_home)
    progress(f"Loading 20 newsgroups (scikit-learn's cache in {directory}) ...")
    X, y = load_news20(directory, n_samples=n_samples)
    progress(
        f"Loaded {X.shape[0]} documents x {X.shape[1]} features in "
        f"{time.perf_counter() - start:.2f} s"
    )
    X_train, X_test, y_train, y_test = news20_split(
        X, y, random_state=random_state
    )
    train_samples, n_features = X_train.shape
    n_classes = np.unique(y).shape[0]
    echo(
        f"Dataset 20newsgroup, train_samples={train_samples}, "
        f"n_features={n_features}, n_classes={n_classes}"
    )

    result = News20Result(
        times=[0.0], accuracies=[1 / n_classes], densities=[1.0]
    )
    for max_iter in epochs:
        echo(
            f"[model={MODEL_NAME}, solver=saga, backend={backend}] "
            f"Number of epochs: {max_iter}"
        )
        classifier = l1_logistic(
            backend, C=C, tol=tol, max_iter=max_iter, random_state=random_state
        )
        with convergence_warnings():
            fit_start = time.perf_counter()
            classifier.fit(X_train, y_train)
            train_time = time.perf_counter() - fit_start
        accuracy = np.mean(classifier.predict(X_test) == y_test)
        density = np.mean(classifier.coef_ != 0, axis=1) * 100
        echo(
            f"  test accuracy {accuracy:.4f}, non-zero coefficients "
            f"{density.mean():.3f}% (mean over classes), train time "
            f"{train_time:.3f} s"
        )
        result.epochs.append(max_iter)
        result.times.append(train_time)
        result.accuracies.append(accuracy)
        result.densities.append(density)

    echo(f"Test accuracy for model {MODEL}: {result.accuracies[-1]:.4f}")
    echo(
        f"% non-zero coefficients for model {MODEL}, per class:\n "
        f"{result.densities[-1]}"
    )
    echo(
        f"Run time ({result.epochs[-1]} epochs) for model {MODEL}:"
        f"{result.times[-1]:.2f}"
    )
    curves = {f"{MODEL_NAME} ({backend})": (result.times, result.accuracies)}
    if plot is not None:
        plot_accuracy_vs_time(curves, path=plot)
    result.run_time = time.perf_counter() - start
    echo(f"Example run in {result.run_time:.3f} s")
    if plot is not None:
        echo(f"Figure saved to {plot}")
    if show:
        # The window blocks until closed, so it opens once the timings are out.
        plot_accuracy_vs_time(curves, show=True)
    return result
