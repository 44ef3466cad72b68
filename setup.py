"""Build the Cython SAGA kernels; all other metadata lives in pyproject.toml.

The hot loops are floating-point reductions: GCC vectorises them only when it
may reassociate (``-fassociative-math``), which changes results by rounding
only.  NaN and inf semantics are kept (no ``-ffinite-math-only``).  The build
targets the CPU it runs on (``-march=native``); set ``FASTSAGA_PORTABLE=1``
for a binary that runs on any x86-64 machine.
"""

import glob
import os
import shlex
import subprocess
import sys
import sysconfig

import numpy as np
from Cython import Tempita
from Cython.Build import cythonize
from setuptools import Extension, setup


def _render_templates():
    """Write each ``*.pyx.tp`` Tempita template out as its ``.pyx``.

    Only when the text changes, so that an unchanged kernel is not rebuilt.
    """
    for template in glob.glob("fastsaga/_backends/*.pyx.tp"):
        with open(template) as source:
            text = Tempita.sub(source.read())
        target = template[: -len(".tp")]
        if os.path.exists(target):
            with open(target) as current:
                if current.read() == text:
                    continue
        with open(target, "w") as output:
            output.write(text)


def _compiler_is_gcc():
    """Whether setuptools will compile with GCC (which takes ``--param``)."""
    compiler = os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc"
    try:
        version = subprocess.run(
            shlex.split(compiler) + ["--version"], capture_output=True, text=True
        ).stdout
    except OSError:
        return False
    return "Free Software Foundation" in version


def _compile_args():
    if sys.platform == "win32":
        return ["/O2", "/fp:fast"]
    args = [
        "-O3",
        "-fassociative-math",
        "-fno-signed-zeros",
        "-fno-trapping-math",
        "-fno-math-errno",
        "-ffp-contract=fast",
    ]
    if os.environ.get("FASTSAGA_PORTABLE", "0") in ("", "0"):
        args.append("-march=native")
    return args


def _sparse_kernel_args():
    """Additions for the lazy CSR kernel, whose loops run over K classes.

    256-bit vectors cover a few tens of classes without a long scalar tail,
    where AVX-512's 512-bit ones leave most lanes idle.  The kernel is
    compiled for each K up to 32 as a constant: GCC unrolls a loop of a few
    constant iterations completely before it vectorises, into scalar code
    that it then fails to vectorise (a row holds both weights and memory
    sums).  Peeling at most once keeps such loops vectorised.
    """
    if sys.platform == "win32":
        return []
    args = ["-mprefer-vector-width=256"]
    if _compiler_is_gcc():
        args += ["--param", "max-completely-peel-times=1"]
    return args


# OpenMP for the dense kernels' prange (MSVC links its runtime by itself).
_OPENMP_COMPILE, _OPENMP_LINK = (
    (["/openmp"], []) if sys.platform == "win32" else (["-fopenmp"], ["-fopenmp"])
)

# Per extension: extra compile args, link args.
_EXTRA_ARGS = {
    "_cython": (_OPENMP_COMPILE, _OPENMP_LINK),
    "_cython_sparse": (_sparse_kernel_args(), []),
}

_render_templates()

extensions = [
    Extension(
        f"fastsaga._backends.{name}",
        [f"fastsaga/_backends/{name}.pyx"],
        include_dirs=[np.get_include()],
        extra_compile_args=_compile_args() + compile_args,
        extra_link_args=link_args,
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
    )
    # Dense kernels, and the lazy CSR kernels.
    for name, (compile_args, link_args) in _EXTRA_ARGS.items()
]

setup(
    ext_modules=cythonize(
        extensions,
        compiler_directives={
            "language_level": 3,
            "boundscheck": False,
            "wraparound": False,
            "cdivision": True,
            "initializedcheck": False,
        },
    )
)
