"""MNIST for the seed example: the loader and the seed's train/test split.

:func:`load_mnist` returns what ``fetch_openml("mnist_784", version=1,
return_X_y=True, as_frame=False)`` returns, read from the four standard IDX
files when a directory holds them (no network), and from scikit-learn's
``fetch_openml`` otherwise.  :func:`mnist_seed_split` is the preprocessing of
scikit-learn's example "MNIST classification using multinomial logistic + L1".

Decoding the IDX files takes about 0.2 s (gzip inflates 10 MB), so the parsed
arrays are not cached on disk.

The data of two more scikit-learn examples: :func:`load_news20` and
:func:`news20_split` for "Multiclass sparse logistic regression on
20newgroups" (scikit-learn's cached copy only, never the network), and
:func:`load_iris_binary` for "Regularization path of L1- Logistic
Regression".
"""

import gzip
import os
import warnings
import zlib
from numbers import Integral
from pathlib import Path

import numpy as np
from sklearn.datasets import (
    fetch_20newsgroups_vectorized,
    fetch_openml,
    get_data_home,
    load_iris,
)
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, validate_params
from sklearn.utils.validation import check_X_y

MNIST_DIR_VARIABLE = "FASTSAGA_MNIST_DIR"

# The four files of the MNIST distribution, in OpenML's order (the 60,000
# training images first), as (images, labels) pairs.
MNIST_IDX_FILES = (
    ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
)
IMAGE_SHAPE = (28, 28)

# IDX magic number: two zero bytes, the element type (0x08 = unsigned byte,
# the only type MNIST uses), then the number of dimensions.
_UNSIGNED_BYTE = 0x08

# OpenML's mnist_784 labels are the strings "0".."9".
_DIGIT_LABELS = np.array([str(digit) for digit in range(10)], dtype=object)


class MnistNotFoundError(FileNotFoundError):
    """No source of MNIST worked: no IDX directory and no ``fetch_openml``."""


class IdxFormatError(ValueError):
    """An IDX file is truncated, corrupt, or not the MNIST file expected."""


def load_mnist(data_home=None):
    """Load MNIST as OpenML's ``mnist_784``: 70,000 images of 784 pixels.

    Sources, in this order:

    1. the directory ``data_home``, or the environment variable
       ``FASTSAGA_MNIST_DIR`` when ``data_home`` is None, if it holds the four
       standard IDX files (``train-images-idx3-ubyte``,
       ``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte``,
       ``t10k-labels-idx1-ubyte``, each raw or gzipped with a ``.gz``
       suffix);
    2. ``sklearn.datasets.fetch_openml("mnist_784", version=1)``, from
       scikit-learn's cache or the network.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Directory holding the IDX files.  None means ``FASTSAGA_MNIST_DIR``.

    Returns
    -------
    X : ndarray of shape (70000, 784), dtype float64
        Pixel values in 0..255: the 60,000 training images, then the 10,000
        test images, each flattened row by row.
    y : ndarray of shape (70000,), dtype object
        The digit of each image as a string, ``"0"`` to ``"9"``.

    Raises
    ------
    MnistNotFoundError
        A subclass of ``FileNotFoundError``: neither source worked.  The
        message says where it looked and how to provide the data.
    IdxFormatError
        A subclass of ``ValueError``: an IDX file is truncated or corrupt;
        the message names the file.

    Examples
    --------
    >>> from fastsaga import load_mnist
    >>> X, y = load_mnist("path/to/mnist")  # doctest: +SKIP
    >>> X.shape, y[:5]  # doctest: +SKIP
    ((70000, 784), array(['5', '0', '4', '1', '9'], dtype=object))
    """
    directory = mnist_directory(data_home)
    missing = []
    if directory is not None:
        files, missing = find_idx_files(directory)
        if not missing:
            return _read_idx_mnist(files)
    try:
        return _fetch_openml_mnist()
    except (OSError, ValueError, ImportError) as error:
        raise MnistNotFoundError(
            _not_found_message(directory, missing, error)
        ) from error


