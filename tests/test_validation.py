"""Bad input gets a clear error before any work; good input is never harmed.

Also: extreme values stay finite, the seed's call is warning-free, and the
convergence warning and the verbose progress lines keep their contract.
"""

import re
import warnings

import numpy as np
import pytest
from _reference import make_data
from numpy.testing import assert_array_equal
from sklearn.exceptions import ConvergenceWarning

import fastsaga._estimator
from fastsaga import LogisticRegression


@pytest.fixture
def no_solve(monkeypatch):
    """Fail the test if the solver is reached: errors must come first."""

    def refuse(*args, **kwargs):
        raise AssertionError("the solver ran on input that should be refused")

    monkeypatch.setattr(fastsaga._estimator, "saga_solve", refuse)


def _with(array, index, value):
    """Return a float copy of ``array`` with one entry replaced."""
    changed = np.array(array, dtype=np.float64)
    changed[index] = value
    return changed


X, Y = make_data(3, n_samples=60, n_features=5)
ONES = np.ones(len(Y))

# (name, estimator parameters, fit arguments, error type, message pattern)
BAD_INPUTS = [
    ("nan in X", {}, (_with(X, (3, 2), np.nan), Y), ValueError, "Input X contains NaN"),
    ("inf in X", {}, (_with(X, (3, 2), np.inf), Y), ValueError,
     "Input X contains infinity"),
    ("nan in y", {}, (X, _with(Y, 4, np.nan)), ValueError, "Input y contains NaN"),
    ("inf in y", {}, (X, _with(Y, 4, -np.inf)), ValueError,
     "Input y contains infinity"),
    ("nan in sample_weight", {}, (X, Y, _with(ONES, 2, np.nan)), ValueError,
     "Input sample_weight contains NaN"),
    ("inf in sample_weight", {}, (X, Y, _with(ONES, 2, np.inf)), ValueError,
     "Input sample_weight contains infinity"),
    ("X 1-D", {}, (X[:, 0], Y), ValueError, "Expected 2D array, got 1D array"),
    ("X 3-D", {}, (X[:, :, None], Y), ValueError, "Found array with dim 3"),
    ("len(y) != n_samples", {}, (X, Y[:-1]), ValueError,
     r"inconsistent numbers of samples: \[60, 59\]"),
    ("len(sample_weight) != n_samples", {}, (X, Y, ONES[:5]), ValueError,
     r"sample_weight.shape == \(5,\), expected \(60,\)"),
    ("single class", {}, (X, np.full(len(Y), 7)), ValueError, "only one class"),
    ("continuous y", {}, (X, Y + 0.5), ValueError, "Unknown label type: continuous"),
    ("no samples", {}, (X[:0], Y[:0]), ValueError, r"0 sample\(s\)"),
    ("C = 0", {"C": 0}, (X, Y), ValueError, r"'C' parameter .* range \(0.0, inf\]"),
    ("C < 0", {"C": -1.0}, (X, Y), ValueError, r"'C' parameter .* range \(0.0, inf\]"),
    ("C a string", {"C": "1"}, (X, Y), TypeError, r"'C' parameter .* Got '1'"),
    ("C None", {"C": None}, (X, Y), TypeError, r"'C' parameter .* Got None"),
    ("l1_ratio < 0", {"l1_ratio": -0.1}, (X, Y), ValueError,
     r"'l1_ratio' parameter .* range \[0.0, 1.0\]"),
    ("l1_ratio > 1", {"l1_ratio": 1.5}, (X, Y), ValueError,
     r"'l1_ratio' parameter .* range \[0.0, 1.0\]"),
    ("tol < 0", {"tol": -1e-4}, (X, Y), ValueError,
     r"'tol' parameter .* range \[0.0, inf\)"),
    ("max_iter < 0", {"max_iter": -1}, (X, Y), ValueError,
     r"'max_iter' parameter .* range \[0, inf\)"),
    ("max_iter not an int", {"max_iter": 2.5}, (X, Y), TypeError,
     r"'max_iter' parameter .* must be an int"),
    ("unknown backend", {"backend": "jax"}, (X, Y), ValueError,
     r"'backend' parameter .* Got 'jax'"),
    ("unknown sampling", {"sampling": "stratified"}, (X, Y), ValueError,
     r"'sampling' parameter .* Got 'stratified'"),
    ("unknown penalty", {"penalty": "l3"}, (X, Y), ValueError,
     r"'penalty' parameter .* Got 'l3'"),
    ("unknown class_weight", {"class_weight": "equal"}, (X, Y), ValueError,
     r"'class_weight' parameter .* Got 'equal'"),
    ("negative sample weight", {}, (X, Y, _with(ONES, 2, -1.0)), ValueError,
     "Negative values in data passed to `sample_weight`"),
    ("all-zero sample weights", {}, (X, Y, np.zeros(len(Y))), ValueError,
     "at least one non-zero"),
    ("all-zero after class_weight", {"class_weight": {0: 0.0, 1: 0.0, 2: 0.0}}, (X, Y),
     ValueError, r"All sample weights \(after class_weight\) are zero"),
    ("unknown class in class_weight", {"class_weight": {0: 1.0, 7: 2.0}}, (X, Y),
     ValueError, r"class_weight dict must have the class labels as keys.*\['7'\]"),
    ("complex X", {}, (X.astype(complex), Y), ValueError, "Complex data not supported"),
    ("object X of strings", {}, (np.full(X.shape, "a", dtype=object), Y), ValueError,
     "could not convert string to float"),
    ("penalty='l2' with l1_ratio=0.5", {"penalty": "l2", "l1_ratio": 0.5}, (X, Y),
     ValueError, r"penalty='l2' contradicts l1_ratio=0.5"),
    ("penalty='l1' with l1_ratio=0.5", {"penalty": "l1", "l1_ratio": 0.5}, (X, Y),
     ValueError, r"penalty='l1' contradicts l1_ratio=0.5"),
    ("penalty='elasticnet' with l1_ratio=None",
     {"penalty": "elasticnet", "l1_ratio": None}, (X, Y),
     ValueError, r"penalty='elasticnet' needs l1_ratio"),
    ("penalty=None with l1_ratio", {"penalty": None, "l1_ratio": 0.5}, (X, Y),
     ValueError, r"penalty=None contradicts l1_ratio=0.5"),
]


