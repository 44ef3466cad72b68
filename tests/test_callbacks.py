"""scikit-learn's callbacks (``sklearn.callback``) in both estimators.

LogisticRegression's fit task has a subtask per epoch; LogisticRegressionCV's
has one per (fold, l1_ratio) path and one for the refit, each with a subtask
per C, each with one per epoch.  Every epoch's model is given to the hooks, so
ScoringMonitor scores it, and an epoch's ``on_fit_task_end`` returning True
stops that fit.
"""

import pickle
import re
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest
from _reference import make_data
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import get_scorer
from sklearn.model_selection import GridSearchCV, StratifiedKFold

import fastsaga._data
import fastsaga._estimator
import fastsaga._path
from fastsaga import LogisticRegression, LogisticRegressionCV

callback = pytest.importorskip("sklearn.callback")

# Fits run a fixed number of epochs (tol=0), so they end at max_iter.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


class Recorder:
    """Records each hook call as ``(hook, context)``; not auto-propagated."""

    def __init__(self):
        self.calls = []

    def setup(self, estimator, context):
        self.calls.append(("setup", context))

    def teardown(self, estimator, context):
        self.calls.append(("teardown", context))

    def on_fit_task_begin(self, estimator, context):
        self.calls.append(("begin", context))

    def on_fit_task_end(self, estimator, context):
        self.calls.append(("end", context))

    def contexts(self, hook, task_name=None):
        return [
            context
            for name, context in self.calls
            if name == hook and task_name in (None, context.task_name)
        ]


class AutoRecorder(Recorder):
    """A Recorder that meta-estimators propagate to their sub-estimators."""

    max_propagation_depth = None


class ModelRecorder(Recorder):
    """Records the coefficients of each epoch's model, at its begin and end."""

    def on_fit_task_begin(self, estimator, context, *, fitted_estimator=None):
        if context.task_name == "epoch":
            self.calls.append(("begin", fitted_estimator.coef_))

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        if context.task_name == "epoch":
            self.calls.append(("end", fitted_estimator.coef_))


class StopAfter(Recorder):
    """Asks every fit to stop at the end of its epoch ``k``."""

    def __init__(self, k):
        super().__init__()
        self.k = k

    def on_fit_task_end(self, estimator, context):
        super().on_fit_task_end(estimator, context)
        return context.task_name == "epoch" and context.task_id == self.k - 1


class FailAtEpoch(Recorder):
    """Raises at the end of the second epoch."""

    def on_fit_task_end(self, estimator, context):
        super().on_fit_task_end(estimator, context)
        if context.task_name == "epoch" and context.task_id == 1:
            raise RuntimeError("callback failed")


def _lr(**params):
    return LogisticRegression(**{"tol": 0.0, "random_state": 0, **params})


def _cv(**params):
    return LogisticRegressionCV(
        **{
            "Cs": [0.1, 10.0],
            "cv": StratifiedKFold(3),
            "tol": 0.0,
            "max_iter": 4,
            "random_state": 0,
            **params,
        }
    )


@pytest.mark.parametrize("Estimator", [LogisticRegression, LogisticRegressionCV])
def test_set_callbacks_returns_self_and_clone_keeps_them(Estimator):
    """As scikit-learn's estimators: clone shares the callbacks, by reference."""
    from sklearn.linear_model import LogisticRegression as SklearnModel

    for estimator in (Estimator(), SklearnModel()):
        recorder = Recorder()
        assert estimator.set_callbacks(recorder) is estimator
        assert "callbacks" not in estimator.get_params()
        assert clone(estimator)._skl_callbacks[0] is recorder
        assert not hasattr(clone(estimator.set_callbacks()), "_skl_callbacks")


def test_pickle_after_fit_and_refit():
    X, y = make_data(2, n_samples=60)
    monitor = callback.ScoringMonitor(scoring="accuracy")
    model = _lr(max_iter=2).set_callbacks(monitor).fit(X, y)
    assert not hasattr(model, "_callback_fit_ctx")
    restored = pickle.loads(pickle.dumps(model)).fit(X, y)
    assert len(restored._skl_callbacks[0].get_logs(select="all")) == 2


