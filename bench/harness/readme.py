"""The README's benchmark tables: the block between two markers, rewritten.

``python bench/report.py --readme README.md`` replaces what lies between the
line holding :data:`BEGIN` and the line :data:`END` by the sections' README
parts (the ``readme`` entry of a section's dict: headed tables with one line
of context each), under a line naming the machine and the date.  The rest of
the file is left as it was.
"""

BEGIN = "<!-- benchmark tables: begin"
END = "<!-- benchmark tables: end -->"
# The sections whose tables the README shows; targets reads startup's data.
SECTIONS = ("seed", "startup", "convergence", "sparse", "targets")


class MarkerError(ValueError):
    """The README lacks the markers, or has them twice or out of order."""


def _block_bounds(text, path):
    """Return ``(start, stop)``: the block is ``text[start:stop]``."""
    for marker in (BEGIN, END):
        count = text.count(marker)
        if count != 1:
            raise MarkerError(
                f"{path}: expected one line with {marker!r}, found {count}"
            )
    begin, stop = text.index(BEGIN), text.index(END)
    start = text.find("\n", begin) + 1
    if not 0 < start <= stop:
        raise MarkerError(f"{path}: {END!r} must follow the line of {BEGIN!r}")
    return start, stop


def usage_problem(path, sections):
    """What stops ``--readme path`` with these sections, or None.

    Checked before the run, so that a missing marker does not cost a whole
    run's time.
    """
    missing = [name for name in SECTIONS if name not in sections]
    if missing:
        return f"--readme needs the sections {list(SECTIONS)}; missing {missing}"
    try:
        _block_bounds(path.read_text(), path)
    except (OSError, MarkerError) as error:
        return f"--readme: {error}"
    return None


def block(machine, quick, sections):
    """The markdown between the markers, from the report's ``sections``."""
    cpus = machine["logical_cpus"]
    versions = machine["versions"]
    first = (
        f"Measured on {machine['cpu']}, {machine['cores_used']} core used "
        f"(of {cpus} logical CPUs), on {machine['date'][:10]}, against "
        f"scikit-learn {versions.get('scikit-learn', '?')}"
        + (" (--quick: a tiny synthetic problem, not a measurement)" if quick else "")
        + "."
    )
    parts = [part for _, section in sections for part in section.get("readme", [])]
    return "\n\n".join([first, *parts]) + "\n"


def write(path, text):
    """Put ``text`` between the markers of the file at ``path``."""
    old = path.read_text()
    start, stop = _block_bounds(old, path)
    path.write_text(old[:start] + text + old[stop:])
