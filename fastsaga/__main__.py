"""The ``fastsaga`` command line (also ``python -m fastsaga``).

Each subcommand is one ``_add_<name>_command(subparsers)`` function that
registers its parser and, with ``set_defaults(run=...)``, the function that
runs it; adding a subcommand means writing such a function and listing it in
``COMMANDS``.  A run function takes the parsed arguments and returns the exit
status.  User errors (``ValueError``, ``OSError``) become one line on stderr
and exit status 1; bad options exit with status 2.
"""

import argparse
import sys
import time

import numpy as np

from . import __version__, _news20_example, _path_example, _problem
from ._backends import BACKENDS
from ._example_tools import l1_logistic
from .datasets import (
    find_idx_files,
    load_mnist,
    mnist_directory,
    mnist_seed_split,
)
from .plot import plot_coefficients


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line, without the usage."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _bounded(kind, minimum, *, strict):
    """Return an argparse type: ``kind`` values above ``minimum``."""
    relation = ">" if strict else ">="

    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected {kind.__name__}, got {text!r}"
            ) from None
        # Written so that NaN fails too.
        if not (value > minimum if strict else value >= minimum):
            raise argparse.ArgumentTypeError(
                f"must be {relation} {minimum}, got {text}"
            )
        return value

    return parse


def _progress(message):
    """Report a phase on stderr, leaving stdout to the results."""
    print(message, file=sys.stderr, flush=True)


def _add_figure_options(parser, default):
    """``--plot PATH`` (saved there, ``default`` unless given) and ``--show``."""
    parser.add_argument(
        "--plot", default=default, metavar="PATH",
        help="where to save the figure (default: %(default)s)",
    )
    parser.add_argument(
        "--show", action="store_true", help="also open the figure in a window"
    )


def _add_mnist_command(subparsers):
    parser = subparsers.add_parser(
        "mnist",
        help="run scikit-learn's L1 MNIST example with fastsaga",
        description=(
            "scikit-learn's example 'MNIST classification using multinomial "
            "logistic + L1': load MNIST, permute, split, standardise, fit an "
            "L1 logistic regression, print sparsity, test score and timings, "
            "and save the image of the coefficients of each class."
        ),
    )
    parser.add_argument(
        "--backend",
        choices=[*sorted(BACKENDS), "sklearn"],
        # Cython, not the estimator's default Numba: it is compiled at
        # install time, so a one-off command does not pay Numba's import and
        # cache loading (about 0.5 s, more than the whole fit).
        default="cython",
        help="fastsaga kernel, or scikit-learn's saga for comparison "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--train-samples", type=_bounded(int, 0, strict=True), default=5000,
        help="training set size (default: %(default)s)",
    )
    parser.add_argument(
        "--test-size", type=_bounded(int, 0, strict=True), default=10000,
        help="test set size (default: %(default)s)",
    )
    parser.add_argument(
        "--C", type=_bounded(float, 0, strict=True), default=None,
        help="inverse regularisation strength (default: 50 / train samples)",
    )
    parser.add_argument(
        "--tol", type=_bounded(float, 0, strict=False), default=0.1,
        help="stopping tolerance on the relative weight change "
        "(default: %(default)s, as in the example)",
    )
    parser.add_argument(
        "--max-iter", type=_bounded(int, 0, strict=True), default=100,
        help="maximum number of epochs (default: %(default)s)",
    )
    parser.add_argument(
        "--random-state", type=_bounded(int, 0, strict=False), default=0,
        help="seed of the train/test split and of the solver "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--dtype", choices=["float64", "float32"], default="float64",
        help="floating-point type of the data (default: %(default)s)",
    )
    parser.add_argument(
        "--data-dir", default=None,
        help="directory of the four MNIST IDX files (default: "
        "$FASTSAGA_MNIST_DIR, else scikit-learn's fetch_openml)",
    )
    _add_figure_options(parser, "mnist_l1_coefficients.png")
    parser.set_defaults(run=_run_mnist)


