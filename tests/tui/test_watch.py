"""The watch view (`seqtui watch RUN`, enter on a running run) and the Runs screen's refresh of running runs.

Real processes: a headless trainer in a subprocess followed by the app to its end, stopped from the view, and
counted on the Runs screen without `r`. Run folders written by hand (a finished run's events, a dead trainer,
damaged lines) keep the rest fast and the pictures deterministic.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from seqtui.core.config.run_config import RunConfig, with_overrides
from seqtui.core.runs.folder import RunFolder
from seqtui.core.runs.follow import EVENTS
from seqtui.core.training.events import BatchEnded, EpochEnded, LogMessage, RunEnded, RunStarted, event_dict
from seqtui.tui.launch import make_app
from seqtui.tui.screens.dialogs import ConfirmDialog
from seqtui.tui.screens.runs import RunsScreen
from seqtui.tui.screens.watch import WatchScreen, well_typed
from seqtui.tui.widgets.chart import MetricChart
from seqtui.tui.widgets.progress_line import ProgressLine
from tests.cli.test_watch import ENV, TRAIN, started_folder
from tests.tui_fakes import FakeRunner, fake_summary, make_run_folder, plain, settle, until

HOST = socket.gethostname()
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
HISTORY = [{"epoch": e, "loss": 1.2 / e, "accuracy": 0.4 + e / 12, "val_loss": 1.3 / e + e / 40,
            "val_accuracy": 0.38 + e / 14} for e in (1, 2, 3, 4, 5)]  # fmt: skip


def app_for(runs: Path, watch: Path | None = None):
    return make_app(runs_dir=runs, watch=watch, engine_loader=lambda: "fake engine")


def run_events(run_dir: str, name: str, epochs: int, end: RunEnded | None) -> list[dict]:
    """What a trainer writes for HISTORY's first `epochs` epochs of 4 batches (and its end, when given)."""
    lines = [RunStarted(run_dir, name, 5, 0, 4, 400, 12345, "multiclass", "accuracy", batch_size=100)]
    lines.append(LogMessage("데이터: 400 examples"))
    for row in HISTORY[:epochs]:
        e = int(row["epoch"])
        lines += [BatchEnded(e, s, 4, {"loss": 1.2 / e + (4 - s) / 40, "accuracy": 0.4 + e / 12}, 1000.0)
                  for s in (1, 2, 3, 4)]  # fmt: skip
        logs = {k: v for k, v in row.items() if k != "epoch"}
        lines.append(EpochEnded(e, 5, logs, 0.4, 1000.0, best=e <= 2))
    return [event_dict(e) for e in [*lines, *([end] if end else [])]]


def write_events(folder: Path, events: list[dict]) -> None:
    with open(folder / EVENTS, "a", encoding="utf-8") as fh:
        fh.writelines(json.dumps(e, ensure_ascii=False) + "\n" for e in events)


def finished_run(root: Path, name: str = "digits-cnn") -> Path:
    """A completed run folder with a fixed name (no clock in the picture) and its events."""
    path = make_run_folder(root, name, HISTORY, test={"accuracy": 0.9, "loss": 0.3})
    fixed = root / f"20240101T000000Z-{name}"
    path.rename(fixed)
    RunFolder(fixed).update_status(epochs=5)
    end = RunEnded(
        "completed", str(fixed), 5, {"accuracy": 0.9, "loss": 0.3}, best_epoch=2, monitor="val_loss"
    )
    write_events(fixed, run_events("elsewhere/relative", name, 5, end))
    return fixed


def epochs_shown(screen: WatchScreen) -> list[int]:
    return [int(row["epoch"]) for row in screen.live.history]


