"""A series' rows in time order: its timestamp column read as dates, rows sorted by it, repeats refused.

The chronological split and the windows mean something only when row order is time order: a shuffled
export would train on the future and test on the past, and a timestamp given twice (two sensors merged, a
row pasted twice) puts two values at one moment. Dates are read in the order the column itself shows
(2009-01-31, 31.01.2009, 01/31/2009), never by comparing text: "02.01.2009" sorts before "31.12.2008".
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from seqtui.common.text import plural
from seqtui.datasets.errors import DataError

_STAMP = re.compile(
    r"^\s*(?:(\d{1,4})[-./](\d{1,2})[-./](\d{1,4}))?[ T]?"
    r"(?:(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?\s*$"
)
_SHOWN = 5


def _date_order(parts: list[tuple[str, ...]]) -> tuple[int, int, int]:
    """Where year, month and day sit in the dates: year first when its field has 4 digits; else day first
    unless some first field is above 12 in none and some second field is (US month/day/year)."""
    dated = [p for p in parts if p[0]]
    if not dated or len(dated[0][0]) == 4:
        return 0, 1, 2
    if any(int(p[1]) > 12 for p in dated) and not any(int(p[0]) > 12 for p in dated):
        return 2, 0, 1
    return 2, 1, 0


def time_keys(stamps: Sequence[str]) -> list[tuple[int, ...]] | None:
    """A sortable key per timestamp (year, month, day, hour, minute, second, fraction), or None when some
    cell is not a date or time this reader knows (the rows are then left in file order)."""
    parts = []
    for cell in stamps:
        found = _STAMP.match(cell)
        if not found or not any(found.groups()):
            return None
        parts.append(tuple(g or "" for g in found.groups()))
    y, m, d = _date_order(parts)
    keys = []
    for p in parts:
        date = (int(p[y]), int(p[m]), int(p[d])) if p[0] else (0, 0, 0)
        clock = tuple(int(g) if g else 0 for g in p[3:6])
        keys.append((*date, *clock, int(p[6].ljust(9, "0")[:9]) if p[6] else 0))
    return keys


def in_time_order(
    path: Path, column: str, stamps: Sequence[str], lines: Sequence[int], values: np.ndarray
) -> tuple[np.ndarray, list[str], bool]:
    """The rows sorted by their timestamps (and whether that moved any), with a note when that moved any; a row repeating an earlier one
    whole (same moment, same numbers) is dropped with a note; the same moment with other numbers is a
    DataError naming the lines. Rows whose column can't be read as dates stay in file order."""
    keys = time_keys(stamps)
    if keys is None or len(keys) < 2:
        return values, [], False
    order = sorted(range(len(keys)), key=keys.__getitem__)  # stable: equal keys keep file order
    repeats = [(a, b) for a, b in itertools.pairwise(order) if keys[a] == keys[b]]
    same = {b for a, b in repeats if np.array_equal(values[a], values[b], equal_nan=True)}
    clashes = [(a, b) for a, b in repeats if b not in same]
    if clashes:
        shown = ", ".join(f"{lines[a]} and {lines[b]}" for a, b in clashes[:_SHOWN])
        more = f" (and {len(clashes) - _SHOWN:,} more)" if len(clashes) > _SHOWN else ""
        raise DataError(
            f"{path}: column {column!r} gives {plural(len(clashes), 'moment')} twice with different values, "
            f"e.g. {stamps[clashes[0][0]].strip()[:40]!r} on lines {shown}{more}; a series needs one row per "
            "moment. Remove or average the repeated rows"
        )
    notes = []
    order = [i for i in order if i not in same]
    resorted = order != sorted(order)
    if resorted:
        moved = sum(i != k for i, k in zip(sorted(order), order, strict=True))
        notes.append(
            f"{path.name}: rows were not in time order ({moved:,} out of place); sorted by column {column!r} "
            "before splitting, so validation and test come after training in time"
        )
    if same:
        notes.insert(0, f"{path.name}: {plural(len(same), 'row')} repeating an earlier row whole left out")
    return (values[np.asarray(order)] if notes else values), notes, resorted
