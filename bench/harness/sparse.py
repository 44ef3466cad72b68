"""Report section: sparse (CSR) input against dense input and scikit-learn.

Three problems, all multinomial with L1:

* raw MNIST pixels scaled to [0, 1] (the seed split, about 81 % zeros), fitted
  as CSR, as the same data dense, and by scikit-learn's saga on the CSR;
* synthetic sparse data, n = 20,000, 50 non-zeros per row, K = 20, at
  d = 200,000 and d = 2,000,000: time per epoch should not grow with d;
* 20 newsgroups (TF-IDF, 11,314 x 130,107) at C = 1, as scikit-learn's
  example "Multiclass sparse logistic regression on 20newgroups": time per
  epoch in float64 and float32, time to eps = 1e-3 against a tight optimum,
  test accuracy.

Per-epoch times are fits of ``EPOCHS`` epochs (``tol=0``), set-up included,
divided by the epochs, medians of ``context.repeats`` runs; scikit-learn's
are measured in the same run.  fastsaga's epoch counts (roll-backs included)
and its time per epoch without the set-up come from the solver's own runs
(``saga_solve``, through ``_solvers.fastsaga_trace``).  ``--quick`` replaces
the data sets by a small synthetic problem.
"""

import json
import warnings
from functools import partial

import numpy as np
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning

from fastsaga import LogisticRegression, _problem
from fastsaga.datasets import load_mnist

from ._format import ratio, seconds, table
from ._solvers import FASTSAGA_BACKENDS, fastsaga_trace, median, timed

EPOCHS = 4
EPSILON = 1e-3
NEWSGROUPS_C = 1.0
SYNTHETIC = {"n_samples": 20_000, "per_row": 50, "n_classes": 20, "C": 1.0}
SYNTHETIC_FEATURES = (200_000, 2_000_000)
HEADINGS = {
    "raw_mnist": "Raw MNIST: CSR vs dense vs scikit-learn",
    "synthetic": "Synthetic, many features: cost per step follows nnz, not d",
    "newsgroups": "20 newsgroups",
}
# The README's parts, in its order (newsgroups first), under these headings.
README_HEADINGS = {
    "newsgroups": "Sparse input: 20 newsgroups",
    "synthetic": "Sparse input: many features",
}


def _sklearn_model(C, max_iter):
    from sklearn.linear_model import LogisticRegression as SklearnLogistic

    return SklearnLogistic(
        solver="saga", l1_ratio=1.0, C=C, tol=0.0, max_iter=max_iter,
        random_state=0,
    )


def _fastsaga_model(C, backend, max_iter, tol=0.0):
    return LogisticRegression(
        C=C, l1_ratio=1.0, tol=tol, max_iter=max_iter, backend=backend,
        random_state=0,
    )


