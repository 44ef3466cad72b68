"""Shared fixtures: the backends and small, non-separable test problems."""

import os
import urllib.error
from pathlib import Path

import pytest
from _reference import make_data

BACKENDS = ["numba", "cython"]


@pytest.fixture(params=BACKENDS)
def backend(request):
    """Run the test once per compiled kernel."""
    return request.param


@pytest.fixture
def binary_data():
    return make_data(2)


@pytest.fixture
def multiclass_data():
    return make_data(3)


@pytest.fixture(scope="session")
def mnist_dir():
    """The MNIST IDX directory named by FASTSAGA_MNIST_DIR, as an absolute path.

    Fails (never skips) when it is missing: CI sets it (``.ci/run``).
    """
    value = os.environ.get("FASTSAGA_MNIST_DIR")
    if not value or not Path(value).is_dir():
        pytest.fail(
            f"FASTSAGA_MNIST_DIR={value!r} is not a directory: set it to the "
            "directory of the four MNIST IDX files (../shared/mnist here)."
        )
    return Path(value).resolve()


@pytest.fixture(scope="session")
def sklearn_data_home():
    """scikit-learn's data home holding the 20 newsgroups cache, absolute.

    ``FASTSAGA_SKLEARN_DATA``, else ``../shared/sklearn_data`` next to the
    repository.  Fails (never skips) when it lacks
    ``20newsgroup_vectorized_py3.pkl``.
    """
    default = Path(__file__).resolve().parents[2] / "shared" / "sklearn_data"
    value = os.environ.get("FASTSAGA_SKLEARN_DATA") or str(default)
    if not (Path(value) / "20newsgroup_vectorized_py3.pkl").is_file():
        pytest.fail(
            f"FASTSAGA_SKLEARN_DATA={value!r} does not hold "
            "20newsgroup_vectorized_py3.pkl: set it to a scikit-learn data "
            "home with the 20 newsgroups cache (../shared/sklearn_data here)."
        )
    return Path(value).resolve()


@pytest.fixture
def no_openml(monkeypatch):
    """Make fetch_openml fail as it does offline, without touching the network."""

    def offline(*args, **kwargs):
        raise urllib.error.URLError("[Errno -2] Name or service not known")

    monkeypatch.setattr("fastsaga.datasets.fetch_openml", offline)
