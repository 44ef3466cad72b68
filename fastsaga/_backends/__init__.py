"""Registry of SAGA kernels: backend name -> the kernel functions it provides.

Every backend provides the same functions with the same signatures:

``dense_epoch(X, y, sample_weight, sample_scale, indices, W, b, S, Sb, G,
step, step_over_n, decay, threshold, fit_intercept)``
    one epoch over ``indices`` on a C-contiguous dense ``X``, in place.

``sparse_epoch(data, columns, indptr, y, sample_weight, sample_scale,
indices, table, b, Sb, G, step, step_over_n, decay, threshold,
fit_intercept, powers, geometric)``
    the same on a CSR ``X`` (its three arrays), with lazy updates on the
    feature-major ``table`` (see ``fastsaga._solver.FeatureMajorState``).

A backend's kernels may live in several modules (one compiled extension per
input format for Cython); ``BACKENDS`` maps each kernel to its module.
Modules are imported on first use, so a missing compiled extension only
matters to users who ask for it.
"""

import importlib
from types import SimpleNamespace

BACKENDS = {
    "numba": {
        "dense_epoch": "fastsaga._backends._numba",
        "sparse_epoch": "fastsaga._backends._numba_sparse",
    },
    "cython": {
        "dense_epoch": "fastsaga._backends._cython",
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
