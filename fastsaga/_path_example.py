"""``fastsaga path``: scikit-learn's L1 regularisation path example, with fastsaga.

scikit-learn's example "Regularization path of L1- Logistic Regression"
(``examples/linear_model/plot_logistic_path.py``): iris without its third
class (100 flowers, 4 features), 16 values of C from ``l1_min_c(X, y,
loss="log")`` (computed on the unscaled features, as there) to ten times it,
evenly spaced on a log scale, and for each, in increasing order,
``make_pipeline(StandardScaler(), LogisticRegression(penalty="l1",
tol=1e-6, max_iter=int(1e6), warm_start=True, fit_intercept=False))``
refitted with the new C.  Each fit starts from the previous coefficients.
The figure shows each coefficient against C.

The example's solver is liblinear (``--backend liblinear``); fastsaga's
saga is compared with scikit-learn's saga (``--backend sklearn``).  The
example prints nothing; this prints the time the path took (as the
example's earlier versions did: "This took ...s") and the coefficients.
"""

import time
from dataclasses import dataclass

import numpy as np
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import l1_min_c

from ._example_tools import convergence_warnings, l1_logistic
from .datasets import load_iris_binary
from .plot import plot_regularization_path


@dataclass
class PathExampleResult:
    """The path: ``coefs[k]`` (one per feature) was fitted at ``Cs[k]``."""

    Cs: np.ndarray
    coefs: np.ndarray
    n_iter: np.ndarray
    feature_names: list
    path_time: float
    run_time: float = 0.0


def regularization_cs(X, y, *, n_cs=16, decades=1.0):
    """The example's Cs: ``l1_min_c(X, y, loss="log") * np.logspace(0,
    decades, n_cs)``, from the smallest C that gives a non-zero model (with
    an intercept, on ``X`` as given) upwards."""
    return l1_min_c(X, y, loss="log") * np.logspace(0, decades, n_cs)


def run(
    *,
    backend="cython",
    n_cs=16,
    decades=1.0,
    tol=1e-6,
    max_iter=int(1e6),
    random_state=0,
    plot=None,
    show=False,
    echo=print,
    progress=print,
):
    """Run the example; print its lines with ``echo``, phases with ``progress``.

    Parameters
    ----------
    backend : {"cython", "numba", "sklearn", "liblinear"}
        fastsaga's kernel, or scikit-learn's saga or liblinear.
    n_cs : int, default=16
        Number of values of C.
    decades : float, default=1.0
        The largest C is ``10**decades`` times the smallest.
    tol, max_iter, random_state
        The classifier's (the example leaves ``random_state`` unset).
    plot : str or path-like, default=None
        Where to save the figure.
    show : bool, default=False
        Open the figure in a window at the end.

    Returns
    -------
    PathExampleResult
    """
    start = time.perf_counter()
    X, y, feature_names = load_iris_binary()
    Cs = regularization_cs(X, y, n_cs=n_cs, decades=decades)
    classifier = make_pipeline(
        StandardScaler(),
        l1_logistic(
            backend, tol=tol, max_iter=max_iter, warm_start=True,
            fit_intercept=False, random_state=random_state,
        ),
    )
    model = classifier[-1]
    progress(
        f"Computing regularization path (backend {backend}, {n_cs} values of "
        f"C from {Cs[0]:.6g} to {Cs[-1]:.6g}, tol={tol:g}) on "
        f"{X.shape[0]} x {X.shape[1]} ..."
    )
    coefs, n_iter = [], []
    with convergence_warnings() as unconverged:
        path_start = time.perf_counter()
        for C in Cs:
            classifier.set_params(logisticregression__C=C)
            classifier.fit(X, y)
            coefs.append(model.coef_.ravel().copy())
            n_iter.append(int(np.max(model.n_iter_)))
        path_time = time.perf_counter() - path_start
    result = PathExampleResult(
        Cs=Cs,
        coefs=np.array(coefs),
        n_iter=np.array(n_iter),
        feature_names=feature_names,
        path_time=path_time,
    )
    echo(f"This took {path_time:.3f}s ({backend})")
    for line in _table(result):
        echo(line)
    if unconverged:
        echo(
            f"{len(unconverged)} of {n_cs} fits stopped at max_iter={max_iter} "
            "before reaching tol"
        )
    if plot is not None:
        plot_regularization_path(Cs, result.coefs, feature_names, path=plot)
    result.run_time = time.perf_counter() - start
    echo(f"Example run in {result.run_time:.3f} s")
    if plot is not None:
        echo(f"Figure saved to {plot}")
    if show:
        # The window blocks until closed, so it opens once the timings are out.
        plot_regularization_path(Cs, result.coefs, feature_names, show=True)
    return result


def _table(result):
    """Yield the path as a table: C, log10(C), n_iter, one column per feature."""
    names = result.feature_names
    widths = [max(len(name), 9) for name in names]
    yield "  ".join(
        ["C".rjust(10), "log10(C)".rjust(8), "n_iter".rjust(7)]
        + [name.rjust(width) for name, width in zip(names, widths, strict=True)]
    )
    rows = zip(result.Cs, result.coefs, result.n_iter, strict=True)
    for C, coef, n_iter in rows:
        yield "  ".join(
            [f"{C:10.6f}", f"{np.log10(C):8.3f}", f"{n_iter:7d}"]
            + [
                f"{value:{width}.4f}"
                for value, width in zip(coef, widths, strict=True)
            ]
        )
