"""Cross-validated logistic regression: a warm-started path per fold.

One joblib task per (fold, l1_ratio) fits the whole path of Cs on the fold's
training part and scores every C on its test part.  Tasks prefer threads
(the kernels release the GIL), but a backend chosen with
``joblib.parallel_config`` / ``joblib.parallel_backend`` (for example
``"dask"``) wins over that hint, so the same code runs on a cluster.
"""

import inspect
from numbers import Integral

import numpy as np
from joblib import effective_n_jobs
from sklearn.base import _fit_context
from sklearn.metrics import get_scorer, get_scorer_names, make_scorer
from sklearn.model_selection import check_cv
from sklearn.utils import check_random_state, metadata_routing
from sklearn.utils._metadata_requests import _manual_routing
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    _raise_for_params,
    _routing_enabled,
    process_routing,
)
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import _check_method_params

from ._backends import get_backend
from ._callbacks import fit_task
from ._data import validated_training_data
from ._estimator import LogisticRegression
from ._path import logistic_regression_path

# Seeds handed to the tasks are drawn below this bound (any int32 works).
_SEED_BOUND = np.iinfo(np.int32).max


class LogisticRegressionCV(LogisticRegression):
    """Logistic regression with C and l1_ratio chosen by cross-validation.

    scikit-learn's ``LogisticRegressionCV`` API, fitted by fastsaga's SAGA.
    For every fold and every l1_ratio, the whole path of Cs is fitted from the
    strongest regularisation to the weakest, each fit warm-started with the
    previous one's weights and gradient memory.  The (C, l1_ratio) with the
    best score summed over folds is then refitted on all the data, starting
    from the folds' mean solution.

    The fitted attributes have the layout scikit-learn 1.9 gives with
    ``use_legacy_attributes=False`` (its default from 1.10): plain floats for
    ``C_`` and ``l1_ratio_``, arrays indexed ``[fold, l1_ratio, C]`` for
    ``scores_``, ``n_iter_`` and ``coefs_paths_``.  The legacy layout
    (dicts keyed by class, deprecated there) is not offered.

    Parameters
    ----------
    Cs : int or array-like of shape (n_cs,), default=10
        The grid of C.  An int ``k`` means ``np.logspace(-4, 4, k)``, as in
        scikit-learn.  Values are in ``(0, inf]``.
    l1_ratios : array-like of shape (n_l1_ratios,), default=None
        Elastic-net mixings to try, each in ``[0, 1]``.  ``None`` means the
        one value ``penalty`` implies (0 for ``"auto"`` and ``"l2"``, 1 for
        ``"l1"``); required with ``penalty="elasticnet"``.
    fit_intercept : bool, default=True
        Whether to fit an unpenalised intercept.
    cv : int, cross-validation generator or iterable, default=None
        As in scikit-learn: ``None`` is 5-fold, an int is the number of
        (stratified) folds.
    penalty : {"auto", "l1", "l2", "elasticnet"}, default="auto"
        Resolved with each l1_ratio exactly as
        :class:`fastsaga.LogisticRegression` resolves ``penalty`` with
        ``l1_ratio``.  For no penalty, use ``Cs=[np.inf]``.
    scoring : str, callable or None, default=None
        Scorer name or callable ``scorer(estimator, X, y)``; ``None`` is
        accuracy (scikit-learn 1.9's default).
    tol : float, default=1e-4
        Stopping tolerance of every fit (see :class:`LogisticRegression`).
    max_iter : int, default=100
        Maximum number of epochs of every fit.
    class_weight : dict, "balanced" or None, default=None
        Class weights, computed once on the whole ``y``.
    n_jobs : int, default=None
        Number of (fold, l1_ratio) tasks run at once, and of threads sharing
        the final refit's steps (see :class:`LogisticRegression`).  ``None``
        is 1 unless a joblib context says otherwise; ``-1`` uses all
        processors.
    verbose : int, default=0
        joblib's verbosity.
    refit : bool, default=True
        Refit the best (C, l1_ratio) on all the data.  If False, the
        coefficients, C and l1_ratio are the averages, over folds, of each
        fold's best.
    random_state : int, RandomState instance or None, default=None
        Seeds the sample-index streams.  One seed per task is drawn from it
        before any task starts, so results do not depend on ``n_jobs`` or
        the joblib backend.
    backend : {"numba", "cython"}, default="numba"
        The compiled kernel.
    sampling : {"importance", "uniform"}, default="importance"
        How samples are drawn (see :class:`LogisticRegression`).
    batch_size : int or "auto", default="auto"
        Samples per step on dense ``X`` (see :class:`LogisticRegression`).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    Cs_ : ndarray of shape (n_cs,)
        The grid of C, in the order given.
    l1_ratios_ : ndarray of shape (n_l1_ratios,)
        The l1_ratios tried, after resolving ``penalty``.
    C_ : float
        The chosen C.
    l1_ratio_ : float
        The chosen l1_ratio.
    scores_ : ndarray of shape (n_folds, n_l1_ratios, n_cs)
        Test score of every fold, l1_ratio and C.
    coefs_paths_ : ndarray of shape (n_folds, n_l1_ratios, n_cs, K, n_dof)
        Coefficients along every path; ``K`` is 1 for a binary problem,
        ``n_classes`` otherwise; ``n_dof`` is ``n_features + 1`` with an
        intercept (the last column), ``n_features`` without.
    n_iter_ : ndarray of shape (n_folds, n_l1_ratios, n_cs)
        Epochs run by every fit of the paths.
    coef_ : ndarray of shape (K, n_features)
        Coefficients of the final model.
    intercept_ : ndarray of shape (K,)
        Intercepts of the final model (zeros without ``fit_intercept``).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names, when ``X`` has string column names.

    Notes
    -----
    :meth:`to_sklearn` returns a scikit-learn ``LogisticRegression`` with
    ``C=C_``, ``l1_ratio=l1_ratio_`` and this model's coefficients; its
    ``n_iter_`` is this estimator's (the epochs of the paths).

    With scikit-learn 1.9+, ``set_callbacks`` takes its callbacks.  The fit
    task has one subtask per (fold, l1_ratio) path, then one for the refit;
    a path has one subtask per C (in the order fitted, increasing), the
    refit one for its C, and each C one per epoch.  A path's tasks are
    given its fold's training part; the tasks of a C and of its epochs,
    their model.  A callback stopping an epoch ends that C's fit there;
    the grid itself is always completed.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from fastsaga import LogisticRegressionCV
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = LogisticRegressionCV(
    ...     Cs=[0.01, 0.1, 1.0], cv=3, max_iter=1000, random_state=0
    ... ).fit(X, y)
    >>> clf.scores_.shape
    (3, 1, 3)
    """

    # score's sample_weight goes to the scorer only, as in scikit-learn.
    __metadata_request__score = {"sample_weight": metadata_routing.UNUSED}

    _parameter_constraints: dict = {
        **{
            name: constraint
            for name, constraint in LogisticRegression._parameter_constraints.items()
            if name not in {"C", "l1_ratio", "warm_start", "gap_tol"}
        },
        "penalty": [StrOptions({"auto", "l1", "l2", "elasticnet"})],
        "Cs": [Interval(Integral, 1, None, closed="left"), "array-like"],
        "l1_ratios": ["array-like", None],
        "cv": ["cv_object"],
        "scoring": [StrOptions(set(get_scorer_names())), callable, None],
        "refit": ["boolean"],
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        *,
        Cs=10,
        l1_ratios=None,
        fit_intercept=True,
        cv=None,
        penalty="auto",
        scoring=None,
        tol=1e-4,
        max_iter=100,
        class_weight=None,
        n_jobs=None,
        verbose=0,
        refit=True,
        random_state=None,
        backend="numba",
        sampling="importance",
        batch_size="auto",
    ):
        self.Cs = Cs
        self.l1_ratios = l1_ratios
        self.fit_intercept = fit_intercept
        self.cv = cv
        self.penalty = penalty
        self.scoring = scoring
        self.tol = tol
        self.max_iter = max_iter
        self.class_weight = class_weight
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.refit = refit
        self.random_state = random_state
        self.backend = backend
        self.sampling = sampling
        self.batch_size = batch_size

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, **params):
        """Cross-validate the grid, then fit the final model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 stays float32, anything else is float64.
        y : array-like of shape (n_samples,)
            Class labels (at least two distinct).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights, used in the fits and passed to the scorer.
        **params : dict
            Parameters for the splitter (e.g. ``groups``) and the scorer.
            Only available with ``sklearn.set_config(
            enable_metadata_routing=True)``, as in scikit-learn.

        Returns
        -------
        self : LogisticRegressionCV
            The fitted estimator.
        """
        _raise_for_params(params, self, "fit")
        Cs = self._grid_of_Cs()
        l1_ratios = self._resolved_l1_ratios()
        get_backend(self.backend)  # a missing kernel fails before any work
        data = validated_training_data(self, X, y, sample_weight)
        routed = self._routed_params("fit", {"sample_weight": sample_weight, **params})
        cv = check_cv(self.cv, data.y, classifier=True)
        folds = list(cv.split(data.X, data.y, **routed.splitter.split))
        seeds = check_random_state(self.random_state).randint(
            _SEED_BOUND, size=len(folds) * len(l1_ratios) + 1
        )
        scorer = _scorer_with_labels(self._get_scorer(), data.classes)
        tasks = [
            (fold, train, test, r)
            for fold, (train, test) in enumerate(folds)
            for r in l1_ratios
        ]
        task = fit_task(
            self,
            self._init_callback_context(
                max_subtasks=len(tasks) + self.refit, sequential_subtasks=False
            ),
            data,
            sample_weight,
        )
        task.begin()
        # Made here, not in the threads: adding children to a context is not
        # thread-safe, and parallel siblings need explicit ids.
        path_tasks = [
            task.subtask(
                f"fold {fold}, l1_ratio={r:.3g}", task_id=i, max_subtasks=len(Cs)
            )
            for i, (fold, _, _, r) in enumerate(tasks)
        ]
        paths = Parallel(n_jobs=self.n_jobs, verbose=self.verbose, prefer="threads")(
            delayed(_fold_path)(
                data, train, test,
                estimator=self._estimator_for(Cs[0], l1_ratio),
                Cs=Cs,
                scorer=scorer,
                score_params=_check_method_params(
                    data.X, params=routed.scorer.score, indices=test
                ),
                random_state=seed,
                task=path_task,
            )
            for (_, train, test, l1_ratio), seed, path_task in zip(
                tasks, seeds[:-1], path_tasks, strict=True
            )
        )
        fitted = {"Cs_": Cs, "l1_ratios_": l1_ratios}
        fitted.update(_stored_paths(paths, (len(folds), len(l1_ratios), len(Cs)),
                                    self.fit_intercept))
        if self.refit:
            refit_task = task.subtask("refit", task_id=len(tasks), max_subtasks=1)
            refit_task.begin()
            fitted.update(self._refit_best(data, fitted, seeds[-1], refit_task))
            refit_task.end()
        else:
            fitted.update(_average_of_fold_bests(fitted, data.X.shape[1],
                                                 self.fit_intercept))
        data.set_fitted_attributes(self, **fitted)
        task.end({})  # nothing to add: the estimator is the fitted model
        return self

    def score(self, X, y, sample_weight=None, **score_params):
        """Return the ``scoring`` score (accuracy by default) on ``(X, y)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Test samples.
        y : array-like of shape (n_samples,)
            True labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights, passed to the scorer.
        **score_params : dict
            Parameters for the scorer (with metadata routing enabled).

        Returns
        -------
        score : float
        """
        _raise_for_params(score_params, self, "score")
        if sample_weight is not None:
            score_params["sample_weight"] = sample_weight
        routed = self._routed_params("score", score_params)
        return self._get_scorer()(self, X, y, **routed.scorer.score)

    def get_metadata_routing(self):
        """Get the metadata routing of this object, as scikit-learn's.

        ``fit`` routes to the splitter's ``split`` and the scorer's
        ``score``; ``score`` routes to the scorer's ``score``.

        Returns
        -------
        routing : MetadataRouter
        """
        return (
            MetadataRouter(owner=self)
            .add_self_request(self)
            .add(
                splitter=self.cv,
                method_mapping=MethodMapping().add(caller="fit", callee="split"),
            )
            .add(
                scorer=self._get_scorer(),
                method_mapping=MethodMapping()
                .add(caller="score", callee="score")
                .add(caller="fit", callee="score"),
            )
        )

    def _routed_params(self, method, params):
        """Route ``params`` as scikit-learn's LogisticRegressionCV does.

        Without metadata routing, only the sample weights reach the scorer.
        """
        if _routing_enabled():
            return process_routing(self, method, **params)
        weights = params.get("sample_weight")
        score = {} if weights is None else {"sample_weight": weights}
        return _manual_routing({"splitter": {}, "scorer": {"score": score}})

    def _get_scorer(self):
        return get_scorer("accuracy" if self.scoring is None else self.scoring)

    def _fitted_penalty(self):
        """Return the chosen ``(C_, l1_ratio_)``, used by ``to_sklearn()``."""
        return self.C_, self.l1_ratio_

    def _grid_of_Cs(self):
        """Return the grid of C as a float array, checked."""
        if isinstance(self.Cs, Integral):
            return np.logspace(-4, 4, self.Cs)
        Cs = np.asarray(self.Cs, dtype=np.float64)
        if Cs.ndim != 1 or Cs.size == 0 or np.any(np.isnan(Cs)) or np.any(Cs <= 0):
            raise ValueError(
                f"Cs must be an int or a non-empty 1-d list of values in (0, inf]; "
                f"got {self.Cs!r}."
            )
        return Cs

    def _resolved_l1_ratios(self):
        """Resolve each l1_ratio with ``penalty``, as LogisticRegression does."""
        requested = [None] if self.l1_ratios is None else list(self.l1_ratios)
        if len(requested) == 0 or any(
            r is not None and not 0 <= float(r) <= 1 for r in requested
        ):
            raise ValueError(
                f"l1_ratios must be None or a non-empty list of numbers in [0, 1]; "
                f"got {self.l1_ratios!r}."
            )
        return np.array(
            [self._estimator_for(1.0, r)._resolved_penalty()[1] for r in requested]
        )

    def _estimator_for(self, C, l1_ratio):
        """Return the unfitted :class:`LogisticRegression` of one grid point."""
        return LogisticRegression(
            penalty=self.penalty,
            C=C,
            l1_ratio=l1_ratio,
            tol=self.tol,
            max_iter=self.max_iter,
            fit_intercept=self.fit_intercept,
            class_weight=self.class_weight,
            random_state=self.random_state,
            backend=self.backend,
            sampling=self.sampling,
            batch_size=self.batch_size,
        )

    def _refit_best(self, data, fitted, random_state, task):
        """Refit the best summed score on all data, from the folds' mean.

        ``task`` is the refit's callback task.  Returns the fitted attributes
        it determines.
        """
        # argmax over a (C, l1_ratio) layout breaks ties as scikit-learn does:
        # smallest C first, then first l1_ratio.
        summed = fitted["scores_"].sum(axis=0).T
        best_C, best_l1 = np.unravel_index(np.argmax(summed), summed.shape)
        C, l1_ratio = float(fitted["Cs_"][best_C]), float(fitted["l1_ratios_"][best_l1])
        start = fitted["coefs_paths_"][:, best_l1, best_C].mean(axis=0)
        n_features = data.X.shape[1]
        final = logistic_regression_path(
            data.X,
            data.y_encoded,
            [C],
            n_classes=len(data.classes),
            l1_ratio=l1_ratio,
            sample_weight=data.sample_weight,
            random_state=random_state,
            **_solver_settings(self),
            n_threads=effective_n_jobs(self.n_jobs),
            coef=start[:, :n_features],
            intercept=start[:, -1] if self.fit_intercept else None,
            task=task,
        )
        return {
            "C_": C,
            "l1_ratio_": l1_ratio,
            "coef_": final.coefs[0],
            "intercept_": final.intercepts[0],
        }


