"""Registry of SAGA kernels: backend name -> module of kernel functions.

Every backend module provides the same functions with the same signatures:

``dense_epoch(X, y, sample_weight, sample_scale, indices, W, b, S, Sb, G,
step, step_over_n, decay, threshold, fit_intercept)``
    one epoch over ``indices`` on a C-contiguous dense ``X``, in place.

Modules are imported on first use, so a missing compiled extension only
matters to users who ask for it.
"""

import importlib

BACKENDS = {
    "numba": "fastsaga._backends._numba",
    "cython": "fastsaga._backends._cython",
}


def get_backend(name):
    """Return the kernel module registered as ``name``."""
    if name not in BACKENDS:
        raise ValueError(
            f"Unknown backend {name!r}; choose one of {sorted(BACKENDS)}."
        )
    try:
        return importlib.import_module(BACKENDS[name])
    except ImportError as error:
        raise ImportError(
            f"The {name!r} backend of fastsaga could not be imported ({error}). "
            "The cython backend is compiled when fastsaga is installed: "
            "reinstall it with `pip install .` from the source tree."
        ) from error
