"""Model selection on a real dask.distributed cluster through joblib.

Needs the ``dask`` extra (``pip install fastsaga[dask]``), as CI installs it.
"""

import joblib
import numpy as np
import pytest
from _reference import make_data
from sklearn.model_selection import GridSearchCV

from fastsaga import LogisticRegression, LogisticRegressionCV

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    """Two single-threaded worker processes on loopback, closed at the end."""
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster, distributed.Client(cluster) as client:
        yield client


def _run_on(client, fit):
    """Run ``fit()`` under joblib's dask backend; return it and the workers used."""
    with distributed.get_task_stream(client) as stream:
        with joblib.parallel_backend("dask"):
            fitted = fit()
    return fitted, {task["worker"] for task in stream.data}


def test_cv_on_the_cluster_equals_sequential(client):
    X, y = make_data(3)
    params = dict(Cs=[0.1, 1.0, 10.0], l1_ratios=(0.0, 1.0), cv=3, random_state=0)
    sequential = LogisticRegressionCV(**params).fit(X, y)
    # prefer="threads" in fastsaga is a hint: the dask context must win.
    distributed_fit, workers = _run_on(
        client, lambda: LogisticRegressionCV(**params, n_jobs=-1).fit(X, y)
    )

    assert workers and workers <= set(client.scheduler_info()["workers"])
    np.testing.assert_array_equal(distributed_fit.coefs_paths_, sequential.coefs_paths_)
    np.testing.assert_array_equal(distributed_fit.scores_, sequential.scores_)
    np.testing.assert_array_equal(distributed_fit.coef_, sequential.coef_)
    assert distributed_fit.C_ == sequential.C_
    assert distributed_fit.l1_ratio_ == sequential.l1_ratio_


def test_grid_search_on_the_cluster_equals_sequential(client):
    X, y = make_data(2)
    grid = {"C": [0.1, 1.0, 10.0], "l1_ratio": [0.0, 1.0]}
    estimator = LogisticRegression(random_state=0, max_iter=500)
    sequential = GridSearchCV(estimator, grid, cv=3).fit(X, y)
    distributed_fit, workers = _run_on(
        client, lambda: GridSearchCV(estimator, grid, cv=3, n_jobs=-1).fit(X, y)
    )

    assert workers and workers <= set(client.scheduler_info()["workers"])
    for key in ("mean_test_score", "split0_test_score", "split2_test_score"):
        np.testing.assert_array_equal(
            distributed_fit.cv_results_[key], sequential.cv_results_[key]
        )
    assert distributed_fit.best_params_ == sequential.best_params_
    np.testing.assert_array_equal(
        distributed_fit.best_estimator_.coef_, sequential.best_estimator_.coef_
    )
