"""The data part of a `train.py` for a run on a time series table (the user's CSV/TSV or JSON lines, whose
objects `export_script_series_json` reads, and through `export_script_climate` the lessons' weather series):
the same numeric columns, rows sorted by their timestamps as seqtui sorts them (a stable sort; a row
repeating an earlier one whole left out), the first rows `--limit` reads, gaps carried forward, the
chronological split, the run's own normalisation (mean and std from encoder.json beside the script) and the
same windows (every k-th one when they would not fit in memory), in plain NumPy and the standard library, as
`seqtui.datasets.series` builds them.

What seqtui resolved by looking at the table (its encoding, separator, timestamp column) is resolved here, at
export, with seqtui's own readers, and written into the script as constants: the script never guesses again.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seqtui.core.runs.export_script_series_json import JSON_ROWS, JSON_SUFFIXES
from seqtui.core.runs.script_parts import DataReader
from seqtui.core.runs.script_parts import quoted as _q
from seqtui.datasets.errors import DataError

SERIES_SUFFIXES = (".csv", ".tsv", ".tab", ".txt")
SERIES_IMPORTS = ("csv", "json", "math", "re")
"""The standard library modules the series reader's code uses."""


def is_series_file(config: dict[str, Any]) -> bool:
    """Whether the run forecast a series read from the user's table (`--data`)."""
    data = config.get("data", {})
    return (
        data.get("dataset") == "file"
        and bool(data.get("data_path"))
        and config.get("input_kind") == "series"
        and config.get("task") == "regression"
    )


def data_config(data: dict[str, Any]) -> Any:
    """The run's data settings (config.json's "data") as the DataConfig seqtui read them with."""
    from seqtui.datasets.config import DataConfig

    fields = {f.name for f in dataclasses.fields(DataConfig)}
    values = {k: v for k, v in data.items() if k in fields}
    return DataConfig(**{**values, "stopwords": tuple(values.get("stopwords") or ())})


@dataclass(frozen=True)
class SeriesTable:
    """A series table and how seqtui's loader read it: what a script needs to read it the same way."""

    path: Path
    encoding: str | None = None
    """The run's --encoding (None: seqtui's detection, whose answer the script is given)."""
    rows: int | None = None
    """With --limit, the first rows seqtui read (`row_limits.series_rows`); None: every row."""
    target_column: str | None = None
    target_default: str | None = None
    """The column the dataset forecasts unless --target-column names another (Jena: "T (degC)")."""


def table_problem(table: SeriesTable, readable: tuple[str, ...] = SERIES_SUFFIXES) -> str | None:
    """Why seqtui can't read the table now (so neither can a script the same way), or None; `readable`: the
    suffixes the caller's script reads. Only the reading is redone here, not the windows: a long series'
    windows take up to a GiB."""
    from seqtui.datasets.series import numeric_columns
    from seqtui.datasets.tables import open_table

    path = table.path
    if not path.is_file():
        return f"the run's data {path} is no longer there to read"
    if path.suffix.lower() not in readable:
        return f"a series read from {path.suffix or 'a file without suffix'} is not yet read by a script"
    try:
        source = open_table(path, table.encoding)
        default = table.target_default if table.target_default in source.header else None
        numeric_columns(source, table.target_column or default, None, table.rows and table.rows + 1)
    except DataError as exc:
        return f"seqtui can't read {path.name} now ({str(exc)[:200]})"
    return None


def series_constants(table: SeriesTable) -> str:
    """The constants of the reader: the table's encoding, separator and timestamp column as seqtui found
    them, the rows --limit reads, and the run's columns, target, window and normalisation (encoder.json)."""
    from seqtui.datasets import series
    from seqtui.datasets.columns import profile_columns
    from seqtui.datasets.tables import open_table

    source = open_table(table.path, table.encoding)
    clock = next((p.name for p in profile_columns(source) if p.timestamp), None)
    suffix = table.path.suffix.lower()
    separator = "\t" if suffix != ".csv" else _csv_separator(table.path, source.encoding)
    layout = "" if suffix in JSON_SUFFIXES else f"\nSEPARATOR = {_q(separator)}"
    return f'''ENCODING = {_q(source.encoding)}{layout}
TIME_COLUMN = {_q(clock) if clock else None}  # the rows are sorted by it (None: they stay in file order)
SERIES_ROWS = {table.rows!r}  # --limit: only the first rows are read (None: every row)
MISSING = {{"", "na", "n/a", "nan", "null", "none", "-", "?"}}  # cells that mean "no value"
WINDOW_BUDGET = {series.WINDOW_BUDGET_BYTES!r}  # bytes of windows; a longer series keeps every k-th window
ENCODER = json.loads(Path(__file__).with_name("encoder.json").read_text(encoding="utf-8"))
"""The run's columns, target, window and normalisation (the training rows' mean and std)."""
COLUMNS, TARGET = ENCODER["columns"], ENCODER["columns"].index(ENCODER["target"])
MEAN, STD = np.asarray(ENCODER["mean"]), np.asarray(ENCODER["std"])
LOOKBACK, STEP, DELAY = ENCODER["lookback"], ENCODER["step"], ENCODER["delay"]'''


