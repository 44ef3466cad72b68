"""scikit-learn's callbacks (``sklearn.callback``): the tasks of a fit.

A fit reports a tree of tasks to the callbacks set on its estimator; the
estimators build it with :func:`fit_task` and the solver's epoch hooks.
Without callbacks every task is ``UNTRACKED``, which reports and copies
nothing.
"""

import dataclasses
from dataclasses import dataclass

import numpy as np
from sklearn.utils.validation import _check_method_params

try:
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # scikit-learn < 1.9 has no callbacks: fits report no tasks.

    class CallbackSupportMixin:
        def _init_callback_context(self, **context):
            return None



@dataclass(frozen=True)
class FitTask:
    """A task of a fit, as scikit-learn's callbacks see it.

    Every hook is given the estimator, the task's training data (``X``, ``y``
    validated, ``metadata`` with the sample weights as passed to ``fit``) and,
    if the task has one, a model: the fitted attributes from which the
    callbacks build a ready-to-predict estimator (``ScoringMonitor`` scores
    it).  ``model(W, b)`` returns those of the weights ``W, b``.
    """

    context: object  # sklearn.callback.CallbackContext
    estimator: object
    X: object
    y: np.ndarray
    metadata: dict | None
    model: object  # callable

    def subtask(self, task_name, **context):
        """Return a subtask; ``context`` as in ``CallbackContext.subcontext``."""
        return dataclasses.replace(
            self, context=self.context.subcontext(task_name, **context)
        )

    def on_rows(self, rows, X, y):
        """Return this task, reported with the rows ``rows`` of its data.

        ``X, y`` are those rows, indexed by the caller, who needs them too.
        """
        metadata = self.metadata
        if metadata is not None:
            metadata = _check_method_params(self.X, metadata, indices=rows)
        return dataclasses.replace(self, X=X, y=y, metadata=metadata)

    def begin(self, model=None):
        self.context.call_on_fit_task_begin(**self._hook_arguments(model))

    def end(self, model=None):
        """Report the end of the task; True if a callback asks to stop there."""
        return self.context.call_on_fit_task_end(**self._hook_arguments(model))

    def model_at(self, state):
        """The model of ``state`` when a hook runs, copied only if one needs it."""
        return lambda: self.model(state.W.copy(), state.b.copy())

    def epoch_hooks(self):
        """``saga_solve``'s epoch hooks: a subtask per epoch, with its model."""
        epoch = None

        def begin(number, state):
            nonlocal epoch
            epoch = self.subtask("epoch")
            epoch.begin(epoch.model_at(state))

        def end(number, state):
            return epoch.end(epoch.model_at(state))

        return {"epoch_begin": begin, "callback": end}

    def _hook_arguments(self, model):
        return {
            "estimator": self.estimator,
            "X": self.X,
            "y": self.y,
            "metadata": self.metadata,
            "reconstruction_attributes": model,
        }


class _Untracked:
    """The tasks of a fit without callbacks: nothing is reported or copied."""

    def subtask(self, task_name, **context):
        return self

    def on_rows(self, rows, X, y):
        return self

    def begin(self, model=None):
        pass

    def end(self, model=None):
        return False

    def model_at(self, state):
        return None

    def epoch_hooks(self):
        return {}


UNTRACKED = _Untracked()


def fit_task(estimator, context, data, sample_weight):
    """Return the root task of ``estimator``'s fit on ``data``.

    Without callbacks it is ``UNTRACKED``: no subtask is made, so an epoch
    costs nothing more (scikit-learn's lbfgs does the same).
    """
    if not hasattr(estimator, "_skl_callbacks"):
        return UNTRACKED
    metadata = None if sample_weight is None else {"sample_weight": sample_weight}
    return FitTask(
        context, estimator, data.X, data.y, metadata, data.model_attributes
    )