@pytest.mark.parametrize("n_classes", [2, 3])
def test_task_tree_of_logistic_regression(backend, n_classes):
    """One root task, then one per epoch, each begun before it is ended."""
    X, y = make_data(n_classes, n_samples=100)
    recorder = Recorder()
    model = _lr(max_iter=5, backend=backend).set_callbacks(recorder).fit(X, y)

    names = [(hook, context.task_name) for hook, context in recorder.calls]
    epochs = [("begin", "epoch"), ("end", "epoch")] * 5
    assert names == [("setup", "fit"), ("begin", "fit"), *epochs,
                     ("end", "fit"), ("teardown", "fit")]
    root = recorder.contexts("begin", "fit")[0]
    assert root.max_subtasks == 5 and root.parent is None
    assert [c.task_id for c in recorder.contexts("end", "epoch")] == list(range(5))
    assert all(c.parent is root for c in recorder.contexts("end", "epoch"))
    assert_array_equal(model.n_iter_, [5])

    no_epoch = Recorder()
    _lr(max_iter=0, backend=backend).set_callbacks(no_epoch).fit(X, y)
    assert len(no_epoch.contexts("end")) == 1


def test_epochs_begin_where_the_previous_ended(backend):
    """Each epoch's task has the model it starts at: the warm start's first."""
    X, y = make_data(3, n_samples=100)
    model = _lr(max_iter=2, backend=backend, warm_start=True).fit(X, y)
    start = model.coef_.copy()
    recorder = ModelRecorder()
    model.set_params(max_iter=3).set_callbacks(recorder).fit(X, y)

    begins = [coef for hook, coef in recorder.calls if hook == "begin"]
    ends = [coef for hook, coef in recorder.calls if hook == "end"]
    assert len(begins) == len(ends) == 3
    assert_allclose(begins[0], start)
    for begin, previous_end in zip(begins[1:], ends[:-1], strict=True):
        assert_allclose(begin, previous_end)
    assert_allclose(ends[-1], model.coef_)


@pytest.mark.parametrize("as_csr", [False, True])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_scoring_monitor_scores_each_epoch(backend, n_classes, as_csr):
    """Epoch k's score is that of a fit with max_iter=k and the same seed."""
    X, y = make_data(n_classes, n_samples=120)
    X = sparse.csr_matrix(X) if as_csr else X
    weights = np.random.RandomState(0).uniform(0.5, 2.0, size=len(y))
    monitor = callback.ScoringMonitor(scoring="neg_log_loss")
    model = _lr(max_iter=6, backend=backend).set_callbacks(monitor)
    model.fit(X, y, sample_weight=weights)

    rows = {row["task_id_path"]: row for row in monitor.get_logs().data}
    scorer = get_scorer("neg_log_loss")
    assert len(rows) == 1 + 6
    for k in range(1, 7):
        refit = _lr(max_iter=k, backend=backend).fit(X, y, sample_weight=weights)
        expected = scorer(refit, X, y, sample_weight=weights)
        assert_allclose(rows[(0, k - 1)]["neg_log_loss"], expected, rtol=1e-10)
    assert_allclose(
        rows[(0,)]["neg_log_loss"], scorer(model, X, y, sample_weight=weights)
    )


def test_callback_stops_the_fit(backend):
    """A usable model with n_iter_ == k: every fitted attribute, the gap too."""
    X, y = make_data(3, n_samples=100)
    stopped = _lr(max_iter=50, backend=backend).set_callbacks(StopAfter(3))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # asked to stop
        stopped.fit(X, y)
    three = _lr(max_iter=3, backend=backend).fit(X, y)

    assert_array_equal(stopped.n_iter_, [3])
    assert_allclose(stopped.coef_, three.coef_)
    assert_allclose(stopped.intercept_, three.intercept_)
    assert_array_equal(stopped.predict(X), three.predict(X))
    assert np.isfinite(stopped.dual_gap_) and stopped.dual_gap_ > 0
    assert_allclose(stopped.dual_gap_, three.dual_gap_)
    assert_allclose(stopped.objective_, three.objective_)


