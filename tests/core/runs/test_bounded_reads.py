"""Every file of a run folder is read through one bounded reader: a link to /dev/zero, a FIFO or a file far
larger than its kind ever is makes the run `damaged` with the reason, at once, in `list_runs`, `seqtui runs`,
the app's Runs screen and everything that opens the run, instead of reading until memory runs out."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from textual.widgets import DataTable, Static
from typer.testing import CliRunner

from seqtui.cli.main import app
from seqtui.core.config.run_config import RunConfig
from seqtui.core.runs.folder import SMALL_FILE_LIMIT, RunFolder, RunFolderError
from seqtui.core.runs.follow import Follower
from seqtui.core.runs.listing import list_runs
from seqtui.tui.launch import make_app
from seqtui.tui.screens.runs import RunsScreen
from tests.tui_fakes import fake_summary

pytestmark = pytest.mark.skipif(not Path("/dev/zero").exists() or not hasattr(os, "mkfifo"), reason="POSIX")

FILES = ("run.json", "config.json", "history.csv", "metrics.json", "encoder.json")
LISTED = FILES[:4]
"""What a run's line is made of (encoder.json is read by predict and export)."""


def good_run(root: Path, name: str) -> RunFolder:
    folder = RunFolder.create(root, name)
    folder.write_config(RunConfig(preset=name), {})
    folder.write_history([{"epoch": 1, "loss": 0.5, "val_loss": 0.25, "val_accuracy": 0.75}])
    folder.update_status(status="completed", epochs=1, epochs_done=1, started="2026-01-01T00:00:00+00:00")
    return folder


def to_dev_zero(folder: RunFolder, name: str) -> None:
    folder.file(name).unlink(missing_ok=True)
    folder.file(name).symlink_to("/dev/zero")


@pytest.mark.parametrize("name", FILES)
def test_a_link_to_dev_zero_is_damaged_at_once(tmp_path, name):
    folder = good_run(tmp_path, "zero")
    to_dev_zero(folder, name)
    started = time.monotonic()
    with pytest.raises(RunFolderError, match=f"{name} is a character device, not a regular file; the run"):
        folder.read_history() if name == "history.csv" else folder.read_json(name)
    assert time.monotonic() - started < 1


def test_a_fifo_is_damaged_without_waiting_for_a_writer(tmp_path):
    folder = good_run(tmp_path, "fifo")
    folder.file("metrics.json").unlink(missing_ok=True)
    os.mkfifo(folder.file("metrics.json"))
    with pytest.raises(RunFolderError, match="metrics.json is a FIFO, not a regular file"):
        folder.read_json("metrics.json")


def test_a_file_larger_than_its_kind_ever_is_is_damaged(tmp_path):
    folder = good_run(tmp_path, "huge")
    folder.file("run.json").write_bytes(b" " * (SMALL_FILE_LIMIT + 1) + b"{}")
    with pytest.raises(RunFolderError, match=r"run.json holds 16\.0 MiB, more than the 16\.0 MiB allowed"):
        folder.read_json("run.json")
    folder.file("run.json").write_bytes(b" " * (SMALL_FILE_LIMIT - 2) + b"{}")  # at the bound: read
    assert folder.read_json("run.json") == {}


@pytest.fixture
def runs_with_devices(tmp_path) -> Path:
    good_run(tmp_path, "good-one")
    for name in FILES:
        to_dev_zero(good_run(tmp_path, name.replace(".", "-")), name)
    fifo = good_run(tmp_path, "fifo-config")
    fifo.file("config.json").unlink()
    os.mkfifo(fifo.file("config.json"))
    return tmp_path


def test_list_runs_lists_each_with_its_reason(runs_with_devices):
    rows = {r.path.name.split("-", 1)[1]: r for r in list_runs(runs_with_devices)}
    assert rows["good-one"].status == rows["encoder-json"].status == "completed"
    for name in LISTED:
        row = rows[name.replace(".", "-")]
        assert row.status == "damaged" and f"{name} is a character device, not a regular file" in row.reason
    assert "config.json is a FIFO, not a regular file" in rows["fifo-config"].reason


def test_cli_runs_lists_them_damaged(runs_with_devices):
    result = CliRunner().invoke(app, ["runs", "--runs-dir", str(runs_with_devices)], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    flat = "".join(result.output.replace("│", "").split())
    assert flat.count("damaged") >= len(LISTED) + 1 and "good-one" in flat
    assert "history.csvisacharacterdevice,notaregularfile" in flat


def test_the_watch_of_a_run_whose_events_are_a_device_is_damaged(tmp_path):
    folder = good_run(tmp_path, "watched")
    to_dev_zero(folder, "events.jsonl")
    with pytest.raises(RunFolderError, match="events.jsonl is a character device"):
        next(Follower(folder, poll_s=0.01).events())


async def test_runs_screen_lists_them_damaged_without_crashing(runs_with_devices):
    app_ = make_app(runs_dir=runs_with_devices, engine_loader=lambda: "fake", summarizer=fake_summary)
    async with app_.run_test(size=(100, 30)) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        assert isinstance(app_.screen, RunsScreen)
        table = app_.screen.query_one("#runs", DataTable)
        statuses = [str(table.get_row_at(i)[3]) for i in range(table.row_count)]
        assert statuses.count("✗ damaged") == len(LISTED) + 1
        [row] = [i for i, run in enumerate(app_.screen.runs) if run.path.name.endswith("history-csv")]
        table.move_cursor(row=row)
        await pilot.pause()
        await pilot.pause()
        detail = str(app_.screen.query_one("#run-detail", Static).render()).replace("\n", "")
        assert "is a character device" in detail
