"""The numba backend fits where numba can cache nowhere (a read-only install).

Numba caches a ``cache=True`` function in the first of: ``NUMBA_CACHE_DIR``,
``__pycache__`` beside its source, the user-wide cache (``~/.cache/numba``);
with none writable the decorator raises at import.  The kernels must then be
compiled in memory, with one warning that says how to cache them.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import sparse
from test_sparse import sparse_problem

import fastsaga
from fastsaga import LogisticRegression

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

# Fits both kernels (dense and CSR) on the problem saved in the working
# directory; prints where fastsaga came from, the warnings other than
# ConvergenceWarning, and the weights.
SCRIPT = """
import json
import warnings

import numpy as np
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning

X, y = sparse.load_npz("X.npz"), np.load("y.npy")
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    warnings.simplefilter("ignore", ConvergenceWarning)
    import fastsaga
    from fastsaga import LogisticRegression

    coefs = [
        LogisticRegression(max_iter=3, tol=0.0, random_state=0, backend="numba")
        .fit(data, y).coef_.tolist()
        for data in (X.toarray(), X)
    ]
print(json.dumps({
    "file": fastsaga.__file__,
    "warnings": [[w.category.__name__, str(w.message)] for w in caught],
    "coefs": coefs,
}))
"""


def _read_only_install(root):
    """Copy the fastsaga package under ``root``, with no room for a cache.

    ``__pycache__`` in the kernels' directory is a file, so numba cannot
    create the directory: mode bits would not stop root (as CI runs).
    """
    package = root / "fastsaga"
    shutil.copytree(
        Path(fastsaga.__file__).parent, package,
        ignore=shutil.ignore_patterns("__pycache__", "*.so", "*.c", "*.html"),
    )
    (package / "_backends" / "__pycache__").write_text("")
    return package


def test_numba_backend_fits_without_a_writable_cache(tmp_path):
    package = _read_only_install(tmp_path)
    X, y = sparse_problem(3)
    sparse.save_npz(tmp_path / "X.npz", X)
    np.save(tmp_path / "y.npy", y)
    # A home under a regular file: ~/.cache cannot be created either.
    (tmp_path / "not_a_directory").write_text("")
    environment = {
        name: value for name, value in os.environ.items()
        if name not in ("NUMBA_CACHE_DIR", "NUMBA_CACHE_LOCATOR_CLASSES",
                        "XDG_CACHE_HOME")
    }
    environment.update(
        HOME=str(tmp_path / "not_a_directory" / "home"),
        PYTHONPATH=str(tmp_path),
        PYTHONDONTWRITEBYTECODE="1",
    )
    completed = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=environment, cwd=tmp_path,
        capture_output=True, text=True,
    )
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout.splitlines()[-1])
    assert Path(result["file"]).parent == package

    [(category, message)] = result["warnings"]
    assert category == "UserWarning"
    assert "NUMBA_CACHE_DIR" in message
    assert "no locator available" in message  # numba's own words, the cause

    for data, coef in zip((X.toarray(), X), result["coefs"], strict=True):
        expected = LogisticRegression(
            max_iter=3, tol=0.0, random_state=0, backend="numba"
        ).fit(data, y).coef_
        assert_allclose(coef, expected, rtol=1e-12, atol=1e-14)
