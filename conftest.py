"""Root pytest configuration: the ``--benchmark`` switch, and bench/ on the path.

``pytest`` runs the test suite and skips the benchmarks in ``bench/``;
``pytest --benchmark`` runs only the benchmarks.  pytest-benchmark's own
options (``--benchmark-json``, ``--benchmark-compare``, ...) work alongside:
argparse takes the exact flag ``--benchmark`` as this option, not as an
abbreviation of theirs.
"""

import sys
from pathlib import Path

import pytest

BENCH_DIR = Path(__file__).parent / "bench"
# bench/ is not installed: the benchmarks and the report's smoke test import
# its harness package (and report.py) from here, as `python bench/report.py` does.
sys.path.insert(0, str(BENCH_DIR))


def pytest_addoption(parser):
    parser.addoption(
        "--benchmark",
        action="store_true",
        default=False,
        help="run the benchmarks in bench/ (and nothing else)",
    )


def _is_benchmark(item):
    return BENCH_DIR in Path(item.path).parents


def pytest_collection_modifyitems(config, items):
    if config.getoption("--benchmark"):
        others = [item for item in items if not _is_benchmark(item)]
        if others:
            config.hook.pytest_deselected(items=others)
            items[:] = [item for item in items if _is_benchmark(item)]
        return
    skip = pytest.mark.skip(reason="a benchmark: run it with pytest --benchmark")
    for item in items:
        if _is_benchmark(item):
            item.add_marker(skip)
