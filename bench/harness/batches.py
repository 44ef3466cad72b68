"""Section: epochs to eps by batch size and step rule, on five problems.

For each problem, three fits from zero with the same seed, the objective
read after every epoch (epochs, not seconds: the counts do not depend on the
machine):

* ``b=1, fixed step``: one sample a step at ``STEP_MULTIPLIER`` times the
  SAGA bound, halved on a rise (the rule before the adaptive step; run here
  by pinning ``MAX_STEP_MULTIPLIER`` to ``STEP_MULTIPLIER``);
* ``b=1``: one sample a step, the adaptive step (the estimator's rule);
* ``auto``: ``batch_size="auto"`` with the adaptive step (the default).

Epochs count every epoch the kernel ran, roll-backs included.  ``F*`` is the
lowest objective of a long fit with a certified duality gap, cached.  The
problems: the seed problem at C = 0.01 and 0.05, raw MNIST pixels (0..255,
unscaled) at C = 0.01, 20 newsgroups (sparse: always one sample a step) at
C = 1, and an ill-conditioned synthetic problem (features scaled over three
decades).  ``--quick`` runs two small synthetic problems.
"""

import json
import warnings
from contextlib import contextmanager

import numpy as np
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning

from fastsaga import _problem
from fastsaga._layout import layout_for
from fastsaga._solver import saga_solve
from fastsaga.datasets import load_mnist, mnist_seed_split

from ._context import SEED_TEST_SIZE, SEED_TRAIN_SAMPLES
from ._format import table
from .sparse import _raw_mnist

TITLE = "Epochs to eps: batch size and step rule"
EPSILONS = (1e-3, 1e-5)
MAX_EPOCHS = 150
REFERENCE_EPOCHS = 400
REFERENCE_GAP = 1e-9
SETTINGS = {
    "b=1, fixed step": {"batch_size": 1, "adaptive": False},
    "b=1": {"batch_size": 1, "adaptive": True},
    "auto": {"batch_size": "auto", "adaptive": True},
}


@contextmanager
def _step_rule(adaptive):
    """The adaptive step, or the fixed multiplier it replaced."""
    ceiling = _problem.MAX_STEP_MULTIPLIER
    if not adaptive:
        _problem.MAX_STEP_MULTIPLIER = _problem.STEP_MULTIPLIER
    try:
        yield
    finally:
        _problem.MAX_STEP_MULTIPLIER = ceiling