@pytest.mark.parametrize(
    "params, fit_args, error, message",
    [case[1:] for case in BAD_INPUTS],
    ids=[case[0] for case in BAD_INPUTS],
)
def test_bad_input_is_refused_before_solving(
    no_solve, params, fit_args, error, message
):
    with pytest.raises(error, match=message):
        LogisticRegression(**params).fit(*fit_args)


@pytest.mark.parametrize(
    "new_X, new_y, message",
    [
        (X[:, :3], Y,
         r"previous coef_ has shape \(3, 5\) but this data needs \(3, 3\)"),
        (X, Y % 2, r"previous fit has classes \[0, 1, 2\] but y has \[0, 1\]"),
    ],
    ids=["fewer features", "fewer classes"],
)
def test_warm_start_with_mismatched_shape(backend, new_X, new_y, message):
    clf = LogisticRegression(warm_start=True, backend=backend, random_state=0)
    clf.fit(X, Y)
    with pytest.raises(ValueError, match=message):
        clf.fit(new_X, new_y)


def test_rows_whose_norm_overflows_are_refused():
    X_huge, y = make_data(2, n_samples=50, n_features=4)
    X_huge = X_huge * 1e160  # finite, but ||x_i||^2 overflows float64
    with pytest.raises(ValueError, match="squared norm of a row of X overflows"):
        LogisticRegression().fit(X_huge, y)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_unscaled_features_give_a_finite_model(backend, n_classes):
    X_raw, y = make_data(n_classes, n_samples=100, n_features=5)
    X_raw = X_raw * 1e4 + 3e4  # logits of order 1e4+: exp() overflows
    clf = LogisticRegression(penalty=None, max_iter=20, backend=backend, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("error", RuntimeWarning)  # no overflow, no 0/0
        clf.fit(X_raw, y)
        proba = clf.predict_proba(X_raw)
    assert np.all(np.isfinite(clf.coef_)) and np.all(np.isfinite(clf.intercept_))
    assert np.all(np.isfinite(proba))
    assert np.allclose(proba.sum(axis=1), 1.0)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_huge_logits_give_a_finite_model(backend, n_classes):
    # Warm start far from the optimum: every logit is about +-1e5.
    X_small, y = make_data(n_classes, n_samples=100, n_features=5)
    n_rows = 1 if n_classes == 2 else n_classes
    clf = LogisticRegression(
        warm_start=True, max_iter=3, backend=backend, random_state=0
    )
    clf.coef_ = np.tile(np.array([1e5, -1e5, 1e5, -1e5, 1e5]), (n_rows, 1))
    clf.coef_[0] *= -1
    clf.intercept_ = np.zeros(n_rows)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("error", RuntimeWarning)
        clf.fit(X_small, y)
        proba = clf.predict_proba(X_small)
    assert np.all(np.isfinite(clf.coef_)) and np.all(np.isfinite(clf.intercept_))
    assert np.all(np.isfinite(proba)) and np.allclose(proba.sum(axis=1), 1.0)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_inputs_are_never_modified(backend, dtype):
    X_in, y_in = make_data(3, n_samples=80, n_features=6, dtype=dtype)
    sample_weight = np.linspace(0.5, 2.0, len(y_in)).astype(dtype)
    copies = [a.copy() for a in (X_in, y_in, sample_weight)]
    for array in (X_in, y_in, sample_weight):
        array.flags.writeable = False  # any write raises, not just a changed one
    clf = LogisticRegression(
        class_weight={0: 2.0, 1: 0.5, 2: 1.0}, warm_start=True, backend=backend,
        random_state=0, max_iter=5,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X_in, y_in, sample_weight=sample_weight)
        first_coef = clf.coef_
        saved = first_coef.copy()
        clf.fit(X_in, y_in, sample_weight=sample_weight)  # warm start
    for array, copy in zip((X_in, y_in, sample_weight), copies, strict=True):
        assert_array_equal(array, copy)
        assert array.dtype == copy.dtype
    # The previous fit's coef_, still held by the user, is not overwritten.
    assert_array_equal(first_coef, saved)
    assert clf.coef_ is not first_coef


def test_fortran_and_integer_input_are_not_modified():
    X_f = np.asfortranarray(X)
    X_int = np.round(10 * X).astype(np.int64)
    copies = X_f.copy(order="F"), X_int.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        LogisticRegression(random_state=0, max_iter=3).fit(X_f, Y)
        clf = LogisticRegression(random_state=0, max_iter=3).fit(X_int, Y)
    assert_array_equal(X_f, copies[0]) and X_f.flags.f_contiguous
    assert_array_equal(X_int, copies[1]) and X_int.dtype == np.int64
    assert clf.coef_.dtype == np.float64


def test_seed_call_fits_l1_without_warnings(backend):
    # The seed example's call, at its scale: C = 50 / n_train.
    X_seed, y_seed = make_data(4, n_samples=1000, n_features=20)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        seed = LogisticRegression(
            C=0.01, penalty="l1", tol=0.1, backend=backend, random_state=0
        ).fit(X_seed, y_seed)
        spellings = [
            LogisticRegression(
                C=0.01, l1_ratio=1, tol=0.1, backend=backend, random_state=0
            ),
            LogisticRegression(
                C=0.01, penalty="elasticnet", l1_ratio=1.0, tol=0.1, backend=backend,
                random_state=0,
            ),
            LogisticRegression(
                C=0.01, penalty="l1", l1_ratio=1.0, tol=0.1, backend=backend,
                random_state=0,
            ),
        ]
        others = [clf.fit(X_seed, y_seed) for clf in spellings]
    # L1: some weights exactly zero (the 14 uninformative features), not all.
    zeros = np.mean(seed.coef_ == 0.0)
    assert 0.2 < zeros < 1.0
    for other in others:
        assert_array_equal(other.coef_, seed.coef_)
        assert_array_equal(other.intercept_, seed.intercept_)
    l2 = LogisticRegression(C=0.01, tol=0.1, backend=backend, random_state=0)
    assert not np.any(l2.fit(X_seed, y_seed).coef_ == 0.0)


def test_convergence_warning_on_max_iter(backend):
    clf = LogisticRegression(tol=0.0, max_iter=2, backend=backend, random_state=0)
    with pytest.warns(ConvergenceWarning, match="max_iter=2"):
        clf.fit(X, Y)
    assert clf.n_iter_[0] == 2


def test_no_convergence_warning_when_converged(backend):
    clf = LogisticRegression(tol=1e-3, max_iter=1000, backend=backend, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf.fit(X, Y)
    assert clf.n_iter_[0] < 1000


EPOCH_LINE = re.compile(
    r"^epoch (\d+): objective (\S+), change (\S+), time (\S+) s$"
)


def test_verbose_prints_one_line_per_epoch(backend, capsys):
    clf = LogisticRegression(verbose=1, tol=1e-6, backend=backend, random_state=0)
    clf.fit(X, Y)
    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    epochs = [EPOCH_LINE.match(line) for line in lines]
    epochs = [match for match in epochs if match]
    assert len(epochs) >= 2
    numbers = [int(match[1]) for match in epochs]
    assert numbers == sorted(set(numbers)) and numbers[-1] == clf.n_iter_[0]
    for match in epochs:
        objective, change, elapsed = (float(match[k]) for k in (2, 3, 4))
        assert np.isfinite(objective) and objective > 0
        assert change >= 0 and elapsed >= 0
    # SAGA decreases the objective overall.
    assert float(epochs[-1][2]) <= float(epochs[0][2])


def test_quiet_by_default(capsys):
    LogisticRegression(random_state=0).fit(X, Y)
    assert capsys.readouterr().out == ""