def series_code(where: str, json_rows: bool = False) -> str:
    """The reader (of JSON objects when `json_rows`, else of a CSV/TSV), the time order, the windows and
    `load_data(path)`, which reads the table at `where` (an expression of `path`, e.g. "path or jena_csv()")."""
    from seqtui.datasets.time_order import _STAMP  # the script reads timestamps with seqtui's own pattern

    first, split, rest = _STAMP.pattern.partition("[ T]?")
    stamp = f'STAMP = re.compile(\n    r"{first}{split}"\n    r"{rest}"\n)'
    reader = JSON_ROWS if json_rows else _READER
    return "\n\n\n".join((reader, stamp + _ORDER, _LOAD.replace("{where}", where)))


def _file_table(config: dict[str, Any]) -> SeriesTable:
    from seqtui.datasets.row_limits import series_rows

    data = data_config(config["data"])
    path = Path(str(data.data_path)).expanduser()
    return SeriesTable(path, data.encoding, series_rows(data), data.target_column)


def series_problem(config: dict[str, Any]) -> str | None:
    """Why a script can't read this run's series the way seqtui did, or None."""
    return table_problem(_file_table(config), SERIES_SUFFIXES + JSON_SUFFIXES)


def series_section(config: dict[str, Any]) -> str:
    """The constants, the reader, the windows and `load_data(path)` of a run on the user's series."""
    table = _file_table(config)
    path = table.path.resolve()
    return f"""DATA = Path({_q(str(path))})  # the run's series; --data PATH reads another with these columns
{series_constants(dataclasses.replace(table, path=path))}


{series_code("path", _is_json(table.path))}"""


def _is_json(path: Path) -> bool:
    return path.suffix.lower() in JSON_SUFFIXES


def _imports(config: dict[str, Any]) -> tuple[str, ...]:
    """The series reader's modules (a JSON series is read without csv)."""
    json_series = _is_json(Path(str(config["data"]["data_path"])))
    return tuple(m for m in SERIES_IMPORTS if not (json_series and m == "csv"))


def _csv_separator(path: Path, encoding: str) -> str:
    from seqtui.core.runs.export_script_text import sniffed_separator

    return sniffed_separator(path, encoding)


_READER = '''def clean_header(cells):
    """The header's names as seqtui reads them: stripped; an empty one named columnN, a repeated one name.1."""
    names, seen = [], set()
    for i, cell in enumerate(cells):
        name = base = cell.strip().lstrip("\\ufeff").strip() or f"column{i + 1}"
        k = 1
        while name in seen:
            name, k = f"{base}.{k}", k + 1
        names.append(name)
        seen.add(name)
    return names


def unquoted(cell):
    """A TSV cell wrapped whole in double quotes, as spreadsheets write it, without them."""
    if len(cell) >= 2 and cell[0] == cell[-1] == '"':
        return cell[1:-1].replace('""', '"')
    return cell


def read_rows(path, limit=None):
    """The first `limit` rows (None: every row) of COLUMNS as float64, nan where a value is missing, and each
    row's TIME_COLUMN cell. Blank lines are skipped; a short row's missing cells are empty."""
    quoting = csv.QUOTE_NONE if SEPARATOR == "\\t" else csv.QUOTE_MINIMAL
    with open(path, encoding=ENCODING, newline="") as fh:
        table = csv.reader(fh, delimiter=SEPARATOR, quoting=quoting)
        if SEPARATOR == "\\t":
            table = ([unquoted(c) for c in cells] for cells in table)
        table = (cells for cells in table if any(c.strip() for c in cells))
        header = clean_header(next(table, []))
        missing = [c for c in [*COLUMNS, TIME_COLUMN] if c is not None and c not in header]
        if missing:
            raise SystemExit(f"{path} has no column {missing[0]!r}: its columns are {header}")
        idx = [header.index(c) for c in COLUMNS]
        clock = header.index(TIME_COLUMN) if TIME_COLUMN else None
        values, stamps = [], []
        for cells in table:
            if limit is not None and len(values) == limit:
                break
            cells = cells + [""] * (len(header) - len(cells))
            values.append([np.nan if cells[i].strip().casefold() in MISSING else float(cells[i]) for i in idx])
            if clock is not None:
                stamps.append(cells[clock])
    return np.array(values, dtype="float64").reshape(-1, len(COLUMNS)), stamps'''