def _solve(X, y, C, *, batch_size, max_iter, gap_tol=None):
    n_rows = 1 if y.max() == 1 else int(y.max()) + 1
    layout = layout_for(X)
    state = layout.zero_state(n_rows)
    alpha, beta = _problem.penalty_strengths(C, 1.0, X.shape[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        result = saga_solve(
            layout, y, np.ones(X.shape[0], X.dtype), state, alpha=alpha,
            beta=beta, batch_size=batch_size, tol=0.0, max_iter=max_iter,
            random_state=0, gap_tol=gap_tol,
        )
    return result


def _reference(context, name, X, y, C):
    """``F*`` (lowest objective of a long certified fit), cached by problem."""
    key = f"{name}-{X.shape[0]}-{X.shape[1]}-{C}".replace(" ", "_")
    path = context.cache_dir / f"batches-optimum-{key}.json"
    if path.is_file():
        return json.loads(path.read_text())
    context.progress(f"batches: reference optimum of {name} (once; cached)")
    result = _solve(
        X, y, C, batch_size=1, max_iter=REFERENCE_EPOCHS, gap_tol=REFERENCE_GAP
    )
    reference = {
        "value": result.primal,
        "relative_gap": result.relative_gap,
        "epochs": result.n_iter,
    }
    context.cache_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(reference))
    return reference


def _epochs_to_eps(X, y, C, optimum, batch_size, adaptive):
    """Epochs the kernel ran (roll-backs included) until each eps, or None."""
    layout = layout_for(X)
    n_rows = 1 if y.max() == 1 else int(y.max()) + 1
    state = layout.zero_state(n_rows)
    alpha, beta = _problem.penalty_strengths(C, 1.0, X.shape[0])
    weights = np.ones(X.shape[0])
    kernel_runs = 0
    run_epoch = layout.run_epoch

    def counted(*args, **kwargs):
        nonlocal kernel_runs
        kernel_runs += 1
        return run_epoch(*args, **kwargs)

    layout.run_epoch = counted
    reached = dict.fromkeys(EPSILONS)

    def record(epoch, state):
        value = _problem.objective(X, y, state.W, state.b, weights, alpha, beta)
        for eps in EPSILONS:
            if reached[eps] is None and (value - optimum) / optimum <= eps:
                reached[eps] = kernel_runs
        return all(epochs is not None for epochs in reached.values())

    with _step_rule(adaptive), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        result = saga_solve(
            layout, y, np.ones(X.shape[0], X.dtype), state, alpha=alpha,
            beta=beta, batch_size=batch_size, tol=0.0, max_iter=MAX_EPOCHS,
            random_state=0, callback=record, certify=False,
        )
    return {"epochs": reached, "batch_size": result.batch_size}


def _seed_split(context):
    """The seed problem's training set (standardised) and class indices."""
    X, y = load_mnist(context.mnist_dir)
    X_train, _, y_train, _ = mnist_seed_split(
        X, y, train_samples=SEED_TRAIN_SAMPLES, test_size=SEED_TEST_SIZE,
        random_state=0,
    )
    X_train = np.ascontiguousarray(X_train, dtype=np.float64)
    return X_train, np.searchsorted(np.unique(y_train), y_train).astype(np.intp)


def _ill_conditioned(n_samples=5000, n_features=200, n_classes=5):
    X, y = make_classification(
        n_samples=n_samples, n_features=n_features,
        n_informative=n_features // 5, n_classes=n_classes, random_state=0,
    )
    X = X * np.logspace(0, -3, n_features)
    return np.ascontiguousarray(X), y.astype(np.intp)


def _newsgroups(context):
    from sklearn.datasets import fetch_20newsgroups_vectorized

    X, y = fetch_20newsgroups_vectorized(
        subset="train", data_home=context.sklearn_data_home,
        download_if_missing=False, return_X_y=True,
    )
    return X, y.astype(np.intp)


def _problems(context):
    """``(name, X, y, C)`` of each problem, built when its turn comes."""
    if context.quick:
        X, y = make_classification(
            n_samples=2000, n_features=60, n_informative=20, n_classes=4,
            random_state=0,
        )
        yield "synthetic (quick)", X, y.astype(np.intp), 0.05
        X, y = _ill_conditioned(1000, 40, 3)
        yield "ill-conditioned synthetic (quick)", X, y, 0.05
        return
    scaled = _seed_split(context)
    yield "seed problem, C = 0.01", *scaled, 0.01
    yield "seed problem, C = 0.05", *scaled, 0.05
    X_raw, y_raw = _raw_mnist(context)  # the seed's rows, pixels in [0, 1]
    yield ("raw MNIST (pixels 0..255), C = 0.01", 255.0 * X_raw,
           np.searchsorted(np.unique(y_raw), y_raw).astype(np.intp), 0.01)
    yield "20 newsgroups (sparse), C = 1", *_newsgroups(context), 1.0
    yield "ill-conditioned synthetic (5000 x 200), C = 0.01", *_ill_conditioned(), 0.01


def _ratio(auto, single):
    return None if auto is None or single is None else auto / single


def run(context):
    results = {}
    for name, X, y, C in _problems(context):
        optimum = _reference(context, name, X, y, C)
        runs = {}
        for label, setting in SETTINGS.items():
            runs[label] = _epochs_to_eps(X, y, C, optimum["value"], **setting)
            context.progress(f"batches: {name}, {label}: {runs[label]}")
        results[name] = {"optimum": optimum, "runs": runs}
    rows = []
    for name, result in results.items():
        runs = result["runs"]
        cells = [name, str(runs["auto"]["batch_size"])]
        for eps in EPSILONS:
            epochs = [runs[label]["epochs"][eps] for label in SETTINGS]
            cells += ["-" if e is None else str(e) for e in epochs]
            ratio = _ratio(runs["auto"]["epochs"][eps], runs["b=1"]["epochs"][eps])
            cells.append("-" if ratio is None else f"{ratio:.2f}")
        rows.append(cells)
    header = ["problem", "auto batch"]
    for eps in EPSILONS:
        header += [f"{label}, eps {eps:g}" for label in SETTINGS]
        header.append(f"auto / b=1, eps {eps:g}")
    markdown = table(header, rows) + (
        f"\n\nEpochs run (roll-backs included) until (F - F*)/F* <= eps, at most "
        f"{MAX_EPOCHS}; '-': not reached.  F*: lowest objective of a one-sample "
        f"fit run to a relative duality gap of {REFERENCE_GAP:g} (or "
        f"{REFERENCE_EPOCHS} epochs)."
    )
    return {
        "title": TITLE,
        "markdown": markdown,
        "data": {"problems": results},
        "readme": [f"### {TITLE}\n\n{markdown}"],
    }
