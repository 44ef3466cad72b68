"""Time the first and the second fit of a fresh process (Numba's cold start).

Run as ``python bench/harness/first_fit.py``; prints one JSON line.
The data have the seed problem's type (float64, 784 features, 10 classes),
so the first fit compiles, or loads from Numba's cache, the same kernels.
"""

import json
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from fastsaga import LogisticRegression


def _fit_seconds(X, y):
    model = LogisticRegression(
        C=0.01, l1_ratio=1.0, tol=0.0, max_iter=2, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        model.fit(X, y)
    return time.perf_counter() - start


def main():
    rng = np.random.RandomState(0)
    X = rng.standard_normal((500, 784))
    y = np.arange(500) % 10
    first = _fit_seconds(X, y)
    second = _fit_seconds(X, y)
    print(json.dumps({"first_fit": first, "second_fit": second}))


if __name__ == "__main__":
    main()
