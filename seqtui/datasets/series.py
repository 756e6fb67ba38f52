"""Time series: numeric columns to (lookback/step, features) windows and a target `delay` rows ahead.

Split chronologically (train, then validation, then test), normalised by the training rows' mean and
std, with the 'tomorrow equals now' baseline of the Jena lesson.
"""

from __future__ import annotations

import math
import re
from array import array
from itertools import islice
from pathlib import Path

import numpy as np

from seqtui.datasets.base import Dataset, SeriesEncoder
from seqtui.datasets.columns import MISSING, ColumnProfile, profile_columns
from seqtui.datasets.config import DataConfig
from seqtui.datasets.errors import DataError
from seqtui.datasets.row_limits import series_rows
from seqtui.datasets.table_source import TableSource
from seqtui.datasets.tables import open_table
from seqtui.datasets.time_order import in_time_order

TYPICAL_TRAIN_SHARE = 0.64
"""The training share with the default splits (0.8 x 0.8)."""
WINDOW_BUDGET_BYTES = 1 << 30
"""Windows are materialised; longer series keep every k-th window to stay under this size."""


def _number(source: TableSource, line: int, name: str, cell: str) -> float:
    cell = cell.strip()
    if cell.casefold() in MISSING:
        return math.nan
    try:
        return float(cell)
    except ValueError:
        raise DataError(
            f"{source.where(line)}: column {name!r} holds {cell[:40]!r}, not a number; fix or remove that row"
        ) from None


def numeric_columns(
    source: TableSource,
    target: str | None = None,
    profiles: list[ColumnProfile] | None = None,
    max_rows: int | None = None,
) -> tuple[list[str], np.ndarray, list[str]]:
    """The table's numeric columns as float32 rows (gaps carried forward), and notes on what was left out;
    only the first `max_rows` rows when given (the rows after them are not parsed).

    A column is numeric when most of its profiled rows are numbers (a series' first rows); any other cell
    that is not one is an error naming its line, never a silent gap.
    """
    profiles = profiles if profiles is not None else profile_columns(source)
    keep = [p for p in profiles if p.numeric]
    if target is not None:
        wanted = source.column(target, "--target-column")
        if wanted not in {p.index for p in keep}:
            keep.append(profiles[wanted])  # its first non-number becomes the error
            keep.sort(key=lambda p: p.index)
    if not keep:
        listing = ", ".join(p.describe() for p in profiles)
        raise DataError(
            f"{source.path}: no numeric column; a time series has a timestamp and number columns. "
            f"Its columns: {listing}"
        )
    idx = [p.index for p in keep]
    names = [p.name for p in keep]
    clock = next((p.index for p in profiles if p.timestamp), None)
    values, lines, stamps = _read_rows(source, keep, clock, max_rows)
    _check_finite(source, values, lines, idx, names)
    ordered: list[str] = []
    if clock is not None:
        values, ordered, resorted = in_time_order(source.path, source.header[clock], stamps, lines, values)
        if resorted and max_rows is not None:  # the first rows of a shuffled file are not the earliest ones
            names, values, notes = numeric_columns(source, target, profiles)
            notes[-1] += WHOLE_READ
            return names, values, notes
    values = _fill_gaps(values.astype("float32"), names, source.path)
    return names, values, _column_notes(source, profiles, idx) + ordered


def _read_rows(
    source: TableSource, keep: list[ColumnProfile], clock: int | None, max_rows: int | None
) -> tuple[np.ndarray, array, list[str]]:
    """The kept columns' numbers (float64), each row's line, and its timestamp cell (when `clock` is a
    column)."""
    idx = [p.index for p in keep]
    buffer = array("d")
    lines = array("q")
    stamps: list[str] = []
    for line, cells in islice(source.rows(), max_rows):
        try:
            buffer.extend([float(cells[i]) for i in idx])
        except ValueError:
            buffer.extend([_number(source, line, p.name, cells[p.index]) for p in keep])
        lines.append(line)
        if clock is not None:
            stamps.append(cells[clock])
    return np.frombuffer(buffer, dtype="float64").reshape(len(lines), len(idx)), lines, stamps


