"""`seqtui export --format script` for forecasting runs: the script reads a series as seqtui reads it, rows
sorted by their timestamps (a stable sort, each format seqtui reads), a row repeating an earlier one whole left
out, the first rows --limit reads (the whole file when its first rows are not its earliest), every k-th window of
a long series, Keras' Jena climate CSV from Keras' cache (or its zip, through keras.utils.get_file) and the
offline Seattle temperatures; its arrays are seqtui's exactly, and one Jena run trains again the same.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from seqtui.cli.main import app
from seqtui.core.runs.export_script import ScriptError, check_scriptable
from seqtui.datasets import series
from seqtui.datasets.config import DataConfig
from seqtui.datasets.registry import load_dataset
from seqtui.datasets.row_limits import series_rows
from tests.core.runs.script_checks import TOLERANCE, run_config, same_arrays, script_module

STAMPS = {  # the layouts seqtui reads: Jena's is day-first (31.01.2009 00:10:00), vega_datasets' has slashes
    "iso": lambda i: f"2020-{_month(i):02d}-{_day(i):02d} {i % 24:02d}:00",
    "day-first": lambda i: f"{_day(i):02d}.{_month(i):02d}.2020 {i % 24:02d}:00:00",
    "month-first": lambda i: f"{_month(i):02d}/{_day(i):02d}/2020 {i % 24:02d}:00",  # US: the day passes 12
    "slashes": lambda i: f"2020/{_month(i):02d}/{_day(i):02d} {i % 24:02d}:00",
    "fractions": lambda i: f"2020-01-01T{i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}.{i % 7}5Z",
}


def _day(hour: int) -> int:
    return 1 + hour // 24 % 28


def _month(hour: int) -> int:
    return 1 + hour // (24 * 28)


def hourly_rows(rows: int, stamp=STAMPS["iso"]) -> list[str]:
    """A series in time order: a timestamp and two numeric columns, with gaps (a leading one too)."""
    out = []
    for i in range(rows):
        temp = "" if i in (0, 57, 58) else f"{10 + 5 * np.sin(i / 9):.3f}"
        wind = "NA" if i == 120 else f"{3 + np.cos(i / 5):.3f}"
        out.append(f"{stamp(i)},{temp},{wind}")
    return out


def write(path: Path, rows: list[str], header: str = "time,temp (degC),wind") -> Path:
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def messed(rows: list[str]) -> list[str]:
    """The same rows out of time order (two swapped early, a block moved late, the rest seeded-shuffled in one
    stretch) with rows repeated whole: next to themselves and 300 rows later."""
    rows = list(rows)
    rows[3], rows[9] = rows[9], rows[3]
    rows[400:460] = [rows[400:460][i] for i in np.random.default_rng(5).permutation(60)]
    rows = rows[:30] + rows[50:] + rows[30:50]
    return rows[:12] + [rows[11]] + rows[12:500] + [rows[200], rows[57]] + rows[500:]


def script_arrays(module, ds, limit: bool) -> tuple:
    """The script's arrays (with --limit's cut when `limit`), checked equal to the dataset's."""
    parts = module.load_data(module.DATA)
    parts = module.limited(parts) if limit else parts
    same_arrays(parts, ds)
    return parts


SETTINGS = [
    {"lookback": 24, "step": 2, "delay": 6},
    {"lookback": 12, "step": 1, "delay": 3, "sample_limit": 60, "target_column": "wind"},
]