def test_failing_callback_leaves_the_model_as_it_was(backend):
    X, y = make_data(2, n_samples=80)
    model = _lr(max_iter=2, backend=backend).fit(X, y)
    before = {name: value for name, value in vars(model).items()
              if name.endswith("_")}
    failing = FailAtEpoch()
    with pytest.raises(RuntimeError, match="callback failed"):
        model.set_params(max_iter=5).set_callbacks(failing).fit(X[:50], y[:50])
    after = {name: value for name, value in vars(model).items()
             if name.endswith("_")}
    assert after.keys() == before.keys()
    for name, value in before.items():
        assert_array_equal(after[name], value)
    assert len(failing.contexts("teardown")) == 1
    assert not hasattr(model, "_callback_fit_ctx")


def test_task_tree_of_logistic_regression_cv(backend):
    """Paths (in threads), then the refit; a subtask per C, one per epoch."""
    X, y = make_data(3, n_samples=150)
    recorder = Recorder()
    model = _cv(
        backend=backend, penalty="elasticnet", l1_ratios=[0.0, 0.5], n_jobs=2
    ).set_callbacks(recorder)
    model.fit(X, y)

    root = recorder.contexts("begin", "fit")[0]
    assert root.max_subtasks == 3 * 2 + 1 and not root.sequential_subtasks
    children = list(root._children_map.values())
    names = [c.task_name for c in children]
    assert names == [f"fold {f}, l1_ratio={r}" for f in range(3) for r in (0, 0.5)] + [
        "refit"
    ]
    assert [c.task_id for c in children] == list(range(7))
    for path, n_iter in zip(children[:-1], model.n_iter_.reshape(6, 2), strict=True):
        Cs = list(path._children_map.values())
        assert [c.task_name for c in Cs] == ["C=0.1", "C=10"]
        assert [len(c._children_map) for c in Cs] == list(n_iter)
    (refit_C,) = children[-1]._children_map.values()
    assert refit_C.task_name == f"C={model.C_:.3g}"
    assert len(refit_C._children_map) == 4
    # Every task begun is ended, once.
    assert sorted(map(id, recorder.contexts("begin"))) == sorted(
        map(id, recorder.contexts("end"))
    )
    assert len(recorder.contexts("end")) == len(list(root))


def test_scoring_monitor_in_logistic_regression_cv(backend):
    """A C's score is its path model's on the fold's training part."""
    X, y = make_data(2, n_samples=150)
    weights = np.random.RandomState(0).uniform(0.5, 2.0, size=len(y))
    monitor = callback.ScoringMonitor(scoring="neg_log_loss")
    model = _cv(backend=backend, n_jobs=2).set_callbacks(monitor)
    model.fit(X, y, sample_weight=weights)

    rows = {row["task_id_path"]: row for row in monitor.get_logs().data}
    scorer = get_scorer("neg_log_loss")
    probe = clone(_lr()).fit(X, y)
    for fold, (train, _) in enumerate(StratifiedKFold(3).split(X, y)):
        for c in range(2):
            coef = model.coefs_paths_[fold, 0, c]
            probe.coef_, probe.intercept_ = coef[:, :-1], coef[:, -1]
            expected = scorer(probe, X[train], y[train], sample_weight=weights[train])
            assert_allclose(rows[(0, fold, c)]["neg_log_loss"], expected)
            assert_allclose(rows[(0, fold, c, 3)]["neg_log_loss"], expected)
    final = scorer(model, X, y, sample_weight=weights)
    assert_allclose(rows[(0, 3, 0, 3)]["neg_log_loss"], final)
    assert_allclose(rows[(0,)]["neg_log_loss"], final)


def test_callback_stops_each_fit_of_logistic_regression_cv(backend):
    X, y = make_data(3, n_samples=120)
    model = _cv(backend=backend, max_iter=50).set_callbacks(StopAfter(2))
    model.fit(X, y)
    assert_array_equal(model.n_iter_, np.full((3, 1, 2), 2))
    assert model.score(X, y) > 0.5


