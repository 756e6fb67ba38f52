"""The reader of a `train.py` for a series in JSON (JSON lines, or one JSON array of objects), as
`seqtui.datasets.json_tables` reads it into cells: a field's value as seqtui writes it into a cell (null or absent:
empty; a number as Python writes it; true and false as words), so a number given as a JSON number or as text,
and a missing value written as null, left out, "" or "NA", come out the same. `export_script_series` writes the
time order, the gaps, the windows and `load_data` around it, as for a CSV.
"""

from __future__ import annotations

JSON_SUFFIXES = (".jsonl", ".ndjson", ".json")
"""The suffixes seqtui reads as JSON tables (`seqtui.datasets.tables.open_table`)."""

JSON_ROWS = '''def cell(value):
    """A JSON value as seqtui reads it into a cell: null "", a number as Python writes it, true/false as words."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def json_objects(path):
    """The file's objects: one JSON array of them, or JSON lines (one object a line; blank lines skipped)."""
    with open(path, encoding=ENCODING, newline="") as fh:
        if fh.read(1 << 20).lstrip("\\ufeff \\t\\r\\n").startswith("["):
            fh.seek(0)
            yield from json.loads(fh.read().lstrip("\\ufeff"))
            return
        fh.seek(0)
        for line in fh:
            line = line.strip().lstrip("\\ufeff")
            if line:
                yield json.loads(line)


def read_rows(path, limit=None):
    """The first `limit` objects' (None: every object's) COLUMNS as float64, nan where a value is missing
    (null, no such field, "", "NA"...), numbers given as JSON numbers or as text; and each TIME_COLUMN value."""
    values, stamps, fields = [], [], set()
    for obj in json_objects(path):
        if limit is not None and len(values) == limit:
            break
        if not isinstance(obj, dict):
            raise SystemExit(f"{path}: expected JSON objects (one per line, or an array of them), not {obj!r:.40}")
        fields.update(obj)
        cells = [cell(obj.get(name)) for name in COLUMNS]
        values.append([np.nan if c.strip().casefold() in MISSING else float(c) for c in cells])
        if TIME_COLUMN is not None:
            stamps.append(cell(obj.get(TIME_COLUMN)))
    missing = [name for name in COLUMNS if name not in fields]
    if missing:
        raise SystemExit(f"{path} has no field {missing[0]!r}: its fields are {sorted(fields)}")
    return np.array(values, dtype="float64").reshape(-1, len(COLUMNS)), stamps'''
"""`cell`, `json_objects` and `read_rows(path, limit)`: the JSON counterpart of the CSV reader's `read_rows`."""
