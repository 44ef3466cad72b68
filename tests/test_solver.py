"""The epoch loop: roll-back of a too-long step, and what it keeps per epoch."""

import dataclasses

import _reference
import numpy as np
import pytest
from _reference import make_data
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from scipy.special import softmax

from fastsaga import LogisticRegression, _problem
from fastsaga._backends import get_backend
from fastsaga._layout import layout_for


@pytest.mark.parametrize("as_sparse", [False, True], ids=["dense", "csr"])
def test_too_long_step_rolls_back_and_still_reaches_the_optimum(
    monkeypatch, capsys, backend, as_sparse
):
    # A start 512x the SAGA bound diverges: epochs are rolled back and the
    # step halved until it holds.
    monkeypatch.setattr(_problem, "STEP_MULTIPLIER", 512.0)
    X, y = make_data(3, n_samples=150, n_features=8)
    X = 5.0 * X  # unscaled rows: the long step overshoots at once
    C, l1_ratio = 0.5, 0.5
    model = LogisticRegression(
        C=C, l1_ratio=l1_ratio, tol=1e-12, max_iter=3000, verbose=1,
        backend=backend, random_state=0,
    ).fit(sparse.csr_matrix(X) if as_sparse else X, y)
    assert "rolled back" in capsys.readouterr().out
    ones = np.ones(len(y))
    reference = _reference.solve(X, y, 3, ones, C, l1_ratio, fit_intercept=True)
    value = _reference.objective(X, y, model.coef_, model.intercept_, ones, C, l1_ratio)
    assert (value - reference.value) / abs(reference.value) < 1e-8


@pytest.mark.parametrize("lazy", [False, True], ids=["class-major", "feature-major"])
def test_reset_to_takes_every_sample_gradient_at_the_point(lazy):
    X, y = make_data(3, n_samples=40, n_features=6)
    rng = np.random.RandomState(0)
    W, b = rng.normal(size=(3, 6)), rng.normal(size=3)
    sample_weight = rng.uniform(0.5, 2.0, size=40)
    if lazy:
        X = sparse.csr_matrix(X)
    state = layout_for(X).zero_state(3)
    state.reset_to(X, y, sample_weight, W, b)

    dense_X = X.toarray() if lazy else X
    G = softmax(dense_X @ W.T + b, axis=1)
    G[np.arange(40), y] -= 1.0
    G *= sample_weight[:, None]
    assert_array_equal(state.W, W)
    assert_array_equal(state.b, b)
    assert_allclose(state.G, G, rtol=1e-12, atol=1e-15)
    assert_allclose(state.S, sum(np.outer(G[i], dense_X[i]) for i in range(40)),
                    rtol=1e-12, atol=1e-14)
    assert_allclose(state.Sb, G.sum(axis=0), rtol=1e-12, atol=1e-14)


def test_reset_to_zero_weights_empties_the_memory():
    X, y = make_data(2, n_samples=30, n_features=4)
    state = layout_for(X).zero_state(1)
    state.reset_to(X, y, np.ones(30), np.ones((1, 4)), np.ones(1))
    state.reset_to(X, y, np.ones(30), np.zeros((1, 4)), np.zeros(1))
    for name in ("W", "b", "S", "Sb", "G"):
        assert not np.any(getattr(state, name)), name


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sparse_kernel_sums_the_end_weights_as_numpy_does(backend, dtype):
    rng = np.random.RandomState(1)
    n_samples, n_features, n_rows = 80, 50, 3
    X = sparse.random(n_samples, n_features, density=0.1, format="csr",
                      random_state=rng, dtype=dtype)
    y = rng.randint(n_rows, size=n_samples).astype(np.intp)
    layout = layout_for(X)
    state = layout.zero_state(n_rows)
    state.W[...] = rng.normal(size=(n_rows, n_features))
    # The start weights in the solver's layout: (K, d) views of (d, K) rows.
    W_start = np.ascontiguousarray(rng.normal(size=(n_features, n_rows)), dtype).T
    W_end = np.empty_like(W_start)
    constants = _problem.StepConstants.build(0.05, 1e-3, 1e-2, n_samples, dtype)
    ones = np.ones(n_samples, dtype)
    indices = rng.randint(n_samples, size=n_samples).astype(np.intp)

    _, sums = layout.run_epoch(
        get_backend(backend), y, ones, ones, indices, state, constants,
        True, W_start, W_end,
    )

    assert_array_equal(W_end, state.W)
    expected = _problem.WeightSums.of(state.W, W_start)
    assert_allclose(dataclasses.astuple(sums), dataclasses.astuple(expected),
                    rtol=1e-12)


@pytest.mark.parametrize("as_sparse", [False, True], ids=["dense", "csr"])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_zero_weights_are_optimal_exactly_below_the_l1_threshold(as_sparse, n_classes):
    # W = 0 is optimal iff every loss-gradient entry there is within beta.
    X, y = make_data(n_classes)
    n_rows = 1 if n_classes == 2 else n_classes
    b = np.zeros(n_rows)
    ones = np.ones(len(y))
    _, grad_W, _ = _reference.smooth_part(
        X, y, np.zeros((n_rows, X.shape[1])), b, ones, np.inf, 1.0
    )
    threshold = np.max(np.abs(grad_W)) / len(y)  # the mean loss's gradient
    data = sparse.csr_matrix(X) if as_sparse else X
    for beta, optimal in ((1.01 * threshold, True), (0.99 * threshold, False)):
        assert _problem.zero_weights_are_optimal(
            data, y, b, ones, beta, tol=1e-8
        ) is optimal


@pytest.mark.parametrize("seed", range(12))
def test_index_stream_draws_what_random_state_choice_draws(seed):
    # The guide to the cumulative distribution only shortens the search.
    rng = np.random.RandomState(seed)
    n_samples = rng.randint(1, 3000)
    lipschitz = [
        rng.uniform(size=n_samples),
        rng.pareto(1.0, size=n_samples),  # heavy-tailed: long steps forward
        rng.exponential(size=n_samples) * (rng.uniform(size=n_samples) < 0.1),
    ][seed % 3]
    candidates = [_problem.sampling_probabilities(lipschitz, "importance")]
    if lipschitz.sum() > 0:
        candidates.append(lipschitz / lipschitz.sum())  # zeros: empty buckets
    for probabilities in candidates:
        stream = _problem.IndexStream(probabilities)
        drawn = stream.draw(np.random.RandomState(seed))
        expected = np.random.RandomState(seed).choice(
            n_samples, n_samples, p=probabilities
        )
        if not stream.uniform:
            assert_array_equal(drawn, expected)
        assert drawn.dtype == np.intp
        assert np.all((drawn >= 0) & (drawn < n_samples))
