"""Tests of the MNIST loader and the seed split (fastsaga.datasets)."""

import gzip

import numpy as np
import pytest
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.utils import check_random_state

from fastsaga import datasets, load_mnist, mnist_seed_split
from fastsaga.datasets import IdxFormatError, MnistNotFoundError, read_idx

TRAIN_LABEL_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
FILE_NAMES = [name for pair in datasets.MNIST_IDX_FILES for name in pair]


def write_idx(path, array):
    """Write ``array`` (uint8) as an IDX file, gzipped if ``path`` ends in .gz."""
    array = np.asarray(array, dtype=np.uint8)
    header = bytes([0, 0, 0x08, array.ndim])
    header += b"".join(size.to_bytes(4, "big") for size in array.shape)
    content = header + array.tobytes()
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "wb") as stream:
        stream.write(content)
    return path


def write_small_mnist(directory, n_train=6, n_test=4, gzipped=(True, False)):
    """Write four small IDX files; return the images and labels written.

    Images files are gzipped if ``gzipped[0]``, label files if ``gzipped[1]``.
    """
    rng = np.random.default_rng(0)
    written = {}
    for (images_name, labels_name), n in zip(
        datasets.MNIST_IDX_FILES, (n_train, n_test), strict=True
    ):
        images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, size=n, dtype=np.uint8)
        suffixes = [".gz" if flag else "" for flag in gzipped]
        write_idx(directory / (images_name + suffixes[0]), images)
        write_idx(directory / (labels_name + suffixes[1]), labels)
        written[images_name] = images
        written[labels_name] = labels
    return written


@pytest.fixture(scope="module")
def mnist(mnist_dir):
    return load_mnist(mnist_dir)


def test_load_mnist_real_files(mnist):
    X, y = mnist
    assert X.shape == (70000, 784) and X.dtype == np.float64
    assert X.flags.c_contiguous
    assert y.shape == (70000,) and y.dtype == object
    assert X.min() == 0.0 and X.max() == 255.0
    assert list(y[:5]) == ["5", "0", "4", "1", "9"]
    digits, counts = np.unique(y[:60000], return_counts=True)
    assert list(digits) == [str(digit) for digit in range(10)]
    assert list(counts) == TRAIN_LABEL_COUNTS
    assert np.unique(y[60000:], return_counts=True)[1].sum() == 10000


@pytest.mark.parametrize("gzipped", [(False, False), (True, True), (True, False)])
def test_load_mnist_small_files(tmp_path, gzipped, no_openml):
    written = write_small_mnist(tmp_path, gzipped=gzipped)
    X, y = load_mnist(tmp_path)
    train, test = written["train-images-idx3-ubyte"], written["t10k-images-idx3-ubyte"]
    assert X.dtype == np.float64 and X.shape == (10, 784)
    np.testing.assert_array_equal(X[:6], train.reshape(6, 784))
    np.testing.assert_array_equal(X[6:], test.reshape(4, 784))
    expected_labels = np.concatenate(
        [written["train-labels-idx1-ubyte"], written["t10k-labels-idx1-ubyte"]]
    ).astype(str)
    assert y.dtype == object
    assert list(y) == list(expected_labels)


def test_data_home_takes_precedence_over_environment(tmp_path, monkeypatch, no_openml):
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    write_small_mnist(first, n_train=3)
    write_small_mnist(second, n_train=5)
    monkeypatch.setenv("FASTSAGA_MNIST_DIR", str(first))
    assert load_mnist()[0].shape[0] == 3 + 4
    assert load_mnist(second)[0].shape[0] == 5 + 4


@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_read_idx_round_trip(tmp_path, suffix):
    array = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    path = write_idx(tmp_path / ("a-idx3-ubyte" + suffix), array)
    read = read_idx(path, ndim=3)
    assert read.dtype == np.uint8
    np.testing.assert_array_equal(read, array)


@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_read_idx_truncated_file_names_it(tmp_path, suffix):
    path = tmp_path / ("images-idx3-ubyte" + suffix)
    # Random pixels, so that the gzipped file is long enough to cut.
    images = np.random.default_rng(0).integers(0, 256, size=(5, 28, 28))
    write_idx(path, images)
    content = path.read_bytes()
    path.write_bytes(content[: len(content) - 100])
    match = "truncated or corrupt gzip" if suffix else "truncated IDX file"
    with pytest.raises(IdxFormatError, match=match) as error:
        read_idx(path, ndim=3)
    assert str(path) in str(error.value)


def test_read_idx_truncated_header(tmp_path):
    path = tmp_path / "labels-idx1-ubyte"
    path.write_bytes(bytes([0, 0, 8, 1, 0]))
    with pytest.raises(IdxFormatError, match="shorter than the 8-byte header"):
        read_idx(path, ndim=1)


def test_read_idx_extra_bytes(tmp_path):
    path = write_idx(tmp_path / "labels-idx1-ubyte", np.zeros(7))
    path.write_bytes(path.read_bytes() + b"\0")
    with pytest.raises(IdxFormatError, match="corrupt IDX file.*holds 16 bytes"):
        read_idx(path, ndim=1)