@pytest.mark.parametrize("settings", SETTINGS, ids=["whole", "limit-target"])
@pytest.mark.parametrize("stamp", list(STAMPS))
def test_the_script_sorts_and_drops_repeats_as_seqtui_does(tmp_path, stamp, settings):
    """Out of order, with whole repeats: the script's arrays are seqtui's, and both are those of the same rows
    in time order (so the sort and the repeats are right, not merely alike)."""
    rows = hourly_rows(900, STAMPS[stamp])
    data = DataConfig("file", data_path=str(write(tmp_path / "shuffled.csv", messed(rows))), **settings)
    ds = load_dataset(data)
    assert any("rows were not in time order" in n for n in ds.notes), ds.notes
    assert any("3 rows repeating an earlier row whole" in n for n in ds.notes), ds.notes
    module = script_module(run_config(data, ds), ds, tmp_path / "exp")
    parts = script_arrays(module, ds, bool(data.sample_limit))
    in_order = load_dataset(
        DataConfig("file", data_path=str(write(tmp_path / "in_order.csv", rows)), **settings)
    )
    np.testing.assert_array_equal(parts[0][0], in_order.x_train)
    np.testing.assert_array_equal(parts[2][1], in_order.y_test)
    assert module.TIME_COLUMN == "time"


def test_a_limit_reads_the_whole_file_when_its_first_rows_are_out_of_order(tmp_path):
    rows = hourly_rows(900)
    shuffled = rows[800:] + rows[:800]  # the first rows read are not the earliest ones
    data = DataConfig(
        "file", data_path=str(write(tmp_path / "s.csv", shuffled)), lookback=12, delay=3, sample_limit=60
    )
    ds = load_dataset(data)
    assert any(n.endswith("the later rows in time were left out") for n in ds.notes), ds.notes
    module = script_module(run_config(data, ds), ds, tmp_path / "exp")
    parts = script_arrays(module, ds, True)
    assert module.SERIES_ROWS < 900
    first = load_dataset(DataConfig("file", data_path=str(write(tmp_path / "o.csv", rows)), lookback=12, delay=3,
                                    sample_limit=60))  # fmt: skip
    np.testing.assert_array_equal(parts[0][0], first.x_train)


def test_a_leading_gap_takes_the_value_of_the_row_after_the_limit(tmp_path):
    """seqtui reads one row beyond --limit's rows and fills gaps before cutting: a column empty until that row
    takes its value."""
    data = DataConfig("file", lookback=12, delay=3, sample_limit=60)
    wanted = series_rows(data)
    rows = [r if i >= wanted else r[: r.rindex(",") + 1] for i, r in enumerate(hourly_rows(900))]
    data = dataclasses.replace(data, data_path=str(write(tmp_path / "s.csv", rows)))
    ds = load_dataset(data)
    module = script_module(run_config(data, ds), ds, tmp_path / "exp")
    parts = script_arrays(module, ds, True)
    assert np.unique(parts[0][0][:, :, 1]).size == 1  # wind: the first value read, all along


def test_timestamps_seqtui_cant_read_leave_the_rows_in_file_order(tmp_path):
    rows = hourly_rows(600)
    rows[3], rows[9] = rows[9], rows[3]
    rows[100] = "soon" + rows[100][rows[100].index(",") :]  # not a date: no order to sort by
    data = DataConfig("file", data_path=str(write(tmp_path / "s.csv", rows)), lookback=12, delay=3)
    ds = load_dataset(data)
    assert not any("time order" in n for n in ds.notes)
    module = script_module(run_config(data, ds), ds, tmp_path / "exp")
    script_arrays(module, ds, False)


def test_a_tsv_with_quoted_cells_and_a_repeated_header_name(tmp_path):
    rows = [f'"{r.split(",")[0]}"\t{r.split(",")[1]}\t{r.split(",")[2]}\t1' for r in messed(hourly_rows(700))]
    path = tmp_path / "s.tsv"
    path.write_text("\n".join(['"time"\tv\tv\t', *rows]) + "\n", encoding="utf-8")
    data = DataConfig("file", data_path=str(path), lookback=12, delay=3, target_column="v.1")
    ds = load_dataset(data)
    assert ds.encoder.columns == ["v", "v.1", "column4"]
    assert any("rows were not in time order" in n for n in ds.notes), ds.notes
    module = script_module(run_config(data, ds), ds, tmp_path / "exp")
    script_arrays(module, ds, False)