def test_only_events_with_the_declared_types_reach_the_view():
    assert well_typed(
        RunEnded("completed", "r", 1, {"loss": 0.3}, confusion=[[1, 0], [0, 1]], class_names=["a"])
    )
    assert well_typed(EpochEnded(1, 2, {"loss": float("nan")}, 1.0, 1.0, probes=[{"probe": "x"}]))
    assert well_typed(RunEnded("completed", "r", 1, best_epoch=None)) and well_typed(
        RunEnded("failed", "r", 0)
    )
    assert not well_typed(RunEnded("completed", "r", 1, confusion=[[1, "2"]]))
    assert not well_typed(RunEnded("completed", "r", True))  # a boolean is no count of epochs
    assert not well_typed(RunEnded("completed", "r", 1, {"loss": "low"}))
    assert not well_typed(RunEnded("completed", "r", 1, best_epoch="2"))  # type: ignore[arg-type]
    assert not well_typed(EpochEnded(1, 2, {}, 1.0, 1.0, probes=[1]))  # type: ignore[list-item]
    assert not well_typed(BatchEnded(1, 1, 4, {}, "fast"))  # type: ignore[arg-type]


# -- run folders written by hand -----------------------------------------------------------------------------
async def test_a_finished_runs_events_fill_the_train_view(tmp_path):
    run = finished_run(tmp_path)
    app = app_for(tmp_path, run)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, WatchScreen) and app.screen.ended is not None)
        screen = app.screen
        assert epochs_shown(screen) == [1, 2, 3, 4, 5]
        assert screen.live.batches_seen == 5  # read at once: only each epoch's last batch is drawn
        assert screen.query_one("#batch-progress", ProgressLine).note == "1,000 samples/s"
        loss = screen.query_one("#loss-chart", MetricChart)
        assert loss.series["val_loss"].ys == pytest.approx([r["val_loss"] for r in HISTORY])
        assert loss.marked == (2, "best epoch 2")
        progress = screen.query_one("#epoch-progress", ProgressLine)
        assert (progress.done, progress.total, progress.note) == (5, 5, "completed")
        title = plain(screen.query_one("#run-title", Static))
        assert f"12,345 params, 400 samples -> {run}" in title  # the folder watched, not the trainer's path
        assert "데이터: 400 examples" in screen.log_lines
        assert "run completed" in plain(screen.query_one("#results-text", Static))
        assert app.activity == "watched run completed" and not screen.is_training
        await pilot.press("s")  # nothing to stop: no dialog
        assert not isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")  # back to the Runs screen it was opened over
        await pilot.pause()
        assert isinstance(app.screen, RunsScreen)


async def test_text_from_the_file_is_inert_and_damaged_lines_are_left_out(tmp_path):
    run = finished_run(tmp_path)
    (run / EVENTS).unlink()
    events = run_events(str(run), "날씨\x1b[31m", 2, RunEnded("interrupted", str(run), 2))
    events.insert(3, {**events[2], "loss": "many", "logs": {"loss": "many"}})  # a word for a number
    events.insert(
        3, {"event": "epoch_end", "epoch": "one", "epochs": 5, "logs": {}, "seconds": 1, "samples_per_s": 1}
    )
    write_events(run, events)
    with open(run / EVENTS, "ab") as fh:
        fh.write(b"\xff\xfe not json\n")
    app = app_for(tmp_path, run)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, WatchScreen) and app.screen.ended is not None)
        screen = app.screen
        assert epochs_shown(screen) == [1, 2] and screen.ended.status == "interrupted"
        title = plain(screen.query_one("#run-title", Static))
        assert title.startswith("날씨\\x1b[31m: 12,345 params") and "\x1b" not in title


async def test_a_dead_trainer_is_told_as_crashed(tmp_path):
    run = finished_run(tmp_path)
    (run / EVENTS).unlink()
    write_events(run, run_events(str(run), "digits-cnn", 2, None))
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    RunFolder(run).update_status(status="running", epochs_done=2, pid=dead.pid, pid_started=None, host=HOST)
    app = app_for(tmp_path, run)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, WatchScreen) and app.screen.ended is not None)
        screen = app.screen
        assert screen.ended.status == "crashed" and epochs_shown(screen) == [1, 2]
        results = plain(screen.query_one("#results-text", Static))
        assert "run crashed after 2 epochs" in results and f"seqtui train --resume {run}" in results


