"""Run folders: atomic writes, status (with `crashed` for a dead process), history, listing. No Keras."""

from __future__ import annotations

import errno
import json
import os
import socket
import subprocess
import sys

import pytest

from seqtui.core.config.run_config import DataConfig, RunConfig
from seqtui.core.runs.folder import (
    RunFolder,
    RunFolderError,
    SaveError,
    atomic_write,
    atomic_write_json,
    check_writable,
    is_temp_file,
    process_start,
)
from seqtui.core.runs.listing import list_runs


def dead_pid() -> int:
    """The id of a process that has exited (and was reaped)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def make_run(root, name="demo", status="completed", epochs=3, done=3, **state) -> RunFolder:
    folder = RunFolder.create(root, name)
    folder.write_config(RunConfig(preset=name), {})
    rows = [
        {"epoch": e, "loss": 1.0 / e, "val_loss": 1.5 / e, "val_accuracy": 0.5 + e / 100}
        for e in range(1, done + 1)
    ]
    folder.write_history(rows)
    folder.update_status(status=status, epochs=epochs, epochs_done=done, host=socket.gethostname(), **state)
    return folder


def test_atomic_write_replaces_the_file_and_leaves_no_temp(tmp_path):
    target = tmp_path / "run.json"
    atomic_write_json(target, {"a": 1})
    atomic_write_json(target, {"a": 2})
    assert json.loads(target.read_text()) == {"a": 2}
    assert [p.name for p in tmp_path.iterdir()] == ["run.json"]
    umask = os.umask(0o022)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask  # the usual permissions, not mkstemp's 0o600


@pytest.mark.parametrize("error", [OSError(errno.ENOSPC, "No space left on device"), KeyboardInterrupt()])
def test_failed_atomic_write_keeps_the_old_file_and_no_temp(tmp_path, error):
    target = tmp_path / "history.csv"
    target.write_text("old")

    def half_then_fail(tmp):
        tmp.write_text("half")
        raise error

    with pytest.raises(type(error)):
        atomic_write(target, half_then_fail)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["history.csv"]


def test_save_error_says_the_disk_is_full_and_how_to_resume(tmp_path):
    (tmp_path / "last.keras").write_bytes(b"x")  # an earlier checkpoint to resume from
    message = str(SaveError(tmp_path, OSError(errno.ENOSPC, "No space left on device")))
    assert "the disk is full" in message and f"--resume {tmp_path}" in message


def test_save_error_without_checkpoints_does_not_promise_any(tmp_path):
    cause = OSError(errno.ENOSPC, "No space left on device")
    assert "No checkpoint was saved yet" in str(SaveError(tmp_path, cause))
    (tmp_path / "last.keras").write_bytes(b"x")
    assert "Earlier checkpoints are intact" in str(SaveError(tmp_path, cause))


def test_temp_files_of_a_killed_writer_are_recognised_and_removed(tmp_path):
    folder = make_run(tmp_path)
    for name in (".last-abc123.keras", ".run-x1.json", ".history-zz.csv"):
        (folder.path / name).write_text("half")
    (folder.path / "notes.txt").write_text("mine")
    assert is_temp_file(folder.path / ".last-abc123.keras")
    assert not is_temp_file(folder.path / "notes.txt")
    assert len(folder.remove_temp_files()) == 3
    assert sorted(p.name for p in folder.path.iterdir()) == [
        "config.json",
        "history.csv",
        "notes.txt",
        "run.json",
    ]


def test_running_with_a_live_process_is_running(tmp_path):
    folder = make_run(tmp_path)
    folder.mark_running(5, 2)
    assert folder.status == "running"
    assert folder.read_json("run.json")["pid_started"] == process_start(os.getpid())


def test_a_resumed_run_keeps_its_start_and_loses_its_end_until_it_ends_again(tmp_path):
    folder = make_run(tmp_path, started="2026-01-01T00:00:00Z", ended="2026-01-01T01:00:00Z", message="done")
    folder.mark_running(5, 3)
    run = folder.read_json("run.json")
    assert (run["status"], run["started"], run["ended"], run["message"]) == (
        "running",
        "2026-01-01T00:00:00Z",
        None,
        "",
    )
    assert run["resumed"] and (run["epochs"], run["epochs_done"]) == (5, 3)


def test_running_with_a_dead_process_is_crashed(tmp_path):
    folder = make_run(tmp_path, status="running", pid=dead_pid())
    assert folder.status == "crashed"


@pytest.mark.parametrize("pid", [2**31, 2**63, 10**30])
def test_a_pid_no_process_can_have_is_not_running(tmp_path, pid):
    """A damaged run.json with an id too large for the system (os.kill raises OverflowError) must not keep
    the run `running` forever: nothing could ever resume it."""
    folder = make_run(tmp_path, status="running", pid=pid, pid_started="123")
    assert folder.status == "crashed"


def test_a_reused_process_id_is_not_the_run(tmp_path):
    """Containers restart with low process ids: a live process with another start time is not the run."""
    if process_start(os.getpid()) is None:
        pytest.skip("no /proc here")
    folder = make_run(tmp_path, status="running", pid=os.getpid(), pid_started="1")
    assert folder.status == "crashed"


def test_a_run_on_another_host_stays_running(tmp_path):
    folder = make_run(tmp_path, status="running", pid=dead_pid())
    folder.update_status(host="another-node")
    assert folder.status == "running"


def test_open_by_name_under_the_runs_root(tmp_path):
    folder = make_run(tmp_path / "runs")
    assert RunFolder.open(folder.path.name, tmp_path / "runs").path == folder.path
    with pytest.raises(RunFolderError, match="not a seqtui run folder"):
        RunFolder.open(tmp_path / "nowhere")


def test_a_relative_path_that_is_a_run_folder_wins_over_a_run_of_that_name_under_the_runs_root(
    tmp_path, monkeypatch
):
    here = make_run(tmp_path / "work", name="here").path.rename(tmp_path / "work" / "r1")
    make_run(tmp_path / "runs", name="root").path.rename(tmp_path / "runs" / "r1")
    monkeypatch.chdir(tmp_path / "work")
    opened = RunFolder.open("r1", tmp_path / "runs")
    assert opened.path.resolve() == here and opened.read_config().preset == "here"


def test_a_run_folder_is_named_by_the_utc_time_whatever_the_local_zone(tmp_path, monkeypatch):
    """The name ends in Z: UTC, also for a user in Seoul (UTC+9), so names sort the same on every machine."""
    import time
    from datetime import UTC, datetime, timedelta

    monkeypatch.setenv("TZ", "Asia/Seoul")
    time.tzset()
    try:
        before = datetime.now(UTC).replace(microsecond=0)
        folder = RunFolder.create(tmp_path, "데모")
        stamp = datetime.strptime(folder.path.name.split("-")[0], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    finally:
        monkeypatch.undo()
        time.tzset()
    assert before <= stamp <= before + timedelta(seconds=5)
    assert folder.path.name.endswith("-데모")


def test_damaged_files_are_folder_errors(tmp_path):
    folder = make_run(tmp_path)
    folder.file("run.json").write_text("{half")
    with pytest.raises(RunFolderError, match="damaged"):
        folder.read_json("run.json")
    folder.file("run.json").write_text("[1, 2]")
    with pytest.raises(RunFolderError, match="damaged"):
        folder.read_json("run.json")
    folder.file("history.csv").write_text("epoch,loss\n1,abc\n")
    with pytest.raises(RunFolderError, match="damaged"):
        folder.read_history()


def test_history_round_trips(tmp_path):
    folder = make_run(tmp_path, done=4)
    history = folder.read_history()
    assert [row["epoch"] for row in history] == [1, 2, 3, 4]
    assert history[1]["loss"] == pytest.approx(0.5)


def test_update_config_keeps_the_rest(tmp_path):
    folder = make_run(tmp_path)
    folder.update_config(epochs=9, learning_rate=0.01)
    config = folder.read_config()
    assert (config.train.epochs, config.train.learning_rate) == (9, 0.01)
    assert config.preset == "demo"


def test_check_writable_rejects_a_path_under_a_file(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(RunFolderError, match="--runs-dir"):
        check_writable(blocker / "runs")


def test_list_runs_newest_first_with_statuses_and_damaged_ones(tmp_path):
    make_run(tmp_path, "a", status="completed")
    make_run(tmp_path, "b", status="running", pid=dead_pid(), done=1)
    damaged = make_run(tmp_path, "c", status="interrupted")
    damaged.file("run.json").write_text("{")
    (tmp_path / "not-a-run").mkdir()
    rows = list_runs(tmp_path)
    assert [(r.name, r.status) for r in rows] == [("?", "damaged"), ("b", "crashed"), ("a", "completed")]
    assert rows[0].path == damaged.path and "unreadable" in rows[0].reason
    assert rows[2].best_val == ("val_accuracy", pytest.approx(0.53))
    assert (rows[1].epochs_done, rows[1].epochs) == (1, 3)


def test_a_run_without_a_preset_is_listed_by_its_dataset(tmp_path):
    folder = RunFolder.create(tmp_path, "mine")
    folder.write_config(RunConfig(data=DataConfig(dataset="digits")), {})  # --dataset digits, no --preset
    folder.update_status(status="completed", epochs=1, epochs_done=1)
    [row] = list_runs(tmp_path)
    assert (row.name, row.status) == ("digits", "completed")


def test_a_checkpoint_keras_cannot_load_safely_is_one_message_saying_what_to_do(tmp_path):
    from types import SimpleNamespace

    folder = RunFolder.create(tmp_path, "demo")
    asked = []

    # Keras as it answers a damaged file (the real one: tests/core/training/test_runner.py)
    def refuse(path, safe_mode):
        asked.append(safe_mode)
        raise ValueError("File is not a zip file\nTraceback details")

    with pytest.raises(RunFolderError) as info:
        folder.load_model("last.keras", SimpleNamespace(models=SimpleNamespace(load_model=refuse)))
    assert asked == [True]  # safe mode: no pickled Python code runs
    assert str(info.value) == (
        f"{folder.file('last.keras')} can't be loaded safely (ValueError: File is not a zip file); "
        "seqtui only loads plain Keras models. Train a new run"
    )


def test_a_forecasters_run_is_listed_by_its_mean_absolute_error_not_its_loss(tmp_path):
    folder = RunFolder.create(tmp_path, "series-rnn")
    folder.write_config(RunConfig(preset="series-rnn"), {})
    folder.write_history(
        [
            {"epoch": 1, "loss": 0.9, "mae": 0.8, "val_loss": 0.7, "val_mae": 0.6},
            {"epoch": 2, "loss": 0.5, "mae": 0.4, "val_loss": 0.5, "val_mae": 0.65},
        ]
    )
    atomic_write_json(folder.file("metrics.json"), {"loss": 0.3, "mae": 0.55})
    folder.update_status(status="completed", epochs=2, epochs_done=2)
    [row] = list_runs(tmp_path)
    # listed by its error, at the epoch that was tested (the lowest val_loss, epoch 2), not the lowest val_mae
    assert (row.best_val, row.test) == (("val_mae", 0.65), ("mae", 0.55))


def test_a_start_time_that_is_not_text_is_left_out_of_the_runs_list(tmp_path):
    make_run(tmp_path, "good", started="2026-11-24T08:00:00+00:00")
    make_run(tmp_path, "edited", started=20261124)
    rows = {row.path.name.split("-", 1)[1]: row for row in list_runs(tmp_path)}
    assert (rows["good"].started, rows["edited"].started) == ("2026-11-24T08:00:00+00:00", None)


def test_the_runs_list_counts_the_epochs_run_json_records_not_the_history_rows(tmp_path):
    """run.json's epochs_done is the record (an evaluation-only resume or a redone epoch leaves the history
    with another count); the history's length is only the fallback for a run.json without it."""
    from seqtui.core.runs.folder import RunFolder
    from seqtui.core.runs.listing import overview_of

    folder = RunFolder.create(tmp_path, "digits-mlp")
    folder.write_config(RunConfig(preset="digits-mlp"), {"task": "multiclass", "class_names": ["a", "b"]})
    folder.write_history(
        [{"epoch": 1, "loss": 1.0, "val_loss": 1.0}, {"epoch": 2, "loss": 0.5, "val_loss": 0.6}]
    )
    folder.update_status(status="completed", epochs=5, epochs_done=5)
    assert overview_of(folder).epochs_done == 5
    run_json = folder.file("run.json")
    state = json.loads(run_json.read_text())
    del state["epochs_done"]
    run_json.write_text(json.dumps(state))
    assert overview_of(folder).epochs_done == 2