def test_a_korean_table_in_cp949_out_of_order(tmp_path):
    """Korean column names in a CP949 file (Korean Excel's CSV, --encoding cp949): the script reads it so."""
    path = write(tmp_path / "기온.csv", messed(hourly_rows(700)), header="시각,기온 (°C),풍속")
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp949"))
    data = DataConfig(
        "file", data_path=str(path), lookback=12, delay=3, target_column="풍속", encoding="cp949"
    )
    ds = load_dataset(data)
    module = script_module(run_config(data, ds), ds, tmp_path / "exp")
    assert (module.ENCODING, module.TIME_COLUMN, module.COLUMNS) == ("cp949", "시각", ["기온 (°C)", "풍속"])
    script_arrays(module, ds, False)


def test_a_long_series_keeps_every_kth_window_as_seqtui_does(tmp_path, monkeypatch):
    monkeypatch.setattr(series, "WINDOW_BUDGET_BYTES", 50_000)  # 900 rows x 12 x 2 x 4 bytes: stride 2
    data = DataConfig("file", data_path=str(write(tmp_path / "s.csv", hourly_rows(900))), lookback=24, step=2)
    ds = load_dataset(data)
    assert "long series: every 2th window kept to fit memory" in ds.notes
    module = script_module(run_config(data, ds), ds, tmp_path / "exp")
    assert module.WINDOW_BUDGET == 50_000
    parts = script_arrays(module, ds, False)
    assert len(parts[0][0]) == len(range(23, 576 - 24, 2))  # every other window of the training part


def test_a_moment_given_twice_with_other_values_stops_the_script(tmp_path):
    rows = hourly_rows(600)
    data = DataConfig("file", data_path=str(write(tmp_path / "s.csv", rows)), lookback=12, delay=3)
    ds = load_dataset(data)
    module = script_module(run_config(data, ds), ds, tmp_path / "exp")
    clash = write(tmp_path / "clash.csv", [*rows[:300], rows[40].replace(",", ",7", 1), *rows[300:]])
    with pytest.raises(
        SystemExit, match=re.escape("time '2020-01-02 16:00' comes twice with different values")
    ):
        module.load_data(clash)


# -- Keras' Jena climate CSV ------------------------------------------------------------------------
JENA_HEADER = (
    '"Date Time","p (mbar)","T (degC)","Tpot (K)","Tdew (degC)","rh (%)","VPmax (mbar)","VPact (mbar)",'
    '"VPdef (mbar)","sh (g/kg)","H2OC (mmol/mol)","rho (g/m**3)","wv (m/s)","max. wv (m/s)","wd (deg)"'
)


def jena_text(rows: int = 1500) -> str:
    """The Jena CSV's layout (its quoted header, 10-minute day-first stamps, 14 readings) with made-up values,
    one row repeated whole as a merged export repeats it."""
    lines = [JENA_HEADER]
    for i in range(1, rows + 1):
        day, minute = divmod(i * 10, 24 * 60)
        t = -8 + 6 * np.sin(i / 40) + np.cos(i / 7)
        cells = [996.5 + np.sin(i / 90), t, t + 273.4, t - 1, 93 - 5 * np.sin(i / 60), 3.3, 3.1, 0.2, 1.9, 3.1,
                 1307.8 - 2 * t, 1 + np.cos(i / 11) ** 2, 1.7, 150 + 40 * np.sin(i / 25)]  # fmt: skip
        lines.append(
            f"{1 + day:02d}.01.2009 {minute // 60:02d}:{minute % 60:02d}:00,"
            + ",".join(f"{c:.2f}" for c in cells)
        )
    lines.insert(300, lines[299])
    return "\n".join(lines) + "\n"