def mnist_directory(data_home=None):
    """Return the IDX directory to try: ``data_home``, else the environment.

    Returns None when neither ``data_home`` nor ``FASTSAGA_MNIST_DIR`` is set.
    """
    if data_home is None:
        data_home = os.environ.get(MNIST_DIR_VARIABLE) or None
    if data_home is None:
        return None
    return Path(data_home).expanduser().resolve()


def find_idx_files(directory):
    """Return ``(files, missing)`` for the four MNIST IDX files in a directory.

    ``files`` is a list of ``(images_path, labels_path)`` pairs in OpenML's
    order; a raw file is preferred over its ``.gz`` copy.  ``missing`` lists
    the names found in neither form.
    """
    files, missing = [], []
    for pair in MNIST_IDX_FILES:
        paths = []
        for name in pair:
            found = [
                directory / candidate
                for candidate in (name, name + ".gz")
                if (directory / candidate).is_file()
            ]
            if found:
                paths.append(found[0])
            else:
                missing.append(name)
        files.append(tuple(paths))
    return files, missing


def read_idx(path, ndim):
    """Read an IDX file of unsigned bytes, raw or gzipped (``.gz`` suffix).

    Parameters
    ----------
    path : str or path-like
        The file.
    ndim : int
        The number of dimensions expected (3 for images, 1 for labels).

    Returns
    -------
    array : ndarray of dtype uint8, read-only
        The array, with the shape the header gives.

    Raises
    ------
    IdxFormatError
        The magic number is not that of an ``ndim``-dimensional unsigned-byte
        IDX file, or the file length does not match the header.
    """
    path = Path(path)
    data = _read_bytes(path)
    header_size = 4 + 4 * ndim
    if len(data) < header_size:
        raise IdxFormatError(
            f"{path}: truncated IDX file: {len(data)} bytes, shorter than the "
            f"{header_size}-byte header of a {ndim}-d IDX file."
        )
    magic = int.from_bytes(data[:4], "big")
    expected_magic = (_UNSIGNED_BYTE << 8) | ndim
    if magic != expected_magic:
        raise IdxFormatError(
            f"{path}: not a {ndim}-d unsigned-byte IDX file: magic number "
            f"{magic:#010x}, expected {expected_magic:#010x}."
        )
    shape = tuple(
        int.from_bytes(data[4 + 4 * axis : 8 + 4 * axis], "big")
        for axis in range(ndim)
    )
    expected_size = header_size + int(np.prod(shape))
    if len(data) != expected_size:
        state = "truncated" if len(data) < expected_size else "corrupt"
        raise IdxFormatError(
            f"{path}: {state} IDX file: its header announces shape {shape}, "
            f"{expected_size} bytes in all, but it holds {len(data)} bytes."
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header_size).reshape(shape)


def _read_bytes(path):
    """Return the content of ``path``, inflated if its name ends in ``.gz``."""
    if path.suffix != ".gz":
        return path.read_bytes()
    with gzip.open(path) as stream:
        try:
            return stream.read()
        except (gzip.BadGzipFile, EOFError, zlib.error) as error:
            raise IdxFormatError(
                f"{path}: truncated or corrupt gzip file ({error})."
            ) from error


