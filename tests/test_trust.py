"""Regressions of cases a new user met where scikit-learn works and fastsaga did not.

Each test is one reported failure (issue 18's list); the backend-specific
ones (the Numba cache, CSR index dtypes) live in the backend tests.
"""

import warnings

import _reference
import numpy as np
import pytest
import sklearn
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from sklearn.datasets import load_iris, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_selection import SelectFromModel
from sklearn.metrics import get_scorer
from sklearn.model_selection import GroupKFold, KFold

from fastsaga import LogisticRegression, LogisticRegressionCV

PENALTIES = {"l2": 0.0, "l1": 1.0, "elasticnet": 0.5}


@pytest.fixture
def metadata_routing():
    with sklearn.config_context(enable_metadata_routing=True):
        yield


def _small_problem(n_classes=2):
    return make_classification(
        n_samples=100, n_features=8, n_informative=4, n_classes=n_classes,
        random_state=42,
    )


@pytest.mark.parametrize("C", [1e-12, 1e-8, 1e-4])
@pytest.mark.parametrize("l1_ratio", PENALTIES.values(), ids=PENALTIES.keys())
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("as_sparse", [False, True], ids=["dense", "csr"])
@pytest.mark.parametrize("sampling", ["importance", "uniform"])
def test_strong_regularisation_converges_to_the_optimum(
    backend, C, l1_ratio, n_classes, as_sparse, sampling
):
    # The step bound holds alpha: the decay 1 - step * alpha never goes below -1.
    X, y = _small_problem(n_classes)
    data = sparse.csr_matrix(X) if as_sparse else X
    clf = LogisticRegression(
        C=C, l1_ratio=l1_ratio, tol=1e-10, max_iter=1000, backend=backend,
        sampling=sampling, random_state=0,
    ).fit(data, y)
    ones = np.ones(len(y))
    reference = _reference.solve(X, y, clf.coef_.shape[0], ones, C, l1_ratio, True)
    ours = _reference.objective(X, y, clf.coef_, clf.intercept_, ones, C, l1_ratio)
    assert ours <= reference.value + 1e-8 * abs(reference.value)


