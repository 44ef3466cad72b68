"""The scikit-learn estimator: parameters, warm starts, the fit, predictions."""

import copy
from numbers import Integral, Real

import numpy as np
from joblib import effective_n_jobs
from scipy import sparse
from sklearn.base import BaseEstimator, _fit_context
from sklearn.linear_model._base import LinearClassifierMixin, SparseCoefMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from . import _problem
from ._backends import BACKENDS, get_backend
from ._callbacks import CallbackSupportMixin, fit_task
from ._data import validated_training_data
from ._layout import layout_for
from ._solver import saga_solve

# l1_ratio implied by an explicit penalty name.
_IMPLIED_L1_RATIO = {"l1": 1.0, "l2": 0.0}


class LogisticRegression(
    CallbackSupportMixin, LinearClassifierMixin, SparseCoefMixin, BaseEstimator
):
    """Logistic regression with L1, L2 or elastic-net penalty, fitted by SAGA.

    The model and the objective are scikit-learn's
    ``LogisticRegression(solver="saga")``: minimise over ``W, b``::

        C * sum_i s_i * loss(y_i, W x_i + b)
            + (1 - l1_ratio) / 2 * ||W||_F^2 + l1_ratio * ||W||_1

    with the binary logistic loss for two classes (one row of ``coef_``) and
    the multinomial loss otherwise.  The solver is proximal SAGA run by a
    compiled kernel (Numba or Cython), with importance sampling by default.

    Parameters
    ----------
    penalty : {"auto", "l1", "l2", "elasticnet"} or None, default="auto"
        The penalty.  ``"auto"`` lets ``l1_ratio`` decide, as scikit-learn 1.8+
        does (0 is L2, 1 is L1, in between elastic-net; ``C=np.inf`` is no
        penalty).  ``"l1"``, ``"l2"`` and ``None`` (no penalty) decide by
        themselves, with ``l1_ratio`` left at its default (0 or None, which
        mean "unset" there), or equal to what the name implies; any other
        value contradicts the name and raises ``ValueError``.
        ``"elasticnet"`` takes ``l1_ratio`` as given.
    C : float, default=1.0
        Inverse regularisation strength, in ``(0, inf]``.
    l1_ratio : float in [0, 1] or None, default=0.0
        Elastic-net mixing: share of the L1 penalty (scikit-learn's default
        and meaning, which its meta-estimators read, e.g. ``SelectFromModel``).
        ``None`` is taken as 0 with ``penalty="auto"``, and is refused with
        ``penalty="elasticnet"``.
    tol : float, default=1e-4
        Stop after an epoch when ``max|W - W_prev| / max|W| <= tol``,
        scikit-learn's saga criterion (intercepts left out).  An epoch that
        leaves ``W`` at zero, where it started, is judged on the intercepts
        instead (on a logit's scale), and stops the fit only if zero is
        optimal: every entry of the loss gradient at most the L1 strength
        (times ``1 + tol``).
    max_iter : int, default=100
        Maximum number of epochs.  Reaching it warns with
        ``sklearn.exceptions.ConvergenceWarning``; ``0`` returns the starting
        point (zeros, or the previous fit's under ``warm_start``).
    fit_intercept : bool, default=True
        Whether to fit an unpenalised intercept.
    class_weight : dict, "balanced" or None, default=None
        Weights multiplying each sample's weight by its class's weight.
    random_state : int, RandomState instance or None, default=None
        Seeds the sample-index stream.  The same seed gives the same iterates
        with either backend.
    warm_start : bool, default=False
        Start from the previous ``coef_`` and ``intercept_``, with the
        gradient memory rebuilt there.  The previous fit must have the same
        classes and features, and finite coefficients.
    verbose : int, default=0
        With ``verbose >= 1``, print one line per epoch: epoch, objective
        ``F`` (the objective divided by ``C * n``), relative change, time.
    backend : {"numba", "cython"}, default="numba"
        The compiled kernel that runs the epochs.
    sampling : {"importance", "uniform"}, default="importance"
        How samples are drawn.  ``"importance"`` draws sample ``i`` with a
        probability that mixes ``1/n`` and its smoothness ``L_i``, which allows
        a step set by the mean rather than the largest row norm; ``"uniform"``
        is scikit-learn's sampling and step.
    gap_tol : float or None, default=None
        If set, stop when the relative duality gap, an upper bound on
        ``(F - F*) / F*``, is at most ``gap_tol`` (checked every few epochs
        and whenever ``tol``'s rule would stop, one pass over the data each),
        instead of on ``tol``'s rule.  ``verbose`` prints each gap computed.
    batch_size : int or "auto", default="auto"
        Samples per SAGA step on dense ``X`` (mini-batch SAGA; the step
        grows with the batch's expected smoothness).  ``"auto"`` takes the
        largest power of two up to 64 whose step per sample stays within
        25 % of one sample's, from the data's smoothness (large on correlated
        features such as images, 1 on nearly orthogonal rows); ``1`` is
        plain SAGA, one sample a step.  Sparse ``X`` always takes one sample
        a step.  The batch used is ``batch_size_``.
    n_jobs : int, default=None
        Threads sharing each step's work on dense ``X`` when the batch has
        more than one sample (with one sample a step the fit runs on one
        thread).  ``None`` is 1 unless a joblib context says otherwise; ``-1``
        uses all processors.  The fitted model does not depend on it.  With
        the numba backend each step's threads are started under the GIL
        (numba's parallel launch), so fits in several Python threads are
        better given ``n_jobs=1`` each.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Coefficients; one row for a binary problem (for ``classes_[1]``).
    intercept_ : ndarray of shape (1,) or (n_classes,)
        Intercepts (zeros when ``fit_intercept=False``).
    dual_gap_ : float
        Duality gap at the fitted model: an upper bound on ``F - F*``, where
        ``F`` is the objective divided by ``C * n_samples`` (the mean weighted
        loss plus the penalty) and ``F*`` its minimum.  A certificate of
        optimality, from one pass over the data at the end of the fit;
        ``inf`` without penalty, where it bounds nothing.
    objective_ : float
        ``F`` at the fitted model; ``dual_gap_ / (objective_ - dual_gap_)``
        bounds its relative distance to the optimum.
    n_iter_ : ndarray of shape (1,)
        Number of epochs run.  Each fit sets every fitted attribute at its
        end: a fit that raises leaves a fitted model as it was.
    batch_size_ : int
        Samples per step of the fit (``batch_size`` resolved).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names, when ``X`` has string column names.

    Notes
    -----
    With scikit-learn 1.9+, ``set_callbacks`` takes its callbacks
    (``sklearn.callback``, e.g. ``ProgressBar``, ``ScoringMonitor``).  The
    fit task has one subtask per epoch, whose model (``coef_``,
    ``intercept_``) is the one the epoch starts or ends at; a callback whose
    ``on_fit_task_end`` returns True for an epoch stops the fit there, with
    every fitted attribute set as usual.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from fastsaga import LogisticRegression
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = LogisticRegression(C=1.0, random_state=0, max_iter=1000).fit(X, y)
    >>> clf.predict(X[:2])
    array([0, 0])
    """

    _parameter_constraints: dict = {
        "penalty": [StrOptions({"auto", "l1", "l2", "elasticnet"}), None],
        "C": [Interval(Real, 0, None, closed="right")],
        "l1_ratio": [Interval(Real, 0, 1, closed="both"), None],
        "tol": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "fit_intercept": ["boolean"],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "random_state": ["random_state"],
        "warm_start": ["boolean"],
        "verbose": ["verbose"],
        "backend": [StrOptions(set(BACKENDS))],
        "sampling": [StrOptions({"importance", "uniform"})],
        "gap_tol": [Interval(Real, 0, None, closed="neither"), None],
        "batch_size": [
            Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})
        ],
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        penalty="auto",
        *,
        C=1.0,
        l1_ratio=0.0,
        tol=1e-4,
        max_iter=100,
        fit_intercept=True,
        class_weight=None,
        random_state=None,
        warm_start=False,
        verbose=0,
        backend="numba",
        sampling="importance",
        gap_tol=None,
        batch_size="auto",
        n_jobs=None,
    ):
        self.penalty = penalty
        self.C = C
        self.l1_ratio = l1_ratio
        self.tol = tol
        self.max_iter = max_iter
        self.fit_intercept = fit_intercept
        self.class_weight = class_weight
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose
        self.backend = backend
        self.sampling = sampling
        self.gap_tol = gap_tol
        self.batch_size = batch_size
        self.n_jobs = n_jobs

    def _resolved_penalty(self):
        """Return ``(C, l1_ratio)`` after resolving ``penalty``/``l1_ratio``.

        ``C = inf`` stands for "no penalty".
        """
        penalty, l1_ratio = self.penalty, self.l1_ratio
        if penalty == "auto":
            return self.C, 0.0 if l1_ratio is None else float(l1_ratio)
        if penalty == "elasticnet":
            if l1_ratio is None:
                raise ValueError(
                    "penalty='elasticnet' needs l1_ratio, a number in [0, 1]."
                )
            return self.C, float(l1_ratio)
        if penalty is None:
            C, implied = np.inf, 0.0
        else:
            C, implied = self.C, _IMPLIED_L1_RATIO[penalty]
        if l1_ratio not in (None, 0.0, implied):
            raise ValueError(
                f"penalty={penalty!r} contradicts l1_ratio={l1_ratio!r}. Set "
                "only one of them (scikit-learn 1.8+ deprecates penalty: "
                "l1_ratio=1 is L1, 0 is L2, C=np.inf is no penalty), or use "
                "penalty='elasticnet' for a mixed penalty."
            )
        return C, implied

    def _warm_start_point(self, data):
        """The previous fit's ``(coef, intercept)`` under warm_start, else None.

        Checked against ``data`` before any work: a start that cannot apply
        is an error, never a silent restart or a corrupted model.
        """
        if not (self.warm_start and hasattr(self, "coef_")):
            return None
        previous_classes = getattr(self, "classes_", data.classes)
        if not np.array_equal(previous_classes, data.classes):
            raise ValueError(
                f"warm_start: the previous fit has classes "
                f"{previous_classes.tolist()} but y has {data.classes.tolist()}; "
                "refit with warm_start=False."
            )
        coef = self.coef_.toarray() if sparse.issparse(self.coef_) else self.coef_
        coef = np.asarray(coef, dtype=data.X.dtype)
        if coef.shape != (data.n_rows, data.X.shape[1]):
            raise ValueError(
                f"warm_start: the previous coef_ has shape {coef.shape} but "
                f"this data needs {(data.n_rows, data.X.shape[1])}; refit "
                "with warm_start=False."
            )
        # Without an intercept, the previous one must not shift the fit.
        intercept = np.asarray(
            self.intercept_ if self.fit_intercept else np.zeros(data.n_rows),
            dtype=data.X.dtype,
        )
        if not (np.all(np.isfinite(coef)) and np.all(np.isfinite(intercept))):
            raise ValueError(
                "warm_start: the previous coef_ or intercept_ contains NaN or "
                "infinity, which cannot start a fit; refit with "
                "warm_start=False."
            )
        return coef, intercept

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model by proximal SAGA.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 stays float32, anything else is float64.
        y : array-like of shape (n_samples,)
            Class labels (at least two distinct).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights, not all zero.

        Returns
        -------
        self : LogisticRegression
            The fitted estimator.
        """
        C, l1_ratio = self._resolved_penalty()
        get_backend(self.backend)  # a missing kernel fails before any work
        data = validated_training_data(self, X, y, sample_weight)
        start = self._warm_start_point(data)
        task = fit_task(
            self,
            self._init_callback_context(max_subtasks=self.max_iter),
            data,
            sample_weight,
        )
        task.begin()
        layout = layout_for(data.X)
        if start is None:
            state = layout.zero_state(data.n_rows)
        else:
            state = layout.state_at(*start, data.y_encoded, data.sample_weight)
        alpha, beta = _problem.penalty_strengths(C, l1_ratio, data.X.shape[0])
        result = saga_solve(
            layout,
            data.y_encoded,
            data.sample_weight,
            state,
            alpha=alpha,
            beta=beta,
            fit_intercept=self.fit_intercept,
            sampling=self.sampling,
            backend=self.backend,
            batch_size=self.batch_size,
            n_threads=effective_n_jobs(self.n_jobs),
            tol=self.tol,
            max_iter=self.max_iter,
            random_state=self.random_state,
            verbose=self.verbose,
            gap_tol=self.gap_tol,
            **task.epoch_hooks(),
        )
        # A sparse fit's W is a strided view of its feature-major table.
        data.set_fitted_attributes(
            self,
            coef_=np.ascontiguousarray(result.state.W),
            intercept_=result.state.b,
            n_iter_=np.array([result.n_iter], dtype=np.int32),
            dual_gap_=result.gap,
            objective_=result.primal,
            batch_size_=result.batch_size,
        )
        task.end({})  # nothing to add: the estimator is the fitted model
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def predict_proba(self, X):
        """Return class probabilities, shape ``(n_samples, n_classes)``.

        Softmax of the decision values (the sigmoid for two classes).
        """
        check_is_fitted(self)
        return _problem.probabilities_from_decision(
            np.asarray(self.decision_function(X), dtype=np.float64)
        )

    def predict_log_proba(self, X):
        """Return the log of :meth:`predict_proba`, computed as a log-softmax."""
        check_is_fitted(self)
        return _problem.log_probabilities_from_decision(
            np.asarray(self.decision_function(X), dtype=np.float64)
        )

    def to_sklearn(self):
        """Return the equivalent fitted scikit-learn ``LogisticRegression``.

        The model has this one's ``coef_``, ``intercept_``, ``classes_``,
        ``n_features_in_``, ``feature_names_in_`` (if any) and ``n_iter_``,
        so it predicts identically, and the parameters that mean the same
        there (``C``, ``l1_ratio``, ``solver="saga"``, ``tol``, ``max_iter``,
        ``fit_intercept``, ``class_weight``, ``random_state``); no penalty is
        ``C=np.inf``, scikit-learn's spelling since ``penalty`` was deprecated.
        For tools that only know scikit-learn's class (ONNX converters, model
        registries).

        Returns
        -------
        model : sklearn.linear_model.LogisticRegression
            A fitted copy; changing it does not change this estimator.
        """
        from sklearn.linear_model import LogisticRegression as SklearnModel

        check_is_fitted(self)
        C, l1_ratio = self._fitted_penalty()
        model = SklearnModel(
            C=C,
            l1_ratio=l1_ratio,
            solver="saga",
            tol=self.tol,
            max_iter=self.max_iter,
            fit_intercept=self.fit_intercept,
            class_weight=self.class_weight,
            random_state=self.random_state,
        )
        for name in (
            "classes_", "coef_", "intercept_", "n_iter_", "n_features_in_",
            "feature_names_in_",
        ):
            if hasattr(self, name):
                setattr(model, name, copy.deepcopy(getattr(self, name)))
        return model

    def _fitted_penalty(self):
        """Return ``(C, l1_ratio)`` of the fitted model, ``C = inf``: none."""
        return self._resolved_penalty()
