"""The runner end to end on the toy sequence (131 parameters, instant): run folders, stop and resume,
divergence, a full disk, a stop request at every awkward moment. Nothing may cost more than the epoch."""

from __future__ import annotations

import errno
import json
import shutil
import tempfile
import threading
import time
from pathlib import Path

import pytest

from seqtui.core.config.errors import Cancelled, ConfigError
from seqtui.core.config.presets import PRESETS
from seqtui.core.config.run_config import with_overrides
from seqtui.core.model.checks import check_config
from seqtui.core.runs.folder import RunFolder, RunFolderError, is_temp_file
from seqtui.core.runs.listing import overview_of
from seqtui.core.training.events import BatchEnded, EpochEnded, LogMessage, RunEnded, RunStarted
from seqtui.core.training.resume import plan_resume, resume
from seqtui.core.training.runner import train
from seqtui.datasets.registry import load_dataset

SEQ = with_overrides(PRESETS["series-rnn"].config, epochs=2, batch_size=64, patience=0)
STEPS = 20  # 1,278 training windows / 64


class Recorder:
    """An observer that keeps every event and can act on one (set the cancel event, raise...)."""

    def __init__(self, act=None) -> None:
        self.events: list = []
        self.act = act

    def __call__(self, event) -> None:
        self.events.append(event)
        if self.act:
            self.act(event)

    def epochs(self) -> list[int]:
        return [e.epoch for e in self.events if isinstance(e, EpochEnded)]

    def of(self, kind) -> list:
        return [e for e in self.events if isinstance(e, kind)]


def epochs_in(folder: RunFolder) -> list[int]:
    return [int(row["epoch"]) for row in folder.read_history()]


def iterations(path) -> int:
    import keras

    return int(keras.models.load_model(path, safe_mode=True).optimizer.iterations.numpy())


def assert_no_temp_files(folder: RunFolder) -> None:
    assert not [p.name for p in folder.path.iterdir() if is_temp_file(p)]


@pytest.fixture(scope="module")
def completed(tmp_path_factory):
    """One completed 2-epoch run, trained once; tests work on copies of it."""
    root = tmp_path_factory.mktemp("done")
    events = Recorder()
    end = train(SEQ, events, runs_dir=root)
    return end, events, RunFolder(root / next(p.name for p in root.iterdir()))


@pytest.fixture
def copy_of(tmp_path):
    def copy(folder: RunFolder) -> RunFolder:
        return RunFolder(shutil.copytree(folder.path, tmp_path / "runs" / folder.path.name))

    return copy


def test_a_run_is_marked_running_with_no_epoch_done_when_it_starts(runs_dir):
    seen = []

    def read_the_folder(event) -> None:
        if isinstance(event, RunStarted):
            seen.append(RunFolder(Path(event.run_dir)).read_json("run.json"))

    train(with_overrides(SEQ, epochs=1), read_the_folder, runs_dir=runs_dir)
    [state] = seen
    assert (state["status"], state["epochs"], state["epochs_done"], state["resumed"]) == (
        "running",
        1,
        0,
        None,
    )


def test_a_run_leaves_a_complete_folder(completed):
    end, events, folder = completed
    assert end.status == "completed" and end.epochs_done == 2
    assert set(end.test_metrics) == {"loss", "mae"}
    names = {p.name for p in folder.path.iterdir()}
    assert {
        "config.json",
        "run.json",
        "history.csv",
        "last.keras",
        "model.keras",
        "metrics.json",
        "encoder.json",
    } <= names
    assert epochs_in(folder) == [1, 2] and events.epochs() == [1, 2]
    state = folder.read_json("run.json")
    assert (state["status"], state["epochs"], state["epochs_done"], state["message"]) == (
        "completed",
        2,
        2,
        "",
    )
    assert folder.read_config() == SEQ
    assert [type(e) for e in (events.events[0], events.events[-1])] == [RunStarted, RunEnded]
    batches = events.of(BatchEnded)
    assert batches and all(b.steps == STEPS for b in batches) and batches[-1].step == STEPS
    assert iterations(folder.file("last.keras")) == 2 * STEPS
    assert_no_temp_files(folder)


