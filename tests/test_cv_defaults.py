"""LogisticRegressionCV with all defaults, against scikit-learn's on the same folds.

Both use ``StratifiedKFold(5)`` and ``Cs=10`` (``np.logspace(-4, 4, 10)``),
so the choice of C is compared directly.  scikit-learn's reference runs to a
tight tolerance: on unscaled data its default saga fit stops far from the
optimum, and so does fastsaga's, which then picks by luck; the data are
standardised so that the defaults converge.  Raw data are fitted too: the
default grid's C = 1e-4 used to diverge there.
"""

import warnings

import numpy as np
import pytest
from sklearn.datasets import (
    load_breast_cancer,
    load_digits,
    load_iris,
    make_classification,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegressionCV as SklearnCV
from sklearn.preprocessing import StandardScaler

from fastsaga import LogisticRegressionCV

DATASETS = {
    "iris": lambda: load_iris(return_X_y=True),
    "breast cancer": lambda: load_breast_cancer(return_X_y=True),
    "digits": lambda: load_digits(return_X_y=True),
    "100 samples": lambda: make_classification(100, random_state=0),
}
PENALTIES = {"l2": 0.0, "l1": 1.0, "elasticnet": 0.5}
# scikit-learn's saga needs minutes on digits at 1e-6; at its default 1e-4
# (2.5 to 3 minutes) it picks what it picks at 1e-6 elsewhere, while at 1e-3
# it stops early at large C and picks C = 21.5 instead of 0.36.
REFERENCE_SAGA = {"digits": dict(tol=1e-4, max_iter=1000)}


def _reference_C(X, y, l1_ratio, tol, max_iter):
    """scikit-learn's choice, from a solver run to a tight tolerance."""
    solver = "lbfgs" if l1_ratio == 0.0 else "saga"
    reference = SklearnCV(
        l1_ratios=[l1_ratio], solver=solver, tol=tol, max_iter=max_iter,
        random_state=0, use_legacy_attributes=False,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return reference.fit(X, y).C_


@pytest.mark.parametrize("penalty", PENALTIES)
@pytest.mark.parametrize("dataset", DATASETS)
def test_defaults_pick_scikit_learns_C(dataset, penalty):
    X, y = DATASETS[dataset]()
    X = StandardScaler().fit_transform(X)
    l1_ratio = PENALTIES[penalty]
    ours = LogisticRegressionCV(l1_ratios=[l1_ratio], random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours.fit(X, y)
    tight = dict(tol=1e-6, max_iter=2000)
    if penalty != "l2":
        tight = REFERENCE_SAGA.get(dataset, tight)
    assert ours.C_ == _reference_C(X, y, l1_ratio, **tight)


@pytest.mark.parametrize("penalty", PENALTIES)
@pytest.mark.parametrize("dataset", DATASETS)
def test_defaults_fit_raw_data(dataset, penalty):
    X, y = DATASETS[dataset]()
    clf = LogisticRegressionCV(l1_ratios=[PENALTIES[penalty]], random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    assert np.all(np.isfinite(clf.coefs_paths_))
    assert clf.C_ in clf.Cs_
    assert clf.score(X, y) > 0.8