def _read_idx_mnist(files):
    """Read and check the IDX pairs; return ``(X, y)`` as OpenML does."""
    images, labels = [], []
    for images_path, labels_path in files:
        pair_images = read_idx(images_path, ndim=3)
        pair_labels = read_idx(labels_path, ndim=1)
        if pair_images.shape[1:] != IMAGE_SHAPE:
            raise IdxFormatError(
                f"{images_path}: images of shape {pair_images.shape[1:]}, "
                f"MNIST's are {IMAGE_SHAPE}."
            )
        if pair_images.shape[0] != pair_labels.shape[0]:
            raise IdxFormatError(
                f"{images_path} holds {pair_images.shape[0]} images but "
                f"{labels_path} holds {pair_labels.shape[0]} labels."
            )
        if pair_labels.size and pair_labels.max() >= len(_DIGIT_LABELS):
            raise IdxFormatError(
                f"{labels_path}: label {pair_labels.max()} is not a digit."
            )
        images.append(pair_images.reshape(pair_images.shape[0], -1))
        labels.append(pair_labels)
    X = np.concatenate(images, dtype=np.float64)
    y = _DIGIT_LABELS[np.concatenate(labels)]
    return X, y


def _fetch_openml_mnist():
    """Return ``mnist_784`` from scikit-learn's cache or the network."""
    with warnings.catch_warnings():
        # Without a network fetch_openml warns at every retry; the one error
        # raised by load_mnist says it all.
        warnings.filterwarnings(
            "ignore", message="A network error occurred", category=UserWarning
        )
        X, y = fetch_openml(
            "mnist_784", version=1, return_X_y=True, as_frame=False
        )
    return np.asarray(X, dtype=np.float64), np.asarray(y, dtype=object)


def _not_found_message(directory, missing, error):
    """Say where :func:`load_mnist` looked and how to provide MNIST."""
    if directory is None:
        idx_part = f"no IDX directory given (data_home and {MNIST_DIR_VARIABLE} unset)"
    else:
        idx_part = f"{directory} lacks {', '.join(missing)} (raw or .gz)"
    return (
        f"MNIST not found: {idx_part}, and fetch_openml('mnist_784') failed "
        f"({type(error).__name__}: {error}). Put the four MNIST IDX files "
        "(train-images-idx3-ubyte, train-labels-idx1-ubyte, "
        "t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, raw or .gz) in a "
        f"directory and pass it as data_home (--data-dir) or set "
        f"{MNIST_DIR_VARIABLE}, or run once with network access so that "
        "scikit-learn caches mnist_784."
    )