FAKE_TRAINER = """
import json, signal, sys, time
from seqtui.core.config.run_config import RunConfig, with_overrides
from seqtui.core.runs.folder import RunFolder
folder = RunFolder(sys.argv[1])
got = []
signal.signal(signal.SIGTERM, lambda signum, frame: got.append(signum))
folder.mark_running(epochs=5, epochs_done=1)
print("training", flush=True)
while not got:
    time.sleep(0.02)
with open(folder.file("events.jsonl"), "a") as fh:
    fh.write(json.dumps({"event": "run_end", "status": "interrupted", "run_dir": "x", "epochs_done": 1}) + "\\n")
folder.update_status(status="interrupted")
sys.exit(130)
"""
"""A process that stands for a trainer: it records itself in run.json and ends `interrupted` on SIGTERM (the
real trainer does the same in test_stop_asks_a_real_trainer_to_stop, marked slow)."""


async def test_stop_asks_the_recorded_process_after_a_yes(tmp_path):
    run = finished_run(tmp_path)
    (run / EVENTS).unlink()
    write_events(run, run_events(str(run), "digits-cnn", 1, None))
    trainer = subprocess.Popen(
        [sys.executable, "-c", FAKE_TRAINER, str(run)], stdout=subprocess.PIPE, text=True
    )
    assert trainer.stdout is not None and trainer.stdout.readline() == "training\n"
    app = app_for(tmp_path, run)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await until(
                pilot, lambda: isinstance(app.screen, WatchScreen) and epochs_shown(app.screen) == [1]
            )
            screen = app.screen
            await until(pilot, lambda: "trainer (process" in plain(screen.query_one("#resources", Static)))
            assert f"trainer (process {trainer.pid}): CPU " in plain(screen.query_one("#resources", Static))
            await pilot.press("s")
            assert isinstance(app.screen, ConfirmDialog)
            await pilot.press("n")  # kept training: nothing sent
            await pilot.pause(0.3)
            assert trainer.poll() is None
            await pilot.press("s", "y")
            assert trainer.wait(timeout=10) == 130
            await until(pilot, lambda: screen.ended is not None)
            assert screen.ended.status == "interrupted"
            assert any(
                f"asked the training process ({trainer.pid}) to stop" in line for line in screen.log_lines
            )
            assert RunFolder(run).status == "interrupted"
    finally:
        trainer.kill()


async def test_sigterm_to_an_app_that_trains_stops_the_run_then_quits(tmp_path):
    """Stop in a watch view of a run the app trains in another terminal: the app takes SIGTERM as "Stop and
    quit" (Python's default would end it at once, the run crashed)."""
    runner = FakeRunner(epochs=5, hold=True)
    app = make_app(runs_dir=tmp_path, runner=runner, engine_loader=lambda: "fake", summarizer=fake_summary)
    async with app.run_test(size=(100, 30)) as pilot:
        assert await app.start_training(with_overrides(RunConfig(preset="topics-en-lstm"), epochs=5))
        await until(pilot, runner.holding.is_set)
        assert signal.getsignal(signal.SIGTERM) not in (
            signal.SIG_DFL,
            None,
        )  # else this test would end pytest
        os.kill(os.getpid(), signal.SIGTERM)
        await until(pilot, lambda: app.train_screen.ended is not None)
        assert app.train_screen.ended.status == "interrupted" and app.train_screen.ended.epochs_done == 1
        await until(pilot, lambda: app._exit)
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # given back when the app ended


@pytest.mark.parametrize("size", SIZES)
def test_watch_view_picture(snap_compare, tmp_path, monkeypatch, size):
    monkeypatch.chdir(tmp_path)
    runs = Path("runs")
    runs.mkdir()
    run = finished_run(runs)

    async def ended(pilot):
        await until(
            pilot, lambda: isinstance(pilot.app.screen, WatchScreen) and pilot.app.screen.ended is not None
        )
        await settle(pilot)
        await pilot.pause(0.2)

    assert snap_compare(app_for(runs, run), terminal_size=size, run_before=ended)


