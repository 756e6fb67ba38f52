"""A table as seqtui reads it: its header and a way to walk its rows, whatever the file's format."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from seqtui.datasets.errors import DataError
from seqtui.datasets.row_limits import Reservoir

MAX_COLUMNS = 10_000
"""Wider tables are refused before their columns are profiled (a 100k-column header takes minutes)."""

Lines = Callable[[], Iterator[str]]
"""A fresh walk over a table's lines, endings kept: its text in memory, or its file read as it goes."""


Rows = Iterator[tuple[int, list[str]]]


@dataclass
class TableSource:
    """A table's header and a way to walk its rows (as often as needed) without keeping them all."""

    path: Path
    header: list[str]
    encoding: str
    unit: str
    """What a row position counts: "line" in text tables, "item" in a JSON array."""
    _walk: Callable[[], Rows]
    roles: dict[str, str] = field(default_factory=dict)
    """JSON tables: column -> "text" or "label", set by the reader; each value of those columns is then
    checked to be a string (a label may also be a whole number, if every label is one)."""

    def rows(self) -> Rows:
        """(line, cells) for each non-blank row after the header; cells padded to the header's width."""
        width = len(self.header)
        walk = self._walk()
        next(walk, None)  # the header
        for line, cells in walk:
            if len(cells) > width:
                if any(c.strip() for c in cells[width:]):
                    raise DataError(
                        f"{self.where(line)}: {len(cells)} fields but the header has {width}; "
                        'put text that contains the separator in double quotes ("like, this")'
                    )
                cells = cells[:width]
            elif len(cells) < width:
                cells = cells + [""] * (width - len(cells))
            yield line, cells

    def sample(self, n: int) -> list[list[str]]:
        """The first `n` rows."""
        out = []
        for _, cells in self.rows():
            out.append(cells)
            if len(out) >= n:
                break
        return out

    def spread_sample(self, n: int, seed: int = 0) -> list[list[str]]:
        """A seeded uniform sample of `n` rows from the whole table (every row when it has no more), in file
        order: reservoir sampling, so one walk keeps only `n` rows whatever the table's length."""
        sample: Reservoir[list[str]] = Reservoir(n, seed)
        for _, cells in self.rows():
            sample.add(cells)
        return sample.in_order()

    def where(self, line: int) -> str:
        return f"{self.path}, {self.unit} {line}"

    def column(self, name: str, option: str) -> int:
        """The index of a named column, or a DataError listing the columns there are."""
        if name in self.header:
            return self.header.index(name)
        folded = [h.casefold().strip() for h in self.header]
        if name.casefold().strip() in folded:
            return folded.index(name.casefold().strip())
        raise DataError(
            f"{self.path} has no column {name!r} (given with {option}); its columns are: {', '.join(self.header)}"
        )


def check_width(path: Path, header: list[str]) -> None:
    if len(header) > MAX_COLUMNS:
        raise DataError(
            f"{path} has {len(header):,} columns; seqtui reads tables of up to {MAX_COLUMNS:,} columns. "
            "Keep the columns you train on (e.g. with `cut -d, -f1,2`)"
        )


def first_line(text: str) -> str:
    return next((line for line in text.splitlines() if line.strip()), "")
