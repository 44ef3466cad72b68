"""Markdown formatting of the report's figures."""


def table(header, rows):
    """Return a markdown table."""
    lines = [
        "| " + " | ".join(map(str, header)) + " |",
        "|" + "---|" * len(header),
    ]
    lines += ["| " + " | ".join(map(str, row)) + " |" for row in rows]
    return "\n".join(lines)


def seconds(value):
    """A duration, with the unit that keeps three significant digits."""
    if value is None:
        return "n/a"
    if value < 1e-3:
        return f"{value * 1e6:.0f} us"
    if value < 1:
        return f"{value * 1e3:.3g} ms"
    return f"{value:.3g} s"


def ratio(reference, value):
    """``reference / value`` as ``"12.3x"`` (how many times faster)."""
    if reference is None or value is None or value <= 0:
        return "n/a"
    return f"{reference / value:.3g}x"
