"""Which columns of a table hold the text and the label, or whether it is a time series.

Named columns win; then common names (Kaggle's v1/v2, NSMC's document/label, ...); then the shape of the
data (profiled from rows spread over the whole file, so an export sorted by label still shows its
labels): the longest text column and a column with few distinct values. When that is not clear the user gets
one message listing the columns and the options to pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from seqtui.datasets.base import is_number
from seqtui.datasets.errors import DataError
from seqtui.datasets.table_source import TableSource

TEXT_NAMES = (
    "text",
    "document",
    "review",
    "sentence",
    "v2",
    "content",
    "message",
    "comment",
    "tweet",
    "body",
)
LABEL_NAMES = ("label", "labels", "class", "category", "sentiment", "target", "v1", "verdict", "topic", "y")
TIME_NAMES = ("date", "time", "timestamp", "datetime")
MISSING = frozenset({"", "na", "n/a", "nan", "null", "none", "-", "?"})
"""Cells that mean 'no value' in a numeric column."""

_TIMESTAMP = re.compile(
    r"^\s*\d{1,4}[-./]\d{1,2}[-./]\d{1,4}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?\s*$|^\s*\d{1,2}:\d{2}"
)
PROFILE_ROWS = 2000


@dataclass(frozen=True)
class ColumnProfile:
    """What a sample of a column looks like."""

    name: str
    index: int
    filled: int
    distinct: int
    mean_length: float
    numeric_share: float
    timestamp: bool

    @property
    def numeric(self) -> bool:
        """Mostly numbers: the odd bad cell is then reported with its line, not silently dropped."""
        return self.filled > 0 and self.numeric_share >= 0.8 and not self.timestamp

    def describe(self) -> str:
        if self.filled == 0:
            kind = "empty"
        elif self.timestamp:
            kind = "timestamps"
        elif self.numeric:
            kind = f"numbers, {self.distinct} distinct"
        else:
            kind = f"text, {self.mean_length:.0f} chars on average, {self.distinct} distinct"
        return f"{self.name!r} ({kind})"


def profile_columns(source: TableSource, rows: int = PROFILE_ROWS) -> list[ColumnProfile]:
    """What each column looks like in `rows` rows of the table.

    A table whose first rows are numbers only is profiled from them (a series is read from its start). Any
    other longer table is profiled from a seeded sample spread over the whole file: exports sorted by label
    hold one class in their first rows, and a label column with one value there reads as no label at all."""
    first = source.sample(rows)
    profiles = _profile(source.header, first)
    if len(first) < rows or looks_like_series(profiles):
        return profiles
    return _profile(source.header, source.spread_sample(rows))


def _profile(header: list[str], sample: list[list[str]]) -> list[ColumnProfile]:
    profiles = []
    for i, name in enumerate(header):
        cells = [r[i].strip() for r in sample]
        filled = [c for c in cells if c.casefold() not in MISSING]
        numbers = sum(is_number(c) for c in filled)
        stamps = sum(bool(_TIMESTAMP.match(c)) for c in filled)
        named_time = any(word in name.casefold() for word in TIME_NAMES)
        profiles.append(
            ColumnProfile(
                name,
                i,
                len(filled),
                len(set(filled)),
                sum(map(len, filled)) / max(1, len(filled)),
                numbers / max(1, len(filled)),
                bool(filled) and (stamps >= 0.9 * len(filled) or (named_time and numbers < len(filled))),
            )
        )
    return profiles


def _by_name(
    profiles: list[ColumnProfile], names: tuple[str, ...], exclude: set[int]
) -> ColumnProfile | None:
    for wanted in names:
        for p in profiles:
            if p.index not in exclude and p.name.casefold().strip() == wanted:
                return p
    return None


def _label_candidates(profiles: list[ColumnProfile], exclude: set[int]) -> list[ColumnProfile]:
    """Few distinct values (at least two), not timestamps, not a running id."""
    out = []
    for p in profiles:
        if p.index in exclude or p.timestamp or p.filled == 0:
            continue
        limit = max(2, min(100, p.filled // 3))
        if 2 <= p.distinct <= limit:
            out.append(p)
    return out


def _text_candidates(profiles: list[ColumnProfile], exclude: set[int]) -> list[ColumnProfile]:
    """Non-numeric columns, longest first."""
    texts = [p for p in profiles if p.index not in exclude and p.filled and not p.numeric and not p.timestamp]
    return sorted(texts, key=lambda p: -p.mean_length)


def _ambiguous(source: TableSource, profiles: list[ColumnProfile], what: str) -> DataError:
    listing = "\n".join(f"  {p.describe()}" for p in profiles)
    return DataError(
        f"{source.path}: can't tell {what}. Its columns:\n{listing}\n"
        "Pass --text-column NAME --label-column NAME for text classification, "
        "or --target-column NAME for a time series."
    )


def _pick_text(source: TableSource, profiles: list[ColumnProfile], exclude: set[int]) -> ColumnProfile:
    named = _by_name(profiles, TEXT_NAMES, exclude)
    if named:
        return named
    texts = _text_candidates(profiles, exclude)
    if len(texts) == 1 or (len(texts) > 1 and texts[0].mean_length >= 1.5 * texts[1].mean_length):
        return texts[0]
    raise _ambiguous(source, profiles, "which column holds the text")


def _pick_label(source: TableSource, profiles: list[ColumnProfile], exclude: set[int]) -> ColumnProfile:
    named = _by_name(profiles, LABEL_NAMES, exclude)
    if named:
        return named
    labels = _label_candidates(profiles, exclude)
    if len(labels) == 1:
        return labels[0]
    raise _ambiguous(source, profiles, "which column holds the label")


def text_and_label(
    source: TableSource, profiles: list[ColumnProfile], text_column: str | None, label_column: str | None
) -> tuple[int, int]:
    """The text and label columns: the named ones, else guessed."""
    text = source.column(text_column, "--text-column") if text_column else None
    label = source.column(label_column, "--label-column") if label_column else None
    if text is None and label is None:
        named_text = _by_name(profiles, TEXT_NAMES, set())
        label = (
            _pick_label(source, profiles, {named_text.index}).index
            if named_text
            else _pick_label(source, profiles, {p.index for p in _text_candidates(profiles, set())[:1]}).index
        )
    if text is None:
        text = _pick_text(source, profiles, {label} if label is not None else set()).index
    if label is None:
        label = _pick_label(source, profiles, {text}).index
    if text == label:
        raise DataError(
            f"{source.path}: the text and the label can't be the same column ({source.header[text]!r})"
        )
    return text, label


def looks_like_series(profiles: list[ColumnProfile]) -> bool:
    """Numbers (and perhaps timestamps) only: nothing that reads as text."""
    numeric = [p for p in profiles if p.numeric]
    others = [p for p in profiles if not p.numeric and not p.timestamp and p.filled]
    return bool(numeric) and not others