def _stored_paths(paths, grid, fit_intercept):
    """``scores_``, ``n_iter_`` and ``coefs_paths_`` from the tasks' paths."""
    coefs, intercepts, n_iter, scores = zip(*paths, strict=True)
    coefs = np.reshape(coefs, grid + np.shape(coefs[0])[1:])
    if fit_intercept:
        intercepts = np.reshape(intercepts, grid + np.shape(intercepts[0])[1:])
        coefs = np.concatenate([coefs, intercepts[..., None]], axis=-1)
    return {
        "coefs_paths_": coefs,
        "n_iter_": np.reshape(n_iter, grid),
        "scores_": np.reshape(scores, grid),
    }


def _average_of_fold_bests(fitted, n_features, fit_intercept):
    """Average each fold's best coefficients, C and l1_ratio (refit=False)."""
    scores, Cs, l1_ratios = fitted["scores_"], fitted["Cs_"], fitted["l1_ratios_"]
    n_folds = scores.shape[0]
    per_fold = scores.transpose(0, 2, 1).reshape(n_folds, -1)
    best_C, best_l1 = np.unravel_index(
        np.argmax(per_fold, axis=1), (len(Cs), len(l1_ratios))
    )
    mean = fitted["coefs_paths_"][np.arange(n_folds), best_l1, best_C].mean(axis=0)
    return {
        "C_": float(np.mean(Cs[best_C])),
        "l1_ratio_": float(np.mean(l1_ratios[best_l1])),
        "coef_": np.ascontiguousarray(mean[:, :n_features]),
        "intercept_": (
            mean[:, -1] if fit_intercept else np.zeros(mean.shape[0], mean.dtype)
        ),
    }


