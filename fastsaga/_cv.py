"""Cross-validated logistic regression: a warm-started path per fold.

One joblib task per (fold, l1_ratio) fits the whole path of Cs on the fold's
training part and scores every C on its test part.  Tasks prefer threads
(the kernels release the GIL), but a backend chosen with
``joblib.parallel_config`` / ``joblib.parallel_backend`` (for example
``"dask"``) wins over that hint, so the same code runs on a cluster.
"""

from numbers import Integral

import numpy as np
from sklearn.base import _fit_context
from sklearn.metrics import get_scorer, get_scorer_names
from sklearn.model_selection import check_cv
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import _check_sample_weight, validate_data

from ._backends import get_backend
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
        Number of (fold, l1_ratio) tasks run at once.  ``None`` is 1 unless
        a joblib context says otherwise; ``-1`` uses all processors.
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

    _parameter_constraints: dict = {
        **{
            name: constraint
            for name, constraint in LogisticRegression._parameter_constraints.items()
            if name not in {"C", "l1_ratio", "warm_start"}
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

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Cross-validate the grid, then fit the final model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data; float32 stays float32, anything else is float64.
        y : array-like of shape (n_samples,)
            Class labels (at least two distinct).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights, used in the fits and passed to the scorer.

        Returns
        -------
        self : LogisticRegressionCV
            The fitted estimator.
        """
        self.Cs_ = self._grid_of_Cs()
        self.l1_ratios_ = self._resolved_l1_ratios()
        get_backend(self.backend)  # a missing kernel fails before any work
        X, y = validate_data(
            self, X, y, dtype=[np.float64, np.float32], order="C", y_numeric=False
        )
        check_classification_targets(y)
        encoder = LabelEncoder()
        y_encoded = encoder.fit_transform(y).astype(np.intp)
        self.classes_ = encoder.classes_
        if len(self.classes_) < 2:
            raise ValueError(
                "y contains a single class "
                f"({self.classes_[0]!r}); logistic regression needs at least 2."
            )
        # Class weights are computed once, on the whole y, as scikit-learn does.
        fit_weight = self._validated_weights(X, y, y_encoded, sample_weight)
        score_weight = (
            None if sample_weight is None else _check_sample_weight(sample_weight, X)
        )
        folds = list(check_cv(self.cv, y, classifier=True).split(X, y))
        seeds = check_random_state(self.random_state).randint(
            _SEED_BOUND, size=len(folds) * len(self.l1_ratios_) + 1
        )
        scorer = self._scorer()
        tasks = [
            (train, test, l1_ratio)
            for train, test in folds
            for l1_ratio in self.l1_ratios_
        ]
        paths = Parallel(n_jobs=self.n_jobs, verbose=self.verbose, prefer="threads")(
            delayed(_fold_path)(
                X, y, y_encoded, fit_weight, score_weight, train, test,
                classes=self.classes_,
                estimator=self._estimator_for(self.Cs_[0], l1_ratio),
                Cs=self.Cs_,
                scorer=scorer,
                random_state=seed,
            )
            for (train, test, l1_ratio), seed in zip(tasks, seeds)
        )
        self._store_paths(paths, n_folds=len(folds))
        if self.refit:
            self._refit_best(X, y_encoded, fit_weight, random_state=seeds[-1])
        else:
            self._average_fold_bests()
        return self

    def score(self, X, y, sample_weight=None):
        """Return the ``scoring`` score (accuracy by default) on ``(X, y)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Test samples.
        y : array-like of shape (n_samples,)
            True labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights, passed to the scorer.

        Returns
        -------
        score : float
        """
        weights = {} if sample_weight is None else {"sample_weight": sample_weight}
        return self._scorer()(self, X, y, **weights)

    def _fitted_penalty(self):
        """Return the chosen ``(C_, l1_ratio_)``, used by ``to_sklearn()``."""
        return self.C_, self.l1_ratio_

    def _scorer(self):
        return get_scorer("accuracy" if self.scoring is None else self.scoring)

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
        )

    def _store_paths(self, paths, *, n_folds):
        """Set ``scores_``, ``n_iter_``, ``coefs_paths_`` from the tasks."""
        grid = (n_folds, len(self.l1_ratios_), len(self.Cs_))
        coefs, intercepts, n_iter, scores = zip(*paths)
        coefs = np.reshape(coefs, grid + np.shape(coefs[0])[1:])
        if self.fit_intercept:
            intercepts = np.reshape(intercepts, grid + np.shape(intercepts[0])[1:])
            coefs = np.concatenate([coefs, intercepts[..., None]], axis=-1)
        self.coefs_paths_ = coefs
        self.n_iter_ = np.reshape(n_iter, grid)
        self.scores_ = np.reshape(scores, grid)

    def _refit_best(self, X, y_encoded, fit_weight, random_state):
        """Pick the best summed score, refit it on all data from the folds' mean."""
        # argmax over a (C, l1_ratio) layout breaks ties as scikit-learn does:
        # smallest C first, then first l1_ratio.
        summed = self.scores_.sum(axis=0).T
        best_C, best_l1 = np.unravel_index(np.argmax(summed), summed.shape)
        self.C_ = float(self.Cs_[best_C])
        self.l1_ratio_ = float(self.l1_ratios_[best_l1])
        start = self.coefs_paths_[:, best_l1, best_C].mean(axis=0)
        final = logistic_regression_path(
            X,
            y_encoded,
            [self.C_],
            n_classes=len(self.classes_),
            l1_ratio=self.l1_ratio_,
            sample_weight=fit_weight,
            random_state=random_state,
            **_solver_settings(self),
            coef=start[:, : X.shape[1]],
            intercept=start[:, -1] if self.fit_intercept else None,
        )
        self.coef_ = final.coefs[0]
        self.intercept_ = final.intercepts[0]

    def _average_fold_bests(self):
        """Average each fold's best coefficients, C and l1_ratio (refit=False)."""
        n_folds = self.scores_.shape[0]
        per_fold = self.scores_.transpose(0, 2, 1).reshape(n_folds, -1)
        best_C, best_l1 = np.unravel_index(
            np.argmax(per_fold, axis=1), (len(self.Cs_), len(self.l1_ratios_))
        )
        folds = np.arange(n_folds)
        mean = self.coefs_paths_[folds, best_l1, best_C].mean(axis=0)
        n_features = self.n_features_in_
        self.C_ = float(np.mean(self.Cs_[best_C]))
        self.l1_ratio_ = float(np.mean(self.l1_ratios_[best_l1]))
        self.coef_ = np.ascontiguousarray(mean[:, :n_features])
        self.intercept_ = (
            mean[:, -1] if self.fit_intercept else np.zeros(mean.shape[0], mean.dtype)
        )


def _solver_settings(estimator):
    """Return the path function's solver options, as ``estimator`` sets them."""
    return {
        name: getattr(estimator, name)
        for name in ("fit_intercept", "tol", "max_iter", "backend", "sampling")
    }


def _fold_path(
    X, y, y_encoded, fit_weight, score_weight, train, test, *,
    classes, estimator, Cs, scorer, random_state,
):
    """Fit the path on ``train``, score every C on ``test``.

    ``estimator`` is the grid point's unfitted :class:`LogisticRegression`:
    it carries the solver settings, and each C's solution is scored through
    a copy of it with the fitted attributes set.

    Returns ``(coefs, intercepts, n_iter, scores)`` in the order of ``Cs``.
    """
    _, l1_ratio = estimator._resolved_penalty()
    path = logistic_regression_path(
        X[train],
        y_encoded[train],
        Cs,
        n_classes=len(classes),
        l1_ratio=l1_ratio,
        sample_weight=fit_weight[train],
        random_state=random_state,
        **_solver_settings(estimator),
    )
    weights = {} if score_weight is None else {"sample_weight": score_weight[test]}
    scores = np.empty(len(Cs))
    for position, C in enumerate(Cs):
        fitted = estimator.set_params(C=C)
        fitted.classes_ = classes
        fitted.n_features_in_ = X.shape[1]
        fitted.coef_ = path.coefs[position]
        fitted.intercept_ = path.intercepts[position]
        scores[position] = scorer(fitted, X[test], y[test], **weights)
    return path.coefs, path.intercepts, path.n_iter, scores