def test_progress_bars(backend, capsys):
    pytest.importorskip("rich")
    X, y = make_data(3, n_samples=100)
    _lr(max_iter=5, backend=backend).set_callbacks(callback.ProgressBar()).fit(X, y)
    _cv(backend=backend, n_jobs=2).set_callbacks(callback.ProgressBar()).fit(X, y)

    out = capsys.readouterr().out
    assert re.search(r"LogisticRegression - fit", out)
    assert re.search(r"LogisticRegressionCV - fit", out)
    for fold in range(3):
        path = rf"LogisticRegressionCV - fold {fold}, l1_ratio=0 #{fold}"
        assert re.search(path, out)
    assert re.search(r"LogisticRegressionCV - refit #3", out)
    assert re.search(r"LogisticRegressionCV - C=10 #1", out)
    assert re.search(r"100%", out)
    assert not re.search(r"\b[0-9]{1,2}%", out)


def test_callbacks_propagate_into_the_fits_of_a_grid_search():
    """Nested in GridSearchCV, each fit's task tree joins the search's."""
    X, y = make_data(2, n_samples=80)
    recorder = AutoRecorder()
    search = GridSearchCV(_lr(max_iter=3), {"C": [0.1, 1.0]}, cv=2)
    search.set_callbacks(recorder).fit(X, y)

    fits = recorder.contexts("begin", "fit")
    assert [c.estimator_name for c in fits] == ["GridSearchCV"] + [
        "LogisticRegression"
    ] * 5
    assert all(c.source_estimator_name == "GridSearchCV" for c in fits[1:])
    epochs = recorder.contexts("end", "epoch")
    assert len(epochs) == 5 * 3
    assert all(c.parent in fits[1:] for c in epochs)
    assert len(recorder.contexts("setup")) == 1


def test_no_epoch_hooks_without_callbacks(monkeypatch):
    """Without callbacks, saga_solve gets no hook; with a ProgressBar, no
    epoch's model is copied (nothing asks for one)."""
    solve_hooks = []

    def spy(solve):
        def recorded(*args, **kwargs):
            solve_hooks.append({"callback", "epoch_begin"} & kwargs.keys())
            return solve(*args, **kwargs)
        return recorded

    monkeypatch.setattr(fastsaga._estimator, "saga_solve",
                        spy(fastsaga._estimator.saga_solve))
    monkeypatch.setattr(fastsaga._path, "saga_solve", spy(fastsaga._path.saga_solve))
    X, y = make_data(2, n_samples=80)
    _lr(max_iter=3).fit(X, y)
    _cv().fit(X, y)
    assert solve_hooks == [set()] * (1 + 3 * 2 + 1)

    pytest.importorskip("rich")
    copies = []
    model_attributes = fastsaga._data.TrainingData.model_attributes
    monkeypatch.setattr(
        fastsaga._data.TrainingData, "model_attributes",
        lambda data, W, b: copies.append(1) or model_attributes(data, W, b),
    )
    _lr(max_iter=3).set_callbacks(callback.ProgressBar()).fit(X, y)
    assert copies == []


def test_without_sklearn_callbacks():
    """Before scikit-learn 1.9 (no callbacks), both estimators still fit."""
    code = textwrap.dedent(
        """
        import warnings
        import sklearn.callback
        import sklearn.linear_model, sklearn.model_selection, sklearn.pipeline
        from sklearn.datasets import make_classification

        # scikit-learn's modules loaded, fastsaga's import of the mixin fails,
        # as it does before 1.9.
        mixin = sklearn.callback.CallbackSupportMixin
        del sklearn.callback.CallbackSupportMixin
        from fastsaga import LogisticRegression, LogisticRegressionCV
        sklearn.callback.CallbackSupportMixin = mixin

        warnings.simplefilter("ignore")
        X, y = make_classification(60, 4, random_state=0)
        assert not hasattr(LogisticRegression(), "set_callbacks")
        assert LogisticRegression(max_iter=3).fit(X, y).n_iter_[0] == 3
        LogisticRegressionCV(Cs=2, cv=2, max_iter=3).fit(X, y)
        """
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