@pytest.mark.parametrize("l1_ratio", PENALTIES.values(), ids=PENALTIES.keys())
def test_default_grid_of_cv_fits_small_data(backend, l1_ratio):
    # Cs=10 starts at C = 1e-4, which diverged on ~100 samples.
    X, y = _small_problem()
    clf = LogisticRegressionCV(l1_ratios=[l1_ratio], backend=backend, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    assert np.all(np.isfinite(clf.coefs_paths_))
    assert clf.scores_.shape == (5, 1, 10)


def test_cv_takes_sparse_input(backend):
    X, y = _small_problem()
    params = dict(Cs=[0.1, 1.0], cv=3, tol=1e-8, max_iter=500, backend=backend,
                  random_state=0)
    dense = LogisticRegressionCV(**params).fit(X, y)
    csr = LogisticRegressionCV(**params).fit(sparse.csr_matrix(X), y)
    assert csr.C_ == dense.C_
    assert_allclose(csr.coef_, dense.coef_, rtol=1e-6, atol=1e-8)


def test_cv_scores_a_fold_that_lacks_a_class():
    # KFold on sorted labels: a test fold holds one class only.
    X, y = load_iris(return_X_y=True)
    clf = LogisticRegressionCV(
        Cs=[0.1, 1.0], cv=KFold(3), scoring="neg_log_loss", random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    assert np.all(np.isfinite(clf.scores_))


def test_cv_routes_groups_to_the_splitter(metadata_routing):
    X, y = _small_problem()
    groups = np.arange(len(y)) % 4
    clf = LogisticRegressionCV(Cs=[1.0], cv=GroupKFold(4), random_state=0)
    clf.fit(X, y, groups=groups)
    assert clf.scores_.shape == (4, 1, 1)


def test_cv_honours_the_scorers_sample_weight_request(metadata_routing):
    X, y = _small_problem()
    weights = np.where(np.arange(len(y)) < 50, 2.0, 0.5)
    models = {}
    for requested in (False, True):
        scorer = get_scorer("accuracy").set_score_request(sample_weight=requested)
        clf = LogisticRegressionCV(Cs=[0.01, 1.0], cv=3, scoring=scorer,
                                   random_state=0)
        models[requested] = clf.fit(X, y, sample_weight=weights)
    assert not np.allclose(models[False].scores_, models[True].scores_)
    # A weight the scorer did not request is an error in score, as in
    # scikit-learn.
    with pytest.raises(TypeError, match="not routed to any object"):
        models[False].score(X, y, sample_weight=weights)
    assert models[True].score(X, y, sample_weight=weights) != models[True].score(X, y)


def test_cv_rejects_unknown_fit_parameters_as_scikit_learn_does(metadata_routing):
    X, y = _small_problem()
    with pytest.raises(TypeError, match="unexpected argument"):
        LogisticRegressionCV(Cs=[1.0]).fit(X, y, unknown=1)


def test_cv_without_routing_refuses_extra_parameters():
    X, y = _small_problem()
    with pytest.raises(ValueError, match="enable_metadata_routing=True"):
        LogisticRegressionCV(Cs=[1.0]).fit(X, y, groups=np.zeros(len(y)))


def test_sparsify_keeps_predictions(backend):
    X, y = load_iris(return_X_y=True)
    clf = LogisticRegression(C=0.1, l1_ratio=1.0, backend=backend, random_state=0,
                             max_iter=300, tol=1e-3).fit(X, y)
    expected = clf.predict_proba(X)
    clf.sparsify()
    assert sparse.issparse(clf.coef_)
    assert_allclose(clf.predict_proba(X), expected)
    assert_array_equal(clf.to_sklearn().predict(X), clf.predict(X))
    clf.densify()
    assert isinstance(clf.coef_, np.ndarray)
    assert_allclose(clf.predict_proba(X), expected)


def test_warm_start_from_a_sparsified_model(backend):
    X, y = _small_problem()
    clf = LogisticRegression(warm_start=True, backend=backend, random_state=0).fit(X, y)
    clf.sparsify()
    clf.fit(X, y)
    assert isinstance(clf.coef_, np.ndarray) and np.all(np.isfinite(clf.coef_))


def test_max_iter_zero_returns_the_start_with_a_warning():
    X, y = _small_problem(3)
    with pytest.warns(ConvergenceWarning, match="The max_iter was reached"):
        clf = LogisticRegression(max_iter=0).fit(X, y)
    assert_array_equal(clf.coef_, 0.0)
    assert_array_equal(clf.n_iter_, [0])
    assert clf.predict(X).shape == y.shape


def test_max_iter_zero_keeps_a_warm_start():
    X, y = _small_problem()
    clf = LogisticRegression(warm_start=True, random_state=0).fit(X, y)
    coef = clf.coef_.copy()
    with pytest.warns(ConvergenceWarning):
        clf.set_params(max_iter=0).fit(X, y)
    assert_array_equal(clf.coef_, coef)


@pytest.mark.parametrize("attribute", ["coef_", "intercept_"])
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_warm_start_from_non_finite_weights_is_refused(attribute, bad):
    X, y = _small_problem()
    clf = LogisticRegression(warm_start=True, random_state=0).fit(X, y)
    getattr(clf, attribute)[0] = bad
    message = "warm_start: the previous coef_ or intercept_"
    with pytest.raises(ValueError, match=message):
        clf.fit(X, y)


def test_a_refused_refit_leaves_the_model_as_it_was():
    X, y = _small_problem(3)
    clf = LogisticRegression(warm_start=True, random_state=0).fit(X, y)
    before = {name: np.copy(getattr(clf, name))
              for name in ("classes_", "coef_", "intercept_", "n_iter_")}
    predictions = clf.predict(X)
    with pytest.raises(ValueError, match="previous fit has classes"):
        clf.fit(X, y + 1)
    for name, value in before.items():
        assert_array_equal(getattr(clf, name), value)
    assert_array_equal(clf.predict(X), predictions)


def test_a_refused_fit_keeps_the_feature_names():
    pd = pytest.importorskip("pandas")
    X, y = _small_problem()
    frame = pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])])
    clf = LogisticRegression(random_state=0).fit(frame, y)
    with pytest.raises(ValueError, match="only one class"):
        clf.fit(X[:, :3], np.zeros(len(y)))
    assert clf.n_features_in_ == X.shape[1]
    assert list(clf.feature_names_in_) == list(frame.columns)


def test_a_refused_cv_refit_leaves_the_model_as_it_was():
    X, y = _small_problem()
    clf = LogisticRegressionCV(Cs=[1.0], cv=3, random_state=0).fit(X, y)
    coef, Cs = clf.coef_.copy(), clf.Cs_.copy()
    with pytest.raises(ValueError):
        clf.set_params(Cs=[1.0, -1.0]).fit(X[:, :3], y)
    assert_array_equal(clf.coef_, coef)
    assert_array_equal(clf.Cs_, Cs)
    assert clf.n_features_in_ == X.shape[1]


@pytest.mark.parametrize(
    "params", [{"penalty": "l1"}, {"l1_ratio": 1.0}, {}, {"penalty": "elasticnet",
                                                        "l1_ratio": 0.5}],
)
def test_select_from_model_reads_the_penalty(params):
    X, y = _small_problem()
    selector = SelectFromModel(LogisticRegression(C=0.05, random_state=0, **params))
    selector.fit(X, y)
    is_l1 = params.get("penalty") == "l1" or params.get("l1_ratio") == 1.0
    # scikit-learn's rule: threshold 1e-5 for an L1 model, the mean otherwise.
    importances = np.abs(selector.estimator_.coef_).ravel()
    expected = 1e-5 if is_l1 else importances.mean()
    assert selector.threshold_ == pytest.approx(expected)


def test_l1_ratio_means_what_it_means_in_scikit_learn():
    X, y = _small_problem()
    default = LogisticRegression().get_params()["l1_ratio"]
    assert default == sklearn.linear_model.LogisticRegression().get_params()["l1_ratio"]
    l1 = LogisticRegression(penalty="l1", C=0.05, random_state=0, tol=1e-8,
                            max_iter=1000).fit(X, y)
    same = LogisticRegression(l1_ratio=1.0, C=0.05, random_state=0, tol=1e-8,
                              max_iter=1000).fit(X, y)
    assert_array_equal(l1.coef_, same.coef_)
