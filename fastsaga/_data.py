"""Training data: validation, labels, weights, and the attributes they fix."""

from dataclasses import dataclass

import numpy as np
from sklearn.base import clone
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, validate_data


@dataclass
class TrainingData:
    """Validated training data, and the fitted attributes it determines."""

    X: object  # C-contiguous float32/64 ndarray, or CSR matrix
    y: np.ndarray  # the labels as given, validated
    y_encoded: np.ndarray  # class indices (intp)
    classes: np.ndarray
    sample_weight: np.ndarray  # class weights folded in, in X's dtype
    input_attributes: dict  # n_features_in_, and feature_names_in_ if X has names

    @property
    def n_rows(self):
        """Rows of ``coef_``: one for a binary problem (the binary loss)."""
        return 1 if len(self.classes) == 2 else len(self.classes)

    def set_fitted_attributes(self, estimator, **fitted):
        """Set every fitted attribute at once, at the end of a successful fit."""
        estimator.__dict__.pop("feature_names_in_", None)
        attributes = {"classes_": self.classes, **self.input_attributes, **fitted}
        for name, value in attributes.items():
            setattr(estimator, name, value)

    def model_attributes(self, W, b):
        """The fitted attributes of the model ``(W, b)``, for the callbacks.

        Their hooks are given the validated ``X``, which has no column names:
        the model has none either (``None`` counts as unset), so scoring it
        there does not warn.
        """
        return {
            "classes_": self.classes,
            "n_features_in_": self.input_attributes["n_features_in_"],
            "feature_names_in_": None,
            "coef_": W,
            "intercept_": b,
        }


def validated_training_data(estimator, X, y, sample_weight):
    """Validate ``X, y, sample_weight`` for ``estimator``, changing nothing on it.

    scikit-learn's ``validate_data`` records ``n_features_in_`` (and
    ``feature_names_in_``) on the estimator it is given, so it is given a
    clone: a refused fit must leave a fitted model as it was.
    """
    probe = clone(estimator)
    X, y = validate_data(
        probe,
        X,
        y,
        accept_sparse="csr",
        accept_large_sparse=True,
        dtype=[np.float64, np.float32],
        order="C",
        y_numeric=False,
    )
    check_classification_targets(y)
    encoder = LabelEncoder()
    y_encoded = encoder.fit_transform(y).astype(np.intp)
    classes = encoder.classes_
    if len(classes) < 2:
        raise ValueError(
            "This solver needs samples of at least 2 classes in the data, but "
            f"the data contains only one class: {classes.tolist()[0]!r}."
        )
    weights = _fit_weights(
        estimator.class_weight, X, y, y_encoded, classes, sample_weight
    )
    input_attributes = {
        name: getattr(probe, name)
        for name in ("n_features_in_", "feature_names_in_")
        if hasattr(probe, name)
    }
    return TrainingData(X, y, y_encoded, classes, weights, input_attributes)


def _fit_weights(class_weight, X, y, y_encoded, classes, sample_weight):
    """Return per-sample weights, class weights folded in, in X's dtype."""
    sample_weight = _check_sample_weight(
        sample_weight, X, dtype=X.dtype, ensure_non_negative=True
    )
    if isinstance(class_weight, dict):
        unknown = set(class_weight) - set(classes.tolist())
        if unknown:
            raise ValueError(
                "The given class_weight dict must have the class labels as "
                f"keys; classes={classes.tolist()} but the keys "
                f"{sorted(map(str, unknown))} are not among them."
            )
    if class_weight is not None:
        per_class = compute_class_weight(
            class_weight, classes=classes, y=y, sample_weight=sample_weight
        )
        # A new array: the caller's sample_weight is never modified.
        sample_weight = sample_weight * per_class[y_encoded].astype(X.dtype)
    if not np.any(sample_weight > 0):
        raise ValueError(
            "All sample weights (after class_weight) are zero: there is "
            "nothing to fit."
        )
    return np.ascontiguousarray(sample_weight, dtype=X.dtype)