def test_a_completed_run_says_how_to_train_longer(completed, copy_of):
    folder = copy_of(completed[2])
    with pytest.raises(RunFolderError, match="--epochs N, with N above 2"):
        plan_resume(folder.path)
    with pytest.raises(RunFolderError, match="N above 2"):
        plan_resume(folder.path, epochs=2)


def test_resume_with_more_epochs_continues_the_curve_and_the_optimizer(completed, copy_of):
    folder = copy_of(completed[2])
    first = folder.read_json("run.json")["train_seconds"]
    folder.update_status(started="2020-01-01T00:00:00+00:00")  # as if it had waited years to be resumed
    events = Recorder()
    end = resume(folder.path, events, epochs=3)
    assert end.status == "completed"
    # its time is the training it did, both sessions, not the idle gap in between
    seconds = overview_of(folder).seconds
    assert first > 0 and first < seconds < first + 600
    assert events.of(RunStarted)[0].initial_epoch == 2
    assert events.epochs() == [3] and epochs_in(folder) == [1, 2, 3]
    assert iterations(folder.file("last.keras")) == 3 * STEPS
    assert folder.read_json("run.json")["epochs"] == 3
    assert folder.read_config().train.epochs == 3


def test_a_run_named_under_its_own_runs_folder_resumes_there(completed, tmp_path, runs_dir):
    """`seqtui train --resume NAME --runs-dir DIR` while SEQTUI_RUNS_DIR (here runs_dir) is elsewhere."""
    elsewhere = tmp_path / "elsewhere"
    folder = RunFolder(shutil.copytree(completed[2].path, elsewhere / completed[2].path.name))
    assert not (runs_dir / folder.path.name).exists()
    end = resume(folder.path.name, Recorder(), epochs=3, runs_dir=elsewhere)
    assert end.status == "completed" and Path(end.run_dir).resolve() == folder.path.resolve()
    assert epochs_in(folder) == [1, 2, 3]


def test_run_json_records_the_global_batch_and_the_batch_per_device(completed):
    state = completed[2].read_json("run.json")
    assert (state["batch_size"], state["batch_per_device"], state["device_count"]) == (64, 64, 1)
    assert completed[2].read_config().train.batch_size == 64  # config.json: per device


def test_a_resume_with_another_global_batch_says_so_and_records_the_new_one(completed, copy_of):
    same = copy_of(completed[2])
    events = Recorder()
    assert resume(same.path, events, epochs=3).status == "completed"
    assert not [e for e in events.of(LogMessage) if "global batch" in e.message]

    folder = RunFolder(shutil.copytree(completed[2].path, same.path.with_name("moved")))
    folder.update_status(batch_size=128, batch_per_device=64, device_count=2)  # as if trained on 2 GPUs
    events = Recorder()
    assert resume(folder.path, events, epochs=3).status == "completed"
    said = [(e.level, e.message) for e in events.of(LogMessage) if "global batch" in e.message]
    assert said == [
        (
            "warning",
            "this run trained with a global batch of 128 (2 devices); here it goes on with 64 (1 x 64 per "
            "device), so each epoch takes other steps; resume with --devices 2 to keep it",
        )
    ]
    state = folder.read_json("run.json")
    assert (state["batch_size"], state["batch_per_device"], state["device_count"]) == (64, 64, 1)


