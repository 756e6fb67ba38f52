"""The embedding projection as a labelled scatter on a character grid.

Each word is a mark (its class's shape and colour: the shape alone tells the classes apart under NO_COLOR)
with its label to the right when the cells are free; wide characters (Korean) take two cells, measured
with Rich's cell widths, so the columns stay aligned. Words are placed in frequency order, so the most
frequent keep their labels when the plane is crowded; the others keep their mark and are counted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.console import Group
from rich.text import Text

from seqtui.render.inspect import clean

if TYPE_CHECKING:
    from seqtui.core.inference.inspect_projection import Projection

MARKS = "●▲■◆✚★○△□◇"
COLOURS = ("#e66101", "#5e9fd8", "#4dac26", "#d01c8b", "#b8a000", "#8073ac", "#e08214", "#35978f")
PLAIN = "•"


def _mark(found: Projection, n: int) -> tuple[str, str]:
    if not found.classes:
        return PLAIN, ""
    c = found.classes[n]
    return MARKS[c % len(MARKS)], COLOURS[c % len(COLOURS)]


def _place(grid: list[list[tuple[str, str]]], row: int, col: int, text: str, style: str) -> bool:
    """Write `text` from (row, col) when every cell it needs is free; a wide character's second cell holds
    '' so a line is drawn with the right width."""
    cells: list[tuple[str, str]] = []
    for ch in text:
        cells += [(ch, style)] + [("", style)] * (cell_len(ch) - 1)
    line = grid[row]
    if col + len(cells) > len(line) or any(c != (" ", "") for c in line[col : col + len(cells)]):
        return False
    line[col : col + len(cells)] = cells
    return True


def _position(value: float, low: float, high: float, size: int) -> int:
    return round((value - low) / (high - low) * (size - 1)) if high > low else size // 2


def scatter(found: Projection, width: int, height: int) -> Group:
    """The words on a `width` x `height` grid (PC1 across, PC2 up), a legend and an axis line under it."""
    width, height = max(20, width), max(5, height)
    grid = [[(" ", "")] * width for _ in range(height)]
    xs, ys = found.coords[:, 0], found.coords[:, 1]
    hidden = 0
    for n, word in enumerate(found.words):
        col = _position(float(xs[n]), float(xs.min()), float(xs.max()), width)
        row = height - 1 - _position(float(ys[n]), float(ys.min()), float(ys.max()), height)
        mark, colour = _mark(found, n)
        if not _place(grid, row, col, mark + clean(word), colour):
            hidden += 1  # its mark still goes in when that cell is free
            _place(grid, row, col, mark, colour)
    lines = [Text.assemble(*((ch, style) for ch, style in line if ch)) for line in grid]
    return Group(*lines, _legend(found), _axes(found, hidden))


def _legend(found: Projection) -> Text:
    out = Text("marks: the class each word pushes toward  ", style="dim")
    if not found.classes:
        return Text("marks: • every word (this model has no classes)", style="dim")
    for c in sorted(set(found.classes)):
        name = found.class_names[c] if c < len(found.class_names) else str(c)
        out.append(MARKS[c % len(MARKS)] + " ", style=COLOURS[c % len(COLOURS)])
        out.append(clean(name) + "  ")
    return out


def _axes(found: Projection, hidden: int) -> Text:
    share = found.explained
    line = (
        f"{len(found.words)} most frequent words; across: PC1 ({share[0]:.0%} of the variance), "
        f"up: PC2 ({share[1]:.0%})"
    )
    if hidden:
        line += f"; {hidden} without a label (no room)"
    return Text(line, style="dim")