_ORDER = '''
"""A date, a time or both: 2009-01-31 10:00, 31.01.2009 10:00:00, 01/31/2009, 10:00:00.5+01:00."""


def time_keys(stamps):
    """A sortable (year, month, day, hour, minute, second, nanosecond) per timestamp, or None when some cell
    is not a date or time (the rows then stay in file order). Dates are read in the order the column shows
    them: year first when it has 4 digits, else day first, unless only the second field ever passes 12."""
    parts = []
    for cell in stamps:
        found = STAMP.match(cell)
        if not found or not any(found.groups()):
            return None
        parts.append([g or "" for g in found.groups()])
    dated = [p for p in parts if p[0]]
    if not dated or len(dated[0][0]) == 4:
        y, m, d = 0, 1, 2  # 2009-01-31
    elif any(int(p[1]) > 12 for p in dated) and not any(int(p[0]) > 12 for p in dated):
        y, m, d = 2, 0, 1  # 01/31/2009
    else:
        y, m, d = 2, 1, 0  # 31.01.2009
    return [
        ((int(p[y]), int(p[m]), int(p[d])) if p[0] else (0, 0, 0))
        + tuple(int(g or 0) for g in p[3:6])
        + (int(p[6].ljust(9, "0")[:9]) if p[6] else 0,)
        for p in parts
    ]


def in_time_order(values, stamps, path):
    """The rows sorted by TIME_COLUMN (a stable sort: rows of one moment keep their file order), a row that
    repeats an earlier one whole (same moment, same numbers) left out, and whether any row moved."""
    keys = time_keys(stamps) if TIME_COLUMN else None
    if keys is None or len(keys) < 2:
        return values, False
    order = sorted(range(len(keys)), key=keys.__getitem__)
    repeats = [(a, b) for a, b in zip(order, order[1:]) if keys[a] == keys[b]]
    same = {b for a, b in repeats if np.array_equal(values[a], values[b], equal_nan=True)}
    clash = next((a for a, b in repeats if b not in same), None)
    if clash is not None:
        raise SystemExit(
            f"{path}: {TIME_COLUMN} {stamps[clash].strip()!r} comes twice with different values; "
            "a series needs one row per moment"
        )
    order = [i for i in order if i not in same]
    return values[order], order != sorted(order)'''

_LOAD = '''def fill_gaps(values, path):
    """An empty cell takes its column's last value (a leading gap takes the first value)."""
    for name, col in zip(COLUMNS, values.T):
        known = np.isfinite(col)
        if known.all():
            continue
        if not known.any():
            raise SystemExit(f"{path}: column {name!r} has no numbers at all")
        col[:] = col[np.maximum.accumulate(np.where(known, np.arange(len(col)), 0))]
        col[: np.argmax(np.isfinite(col))] = col[np.argmax(np.isfinite(col))]
    return values


def read_series(path):
    """COLUMNS as float32 rows in time order, as seqtui reads them. With SERIES_ROWS only the first rows,
    and one more (a file out of time order is read whole: its first rows are not its earliest); sorted,
    repeats left out, gaps filled, then cut to SERIES_ROWS."""
    values, moved = in_time_order(*read_rows(path, SERIES_ROWS and SERIES_ROWS + 1), path)
    if moved and SERIES_ROWS:
        values, _ = in_time_order(*read_rows(path), path)
    return fill_gaps(values.astype("float32"), path)[:SERIES_ROWS]


def windows(values, start, stop, stride):
    """The windows whose last row and target both lie in [start, stop), every stride-th one: LOOKBACK // STEP
    rows each, every STEP-th one, ending on the last observed row; the target DELAY rows after it."""
    ends = np.arange(max(start, LOOKBACK - 1), min(stop, len(values)) - DELAY, stride)
    offsets = -STEP * np.arange(LOOKBACK // STEP)[::-1]
    return values[ends[:, None] + offsets[None, :]], values[ends + DELAY, TARGET]


def load_data(path=DATA):
    """Normalise with the run's mean and std, split in time (train, then validation, then test), window; when
    the windows would pass WINDOW_BUDGET bytes, every stride-th one is kept, as seqtui keeps them."""
    values = ((read_series({where}) - MEAN) / STD).astype("float32")
    n = len(values)
    n_test = int(n * TEST_SPLIT)
    n_val = int((n - n_test) * VALIDATION_SPLIT)
    n_train = n - n_val - n_test
    stride = max(1, math.ceil(n * (LOOKBACK // STEP) * len(COLUMNS) * 4 / WINDOW_BUDGET))
    parts = [(0, n_train), (n_train, n_train + n_val), (n_train + n_val, n)]
    return tuple(windows(values, start, stop, stride) for start, stop in parts)'''


SERIES_READER = DataReader(
    what="your time series (CSV, TSV, JSON lines)",
    claims=is_series_file,
    section=series_section,
    imports=_imports,
    problem=series_problem,
    takes_file=is_series_file,
)