def _run_mnist(args):
    start = time.perf_counter()
    _progress(f"Loading MNIST ({_mnist_source(args.data_dir)}) ...")
    X, y = load_mnist(args.data_dir)
    _progress(f"Loaded {X.shape[0]} images in {time.perf_counter() - start:.2f} s")
    X_train, X_test, y_train, y_test = mnist_seed_split(
        X,
        y,
        train_samples=args.train_samples,
        test_size=args.test_size,
        random_state=args.random_state,
        dtype=np.dtype(args.dtype).type,
    )
    C = 50.0 / args.train_samples if args.C is None else args.C
    classifier = l1_logistic(
        args.backend, C=C, tol=args.tol, max_iter=args.max_iter,
        random_state=args.random_state,
    )
    _progress(
        f"Fitting L1 logistic regression (backend {args.backend}, C={C:g}, "
        f"tol={args.tol:g}) on {X_train.shape[0]} x {X_train.shape[1]} "
        f"{args.dtype} ..."
    )
    fit_start = time.perf_counter()
    classifier.fit(X_train, y_train)
    fit_time = time.perf_counter() - fit_start

    sparsity = np.mean(classifier.coef_ == 0) * 100
    score = classifier.score(X_test, y_test)
    gap, objective = _certificate(classifier, X_train, y_train, C)
    print(f"Sparsity with L1 penalty: {sparsity:.2f}%")
    print(f"Test score with L1 penalty: {score:.4f}")
    print(f"Fit time: {fit_time:.3f} s ({args.backend})")
    print(f"Epochs: {int(classifier.n_iter_[0])}")
    print(f"Objective F on the training data: {objective:.6f}")
    print(
        f"Duality gap {gap:.3g}: F is certified within "
        f"{100 * _problem.relative_gap(gap, objective):.3g} % of the optimal objective"
    )
    plot_coefficients(classifier.coef_, path=args.plot)
    print(f"Example run in {time.perf_counter() - start:.3f} s")
    print(f"Figure saved to {args.plot}")
    if args.show:
        # The window blocks until closed, so it opens once the timings are out.
        plot_coefficients(classifier.coef_, show=True)
    return 0


def _mnist_source(data_dir):
    """Say where :func:`load_mnist` will find MNIST, for the progress line."""
    directory = mnist_directory(data_dir)
    if directory is not None and not find_idx_files(directory)[1]:
        return f"IDX files in {directory}"
    return "fetch_openml: scikit-learn's cache or the network"


def _certificate(classifier, X, y, C):
    """Return the duality gap and ``F`` (the objective over ``C n``) on the
    training set, for scikit-learn's model as for fastsaga's."""
    from ._duality import duality_gap

    y_index = np.searchsorted(classifier.classes_, y)
    alpha, beta = _problem.penalty_strengths(C, 1.0, X.shape[0])
    return duality_gap(
        X, y_index, classifier.coef_, classifier.intercept_,
        np.ones(X.shape[0]), alpha, beta, fit_intercept=True,
    )


def _add_news20_command(subparsers):
    parser = subparsers.add_parser(
        "news20",
        help="run scikit-learn's sparse L1 20 newsgroups example with fastsaga",
        description=(
            "scikit-learn's example 'Multiclass sparse logistic regression on "
            "20newgroups' (multinomial model): the first documents of "
            "fetch_20newsgroups_vectorized(subset='all'), a stratified split "
            "with 10% for the test, L1 logistic regressions fitted for a few "
            "epochs each; print test accuracy, share of non-zero coefficients "
            "and training time of each, and save the plot of test accuracy "
            "against training time."
        ),
    )
    parser.add_argument(
        "--backend",
        choices=[*sorted(BACKENDS), "sklearn"],
        default="cython",
        help="fastsaga kernel, or scikit-learn's saga for comparison "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--data-home", default=None,
        help="scikit-learn data home holding the 20 newsgroups cache "
        "(20newsgroup_vectorized_py3.pkl); never downloads (default: "
        "scikit-learn's, $SCIKIT_LEARN_DATA or ~/scikit_learn_data)",
    )
    parser.add_argument(
        "--n-samples", type=_bounded(int, 0, strict=True), default=5000,
        help="documents used, train and test together (default: %(default)s, "
        "as in the example)",
    )
    parser.add_argument(
        "--epochs", type=_bounded(int, 0, strict=True), nargs="+",
        default=list(_news20_example.EPOCHS), metavar="N",
        help="max_iter of each fit (default: %(default)s, as in the example)",
    )
    parser.add_argument(
        "--C", type=_bounded(float, 0, strict=True), default=1.0,
        help="inverse regularisation strength (default: %(default)s)",
    )
    parser.add_argument(
        "--tol", type=_bounded(float, 0, strict=False), default=1e-4,
        help="stopping tolerance (default: %(default)s)",
    )
    parser.add_argument(
        "--random-state", type=_bounded(int, 0, strict=False), default=42,
        help="seed of the split and of the solver (default: %(default)s)",
    )
    _add_figure_options(parser, "news20_l1_accuracy.png")
    parser.set_defaults(run=_run_news20)


