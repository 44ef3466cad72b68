"""fastsaga: L1, L2 and elastic-net logistic regression by proximal SAGA, fast.

One scikit-learn estimator, :class:`LogisticRegression`, over two compiled
kernels (``backend="numba"`` or ``backend="cython"``).
"""

from ._cv import LogisticRegressionCV
from ._estimator import LogisticRegression
from .datasets import load_mnist, mnist_seed_split

# The one place the version is written: pyproject.toml reads this literal.
__version__ = "0.1.0"

__all__ = [
    "LogisticRegression",
    "LogisticRegressionCV",
    "__version__",
    "load_mnist",
    "mnist_seed_split",
]