def test_history_records_the_training_seconds_summed_over_resumes(completed, copy_of):
    _, events, done = completed
    times = [row["seconds"] for row in done.read_history()]
    assert done.read_json("run.json")["train_seconds"] == round(
        done.read_json("run.json")["train_seconds"], 1
    )
    assert len(times) == 2 and 0 < times[0] < times[1] <= done.read_json("run.json")["train_seconds"]
    # a time, not a metric: not in the epoch events that charts and loggers read
    assert all("seconds" not in e.logs for e in events.of(EpochEnded))
    folder = copy_of(done)
    before = folder.read_json("run.json")["train_seconds"]
    time.sleep(1.5)  # an idle gap between the sessions: not training time
    resume(folder.path, Recorder(), epochs=3)
    rows = folder.read_history()
    session = folder.read_json("run.json")["train_seconds"] - before
    assert [row["seconds"] for row in rows[:2]] == times  # earlier rows as they were
    assert times[1] < rows[2]["seconds"] <= times[1] + session + 0.1  # went on from the last row's value


def test_a_resume_with_tensorboard_off_writes_no_event_files(completed, copy_of, monkeypatch):
    monkeypatch.setenv("SEQTUI_TENSORBOARD", "1")  # the setting says on; the resume's argument says off
    folder = copy_of(completed[2])
    shutil.rmtree(folder.file("tensorboard"), ignore_errors=True)
    assert resume(folder.path, Recorder(), epochs=3, tensorboard=False).status == "completed"
    assert epochs_in(folder) == [1, 2, 3] and not folder.file("tensorboard").exists()


@pytest.fixture
def as_process_1(monkeypatch, tmp_path) -> Path:
    """This process is process 1 of a multi-process run (train and resume learn it from `prepare`); the
    temporary folder it may use, empty, is returned."""
    from seqtui.core.training import resume as resuming
    from seqtui.core.training import runner as running

    real = running.prepare
    for module in (running, resuming):
        monkeypatch.setattr(module, "prepare", lambda *a, **k: (*real(*a, **k)[:3], 1))
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    return scratch


def test_a_process_other_than_0_resumes_a_scratch_copy_and_reports_nothing(completed, copy_of, as_process_1):
    folder = copy_of(completed[2])
    before = (folder.read_json("run.json"), folder.read_history())
    events = Recorder()
    end = resume(folder.path, events, epochs=3)
    assert end.status == "completed" and end.epochs_done == 3
    assert Path(end.run_dir).is_relative_to(as_process_1)  # the copy trained ...
    assert not any(as_process_1.iterdir())  # ... and is gone
    assert (folder.read_json("run.json"), folder.read_history()) == before  # process 0 writes the folder
    assert events.events == []


def test_a_note_about_the_hardware_reaches_the_user_as_a_warning(runs_dir, monkeypatch):
    from seqtui.core.hardware import backend

    note = "nvidia-smi lists a GPU but no installed Keras backend can use it"
    monkeypatch.setattr(backend, "backend_note", lambda: note)
    events = Recorder()
    assert train(with_overrides(SEQ, epochs=1), events, runs_dir=runs_dir).status == "completed"
    assert [e.level for e in events.of(LogMessage) if e.message == note] == ["warning"]


def test_a_process_other_than_0_trains_in_a_scratch_folder_it_removes(runs_dir, as_process_1):
    events = Recorder()
    end = train(with_overrides(SEQ, epochs=1), events, runs_dir=runs_dir)
    assert end.status == "completed" and Path(end.run_dir).is_relative_to(as_process_1)
    assert not any(as_process_1.iterdir()) and not list(runs_dir.glob("*"))  # nothing left, anywhere
    assert events.events == []


def test_the_training_rate_counts_the_samples_of_every_process(runs_dir, monkeypatch):
    """With two processes (one device each) an epoch trains this process's share and the other's equal one:
    samples/s counts both. Faked on one CPU: the hardware says two processes, one real device trains."""
    import contextlib
    import dataclasses

    from seqtui.core.training import session

    class TwoProcesses(session.Hardware):
        @contextlib.contextmanager
        def scope(self, keras):  # no data-parallel split: one real device
            yield

    real = session.open_hardware

    def open_two(keras, plan, processes):
        seen = real(keras, plan, processes)
        return TwoProcesses(**{**{f.name: getattr(seen, f.name) for f in dataclasses.fields(seen)},
                               "count": 2, "processes": 2})  # fmt: skip

    monkeypatch.setattr(session, "open_hardware", open_two)
    events = Recorder()
    end = train(with_overrides(SEQ, epochs=1), events, runs_dir=runs_dir)
    [epoch] = events.of(EpochEnded)
    windows = len(load_dataset(SEQ.data).x_train)
    assert end.status == "completed" and epoch.samples_per_s * epoch.seconds == pytest.approx(2 * windows)