def _fit_seconds(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        seconds_taken, _ = timed(model.fit, X, y)
    return seconds_taken


def _per_epoch(make_model, X, y, epochs, repeats):
    """Median over ``repeats`` fits of ``epochs`` epochs of time / epochs."""
    return median(
        [_fit_seconds(make_model(), X, y) / epochs for _ in range(repeats)]
    )


def _warm_up(X, y, C):
    """Compile (Numba) and load every kernel on a slice, in X's dtype."""
    for backend in FASTSAGA_BACKENDS:
        _fit_seconds(_fastsaga_model(C, backend, 1), X[:50], y[:50])


def _solver_problem(X, y, C):
    """``(labels, n_rows, penalty)``: what ``fastsaga_trace`` takes for L1 at C."""
    labels = np.unique(y, return_inverse=True)[1].astype(np.intp)
    n_classes = labels.max() + 1
    n_rows = 1 if n_classes == 2 else n_classes
    return labels, n_rows, _problem.penalty_strengths(C, 1.0, X.shape[0])


def _solver_runs(X, y, C, backend, repeats):
    """Runs of ``EPOCHS`` epochs by the solver itself, as the fits make them.

    Returns the median time per epoch without the set-up, and the epochs
    the kernel ran (an epoch rolled back is run again at half the step).
    """
    labels, n_rows, penalty = _solver_problem(X, y, C)
    traces = [
        fastsaga_trace(
            X, labels, n_rows, penalty, backend=backend, sampling="importance",
            max_epochs=EPOCHS,
        )
        for _ in range(repeats)
    ]
    return median([t.per_epoch() for t in traces]), traces[0].n_epochs_run


# --- raw MNIST ------------------------------------------------------------------


def _raw_mnist(context):
    from sklearn.model_selection import train_test_split
    from sklearn.utils import check_random_state

    X, y = load_mnist(context.mnist_dir)
    permutation = check_random_state(0).permutation(X.shape[0])
    X = np.asarray(X, np.float64)[permutation] / 255.0
    X_train, _, y_train, _ = train_test_split(
        X, np.asarray(y)[permutation], train_size=5000, test_size=10000,
        random_state=0,
    )
    return X_train, y_train


def _mnist_part(context):
    if context.quick:
        X_dense, y = _synthetic_data(600, 400, 20, 4, seed=1)
        X_dense = X_dense.toarray()
    else:
        context.progress("sparse: raw MNIST as CSR / dense / sklearn")
        X_dense, y = _raw_mnist(context)
    X_csr = sparse.csr_matrix(X_dense)
    C = 50.0 / X_dense.shape[0]
    _warm_up(X_csr, y, C)
    _warm_up(X_dense, y, C)
    rows, data = [], {"zeros_percent": 100 * (1 - X_csr.nnz / np.prod(X_csr.shape))}
    reference = _per_epoch(lambda: _sklearn_model(C, EPOCHS), X_csr, y, EPOCHS,
                           context.repeats)
    data["sklearn saga csr"] = reference
    for backend in FASTSAGA_BACKENDS:
        for name, X in (("csr", X_csr), ("dense", X_dense)):
            value = _per_epoch(partial(_fastsaga_model, C, backend, EPOCHS),
                               X, y, EPOCHS, context.repeats)
            data[f"fastsaga {backend} {name}"] = value
            rows.append([f"fastsaga {backend}", name, seconds(value),
                         ratio(reference, value)])
    rows.append(["sklearn saga", "csr", seconds(reference), "1x"])
    markdown = (
        f"Raw MNIST pixels scaled to [0, 1], seed split ({X_csr.shape[0]} x "
        f"{X_csr.shape[1]}, {data['zeros_percent']:.1f} % zeros), L1, "
        f"C = {C:g}, float64; time per epoch (fits of {EPOCHS} epochs, set-up "
        "included).\n\n"
        + table(["solver", "input", "per epoch", "vs sklearn"], rows)
    )
    return markdown, data, None


# --- synthetic high-dimensional -----------------------------------------------------


def _synthetic_data(n_samples, n_features, per_row, n_classes, seed=0,
                    informative=1000, unit_rows=True):
    """CSR rows with ``per_row`` non-zeros; labels depend on a few features.

    A fifth of each row's non-zeros fall in the ``informative`` first
    features, which carry the labels (plus Gumbel noise); the rest are spread
    uniformly over all features.  Values are uniform on [0, 1), divided by
    ``sqrt(per_row)`` when ``unit_rows`` (row norms about 0.6, TF-IDF-like).
    """
    rng = np.random.RandomState(seed)
    informative = min(informative, n_features)
    signal = max(per_row // 5, 1)
    columns = np.concatenate(
        [rng.randint(informative, size=(n_samples, signal)),
         rng.randint(n_features, size=(n_samples, per_row - signal))], axis=1,
    )
    values = rng.uniform(0.0, 1.0, n_samples * per_row)
    if unit_rows:
        values /= np.sqrt(per_row)
    X = sparse.csr_matrix(
        (values, columns.ravel(), np.arange(0, n_samples * per_row + 1, per_row)),
        shape=(n_samples, n_features),
    )
    X.sum_duplicates()
    truth = rng.normal(0.0, 8.0, size=(informative, n_classes))
    scores = X[:, :informative] @ truth + rng.gumbel(size=(n_samples, n_classes))
    return X, scores.argmax(axis=1)


# Values on [0, 1) as drawn (what scipy.sparse.random gives), and the same
# rows scaled to about unit norm.  They put scikit-learn's lazy L1 step in
# its two regimes: a coefficient whose summed gradient outweighs the
# threshold is stepped once per missed iteration, otherwise in one jump.
SYNTHETIC_SCALES = {"values on [0, 1)": False, "rows / sqrt(50)": True}


def _synthetic_entry(settings, unit_rows, n_features, with_sklearn, repeats):
    """Fits of ``EPOCHS`` epochs by both backends (and scikit-learn)."""
    X, y = _synthetic_data(settings["n_samples"], n_features, settings["per_row"],
                           settings["n_classes"], unit_rows=unit_rows)
    C = settings["C"]
    _warm_up(X, y, C)
    entry = {}
    for backend in FASTSAGA_BACKENDS:
        make_model = partial(_fastsaga_model, C, backend, EPOCHS)
        entry[backend] = {
            "per_epoch": _per_epoch(make_model, X, y, EPOCHS, repeats),
            "epochs_run": _solver_runs(X, y, C, backend, 1)[1],
        }
    if with_sklearn:
        # One fit: about 20 s on the values on [0, 1).
        entry["sklearn"] = _per_epoch(lambda: _sklearn_model(C, EPOCHS), X, y,
                                      EPOCHS, 1)
    return entry


def _synthetic_part(context):
    settings = dict(SYNTHETIC)
    features = SYNTHETIC_FEATURES
    if context.quick:
        settings.update(n_samples=500, per_row=10, n_classes=4)
        features = (20_000, 200_000)
    rows, data = [], {}
    for scale, unit_rows in SYNTHETIC_SCALES.items():
        # d grows 10x on the first scale only: the O(d K) work that grows
        # does not depend on the values.
        for n_features in features if not unit_rows else features[:1]:
            context.progress(f"sparse: synthetic d = {n_features}, {scale}")
            entry = _synthetic_entry(settings, unit_rows, n_features,
                                     n_features == features[0], context.repeats)
            data[f"{scale}, d = {n_features}"] = entry
            reference = entry.get("sklearn")
            for backend in FASTSAGA_BACKENDS:
                fit = entry[backend]
                per_run = fit["per_epoch"] * EPOCHS / fit["epochs_run"]
                rows.append([
                    scale, f"{n_features:,}", f"fastsaga {backend}",
                    seconds(fit["per_epoch"]), ratio(reference, fit["per_epoch"]),
                    fit["epochs_run"], seconds(per_run), ratio(reference, per_run),
                ])
            if reference is not None:
                rows.append([scale, f"{n_features:,}", "sklearn saga",
                             seconds(reference), "1x", EPOCHS, seconds(reference),
                             "1x"])
    first = next(iter(SYNTHETIC_SCALES))
    small, large = (data[f"{first}, d = {d}"] for d in features)
    growth = {b: large[b]["per_epoch"] / small[b]["per_epoch"]
              for b in FASTSAGA_BACKENDS}
    data["growth_when_d_x10"] = growth
    synthetic_table = table(["values", "d", "solver", "per epoch", "vs sklearn",
                             "epochs run", "per epoch run", "vs sklearn"], rows)
    context_line = (
        f"Synthetic CSR, n = {settings['n_samples']:,}, {settings['per_row']} "
        f"non-zeros per row, K = {settings['n_classes']}, L1, C = "
        f"{settings['C']:g}, float64; fits of {EPOCHS} epochs, set-up "
        "included (scikit-learn: one fit); \"epochs run\" counts the epochs "
        "fastsaga rolled back and redid at half the step, \"per epoch run\" "
        "is the fit's time over them."
    )
    markdown = (
        f"{context_line}\n\n{synthetic_table}"
        + f"\n\nTime per epoch when d grows 10x at fixed non-zeros ({first}): "
        + ", ".join(f"{b} x{g:.2f}" for b, g in growth.items())
        + " (what grows is the O(d K) work: each epoch's closing pass, which "
        "catches up every feature and stores and sums its weights, and each "
        "fit's feature-major table and the copy of coef_ out of it)."
    )
    heading = README_HEADINGS["synthetic"]
    return markdown, data, f"### {heading}\n\n{context_line}\n\n{synthetic_table}"


# --- 20 newsgroups ------------------------------------------------------------------


def _newsgroups(context):
    from sklearn.datasets import fetch_20newsgroups_vectorized

    def load(subset):
        return fetch_20newsgroups_vectorized(
            subset=subset, data_home=context.sklearn_data_home,
            download_if_missing=False, return_X_y=True,
        )

    return load("train"), load("test")


def _objective_function(X, labels, penalty):
    """``F(W, b)`` in float64 on ``X`` (class indices ``labels``)."""
    alpha, beta = penalty
    weights = np.ones(X.shape[0])

    def objective(W, b):
        return _problem.objective(
            X, labels, np.asarray(W, np.float64), np.asarray(b, np.float64),
            weights, alpha, beta,
        )

    return objective


def _tight_optimum(context, X, y, X_test, y_test, C, objective):
    """F* from a long cython fit (cached on disk with its test accuracy)."""
    key = f"sparse-newsgroups-{X.shape[0]}-{X.shape[1]}-{X.nnz}-C{C:g}.json"
    path = context.cache_dir / key
    if path.exists():
        return json.loads(path.read_text())
    context.progress("sparse: 20 newsgroups tight optimum (cached afterwards)")
    model = _fastsaga_model(C, "cython", max_iter=400, tol=1e-7)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    optimum = {
        "value": objective(model.coef_, model.intercept_),
        "epochs": int(model.n_iter_[0]),
        "test_accuracy": float(model.score(X_test, y_test)),
        "zeros_percent": float(100 * np.mean(model.coef_ == 0)),
    }
    context.cache_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(optimum))
    return optimum


def _sklearn_time_to(objective, target, X, y, X_test, y_test, C, budget):
    """Fits of 1, 2, 4, ... epochs until ``objective <= target``."""
    epochs = 1
    while True:
        model = _sklearn_model(C, epochs)
        taken = _fit_seconds(model, X, y)
        value = objective(model.coef_, model.intercept_)
        if value <= target or taken > budget:
            return {
                "seconds": taken if value <= target else None,
                "epochs": epochs,
                "objective": value,
                "test_accuracy": float(model.score(X_test, y_test)),
            }
        epochs *= 2


def _newsgroups_sets(context):
    """Training and test sets: 20 newsgroups, or small stand-ins with --quick."""
    if context.quick:
        return (_synthetic_data(800, 5000, 30, 5, seed=2),
                _synthetic_data(400, 5000, 30, 5, seed=3))
    context.progress("sparse: 20 newsgroups")
    return _newsgroups(context)


def _newsgroups_per_epoch(context, X, y, C, data):
    """Time per epoch in float64 and float32; return the table."""
    rows = []
    for dtype in (np.float64, np.float32):
        X_typed = X.astype(dtype)
        name = np.dtype(dtype).name
        _warm_up(X_typed, y, C)
        reference = _per_epoch(lambda: _sklearn_model(C, EPOCHS), X_typed, y,
                               EPOCHS, context.repeats)
        data[f"sklearn {name}"] = reference
        for backend in FASTSAGA_BACKENDS:
            value = _per_epoch(partial(_fastsaga_model, C, backend, EPOCHS),
                               X_typed, y, EPOCHS, context.repeats)
            in_loop, _ = _solver_runs(X_typed, y, C, backend, context.repeats)
            data[f"fastsaga {backend} {name}"] = value
            data[f"fastsaga {backend} {name} set-up excluded"] = in_loop
            rows.append([f"fastsaga {backend}", name, seconds(value),
                         seconds(in_loop), ratio(reference, value)])
        rows.append(["sklearn saga", name, seconds(reference), "", "1x"])
    return table(
        ["solver", "dtype", "per epoch", "set-up excluded", "vs sklearn"], rows
    )


def _trace_accuracy(trace, X, y, X_test, y_test, C):
    """Test accuracy of a trace's final weights, as a fitted estimator's."""
    model = LogisticRegression(C=C, l1_ratio=1.0)
    model.classes_ = np.unique(y)
    model.coef_, model.intercept_ = trace.state.W, trace.state.b
    model.n_features_in_ = X.shape[1]
    return float(model.score(X_test, y_test))


def _newsgroups_to_eps(context, sets, C, data):
    """Time to eps against a tight optimum; return the table."""
    (X, y), (X_test, y_test) = sets
    labels, n_rows, penalty = _solver_problem(X, y, C)
    objective = _objective_function(X, labels, penalty)
    optimum = _tight_optimum(context, X, y, X_test, y_test, C, objective)
    target = optimum["value"] * (1 + EPSILON)
    data["optimum"] = optimum
    sklearn_run = _sklearn_time_to(objective, target, X, y, X_test, y_test, C,
                                   context.budget)
    data["sklearn to eps"] = sklearn_run
    rows = [["sklearn saga", seconds(sklearn_run["seconds"]),
             sklearn_run["epochs"], f"{sklearn_run['test_accuracy']:.4f}", "1x"]]
    for backend in FASTSAGA_BACKENDS:
        trace = fastsaga_trace(
            X, labels, n_rows, penalty, backend=backend, sampling="importance",
            max_epochs=200, evaluate=objective,
            stop=lambda value: value <= target, time_budget=context.budget,
        )
        reached = bool(trace.values) and trace.values[-1] <= target
        spent = trace.times[-1] if reached else None
        accuracy = _trace_accuracy(trace, X, y, X_test, y_test, C)
        data[f"fastsaga {backend} to eps"] = {
            "seconds": spent, "epochs": trace.epochs[-1] if trace.epochs else None,
            "test_accuracy": accuracy,
        }
        rows.append([f"fastsaga {backend}", seconds(spent), trace.epochs[-1],
                     f"{accuracy:.4f}", ratio(sklearn_run["seconds"], spent)])
    return table(["solver", "time to eps", "epochs", "test accuracy",
                  "vs sklearn"], rows)


def _newsgroups_part(context):
    try:
        sets = _newsgroups_sets(context)
    except OSError as error:
        # An optional data set: the rest of the report still stands.
        note = (
            f"Not measured: 20 newsgroups is not in the data home ({error}). "
            "Pass `--sklearn-data-home DIR` with the data set in it."
        )
        return note, {"skipped": note}, f"### {README_HEADINGS['newsgroups']}\n\n{note}"
    (X, y), _ = sets
    C, data = NEWSGROUPS_C, {}
    per_epoch = _newsgroups_per_epoch(context, X, y, C, data)
    to_eps = _newsgroups_to_eps(context, sets, C, data)
    optimum = data["optimum"]
    problem = (
        f"{'20 newsgroups' if not context.quick else 'a small stand-in'} "
        f"({X.shape[0]:,} x {X.shape[1]:,}, {X.nnz / X.shape[0]:.0f} non-zeros "
        f"per row, K = {len(np.unique(y))}), multinomial L1, C = {C:g}"
    )
    per_epoch_line = (
        f"Time per epoch on {problem}: fits of {EPOCHS} epochs, set-up "
        "included; \"set-up excluded\" is the time per epoch inside the "
        "solver's own runs, after their first epoch:"
    )
    to_eps_line = (
        f"Time to (F - F*)/F* <= {EPSILON:g}, F* = {optimum['value']:.8g} "
        f"(fastsaga cython, {optimum['epochs']} epochs, test accuracy "
        f"{optimum['test_accuracy']:.4f}, {optimum['zeros_percent']:.1f} % "
        "zero coefficients), with the test accuracy of the fit that reached it:"
    )
    markdown = "\n\n".join([per_epoch_line, per_epoch, to_eps_line, to_eps])
    return markdown, data, f"### {README_HEADINGS['newsgroups']}\n\n{markdown}"


def run(context):
    parts = {
        "raw_mnist": _mnist_part(context),
        "synthetic": _synthetic_part(context),
        "newsgroups": _newsgroups_part(context),
    }
    markdown = "\n\n".join(
        f"### {HEADINGS[name]}\n\n{text}" for name, (text, _, _) in parts.items()
    )
    return {
        "title": "Sparse input (CSR, lazy updates)",
        "markdown": markdown,
        "data": {name: part_data for name, (_, part_data, _) in parts.items()},
        "readme": [parts[name][2] for name in README_HEADINGS],
    }