def _run_news20(args):
    _news20_example.run(
        backend=args.backend,
        data_home=args.data_home,
        n_samples=args.n_samples,
        epochs=args.epochs,
        C=args.C,
        tol=args.tol,
        random_state=args.random_state,
        plot=args.plot,
        show=args.show,
        progress=_progress,
    )
    return 0


def _add_path_command(subparsers):
    parser = subparsers.add_parser(
        "path",
        help="run scikit-learn's L1 regularisation path example with fastsaga",
        description=(
            "scikit-learn's example 'Regularization path of L1- Logistic "
            "Regression': iris restricted to two classes, standardised, L1 "
            "logistic regressions fitted with warm starts for Cs from "
            "l1_min_c upwards; print the time and the coefficients, and save "
            "the plot of the coefficients against C."
        ),
    )
    parser.add_argument(
        "--backend",
        choices=[*sorted(BACKENDS), "sklearn", "liblinear"],
        default="cython",
        help="fastsaga kernel, or scikit-learn's saga (sklearn) or liblinear "
        "(the example's solver) for comparison (default: %(default)s)",
    )
    parser.add_argument(
        "--n-cs", type=_bounded(int, 0, strict=True), default=16,
        help="number of values of C (default: %(default)s)",
    )
    parser.add_argument(
        "--decades", type=_bounded(float, 0, strict=False), default=1.0,
        help="the largest C is 10**DECADES times l1_min_c "
        "(default: %(default)s, as in the example)",
    )
    parser.add_argument(
        "--tol", type=_bounded(float, 0, strict=False), default=1e-6,
        help="stopping tolerance (default: %(default)s, as in the example)",
    )
    parser.add_argument(
        "--max-iter", type=_bounded(int, 0, strict=True), default=int(1e6),
        help="maximum number of epochs per C (default: %(default)s)",
    )
    parser.add_argument(
        "--random-state", type=_bounded(int, 0, strict=False), default=0,
        help="seed of the solver (default: %(default)s)",
    )
    _add_figure_options(parser, "logistic_l1_path.png")
    parser.set_defaults(run=_run_path)


def _run_path(args):
    _path_example.run(
        backend=args.backend,
        n_cs=args.n_cs,
        decades=args.decades,
        tol=args.tol,
        max_iter=args.max_iter,
        random_state=args.random_state,
        plot=args.plot,
        show=args.show,
        progress=_progress,
    )
    return 0


# One registering function per subcommand, in the order --help lists them.
COMMANDS = (_add_mnist_command, _add_news20_command, _add_path_command)


def build_parser():
    """Return the ``fastsaga`` argument parser with every subcommand."""
    parser = _Parser(
        prog="fastsaga",
        description="Fast proximal SAGA for L1/L2/elastic-net logistic regression.",
    )
    parser.add_argument("--version", action="version", version=__version__)
    subparsers = parser.add_subparsers(
        dest="command", metavar="COMMAND", required=True
    )
    for add_command in COMMANDS:
        add_command(subparsers)
    return parser


def main(argv=None):
    """Run the ``fastsaga`` command line; return the exit status.

    Parameters
    ----------
    argv : list of str, default=None
        The arguments, ``sys.argv[1:]`` when None.
    """
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (ValueError, OSError) as error:
        print(f"fastsaga {args.command}: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"fastsaga {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