def test_a_run_from_before_the_seconds_column_resumes_without_it(completed, copy_of):
    folder = copy_of(completed[2])
    folder.write_history([{k: v for k, v in row.items() if k != "seconds"} for row in folder.read_history()])
    resume(folder.path, Recorder(), epochs=3)
    rows = folder.read_history()
    assert epochs_in(folder) == [1, 2, 3] and not any("seconds" in row for row in rows)


def test_a_stop_mid_epoch_ends_interrupted_and_resume_redoes_that_epoch(runs_dir, monkeypatch):
    from seqtui.core.training import session

    def with_a_note(config):
        data = load_dataset(config)
        data.notes.append("vocab size 9 is above what the data has")
        return data

    monkeypatch.setattr(session, "load_dataset", with_a_note)
    cancel = threading.Event()

    def stop_in_epoch_2(event) -> None:
        if isinstance(event, BatchEnded) and event.epoch == 2 and event.step >= 3:
            cancel.set()

    config = with_overrides(SEQ, epochs=3)
    events = Recorder(stop_in_epoch_2)
    end = train(config, events, cancel, runs_dir=runs_dir)
    folder = RunFolder.open(end.run_dir)
    assert [e.message for e in events.of(LogMessage) if e.level == "info"][0] == (
        "vocab size 9 is above what the data has"
    )  # the data's notes reach the user
    assert end.status == "interrupted" and end.epochs_done == 1
    assert f"seqtui train --resume {folder.path}" in end.message
    assert folder.status == "interrupted" and epochs_in(folder) == [1]
    partial = iterations(folder.file("last.keras"))
    assert STEPS < partial < 2 * STEPS  # the stop came after the current batch, not at the epoch's end
    # the kept model (epoch 1's) is tested, not the half-trained one in memory: it is what Predict loads
    assert (
        set(end.test_metrics) >= {"loss", "mae"}
        and folder.read_json("metrics.json")["loss"] == end.test_metrics["loss"]
    )
    from seqtui.core.hardware.backend import import_keras

    data = load_dataset(config.data)
    kept = folder.load_model("model.keras", import_keras()).evaluate(
        data.x_test, data.y_test, batch_size=64, verbose=0, return_dict=True
    )
    assert end.test_metrics["mae"] == pytest.approx(kept["mae"], rel=1e-6)
    assert "testing the kept model (model.keras) on the test set" in [
        e.message for e in events.of(LogMessage)
    ]
    assert_no_temp_files(folder)

    events = Recorder()
    end = resume(folder.path, events)
    assert end.status == "completed" and end.epochs_done == 3  # the original total is kept
    assert events.epochs() == [2, 3] and epochs_in(folder) == [1, 2, 3]
    assert iterations(folder.file("last.keras")) == partial + 2 * STEPS


def test_ctrl_c_while_saving_leaves_a_consistent_folder(runs_dir, monkeypatch):
    """A second Ctrl+C raises KeyboardInterrupt wherever the training thread is, e.g. mid-save."""
    original = RunFolder.write_history

    def interrupted_in_epoch_2(self, rows):
        if len(rows) == 2:
            raise KeyboardInterrupt
        original(self, rows)

    monkeypatch.setattr(RunFolder, "write_history", interrupted_in_epoch_2)
    end = train(SEQ, Recorder(), runs_dir=runs_dir)
    folder = RunFolder.open(end.run_dir)
    assert end.status == "interrupted" and end.epochs_done == 1
    assert folder.read_json("run.json")["status"] == "interrupted"
    assert epochs_in(folder) == [1]
    assert_no_temp_files(folder)
    assert iterations(folder.file("last.keras")) == 2 * STEPS  # epoch 2 was saved: the resume redoes it


