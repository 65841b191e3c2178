"""Terminal tables sized to the terminal: columns as wide as their content; the least important dropped to fit."""

from __future__ import annotations

import shutil
from collections.abc import Set as AbstractSet


def terminal_width(default: int = 100) -> int:
    """The terminal's width in columns (`default` when not a terminal)."""
    return shutil.get_terminal_size((default, 24)).columns


def fit_table(
    headers: list[str],
    rows: list[list[str]],
    *,
    right: AbstractSet[int] = frozenset(),
    drop_order: list[int] | None = None,
    width: int | None = None,
    indent: int = 2,
) -> list[str]:
    """Lines of an aligned table; columns in `drop_order` (first = least important) go until it fits `width`."""
    width = width or terminal_width()
    keep = list(range(len(headers)))
    widths = [max([len(headers[c])] + [len(r[c]) for r in rows]) for c in keep]

    def total(cols: list[int]) -> int:
        return indent + sum(widths[c] for c in cols) + 2 * (len(cols) - 1)

    for c in drop_order or []:
        if total(keep) <= width:
            break
        keep.remove(c)

    def line(cells: list[str]) -> str:
        parts = [cells[c].rjust(widths[c]) if c in right else cells[c].ljust(widths[c]) for c in keep]
        return (" " * indent + "  ".join(parts)).rstrip()

    return [line(headers)] + [line(r) for r in rows]
