"""What importing fastsaga loads: matplotlib only once a figure is drawn."""

import subprocess
import sys

import pytest

# Each program runs in a new interpreter, whose sys.modules starts clean.
PROGRAMS = {
    "import fastsaga": "import fastsaga",
    "import the command line": "import fastsaga.__main__",
    "fastsaga --help": (
        "from fastsaga.__main__ import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass"
    ),
}
CHECK = "\nimport sys\nassert 'matplotlib' not in sys.modules, 'matplotlib imported'\n"


@pytest.mark.parametrize("program", PROGRAMS.values(), ids=PROGRAMS.keys())
def test_matplotlib_is_not_imported(program):
    completed = subprocess.run(
        [sys.executable, "-c", program + CHECK],
        capture_output=True, text=True, timeout=300,
    )
    assert completed.returncode == 0, completed.stderr


def test_the_check_sees_matplotlib():
    """The check fails when matplotlib is imported (it tests something)."""
    completed = subprocess.run(
        [sys.executable, "-c", "import matplotlib.figure" + CHECK],
        capture_output=True, text=True, timeout=300,
    )
    assert completed.returncode != 0
    assert "matplotlib imported" in completed.stderr