def keras_cache(monkeypatch, tmp_path: Path) -> Path:
    """Keras' cache in a temporary folder (KERAS_HOME), where seqtui, Keras and the script look."""
    home = tmp_path / "keras_home"
    monkeypatch.setenv("KERAS_HOME", str(home))
    config = sys.modules.get("keras.src.backend.config")
    if config is not None:
        monkeypatch.setattr(config, "_KERAS_DIR", str(home))
    (home / "datasets").mkdir(parents=True, exist_ok=True)
    return home / "datasets"


JENA_SETTINGS = [
    {"lookback": 36, "step": 6, "delay": 6},
    {"lookback": 24, "step": 2, "delay": 12, "sample_limit": 150, "target_column": "p (mbar)"},
]


@pytest.mark.parametrize("settings", JENA_SETTINGS, ids=["whole", "limit-target"])
def test_the_script_reads_jena_from_keras_cache_as_seqtui_does(tmp_path, monkeypatch, settings):
    cache = keras_cache(monkeypatch, tmp_path)
    (cache / "jena_climate_2009_2016.csv").write_text(jena_text(), encoding="utf-8")
    data = DataConfig("jena-climate", **settings)
    ds = load_dataset(data)
    assert ds.encoder.target == settings.get("target_column", "T (degC)") and len(ds.encoder.columns) == 14
    assert any("1 row repeating an earlier row whole" in n for n in ds.notes), ds.notes
    module = script_module(run_config(data, ds), ds, tmp_path / "exp")
    assert module.DATA is None and module.jena_csv() == cache / "jena_climate_2009_2016.csv"
    script_arrays(module, ds, bool(data.sample_limit))