@validate_params(
    {
        "X": ["array-like"],
        "y": ["array-like"],
        "train_samples": [Interval(Integral, 1, None, closed="left")],
        "test_size": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def mnist_seed_split(
    X, y, *, train_samples=5000, test_size=10000, random_state=0, dtype=np.float64
):
    """Split and standardise MNIST as scikit-learn's L1 MNIST example does.

    The rows are permuted with ``check_random_state(0)``, then
    ``train_test_split(train_size=train_samples, test_size=test_size,
    random_state=random_state)`` draws the train and test sets (the example
    leaves that split unseeded), and a ``StandardScaler`` fitted on the
    training set scales both.  ``X`` and ``y`` are not modified.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The images, for example from :func:`load_mnist`.
    y : array-like of shape (n_samples,)
        The labels.
    train_samples : int, default=5000
        Size of the training set.
    test_size : int, default=10000
        Size of the test set.
    random_state : int, RandomState instance or None, default=0
        Seeds ``train_test_split``.
    dtype : {np.float64, np.float32}, default=np.float64
        dtype of the returned ``X_train`` and ``X_test`` (scaled in float64
        when ``X`` is float64, then cast).

    Returns
    -------
    X_train : ndarray of shape (train_samples, n_features)
    X_test : ndarray of shape (test_size, n_features)
    y_train : ndarray of shape (train_samples,)
    y_test : ndarray of shape (test_size,)

    Examples
    --------
    >>> from fastsaga import load_mnist, mnist_seed_split
    >>> X_train, X_test, y_train, y_test = mnist_seed_split(
    ...     *load_mnist())  # doctest: +SKIP
    >>> X_train.shape, X_test.shape  # doctest: +SKIP
    ((5000, 784), (10000, 784))
    """
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {dtype}.")
    X, y = check_X_y(X, y, dtype=None)
    permutation = check_random_state(0).permutation(X.shape[0])
    # Splitting the permuted row numbers instead of the permuted rows gives
    # the same sets (the split depends on the number of rows only) without
    # copying all of X.
    train, test = train_test_split(
        permutation,
        train_size=train_samples,
        test_size=test_size,
        random_state=random_state,
    )
    # X[train] and X[test] are fresh copies: scaling them in place is safe.
    scaler = StandardScaler(copy=False)
    X_train = scaler.fit_transform(X[train]).astype(dtype, copy=False)
    X_test = scaler.transform(X[test]).astype(dtype, copy=False)
    return X_train, X_test, y[train], y[test]


def news20_data_home(data_home=None):
    """Return the data home :func:`load_news20` reads, as an absolute path.

    ``data_home``, else scikit-learn's default (``$SCIKIT_LEARN_DATA`` or
    ``~/scikit_learn_data``).  Like ``fetch_20newsgroups_vectorized``, which
    calls the same ``get_data_home``, this creates the directory if missing.
    """
    return Path(get_data_home(data_home)).resolve()


@validate_params(
    {"n_samples": [Interval(Integral, 1, None, closed="left"), None]},
    prefer_skip_nested_validation=True,
)
def load_news20(data_home=None, *, n_samples=5000):
    """Load the first documents of 20 newsgroups as scikit-learn's example does.

    ``fetch_20newsgroups_vectorized(subset="all", return_X_y=True)``, then the
    first ``n_samples`` rows: the data of scikit-learn's example "Multiclass
    sparse logistic regression on 20newgroups".  Only scikit-learn's cached
    copy is read (``download_if_missing=False``): no network.

    Parameters
    ----------
    data_home : str or path-like, default=None
        scikit-learn's data home holding the cache
        (``20newsgroup_vectorized_py3.pkl``).  None means scikit-learn's
        default, ``$SCIKIT_LEARN_DATA`` or ``~/scikit_learn_data``.
    n_samples : int or None, default=5000
        Number of documents kept, from the start (the example's 5000).  None
        keeps all 18,846.

    Returns
    -------
    X : scipy.sparse.csr_matrix of shape (n_samples, 130107), dtype float64
        TF-IDF features, each row normalised to unit length.
    y : ndarray of shape (n_samples,), dtype int64
        The newsgroup of each document, ``0`` to ``19``.

    Raises
    ------
    OSError
        The cache is not in ``data_home``; the message names the directory.
    """
    directory = news20_data_home(data_home)
    try:
        X, y = fetch_20newsgroups_vectorized(
            subset="all",
            return_X_y=True,
            data_home=directory,
            download_if_missing=False,
        )
    except OSError as error:
        raise OSError(
            f"20 newsgroups not found in the data home {directory} ({error}): "
            "pass the directory holding scikit-learn's "
            "20newsgroup_vectorized_py3.pkl as data_home (--data-home), or "
            "run fetch_20newsgroups_vectorized() once with network access."
        ) from error
    return X[:n_samples], y[:n_samples]


def news20_split(X, y, *, random_state=42):
    """Split as scikit-learn's 20 newsgroups example does: 10 % stratified test.

    ``train_test_split(X, y, random_state=random_state, stratify=y,
    test_size=0.1)``.

    Returns
    -------
    X_train, X_test, y_train, y_test
    """
    return train_test_split(
        X, y, random_state=random_state, stratify=y, test_size=0.1
    )


def load_iris_binary():
    """Iris without its third class, as in scikit-learn's L1 path example.

    Returns
    -------
    X : ndarray of shape (100, 4)
        The measurements of the setosa and versicolor flowers, unscaled.
    y : ndarray of shape (100,)
        ``0`` (setosa) or ``1`` (versicolor).
    feature_names : list of str
        The four measurements' names, e.g. ``"sepal length (cm)"``.
    """
    iris = load_iris()
    keep = iris.target != 2
    return iris.data[keep], iris.target[keep], list(iris.feature_names)
