"""What every section shares: the problem, its optimum, options, progress."""

import hashlib
import os
import sys
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from fastsaga import _problem
from fastsaga.datasets import load_mnist, mnist_seed_split

# One thread for every library, in the report's process and in the processes
# it starts: the figures are single-core figures, but for the rows that give
# fastsaga two threads (its n_jobs, which sets numba's and OpenMP's threads
# itself).
SINGLE_THREAD = {
    name: "1"
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
}

# The seed example's settings: C = 50 / train_samples, L1.
SEED_TRAIN_SAMPLES = 5000
SEED_TEST_SIZE = 10000
SEED_C = 50.0 / SEED_TRAIN_SAMPLES


@dataclass(frozen=True)
class Problem:
    """An L1 multinomial logistic problem with a held-out test set."""

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    C: float

    @cached_property
    def classes(self):
        return np.unique(self.y_train)

    @cached_property
    def y_index(self):
        """Training labels as class indices (``classes[y_index] == y_train``)."""
        return np.searchsorted(self.classes, self.y_train).astype(np.intp)

    @property
    def shape(self):
        """``(n, d, K)``: samples, features, rows of ``W``."""
        n, d = self.X_train.shape
        return n, d, len(self.classes)

    @cached_property
    def penalty(self):
        """``(alpha, beta)`` of ``F`` for L1 at this ``C``."""
        return _problem.penalty_strengths(self.C, 1.0, self.X_train.shape[0])

    @cached_property
    def key(self):
        """A digest of the data and ``C``, naming cached results."""
        digest = hashlib.sha256()
        for array in (self.X_train, self.y_index):
            digest.update(np.ascontiguousarray(array).tobytes())
        digest.update(repr((self.C, "l1", "intercept")).encode())
        return digest.hexdigest()[:16]

    def objective(self, W, b):
        """Return ``F(W, b)`` in float64 on the training set."""
        alpha, beta = self.penalty
        return _problem.objective(
            self.X_train, self.y_index, np.asarray(W, np.float64),
            np.asarray(b, np.float64), np.ones(self.X_train.shape[0]),
            alpha, beta,
        )


def seed_problem(mnist_dir=None):
    """The seed problem: MNIST, seed split (random_state 0), C = 0.01."""
    X, y = load_mnist(mnist_dir)
    X_train, X_test, y_train, y_test = mnist_seed_split(
        X, y, train_samples=SEED_TRAIN_SAMPLES, test_size=SEED_TEST_SIZE,
        random_state=0,
    )
    return Problem("MNIST seed split", X_train, y_train, X_test, y_test, SEED_C)


def quick_problem():
    """A small synthetic problem of the same kind, for ``--quick``."""
    from sklearn.datasets import make_classification
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    X, y = make_classification(
        n_samples=900, n_features=40, n_informative=12, n_classes=4,
        random_state=0,
    )
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, train_size=600, random_state=0
    )
    scaler = StandardScaler().fit(X_train)
    return Problem(
        "synthetic (quick)", scaler.transform(X_train), y_train,
        scaler.transform(X_test), y_test, C=0.05,
    )


def default_cache_dir():
    """``$FASTSAGA_CACHE_DIR``, else ``~/.cache/fastsaga``."""
    return Path(
        os.environ.get("FASTSAGA_CACHE_DIR") or Path.home() / ".cache" / "fastsaga"
    )


@dataclass
class Context:
    """Options and shared, lazily built inputs of one report run."""

    out_dir: Path
    cache_dir: Path
    repeats: int = 3
    quick: bool = False
    mnist_dir: str = None
    sklearn_data_home: str = None
    budget: float = 40.0
    results: dict = field(default_factory=dict)
    _start: float = field(default_factory=time.perf_counter)

    def progress(self, message):
        elapsed = time.perf_counter() - self._start
        print(f"[{elapsed:7.1f} s] {message}", file=sys.stderr, flush=True)

    @cached_property
    def _problem(self):
        if self.quick:
            return quick_problem()
        self.progress("loading MNIST and making the seed split")
        return seed_problem(self.mnist_dir)

    def problem(self):
        return self._problem

    @cached_property
    def _optimum(self):
        from ._optimum import reference_optimum

        return reference_optimum(self.problem(), self.cache_dir, self.progress)

    def optimum(self):
        return self._optimum