def _column_notes(source: TableSource, profiles: list[ColumnProfile], idx: list[int]) -> list[str]:
    """Notes on the columns left out: text ones, and empty ones."""
    notes = []
    dropped = [p.name for p in profiles if p.index not in idx and p.filled]
    if dropped:
        notes.append(f"{source.path.name}: not used as input (not numbers): {', '.join(dropped)}")
    empty = [repr(p.name) for p in profiles if p.index not in idx and not p.filled]
    if empty:
        notes.append(
            f"{source.path.name}: left out, no values (empty or nan) in the first rows: {', '.join(empty)}"
        )
    return notes


FLOAT32_MAX = float(np.finfo("float32").max)
WHOLE_READ = "; --limit read the whole file to find its earliest rows"


def _check_finite(
    source: TableSource, values: np.ndarray, lines: array, idx: list[int], names: list[str]
) -> None:
    """inf, -inf and numbers beyond float32 (1e39) are errors naming the cell, never silent gaps."""
    with np.errstate(invalid="ignore"):
        bad = np.isinf(values) | (np.abs(values) > FLOAT32_MAX)
    if not bad.any():
        return
    row, col = (int(i) for i in np.argwhere(bad)[0])
    line = lines[row]
    cell = next((cells[idx[col]].strip() for at, cells in source.rows() if at == line), str(values[row, col]))
    raise DataError(
        f"{source.where(line)}: column {names[col]!r} holds {cell[:40]!r}, which is infinite or beyond the "
        f"float32 range (±{FLOAT32_MAX:.1e}); fix that cell, leave it empty for a gap, or rescale the column"
    )


def read_numeric_table(path: Path, encoding: str | None = None) -> tuple[list[str], np.ndarray]:
    """A CSV's numeric columns (timestamp and other text columns dropped) as float32 rows."""
    names, values, _ = numeric_columns(open_table(path, encoding))
    return names, values


def _fill_gaps(values: np.ndarray, names: list[str], path: Path) -> np.ndarray:
    """Carry the last value forward over empty cells (and back-fill a leading gap)."""
    for j in range(values.shape[1]):
        col = values[:, j]
        bad = ~np.isfinite(col)
        if not bad.any():
            continue
        if bad.all():
            raise DataError(f"{path}: column {names[j]!r} has no numbers at all")
        idx = np.where(~bad, np.arange(len(col)), 0)
        np.maximum.accumulate(idx, out=idx)
        col[:] = col[idx]
        first = np.argmax(np.isfinite(col))
        col[:first] = col[first]
    return values


