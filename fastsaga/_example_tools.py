"""What the example commands share: the classifiers they compare, warnings.

Each example fits either fastsaga's :class:`~fastsaga.LogisticRegression`
(``backend="cython"`` or ``"numba"``) or, to compare times on the same
machine, scikit-learn's ``LogisticRegression`` (``"sklearn"``: its saga
solver; ``"liblinear"``: its liblinear solver).
"""

import warnings
from contextlib import contextmanager

import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.fixes import parse_version

from ._backends import BACKENDS
from ._estimator import LogisticRegression

# scikit-learn's solvers, by the name --backend gives them.
SKLEARN_SOLVERS = {"sklearn": "saga", "liblinear": "liblinear"}

# scikit-learn 1.8 deprecates ``penalty``: ``l1_ratio=1`` alone means L1.
# Before, ``l1_ratio`` is ignored (with a warning) unless penalty="elasticnet".
_L1_RATIO_ALONE = parse_version(sklearn.__version__).release[:2] >= (1, 8)


def l1_logistic(backend, **params):
    """Return an unfitted L1 logistic regression run by ``backend``.

    Parameters
    ----------
    backend : {"cython", "numba", "sklearn", "liblinear"}
        A fastsaga kernel, or one of scikit-learn's solvers
        (:data:`SKLEARN_SOLVERS`).
    **params
        Parameters both estimators take (``C``, ``tol``, ``max_iter``,
        ``random_state``, ``warm_start``, ``fit_intercept``).
    """
    if backend in BACKENDS:
        return LogisticRegression(penalty="l1", backend=backend, **params)
    if backend not in SKLEARN_SOLVERS:
        raise ValueError(
            f"unknown backend {backend!r}: expected one of "
            f"{sorted(BACKENDS) + sorted(SKLEARN_SOLVERS)}."
        )
    from sklearn.linear_model import LogisticRegression as SklearnLogistic

    penalty = {"l1_ratio": 1.0} if _L1_RATIO_ALONE else {"penalty": "l1"}
    return SklearnLogistic(solver=SKLEARN_SOLVERS[backend], **penalty, **params)


@contextmanager
def convergence_warnings():
    """Collect ``ConvergenceWarning``s instead of printing them.

    Yields the list the caught warnings are appended to; other warnings pass
    through as usual.
    """
    caught = []
    original = warnings.showwarning

    def show(message, category, *args, **kwargs):
        if issubclass(category, ConvergenceWarning):
            caught.append(message)
        else:
            original(message, category, *args, **kwargs)

    with warnings.catch_warnings():
        # "always": one warning per fit, even when the messages repeat.
        warnings.simplefilter("always", ConvergenceWarning)
        warnings.showwarning = show
        yield caught