@pytest.mark.parametrize(
    "header", [b"\x00\x00\x08\x01", b"\x1f\x8b\x08\x03", b"\x00\x00\x0d\x03"]
)
def test_read_idx_wrong_magic_names_file(tmp_path, header):
    path = tmp_path / "images-idx3-ubyte"
    path.write_bytes(header + bytes(12))
    with pytest.raises(IdxFormatError, match="magic number") as error:
        read_idx(path, ndim=3)
    assert str(path) in str(error.value)


def test_not_gzip_despite_suffix(tmp_path):
    path = write_idx(tmp_path / "labels-idx1-ubyte", np.zeros(3))
    gz_path = path.rename(tmp_path / "labels-idx1-ubyte.gz")
    with pytest.raises(IdxFormatError, match="gzip") as error:
        read_idx(gz_path, ndim=1)
    assert str(gz_path) in str(error.value)


def test_load_mnist_rejects_inconsistent_files(tmp_path, no_openml):
    write_small_mnist(tmp_path)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", np.zeros(3))
    with pytest.raises(IdxFormatError, match="holds 4 images but .* 3 labels"):
        load_mnist(tmp_path)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", [1, 2, 10, 3])
    with pytest.raises(IdxFormatError, match="label 10 is not a digit"):
        load_mnist(tmp_path)
    write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", np.zeros((4, 27, 28)))
    with pytest.raises(IdxFormatError, match=r"shape \(27, 28\)"):
        load_mnist(tmp_path)


def test_no_source_error_says_where_it_looked(tmp_path, no_openml):
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", np.zeros(3))
    with pytest.raises(MnistNotFoundError) as error:
        load_mnist(tmp_path)
    message = str(error.value)
    assert isinstance(error.value, FileNotFoundError)
    assert str(tmp_path) in message
    missing = [name for name in FILE_NAMES if name != "train-labels-idx1-ubyte"]
    assert f"lacks {', '.join(missing)} " in message
    assert "fetch_openml('mnist_784') failed (URLError" in message
    assert "FASTSAGA_MNIST_DIR" in message and "data_home" in message


def test_no_source_error_without_directory(monkeypatch, no_openml):
    monkeypatch.delenv("FASTSAGA_MNIST_DIR", raising=False)
    with pytest.raises(MnistNotFoundError, match="no IDX directory given"):
        load_mnist()


def test_falls_back_to_fetch_openml(tmp_path, monkeypatch):
    calls = []

    def fake_fetch_openml(*args, **kwargs):
        calls.append((args, kwargs))
        return np.zeros((2, 784), dtype=np.float32), np.array(["3", "7"])

    monkeypatch.setattr(datasets, "fetch_openml", fake_fetch_openml)
    X, y = load_mnist(tmp_path)
    assert calls == [
        (("mnist_784",), dict(version=1, return_X_y=True, as_frame=False))
    ]
    assert X.dtype == np.float64 and y.dtype == object and list(y) == ["3", "7"]


def seed_split(X, y, train_samples, test_size, random_state):
    """The seed example's preprocessing, step by step as it is written."""
    permutation = check_random_state(0).permutation(X.shape[0])
    X, y = X[permutation], y[permutation]
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, train_size=train_samples, test_size=test_size,
        random_state=random_state,
    )
    scaler = StandardScaler()
    return scaler.fit_transform(X_train), scaler.transform(X_test), y_train, y_test


@pytest.mark.parametrize("random_state", [0, 3])
def test_split_matches_the_seed(random_state):
    rng = np.random.default_rng(1)
    X = rng.integers(0, 256, size=(300, 20)).astype(np.float64)
    y = rng.integers(0, 10, size=300).astype(str).astype(object)
    X_before, y_before = X.copy(), y.copy()
    ours = mnist_seed_split(
        X, y, train_samples=50, test_size=100, random_state=random_state
    )
    expected = seed_split(X, y, 50, 100, random_state)
    for got, want in zip(ours, expected, strict=True):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)


def test_split_on_mnist(mnist):
    X, y = mnist
    X_train, X_test, y_train, y_test = mnist_seed_split(X, y)
    assert X_train.shape == (5000, 784) and X_test.shape == (10000, 784)
    assert X_train.dtype == np.float64 and y_train.shape == (5000,)
    assert set(y_train) == {str(digit) for digit in range(10)}
    # Standardised on the training set: mean 0, and unit variance where the
    # pixel varies at all.
    np.testing.assert_allclose(X_train.mean(axis=0), 0.0, atol=1e-10)
    std = X_train.std(axis=0)
    np.testing.assert_allclose(std[std > 0], 1.0)
    assert np.abs(X_test.mean(axis=0)).max() > 1e-3
    X32 = mnist_seed_split(X, y, dtype=np.float32)
    assert X32[0].dtype == np.float32 and X32[1].dtype == np.float32
    np.testing.assert_allclose(X32[0], X_train, rtol=1e-6, atol=1e-6)
    other = mnist_seed_split(X, y, random_state=1)
    assert not np.array_equal(other[2], y_train)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(train_samples=0), "'train_samples' parameter"),
        (dict(test_size=2.5), "'test_size' parameter"),
        (dict(dtype=np.int64), "dtype must be float32 or float64"),
        (dict(train_samples=250, test_size=100), "train_size and test_size"),
    ],
)
def test_split_rejects_bad_parameters(kwargs, match):
    X, y = np.zeros((300, 4)), np.arange(300) % 10
    with pytest.raises(ValueError, match=match):
        mnist_seed_split(X, y, **kwargs)
