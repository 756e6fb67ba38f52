"""The heat maps' cells: each value in four characters on its colour and a gap, so a row of numbers reads
apart even where the colour is lost (a terminal without it, a copy of the screen)."""

from __future__ import annotations

import pytest

from seqtui.render.inspect import CELL, Scale


@pytest.mark.parametrize(
    ("value", "diverging", "shown"),
    [
        (0.8349, True, "+.83"),
        (-0.2449, True, "-.24"),
        (0.0, True, "+.00"),
        (-0.9951, True, "-1.0"),
        (1.234, True, "+1.2"),
        (-12.4, True, "-12"),
        (998.0, True, "+998"),
        (12345.0, True, "big"),
        (0.5, False, "0.50"),
        (0.006, False, "6e-3"),
        (9.5, False, "9.50"),
        (42.42, False, "42.4"),
        (4321.0, False, "4321"),
        (10**6, False, "big"),
    ],
)
def test_a_value_is_written_in_four_characters(value, diverging, shown):
    assert Scale(-1, 1, diverging).number(value) == shown


def test_neighbouring_cells_read_apart_without_colour():
    values = [-0.24, -0.46, 0.83, -1.5, 0.0049]
    scale = Scale.around_zero(values)
    row = "".join(scale.cell(v, glyphs=False).plain for v in values)
    assert len(row) == CELL * len(values)
    read = [float(part.replace("+.", "0.").replace("-.", "-0.")) for part in row.split()]
    assert read == pytest.approx(values, abs=0.051)
    glyphs = [scale.cell(v, glyphs=True).plain for v in values]
    assert all(len(g) == CELL and g.endswith(" ") and len(set(g[:-1])) == 1 for g in glyphs)


def test_the_gap_between_cells_has_no_colour():
    cell = Scale(-1, 1).cell(0.5, glyphs=False)
    [span] = cell.spans
    assert (span.start, span.end) == (0, CELL - 1) and "on rgb(" in str(span.style)
    assert not cell.style
