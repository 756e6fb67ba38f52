"""`seqtui export --format script` for forecasting runs on a series in JSON (.jsonl, .ndjson, or a .json array
of objects): the script reads the same fields as seqtui, numbers given as JSON numbers or as text, missing values
written as null, left out, "" or "NA", rows sorted by their timestamps with whole repeats left out, --limit's
first rows; its arrays are seqtui's exactly (and those of the same rows as a CSV), and one run trains again the
same as its own process.

The shared steps (and the tolerance) are in script_checks.py; the series themselves come from
test_export_script_series.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from seqtui.core.runs.export_script import check_scriptable, script_text
from seqtui.core.runs.export_script_series import SERIES_READER
from seqtui.datasets.config import DataConfig
from seqtui.datasets.registry import load_dataset
from tests.core.runs.script_checks import (
    run_config,
    same_arrays,
    same_model_and_metrics,
    script_module,
    trained_exported_and_rerun,
)
from tests.core.runs.test_export_script_series import hourly_rows, messed, write

GAPS = (None, "absent", "", "NA", "null")
"""The ways a JSON series leaves a value out, taken in turn."""


def as_object(row: str, i: int, names: tuple[str, str, str]) -> dict:
    """A CSV row of `hourly_rows` as a JSON object: a number as a JSON number or (every third) as text, a gap
    in each of the ways of GAPS."""
    obj: dict = {names[0]: row.split(",")[0]}
    for name, cell in zip(names[1:], row.split(",")[1:], strict=True):
        if cell in ("", "NA"):
            gap = GAPS[i % len(GAPS)]
            if gap != "absent":
                obj[name] = gap
        else:
            obj[name] = cell if i % 3 == 0 else float(cell)
    return obj


def write_json(path: Path, rows: list[str], layout: str, names=("time", "temp (degC)", "wind")) -> Path:
    """The rows as JSON lines ("lines": blank lines, CRLF endings, a byte-order mark) or one JSON array."""
    objects = [as_object(row, i, names) for i, row in enumerate(rows)]
    if layout == "array":
        text = "\ufeff" + json.dumps(objects, ensure_ascii=False, indent=1)
    else:
        lines = [json.dumps(o, ensure_ascii=False) for o in objects]
        text = "\ufeff" + "\r\n".join(line + ("\r\n" if i % 50 == 7 else "") for i, line in enumerate(lines))
    path.write_text(text + "\n", encoding="utf-8")
    return path


SETTINGS = [
    {"lookback": 24, "step": 2, "delay": 6},
    {"lookback": 12, "step": 1, "delay": 3, "sample_limit": 60, "target_column": "wind"},
]
LAYOUTS = [("s.jsonl", "lines"), ("s.ndjson", "lines"), ("s.json", "array")]


@pytest.mark.parametrize("settings", SETTINGS, ids=["whole", "limit-target"])
@pytest.mark.parametrize(("name", "layout"), LAYOUTS, ids=[n for n, _ in LAYOUTS])
def test_the_script_reads_a_json_series_as_seqtui_does(tmp_path, name, layout, settings):
    """Out of order, with whole repeats and every kind of gap: the script's arrays are seqtui's, and both are
    those of the same rows read from a CSV (so numbers and gaps are read right, not merely alike)."""
    rows = messed(hourly_rows(900))
    data = DataConfig("file", data_path=str(write_json(tmp_path / name, rows, layout)), **settings)
    ds = load_dataset(data)
    assert ds.encoder.columns == ["temp (degC)", "wind"]
    assert any("rows were not in time order" in n for n in ds.notes), ds.notes
    config = run_config(data, ds)
    assert check_scriptable(config) is SERIES_READER
    module = script_module(config, ds, tmp_path / "exp")
    assert (module.TIME_COLUMN, module.ENCODING) == ("time", "utf-8-sig") and not hasattr(module, "SEPARATOR")
    parts = module.load_data(module.DATA)
    parts = module.limited(parts) if data.sample_limit else parts
    same_arrays(parts, ds)
    as_csv = load_dataset(DataConfig("file", data_path=str(write(tmp_path / "s.csv", rows)), **settings))
    same_arrays(parts, as_csv)


def test_a_korean_json_series_with_a_limit_read_whole_when_out_of_order(tmp_path):
    """Korean field names; the first rows are not the earliest, so --limit reads the whole file, as seqtui."""
    rows = hourly_rows(900)
    names = ("시각", "기온 (°C)", "풍속")
    path = write_json(tmp_path / "기온.jsonl", rows[800:] + rows[:800], "lines", names)
    data = DataConfig(
        "file", data_path=str(path), lookback=12, delay=3, sample_limit=60, target_column="풍속"
    )
    ds = load_dataset(data)
    assert any(n.endswith("the later rows in time were left out") for n in ds.notes), ds.notes
    module = script_module(run_config(data, ds), ds, tmp_path / "exp")
    assert (module.TIME_COLUMN, module.COLUMNS, module.TARGET) == ("시각", ["기온 (°C)", "풍속"], 1)
    parts = module.limited(module.load_data(module.DATA))
    same_arrays(parts, ds)
    first = load_dataset(DataConfig("file", data_path=str(write(tmp_path / "o.csv", rows)), lookback=12, delay=3,
                                    sample_limit=60, target_column="wind"))  # fmt: skip
    np.testing.assert_array_equal(parts[0][0], first.x_train)


def test_the_script_reads_json_with_the_standard_library(tmp_path):
    """No csv module for JSON; and another file given with --data that lacks a field stops with its name."""
    path = write_json(tmp_path / "s.jsonl", hourly_rows(600), "lines")
    data = DataConfig("file", data_path=str(path), lookback=12, delay=3)
    ds = load_dataset(data)
    text = script_text(run_config(data, ds), "a run")
    assert "import json" in text and "import csv" not in text and "def json_objects(path)" in text
    module = script_module(run_config(data, ds), ds, tmp_path / "exp")
    other = tmp_path / "other.jsonl"
    other.write_text(
        "\n".join(json.dumps({"time": f"2020-01-01 {h:02d}:00", "temp (degC)": h}) for h in range(24))
    )
    with pytest.raises(
        SystemExit, match=r"other.jsonl has no field 'wind': its fields are \['temp \(degC\)', 'time'\]"
    ):
        module.load_data(other)
    other.write_text('[{"time": "2020-01-01 00:00", "temp (degC)": 1, "wind": 2}, [1, 2]]')
    with pytest.raises(SystemExit, match=r"expected JSON objects .*not \[1, 2\]"):
        module.load_data(other)


def test_the_exported_script_trains_the_json_series_run_again(tmp_path):
    """A small LSTM on 600 hourly JSON lines, 2 epochs; the script, run as its own process, trains the same."""
    path = write_json(tmp_path / "s.jsonl", messed(hourly_rows(600)), "lines")
    train = ["--data", str(path), "--lookback", "12", "--delay", "3", "--units", "4", "--epochs", "2",
             "--seed", "5"]  # fmt: skip
    run, output = trained_exported_and_rerun(tmp_path, train, ["--epochs", "2"])
    assert same_model_and_metrics(run, output, ("mae", "loss")) == 4 * (4 * (2 + 4) + 4) + 4 + 1