def _scorer_with_labels(scorer, classes):
    """``scorer``, told every class when its metric takes ``labels``.

    A test fold may lack a class, which metrics such as ``log_loss`` cannot
    infer from its ``y``; scikit-learn's LogisticRegressionCV rebuilds the
    scorer the same way (and passes the positive class of a binary problem).
    """
    metric = getattr(scorer, "_score_func", None)
    parameters = inspect.signature(metric).parameters if metric else {}
    if "labels" not in parameters:
        return scorer
    positive = {"pos_label": classes[-1]} if len(classes) == 2 and (
        "pos_label" in parameters
    ) else {}
    return make_scorer(
        metric,
        greater_is_better=scorer._sign == 1,
        response_method=scorer._response_method,
        labels=classes,
        **positive,
        **getattr(scorer, "_kwargs", {}),
    )


def _solver_settings(estimator):
    """Return the path function's solver options, as ``estimator`` sets them."""
    return {
        name: getattr(estimator, name)
        for name in (
            "fit_intercept", "tol", "max_iter", "backend", "sampling", "batch_size"
        )
    }


def _fold_path(data, train, test, *, estimator, Cs, scorer, score_params,
               random_state, task):
    """Fit the path on ``train``, score every C on ``test``.

    ``estimator`` is the grid point's unfitted :class:`LogisticRegression`:
    it carries the solver settings, and each C's solution is scored through
    it with the fitted attributes set.  ``task`` is the path's callback task,
    reported with the training part.

    Returns ``(coefs, intercepts, n_iter, scores)`` in the order of ``Cs``.
    """
    _, l1_ratio = estimator._resolved_penalty()
    X_train = data.X[train]
    task = task.on_rows(train, X_train, data.y[train])
    task.begin()
    path = logistic_regression_path(
        X_train,
        data.y_encoded[train],
        Cs,
        n_classes=len(data.classes),
        l1_ratio=l1_ratio,
        sample_weight=data.sample_weight[train],
        random_state=random_state,
        **_solver_settings(estimator),
        task=task,
    )
    X_test, y_test = data.X[test], data.y[test]
    scores = np.empty(len(Cs))
    for position, C in enumerate(Cs):
        estimator.set_params(C=C)
        data.set_fitted_attributes(
            estimator,
            coef_=path.coefs[position],
            intercept_=path.intercepts[position],
        )
        scores[position] = scorer(estimator, X_test, y_test, **score_params)
    task.end()
    return path.coefs, path.intercepts, path.n_iter, scores