# -- the Runs screen ------------------------------------------------------------------------------------------
async def test_the_runs_screen_rereads_running_runs_by_itself(tmp_path, monkeypatch):
    import seqtui.tui.screens.runs as runs_screen

    monkeypatch.setattr(runs_screen, "REFRESH_SECONDS", 0.2)
    done = Path(make_run_folder(tmp_path, "digits-mlp", HISTORY[:2]))
    training = Path(make_run_folder(tmp_path, "digits-cnn", HISTORY[:1], status="running"))
    RunFolder(training).update_status(pid=os.getpid(), pid_started=None, epochs=5, host=HOST)  # alive
    app = app_for(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await app.switch_mode("runs")
        await settle(pilot)
        screen = app.screen
        table = screen.query_one("#runs", DataTable)
        paths = [r.path for r in screen.shown]
        assert set(paths) == {done, training}
        table.move_cursor(row=paths.index(done))
        assert str(table.get_cell(str(training), "epochs")) == "1/5"
        RunFolder(training).update_status(epochs_done=2)
        RunFolder(training).write_history(HISTORY[:2])
        await until(pilot, lambda: str(table.get_cell(str(training), "epochs")) == "2/5", timeout=5)
        assert screen.current.path == done  # the cursor stays where it was
        table.move_cursor(row=paths.index(training))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, WatchScreen))
        assert app.screen.run_dir == training
        app.screen.done.set()


# -- a real headless trainer --------------------------------------------------------------------------------
def start_trainer(runs: Path, epochs: int) -> tuple[subprocess.Popen, Path]:
    trainer = subprocess.Popen(
        [*TRAIN, "--epochs", str(epochs), "--limit", "400", "--runs-dir", str(runs)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV,
    )  # fmt: skip
    return trainer, started_folder(runs, trainer)


@pytest.mark.slow
async def test_the_view_follows_a_real_trainer_to_its_end(tmp_path):
    trainer, run = start_trainer(tmp_path / "runs", 5)
    app = app_for(tmp_path / "runs", run)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await until(
                pilot, lambda: isinstance(app.screen, WatchScreen) and app.screen.ended is not None, 120
            )
            screen = app.screen
            assert trainer.wait(timeout=30) == 0
            recorded = [int(row["epoch"]) for row in RunFolder(run).read_history()]
            assert epochs_shown(screen) == recorded == [1, 2, 3, 4, 5]
            assert screen.ended.status == "completed" and screen.ended.test_metrics
            progress = screen.query_one("#epoch-progress", ProgressLine)
            assert (progress.done, progress.total, progress.note) == (5, 5, "completed")
    finally:
        trainer.kill()


@pytest.mark.slow
async def test_stop_asks_a_real_trainer_to_stop(tmp_path):
    trainer, run = start_trainer(tmp_path / "runs", 200)
    app = app_for(tmp_path / "runs", run)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await until(
                pilot, lambda: isinstance(app.screen, WatchScreen) and len(app.screen.live.history) >= 1, 120
            )
            await pilot.press("s", "y")
            await until(pilot, lambda: app.screen.ended is not None, 60)
            assert app.screen.ended.status == "interrupted"
            assert trainer.wait(timeout=30) == 130
            assert RunFolder(run).status == "interrupted"
            assert epochs_shown(app.screen) == [int(r["epoch"]) for r in RunFolder(run).read_history()]
    finally:
        trainer.send_signal(signal.SIGKILL)


@pytest.mark.slow
async def test_the_runs_screen_counts_a_real_trainers_epochs_without_r(tmp_path):
    trainer, run = start_trainer(tmp_path / "runs", 300)
    app = app_for(tmp_path / "runs")
    try:
        deadline = time.monotonic() + 120
        while RunFolder(run).read_json("run.json").get("epochs_done", 0) < 1:
            assert time.monotonic() < deadline and trainer.poll() is None
            time.sleep(0.1)
        async with app.run_test(size=(120, 30)) as pilot:
            await app.switch_mode("runs")
            await settle(pilot)
            table = app.screen.query_one("#runs", DataTable)
            first = str(table.get_cell(str(run), "epochs"))
            await until(pilot, lambda: str(table.get_cell(str(run), "epochs")) != first, 30)
            done, total = (int(n) for n in str(table.get_cell(str(run), "epochs")).split("/"))
            assert done > int(first.split("/")[0]) and total == 300
    finally:
        trainer.kill()
