"""The data part of a `train.py` for a run on the user's own time series table (CSV, TSV): the same numeric
columns, the first rows `--limit` reads, gaps carried forward, the chronological split, the run's own
normalisation (mean and std from encoder.json beside the script) and the same windows, in plain NumPy, as
`seqtui.datasets.series` builds them.

The series is loaded once here, at export, as seqtui loads it: what a script doesn't yet do the same way
(rows sorted by their timestamps, repeated rows dropped, every k-th window of a very long series) is refused.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from seqtui.core.runs.script_parts import DataReader
from seqtui.core.runs.script_parts import quoted as _q
from seqtui.datasets.errors import DataError

SERIES_SUFFIXES = (".csv", ".tsv", ".tab", ".txt")
_NOT_YET = ("rows were not in time order", "repeating an earlier row whole", "th window kept to fit memory")
"""Notes of a series load that a script doesn't reproduce yet."""


def is_series_file(config: dict[str, Any]) -> bool:
    """Whether the run forecast a series read from the user's table (`--data`)."""
    data = config.get("data", {})
    return (
        data.get("dataset") == "file"
        and bool(data.get("data_path"))
        and config.get("input_kind") == "series"
        and config.get("task") == "regression"
    )


def _data_config(data: dict[str, Any]) -> Any:
    from seqtui.datasets.config import DataConfig

    fields = {f.name for f in dataclasses.fields(DataConfig)}
    values = {k: v for k, v in data.items() if k in fields}
    return DataConfig(**{**values, "stopwords": tuple(values.get("stopwords") or ())})


def series_problem(config: dict[str, Any]) -> str | None:
    """Why a script can't yet read this run's series the way seqtui did, or None."""
    from seqtui.datasets.registry import load_dataset

    path = Path(str(config["data"]["data_path"])).expanduser()
    if not path.is_file():
        return f"the run's data {path} is no longer there to read"
    if path.suffix.lower() not in SERIES_SUFFIXES:
        return f"a series read from {path.suffix or 'a file without suffix'} is not yet read by a script"
    try:
        ds = load_dataset(_data_config(config["data"]))
    except DataError as exc:
        return f"seqtui can't read {path.name} now ({str(exc)[:200]})"
    shown = [note for note in ds.notes if any(what in note for what in _NOT_YET)]
    if shown:
        return f"a script doesn't yet read {path.name} as seqtui did ({shown[0][:200]})"
    return None


def series_section(config: dict[str, Any]) -> str:
    """The constants, the reader, the windows and `load_data(path)` of a series run."""
    from seqtui.datasets.row_limits import series_rows
    from seqtui.datasets.tables import open_table

    data = config["data"]
    path = Path(str(data["data_path"])).expanduser().resolve()
    source = open_table(path, data.get("encoding"))
    separator = "\t" if path.suffix.lower() != ".csv" else _csv_separator(path, source.encoding)
    return f'''DATA = Path({_q(str(path))})  # the run's series; --data PATH reads another with these columns
ENCODING = {_q(source.encoding)}
SEPARATOR = {_q(separator)}
SERIES_ROWS = {series_rows(_data_config(data))!r}  # --limit: only the first rows are read (None: every row)
MISSING = {{"", "na", "n/a", "nan", "null", "none", "-", "?"}}  # cells that mean "no value"
ENCODER = json.loads(Path(__file__).with_name("encoder.json").read_text(encoding="utf-8"))
"""The run's columns, target, window and normalisation (the training rows' mean and std)."""
COLUMNS, TARGET = ENCODER["columns"], ENCODER["columns"].index(ENCODER["target"])
MEAN, STD = np.asarray(ENCODER["mean"]), np.asarray(ENCODER["std"])
LOOKBACK, STEP, DELAY = ENCODER["lookback"], ENCODER["step"], ENCODER["delay"]


{_READER}


{_WINDOWS}'''


def _csv_separator(path: Path, encoding: str) -> str:
    from seqtui.core.runs.export_script_text import sniffed_separator

    return sniffed_separator(path, encoding)


_READER = '''def read_series(path):
    """COLUMNS of the table as float32 rows; an empty cell carries the last value forward (a leading gap
    takes the first value)."""
    quoting = csv.QUOTE_NONE if SEPARATOR == "\\t" else csv.QUOTE_MINIMAL
    with open(path, encoding=ENCODING, newline="") as fh:
        rows = (cells for cells in csv.reader(fh, delimiter=SEPARATOR, quoting=quoting) if any(c.strip() for c in cells))
        header = [c.strip().lstrip("\\ufeff").strip() for c in next(rows)]
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            raise SystemExit(f"{path} has no column {missing[0]!r}: its columns are {header}")
        idx = [header.index(c) for c in COLUMNS]
        values = []
        for cells in rows:
            cells = cells + [""] * (len(header) - len(cells))
            values.append([np.nan if cells[i].strip().casefold() in MISSING else float(cells[i]) for i in idx])
            if SERIES_ROWS and len(values) == SERIES_ROWS:
                break
    values = np.array(values, dtype="float64").astype("float32")
    for col in values.T:
        known = np.isfinite(col)
        if not known.all():
            last = np.maximum.accumulate(np.where(known, np.arange(len(col)), 0))
            col[:] = col[last]
            col[: np.argmax(np.isfinite(col))] = col[np.argmax(np.isfinite(col))]
    return values'''

_WINDOWS = '''def windows(values, start, stop):
    """The windows whose last row and target both lie in [start, stop): LOOKBACK // STEP rows each, every
    STEP-th one, ending on the last observed row; the target DELAY rows after it."""
    ends = np.arange(max(start, LOOKBACK - 1), min(stop, len(values)) - DELAY)
    offsets = -STEP * np.arange(LOOKBACK // STEP)[::-1]
    return values[ends[:, None] + offsets[None, :]], values[ends + DELAY, TARGET]


def load_data(path=DATA):
    """Normalise with the run's mean and std, split in time (train, then validation, then test), window."""
    values = ((read_series(path) - MEAN) / STD).astype("float32")
    n = len(values)
    n_test = int(n * TEST_SPLIT)
    n_val = int((n - n_test) * VALIDATION_SPLIT)
    n_train = n - n_val - n_test
    return windows(values, 0, n_train), windows(values, n_train, n_train + n_val), windows(values, n_train + n_val, n)'''


SERIES_READER = DataReader(
    what="your time series (CSV, TSV)",
    claims=is_series_file,
    section=series_section,
    imports=lambda config: ("csv", "json"),
    problem=series_problem,
    takes_file=is_series_file,
)