def test_a_crashed_run_can_be_resumed_but_a_running_one_cannot(completed, copy_of):
    import os
    import subprocess
    import sys

    folder = copy_of(completed[2])
    folder.write_history(folder.read_history()[:1])
    folder.mark_running(2, 1)
    with pytest.raises(RunFolderError, match="still being trained by process"):
        plan_resume(folder.path)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    folder.update_status(pid=gone.pid)
    (folder.path / ".last-deadbeef.keras").write_bytes(b"half a checkpoint")
    assert folder.status == "crashed" and os.getpid() != gone.pid
    end = resume(folder.path, Recorder())
    assert end.status == "completed" and epochs_in(folder) == [1, 2]
    assert_no_temp_files(folder)


def test_a_run_folder_that_cannot_be_written_is_one_message_and_stays_as_it_was(
    completed, copy_of, monkeypatch
):
    folder = copy_of(completed[2])
    before = folder.read_json("run.json")

    def read_only(self, *args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(RunFolder, "mark_running", read_only)
    with pytest.raises(RunFolderError) as info:
        resume(folder.path, Recorder(), epochs=3)
    assert str(info.value) == f"could not write to {folder.path}: Read-only file system"
    assert folder.read_json("run.json") == before


def test_resume_plans_for_the_backend_it_is_given(completed, copy_of):
    folder = copy_of(completed[2])
    with pytest.raises(ConfigError) as info:
        resume(folder.path, Recorder(), epochs=3, backend="torch", devices=2)
    assert [str(p) for p in info.value.problems] == [
        "devices: several devices need --backend jax or tensorflow, not torch"
    ]
    assert epochs_in(folder) == [1, 2]


def test_all_epochs_done_but_stopped_before_the_test_evaluation(completed, copy_of):
    folder = copy_of(completed[2])
    folder.update_status(status="interrupted")
    folder.file("metrics.json").unlink()
    events = Recorder()
    end = resume(folder.path, events)
    assert end.status == "completed" and end.test_metrics and events.epochs() == []
    assert folder.file("metrics.json").exists()


def test_resume_refuses_data_that_changed(completed, copy_of):
    folder = copy_of(completed[2])
    folder.update_status(status="interrupted")
    encoder = folder.read_json("encoder.json")
    encoder["mean"] = [123.0]
    folder.file("encoder.json").write_text(json.dumps(encoder))
    with pytest.raises(RunFolderError, match="data .* changed"):
        resume(folder.path, Recorder())


def test_divergence_stops_the_run_with_a_hint_and_a_lower_rate_resumes_it(runs_dir):
    config = with_overrides(SEQ, optimizer="sgd", learning_rate=9.0, epochs=3)
    end = train(config, Recorder(), runs_dir=runs_dir)
    folder = RunFolder.open(end.run_dir)
    assert end.status == "diverged", end
    assert (end.test_metrics, end.baseline_name, end.verdict) == ({}, "", "")  # nothing tested, no verdict
    assert "--learning-rate 0.9" in end.message and f"--resume {folder.path}" in end.message
    assert folder.status == "diverged"
    assert all(not any(v != v for v in row.values()) for row in folder.read_history())  # no NaN recorded
    end = resume(folder.path, Recorder(), learning_rate=0.01)
    assert end.status == "completed" and epochs_in(folder) == [1, 2, 3]
    assert folder.read_config().train.learning_rate == 0.01


def test_a_full_disk_fails_the_run_and_keeps_earlier_checkpoints(runs_dir, monkeypatch):
    original = RunFolder.save_model
    calls = []

    def disk_fills_in_epoch_2(self, model, name):
        calls.append(name)
        if len(calls) > 1:  # epoch 1 saved last.keras (and copied it to model.keras)
            raise OSError(errno.ENOSPC, "No space left on device")
        original(self, model, name)

    monkeypatch.setattr(RunFolder, "save_model", disk_fills_in_epoch_2)
    end = train(SEQ, Recorder(), runs_dir=runs_dir)
    folder = RunFolder.open(end.run_dir)
    assert end.status == "failed" and "the disk is full" in end.message and "--resume" in end.message
    assert folder.read_json("run.json")["status"] == "failed"
    assert epochs_in(folder) == [1]
    assert iterations(folder.file("last.keras")) == STEPS  # epoch 1's checkpoint, whole
    assert iterations(folder.file("model.keras")) == STEPS
    assert_no_temp_files(folder)


def test_bad_settings_and_early_stops_create_no_folder(runs_dir):
    with pytest.raises(ConfigError) as info:
        train(with_overrides(SEQ, maxlen=0, dropout=1.5), Recorder(), runs_dir=runs_dir)
    assert {p.field for p in info.value.problems} == {"maxlen", "dropout"}
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        train(SEQ, Recorder(), cancel, runs_dir=runs_dir)
    assert not runs_dir.exists() or not list(runs_dir.iterdir())


def test_a_vocab_size_above_the_data_is_a_warning_not_an_error():
    config = with_overrides(PRESETS["topics-en-lstm"].config, vocab_size=90_000)
    check_config(config)
    notes = load_dataset(config.data).notes
    assert any("vocab size 90000 is above" in note for note in notes)


def test_checkpoints_load_in_safe_mode_only(completed, copy_of):
    """A .keras file carrying Python code (a Lambda layer) is refused, by resume and by predict alike."""
    import keras

    from seqtui.core.inference.predict import Predictor

    folder = copy_of(completed[2])
    folder.update_status(status="interrupted")
    unsafe = keras.Sequential(
        [keras.Input((3, 1)), keras.layers.Lambda(lambda x: x * 2), keras.layers.Flatten()]
    )
    unsafe.compile(optimizer="adam", loss="mse")
    for name in ("last.keras", "model.keras"):
        folder.file(name).unlink()
        unsafe.save(folder.file(name))
    with pytest.raises(RunFolderError, match="can't be loaded safely"):
        resume(folder.path, Recorder())
    with pytest.raises(RunFolderError, match="can't be loaded safely"):
        Predictor.load(folder.path)


def test_a_damaged_checkpoint_is_a_folder_error(completed, copy_of):
    folder = copy_of(completed[2])
    folder.update_status(status="interrupted")
    folder.file("last.keras").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(RunFolderError, match="last.keras is damaged: it is not a Keras model archive"):
        resume(folder.path, Recorder())


def test_an_edited_history_is_refused(completed, copy_of):
    folder = copy_of(completed[2])
    folder.update_status(status="interrupted")
    folder.write_history([{"epoch": 1, "loss": 1.0}, {"epoch": 3, "loss": 0.5}])
    with pytest.raises(RunFolderError, match="does not list epochs 1..2"):
        plan_resume(folder.path)


def test_the_real_input_length_is_checked_once_the_data_is_read(runs_dir):
    """Your own file's sequence length is known only once it is read: still no run folder."""
    import numpy as np

    from seqtui.datasets.base import Dataset, TextEncoder
    from seqtui.datasets.tokenizer import Tokenizer

    x, y = np.ones((12, 4), "int32"), np.arange(12, dtype="int32") % 2
    data = Dataset("mine", "binary", "tokens", x, y, x, y, x, y, TextEncoder(Tokenizer(), 4), ["a", "b"])
    config = with_overrides(PRESETS["imdb-cnn-lstm"].config, dataset="file")
    with pytest.raises(ConfigError, match=r"4 time steps \(time steps of the data\)"):
        train(config, Recorder(), runs_dir=runs_dir, data=data)
    assert not runs_dir.exists() or not list(runs_dir.iterdir())


def test_any_other_error_fails_the_run_with_its_reason(runs_dir):
    def broken_observer(event) -> None:
        if isinstance(event, RunStarted):
            raise ValueError("the observer broke")

    end = train(SEQ, broken_observer, runs_dir=runs_dir)
    assert (end.status, end.message, end.verdict) == ("failed", "ValueError: the observer broke", "")
    assert RunFolder.open(end.run_dir).status == "failed"


def test_patience_stops_a_run_whose_validation_loss_stops_falling(runs_dir):
    """A learning rate too small to move a float32 weight: the second epoch's val_loss equals the first's,
    which is no improvement, so patience 1 ends the run there, completed, with its test metrics."""
    still = with_overrides(SEQ, epochs=10, patience=1, learning_rate=1e-12)
    end = train(still, Recorder(), runs_dir=runs_dir)
    folder = RunFolder(Path(end.run_dir))
    assert end.status == "completed" and epochs_in(folder) == [1, 2]
    losses = [row["val_loss"] for row in folder.read_history()]
    assert losses[1] >= losses[0]


def test_batch_events_follow_the_rate_setting(runs_dir, monkeypatch):
    """SEQTUI_BATCH_EVENTS_PER_S=4 on a clock that moves 1/8 s per reading: every second batch is shown
    (and the last of each epoch, always)."""
    import types

    from seqtui.core.training import callbacks

    ticks = iter(range(10_000))
    monkeypatch.setattr(
        callbacks,
        "time",
        types.SimpleNamespace(perf_counter=lambda: next(ticks) / 8, monotonic=time.monotonic),
    )
    monkeypatch.setenv("SEQTUI_BATCH_EVENTS_PER_S", "4")
    events = Recorder()
    assert train(SEQ, events, runs_dir=runs_dir).status == "completed"
    shown = [(e.epoch, e.step) for e in events.of(BatchEnded)]
    assert shown == [(epoch, step) for epoch in (1, 2) for step in range(2, STEPS + 1, 2)]


def test_the_divergence_hint_divides_the_optimizers_own_rate(tmp_path):
    """A run that names no learning rate trains at its optimizer's default (SGD's 0.01): the hint is a tenth
    of that, not of Adam's 0.001."""
    import types

    import keras

    from seqtui.core.training.evaluation import _diverged_message

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    config = with_overrides(SEQ, optimizer="sgd")
    assert config.train.learning_rate is None
    session = types.SimpleNamespace(
        model=model, config=config, folder=RunFolder.create(tmp_path, "x"), history=[]
    )
    assert "--learning-rate 0.001" in _diverged_message(session)
    model.optimizer.learning_rate = 0.5  # what the optimizer ran at wins over the config
    assert "--learning-rate 0.05" in _diverged_message(session)


def test_a_completed_run_is_tested_on_its_best_checkpoint_not_its_last_epoch(tmp_path):
    """The last epoch is ruined (every weight set to zero after each of its batches), so it is not the best:
    the run's test metrics are model.keras's (the best epoch), not those of the weights left in memory."""
    import keras

    class Ruin(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if self.epoch == 2:
                self.model.set_weights([w * 0 for w in self.model.get_weights()])

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch

    config = with_overrides(SEQ, epochs=3)
    end = train(config, Recorder(), runs_dir=tmp_path, callbacks=(Ruin(),))
    folder = RunFolder(end.run_dir)
    history = folder.read_history()
    assert end.status == "completed" and float(history[-1]["val_loss"]) > min(
        float(r["val_loss"]) for r in history
    )
    data = load_dataset(config.data)
    best = folder.load_model("model.keras", keras).evaluate(
        data.x_test, data.y_test, verbose=0, return_dict=True
    )
    last = folder.load_model("last.keras", keras).evaluate(
        data.x_test, data.y_test, verbose=0, return_dict=True
    )
    tested = folder.read_json("metrics.json")
    assert tested["loss"] == pytest.approx(best["loss"], rel=1e-4)
    assert abs(tested["loss"] - last["loss"]) > 1e-3
