"""Time series: numeric columns to (lookback/step, features) windows and a target `delay` rows ahead.

Split chronologically (train, then validation, then test), normalised by the training rows' mean and
std, with the 'tomorrow equals now' baseline of the Jena lesson.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np

from seqtui.core.config import DataConfig
from seqtui.datasets.base import DataError, Dataset, SeriesEncoder
from seqtui.datasets.text_files import read_text

WINDOW_BUDGET_BYTES = 1 << 30
"""Windows are materialised; longer series keep every k-th window to stay under this size."""

TIME_HINTS = ("date", "time", "timestamp", "datetime", "day", "hour")


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def read_numeric_table(path: Path, encoding: str | None = None) -> tuple[list[str], np.ndarray]:
    """A CSV's numeric columns (timestamp and other text columns dropped) as float32 rows."""
    text, _ = read_text(path, encoding)
    sample = text[:4096]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    rows = list(csv.reader(text.splitlines(), delimiter=delimiter))
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if len(rows) < 2:
        raise DataError(f"{path}: needs a header line and at least one row of numbers")
    header, body = [h.strip() for h in rows[0]], rows[1:]
    numeric = []
    for i, name in enumerate(header):
        cells = [r[i].strip() if i < len(r) else "" for r in body[:200]]
        if cells and all(_is_float(c) for c in cells if c) and any(cells):
            numeric.append(i)
    if not numeric:
        raise DataError(f"{path}: no numeric column found; a time series CSV has a timestamp and number columns")
    values = np.empty((len(body), len(numeric)), dtype="float32")
    for line_no, row in enumerate(body, start=2):
        for j, i in enumerate(numeric):
            cell = row[i].strip() if i < len(row) else ""
            try:
                values[line_no - 2, j] = float(cell) if cell else math.nan
            except ValueError:
                raise DataError(
                    f"{path}, line {line_no}: {header[i]!r} is {cell!r}, not a number; fix or remove that row"
                ) from None
    values = _fill_gaps(values)
    return [header[i] for i in numeric], values


def _fill_gaps(values: np.ndarray) -> np.ndarray:
    """Carry the last value forward over empty cells (and back-fill a leading gap)."""
    for j in range(values.shape[1]):
        col = values[:, j]
        bad = ~np.isfinite(col)
        if not bad.any():
            continue
        if bad.all():
            raise DataError(f"column {j + 1} has no numbers at all")
        idx = np.where(~bad, np.arange(len(col)), 0)
        np.maximum.accumulate(idx, out=idx)
        col[:] = col[idx]
        first = np.argmax(np.isfinite(col))
        col[:first] = col[first]
    return values


def make_windows(
    values: np.ndarray, target: int, lookback: int, step: int, delay: int, start: int, stop: int, stride: int = 1
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Windows whose last observed row lies in [start, stop): (x, y, last observed target)."""
    ends = np.arange(max(start, lookback - 1), min(stop, len(values) - delay), stride)
    offsets = np.arange(-lookback + 1, 1, step)[-(lookback // step) :]
    x = values[ends[:, None] + offsets[None, :]]
    return x, values[ends + delay, target], values[ends, target]


def series_dataset(
    name: str, columns: list[str], values: np.ndarray, config: DataConfig, target_default: str | None = None
) -> Dataset:
    """Chronological split, training-set normalisation, windows and the naive baseline."""
    wanted = config.target_column or target_default
    if wanted and wanted not in columns:
        raise DataError(f"{name}: no numeric column {wanted!r}; numeric columns are {', '.join(columns)}")
    target = columns.index(wanted) if wanted else 0
    n = len(values)
    n_test = int(n * config.test_split)
    n_val = int((n - n_test) * config.validation_split)
    n_train = n - n_val - n_test
    need = config.lookback + config.delay
    if n_train <= need or n_val <= config.delay or n_test <= config.delay:
        raise DataError(
            f"{name}: {n} rows are too few for lookback {config.lookback} + delay {config.delay} "
            "in each of the train/validation/test parts; lower --lookback/--delay or use a longer series"
        )
    mean = values[:n_train].mean(axis=0)
    std = values[:n_train].std(axis=0)
    std[std == 0] = 1.0
    encoder = SeriesEncoder(
        columns, columns[target], mean.tolist(), std.tolist(), config.lookback, config.step, config.delay
    )
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
    return Dataset(name, "regression", "series", x_tr, y_tr, x_val, y_val, x_te, y_te, encoder, [], notes, baseline)


def load_series_csv(path: Path, config: DataConfig, target_default: str | None = None) -> Dataset:
    if not path.is_file():
        raise DataError(f"{path} does not exist")
    columns, values = read_numeric_table(path, config.encoding)
    return series_dataset(path.name, columns, values, config, target_default)