def make_windows(
    values: np.ndarray,
    target: int,
    lookback: int,
    step: int,
    delay: int,
    start: int,
    stop: int,
    stride: int = 1,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Windows whose last observed row and target both lie in [start, stop): (x, y, last observed target).

    A window holds lookback // step rows, every step-th one, ending on the last observed row itself: the
    "tomorrow equals now" baseline compares with that row, so the model sees it too.
    The inputs may look back before `start` (that is history, known at the time); the targets never reach
    into the next part, so validation targets are not trained on and test targets are not validated on.
    """
    ends = np.arange(max(start, lookback - 1), min(stop, len(values)) - delay, stride)
    offsets = -step * np.arange(lookback // step)[::-1]
    x = values[ends[:, None] + offsets[None, :]]
    return x, values[ends + delay, target], values[ends, target]


_UNIT_IN_NAME = re.compile(r"[(\[]\s*([^()\[\]]{1,12}?)\s*[)\]]\s*$")
_UNIT_SPELLINGS = {"degc": "°C", "degf": "°F", "deg": "°"}


def unit_of(column: str) -> str:
    """The unit a column's name gives in brackets at its end ("T (degC)" -> "°C", "p (mbar)" -> "mbar")."""
    found = _UNIT_IN_NAME.search(column)
    return _UNIT_SPELLINGS.get(found.group(1).lower(), found.group(1)) if found else ""


def series_dataset(
    name: str,
    columns: list[str],
    values: np.ndarray,
    config: DataConfig,
    target_default: str | None = None,
    unit: str = "",
) -> Dataset:
    """Chronological split, training-set normalisation, windows and the naive baseline. `unit` is the target's
    unit when the caller knows it (else read from the column's name, or unknown)."""
    wanted = config.target_column or target_default
    if wanted and wanted not in columns:
        raise DataError(f"{name}: no numeric column {wanted!r}; numeric columns are {', '.join(columns)}")
    target = columns.index(wanted) if wanted else 0
    if config.step > config.lookback:
        raise DataError(f"{name}: step {config.step} is longer than lookback {config.lookback}; lower --step")
    n = len(values)
    n_test = int(n * config.test_split)
    n_val = int((n - n_test) * config.validation_split)
    n_train = n - n_val - n_test
    need = config.lookback + config.delay
    if n_train <= need or n_val <= config.delay or n_test <= config.delay:
        parts = f"train/validation/test parts of {n_train}/{n_val}/{n_test} rows"
        if n_train <= need and n * TYPICAL_TRAIN_SHARE > need:  # the splits, not the series, leave too little
            raise DataError(
                f"{name}: --validation-split {config.validation_split:g} and --test-split {config.test_split:g} "
                f"leave {parts}; training needs more than lookback {config.lookback} + delay "
                f"{config.delay}. Lower --validation-split/--test-split (e.g. 0.2)"
            )
        raise DataError(
            f"{name}: {n} rows are too few for lookback {config.lookback} + delay {config.delay} "
            f"in each of the {parts}; lower --lookback/--delay or use a longer series"
        )
    mean = values[:n_train].astype("float64").mean(axis=0)
    std = values[:n_train].astype("float64").std(axis=0)
    std[~np.isfinite(std) | (std == 0)] = 1.0
    encoder = SeriesEncoder(
        columns, columns[target], mean.tolist(), std.tolist(), config.lookback, config.step, config.delay,
        unit=unit or unit_of(columns[target]),
    )  # fmt: skip
    norm = encoder.normalize(values)
    per_window = (config.lookback // config.step) * len(columns) * 4
    stride = max(1, math.ceil(n * per_window / WINDOW_BUDGET_BYTES))
    parts = [(0, n_train), (n_train, n_train + n_val), (n_train + n_val, n)]
    (x_tr, y_tr, _), (x_val, y_val, now_val), (x_te, y_te, now_te) = (
        make_windows(norm, target, config.lookback, config.step, config.delay, a, b, stride) for a, b in parts
    )
    baseline = {
        "val_mae": float(np.mean(np.abs(y_val - now_val))),
        "test_mae": float(np.mean(np.abs(y_te - now_te))),
    }
    baseline["test_mae_in_units"] = baseline["test_mae"] * float(std[target])
    notes = [f"long series: every {stride}th window kept to fit memory"] if stride > 1 else []
    if not wanted and len(columns) > 1:
        notes.append(
            f"forecasting {columns[0]!r}, the first numeric column; choose another with --target-column"
        )
    return Dataset(
        name, "regression", "series", x_tr, y_tr, x_val, y_val, x_te, y_te, encoder, [], notes, baseline
    )


def series_from_table(
    source: TableSource,
    config: DataConfig,
    target_default: str | None = None,
    profiles: list[ColumnProfile] | None = None,
) -> Dataset:
    """A table read as a time series, with the notes on the columns left out.

    With --limit only the first rows that give its training windows (and validation and test parts in
    proportion) are read: the limit keeps the first windows chronologically."""
    target = config.target_column or (target_default if target_default in source.header else None)
    wanted = series_rows(config)
    read = None if wanted is None else wanted + 1  # one row more tells whether rows were left unread
    columns, values, notes = numeric_columns(source, target, profiles, read)
    if wanted is not None and len(values) > wanted:
        values = values[:wanted]
        whole = bool(notes) and notes[-1].endswith(WHOLE_READ)
        notes.append(
            f"--limit {config.sample_limit}: read the first {wanted:,} rows of {source.path.name}, enough for "
            f"{config.sample_limit:,} training windows (lookback {config.lookback}, delay {config.delay}) and "
            "the validation and test parts after them; "
            + ("the later rows in time were left out" if whole else "later rows were not read")
        )
    ds = series_dataset(source.path.name, columns, values, config, target_default)
    ds.notes[:0] = notes
    return ds


def load_series_csv(path: Path, config: DataConfig, target_default: str | None = None) -> Dataset:
    return series_from_table(open_table(path, config.encoding), config, target_default)
