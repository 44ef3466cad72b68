"""Registry of SAGA kernels: backend name -> the kernel functions it provides.

Every backend provides the kernels named in ``KERNEL_ARGUMENTS``, each taking
the arguments listed there, positionally and in that order (the contract,
stated once; ``tests/test_kernel_contract.py`` holds every backend to it).

``dense_epoch`` runs one epoch of proximal SAGA over ``indices`` on dense
``X``, in place, one sample per step.  ``dense_batch_epoch`` does the same
with ``batch_size`` samples per step (mini-batch SAGA); its work on ``W``
and ``S`` is shared among threads by blocks of ``FEATURE_BLOCK`` features.
``sparse_epoch`` runs an epoch on CSR ``X`` with lazy updates of the
feature-major ``table`` (see ``fastsaga._layout.FeatureMajorState``); its
closing pass catches every feature up, leaves ``stamps`` at zero, and
stores and reduces the end weights.  All return the importance-weighted
mean loss of the visited samples, which the solver uses to detect a step
that is too long.

A backend's kernels may live in several modules (one compiled extension per
input format for Cython); ``BACKENDS`` maps each kernel to its module.
Modules are imported on first use, so a missing compiled extension only
matters to users who ask for it.
"""

import importlib
from types import SimpleNamespace

# The step's scalars, in the order of the kernels' ``constants`` array
# (``_problem.StepConstants.as_array``).
STEP_CONSTANTS = ("step", "step_over_n", "decay", "threshold", "intercept_ratio")

# The dense kernels update W and S by blocks of this many features, each block
# by one thread, and sum the blocks' shares of a logit in block order: a fixed
# order, whatever the number of threads (64 float64 are 8 cache lines).
FEATURE_BLOCK = 64


def _as_in_dense_epoch(*names):
    return {name: _DENSE_EPOCH[name] for name in names}


_DENSE_EPOCH = {
    "X": "dense data (n, d), C-contiguous; every float array is in its dtype",
    "y": "the class index of each sample (intp); in {0, 1} with one row",
    "sample_weight": "each sample's weight s_i",
    "sample_scale": "1 / (n p_i): each sample's importance-sampling factor",
    "indices": "the samples of the epoch's steps, in order (intp)",
    "W": "weights (K, >= d), C-contiguous; columns past d untouched; updated",
    "b": "intercepts (K,); updated",
    "S": "gradient-memory sum sum_i G_i x_i^T, shaped as W; updated",
    "Sb": "intercepts' memory sum sum_i G_i (K,); updated",
    "G": "each sample's last loss gradient (n, K); updated",
    "constants": "the step's scalars: STEP_CONSTANTS, in that order (an array)",
    "fit_intercept": "whether b is fitted",
    "rows": "scratch (2, >= d) starting on a cache line, for the step's two samples",
}

KERNEL_ARGUMENTS = {
    "dense_epoch": _DENSE_EPOCH,
    "dense_batch_epoch": {
        **{name: meaning for name, meaning in _DENSE_EPOCH.items() if name != "rows"},
        "batch_size": "samples per step: consecutive entries of indices (>= 1)",
        "n_threads": "threads sharing the feature blocks; results do not depend on it",
        "rows": "scratch (2 * batch_size, >= d) starting on a cache line",
    },
    "sparse_epoch": {
        "data": "CSR values (nnz,); every float array is in their dtype",
        "columns": "CSR column indices (nnz,), int32 or int64, unique per row",
        "indptr": "CSR row offsets (n + 1,), int32 or int64",
        **_as_in_dense_epoch("y", "sample_weight", "sample_scale", "indices"),
        "table": "feature-major state (d, >= 2K): row j is [W[:, j], S[:, j], ...]",
        "stamps": "int32 (d, >= 1): [j, -1] counts feature j's applied steps; 0 "
                  "on entry and return",
        **_as_in_dense_epoch("b", "Sb", "G", "constants", "fit_intercept"),
        "powers": "decay**m for m = 0..len(indices)",
        "geometric": "sum_{l<m} decay**l for m = 0..len(indices)",
        "start_weights": "the epoch's start weights (d, K), for the largest change",
        "end_weights": "out: the epoch's end weights (d, K)",
        "sums": "out, float64 (4,): the end weights' _problem.WeightSums",
    },
}

BACKENDS = {
    "numba": {
        "dense_epoch": "fastsaga._backends._numba",
        "dense_batch_epoch": "fastsaga._backends._numba",
        "sparse_epoch": "fastsaga._backends._numba_sparse",
    },
    "cython": {
        "dense_epoch": "fastsaga._backends._cython",
        "dense_batch_epoch": "fastsaga._backends._cython",
        "sparse_epoch": "fastsaga._backends._cython_sparse",
    },
}


def get_backend(name):
    """Return the kernels registered as ``name``, as attributes of a namespace."""
    if name not in BACKENDS:
        raise ValueError(
            f"Unknown backend {name!r}; choose one of {sorted(BACKENDS)}."
        )
    try:
        return SimpleNamespace(
            **{
                kernel: getattr(importlib.import_module(module), kernel)
                for kernel, module in BACKENDS[name].items()
            }
        )
    except ImportError as error:
        raise ImportError(
            f"The {name!r} backend of fastsaga could not be imported ({error}). "
            "The cython backend is compiled when fastsaga is installed: "
            "reinstall it with `pip install .` from the source tree."
        ) from error