def test_the_script_unzips_keras_download_of_jena_as_seqtui_does(tmp_path, monkeypatch):
    """Only Keras' zip in the cache: keras.utils.get_file finds it (no download), the script unzips it."""
    cache = keras_cache(monkeypatch, tmp_path)
    with zipfile.ZipFile(cache / "jena_climate_2009_2016.csv.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("jena_climate_2009_2016.csv", jena_text(900))
    data = DataConfig("jena-climate", lookback=24, step=3, delay=6)
    ds = load_dataset(data)  # seqtui unzips it first
    module = script_module(run_config(data, ds), ds, tmp_path / "exp")
    (cache / "jena_climate_2009_2016.csv").unlink()
    script_arrays(module, ds, False)
    assert (cache / "jena_climate_2009_2016.csv").read_text(encoding="utf-8") == jena_text(900)
    assert sorted(p.name for p in cache.iterdir()) == [
        "jena_climate_2009_2016.csv",
        "jena_climate_2009_2016.csv.zip",
    ]


def test_a_jena_run_on_the_users_copy_reads_that_file(tmp_path, monkeypatch):
    keras_cache(monkeypatch, tmp_path)
    path = tmp_path / "mine.csv"
    path.write_text(jena_text(900), encoding="utf-8")
    data = DataConfig("jena-climate", data_path=str(path), lookback=24, step=3, delay=6)
    ds = load_dataset(data)
    module = script_module(run_config(data, ds), ds, tmp_path / "exp")
    assert path.resolve() == module.DATA
    script_arrays(module, ds, False)


# -- vega_datasets' Seattle temperatures -----------------------------------------------------------
@pytest.mark.parametrize(
    "settings", [{"lookback": 72, "delay": 24}, {"lookback": 48, "step": 3, "sample_limit": 500}]
)
def test_the_script_reads_the_seattle_temperatures_as_seqtui_does(tmp_path, settings):
    pytest.importorskip("vega_datasets")
    data = DataConfig("seattle-temps", **settings)
    ds = load_dataset(data)
    module = script_module(run_config(data, ds), ds, tmp_path / "exp")
    assert module.TIME_COLUMN == "date" and module.SERIES_ROWS is None  # read whole; --limit cuts the windows
    parts = script_arrays(module, ds, bool(data.sample_limit))
    assert parts[0][0].shape[1:] == (settings["lookback"] // settings.get("step", 1), 1)


# -- what still can't be read ------------------------------------------------------------------------
def test_what_a_script_cant_read_is_one_clear_error(tmp_path, monkeypatch):
    keras_cache(monkeypatch, tmp_path)
    config = {"task": "regression", "input_kind": "series", "class_names": []}
    lines = [json.dumps({"time": s.split(",")[0], "v": float(i)}) for i, s in enumerate(hourly_rows(300))]
    (tmp_path / "s.jsonl").write_text("\n".join(lines) + "\n")
    data = DataConfig("file", data_path=str(tmp_path / "s.jsonl"), lookback=12, delay=3)
    ds = load_dataset(data)
    assert "JSON lines" in check_scriptable({**run_config(data, ds), **config}).what  # the user's: read
    jena_lines = [line.replace('"v"', '"T (degC)"') for line in lines]  # Jena's layout as JSON lines: not yet
    (tmp_path / "jena.jsonl").write_text("\n".join(jena_lines) + "\n")
    data = DataConfig("jena-climate", data_path=str(tmp_path / "jena.jsonl"), lookback=12, delay=3)
    ds = load_dataset(data)
    with pytest.raises(ScriptError, match=r"a series read from \.jsonl is not yet read by a script; export"):
        check_scriptable({**run_config(data, ds), **config})
    jena = {**run_config(DataConfig("jena-climate"), ds), **config}
    with pytest.raises(
        ScriptError, match=r"Jena climate CSV is not in its cache \(.*keras_home.datasets.*fetch"
    ):
        check_scriptable(jena)
    monkeypatch.setattr("seqtui.datasets.registry.package_root", lambda module: None)
    with pytest.raises(ScriptError, match="come with vega_datasets, which is not installed here"):
        check_scriptable({**jena, "data": {**jena["data"], "dataset": "seattle-temps"}})


@pytest.mark.slow
def test_the_exported_script_trains_the_jena_run_again(tmp_path, monkeypatch):
    """A GRU on a Jena-layout CSV in Keras' cache, 2 epochs; the script, run as its own process with the same
    KERAS_HOME, trains the same model (measured: 585 parameters, test MAE and loss 1.1789 both; about 40 s on
    the shared 2-core CPU)."""
    cache = keras_cache(monkeypatch, tmp_path)
    (cache / "jena_climate_2009_2016.csv").write_text(jena_text(), encoding="utf-8")
    result = CliRunner().invoke(app, ["train", "--preset", "jena-gru", "--units", "8", "--lookback", "36", "--step",
                                      "6", "--delay", "6", "--epochs", "2", "--limit", "300", "--json", "--runs-dir",
                                      str(tmp_path / "runs"), "--no-tensorboard"], env={"COLUMNS": "200"})  # fmt: skip
    assert result.exit_code == 0, result.output
    run = Path(json.loads(result.stdout.splitlines()[-1])["run_dir"])
    result = CliRunner().invoke(
        app, ["export", str(run), "--format", "script", "--out", str(tmp_path / "exp")]
    )
    assert result.exit_code == 0, result.output
    ran = subprocess.run(
        [sys.executable, str(tmp_path / "exp" / "train.py"), "--epochs", "2"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "CUDA_VISIBLE_DEVICES": "", "TF_CPP_MIN_LOG_LEVEL": "2",
             "KERAS_BACKEND": "tensorflow", "KERAS_HOME": os.environ["KERAS_HOME"]},
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr[-2000:]
    metrics = json.loads((run / "metrics.json").read_text())
    params = int(re.search(r"total params: (\d+)", ran.stdout).group(1))
    assert params == json.loads((run / "events.jsonl").read_text().splitlines()[0])["total_params"]
    assert params == 3 * (14 * 8 + 8 * 8 + 2 * 8) + 8 + 1
    for metric in ("mae", "loss"):
        printed = float(re.search(rf"test {metric}: ([\d.]+)", ran.stdout).group(1))
        assert printed == pytest.approx(metrics[metric], abs=TOLERANCE)
