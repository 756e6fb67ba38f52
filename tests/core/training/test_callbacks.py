"""The event stream and the run recorder, by calling the callbacks' hooks directly (Keras' progbar test
habit): a fake model and a fake clock, no training."""

from __future__ import annotations

import errno
import math
import threading

import pytest

from seqtui.core.config.run_config import RunConfig
from seqtui.core.runs.folder import RunFolder, SaveError
from seqtui.core.training.callbacks import EventBridge, ResumableEarlyStopping, RunRecorder
from seqtui.core.training.events import BatchEnded, EpochEnded, event_dict


class FakeModel:
    """What the callbacks touch: the stop flags, and save() writing a small file."""

    def __init__(self) -> None:
        self.stop_training = False
        self.stop_evaluating = False
        self.saves: list[str] = []

    def save(self, path) -> None:
        self.saves.append(str(path))
        with open(path, "w") as fh:
            fh.write(f"weights after {len(self.saves)} saves")


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr("seqtui.core.training.callbacks.time.perf_counter", clock)
    return clock


def bridge(events, cancel=None, recorder=None, steps=10, interval=0.2) -> EventBridge:
    cb = EventBridge(events.append, batch_size=8, train_samples=80, cancel=cancel or threading.Event(),
                     recorder=recorder, min_interval=interval)  # fmt: skip
    cb.set_model(FakeModel())
    cb.set_params({"steps": steps, "epochs": 3})
    return cb


def recorder_in(tmp_path, history=None, steps=10) -> tuple[RunRecorder, RunFolder, FakeModel]:
    folder = RunFolder.create(tmp_path, "demo")
    folder.write_config(RunConfig(), {})
    folder.mark_running(3, len(history or []))
    rec = RunRecorder(folder, history if history is not None else [], threading.Event())
    model = FakeModel()
    rec.set_model(model)
    rec.set_params({"steps": steps, "epochs": 3})
    return rec, folder, model


def run_epoch(rec: RunRecorder, epoch: int, steps: int, logs: dict) -> None:
    rec.on_epoch_begin(epoch)
    for batch in range(steps):
        rec.on_train_batch_begin(batch)
    rec.on_epoch_end(epoch, logs)


# -- EventBridge -----------------------------------------------------------------------------------------
def test_batch_events_are_throttled_by_wall_clock(clock):
    events = []
    cb = bridge(events, interval=0.25)
    cb.on_epoch_begin(0)
    for batch in range(9):  # 9 batches 1/16 s apart: one event per 1/4 s
        clock.now += 0.0625
        cb.on_train_batch_end(batch, {"loss": 1.0})
    steps = [e.step for e in events]
    assert steps == [4, 8]
    assert all(isinstance(e, BatchEnded) and e.epoch == 1 and e.steps == 10 for e in events)


def test_the_last_batch_of_an_epoch_is_always_emitted(clock):
    events = []
    cb = bridge(events, interval=60.0)
    cb.on_epoch_begin(0)
    for batch in range(10):
        clock.now += 0.01
        cb.on_train_batch_end(batch, {"loss": 0.5})
    assert [e.step for e in events] == [10]
    assert events[0].samples_per_s == pytest.approx(80 / 0.1)


def test_a_late_worker_thread_does_not_report_an_older_batch(clock):
    events = []
    cb = bridge(events, interval=0.0)
    cb.on_epoch_begin(0)
    cb.on_train_batch_end(4, {})
    cb.on_train_batch_end(2, {})  # dispatched earlier, ran later
    assert [e.step for e in events] == [5]


def test_cancel_stops_training_after_the_batch(clock):
    cancel = threading.Event()
    cb = bridge([], cancel)
    cb.on_epoch_begin(0)
    cb.on_train_batch_end(0, {})
    assert not cb.model.stop_training
    cancel.set()
    cb.on_train_batch_end(1, {})
    assert cb.model.stop_training


def test_epoch_events_carry_logs_time_and_rate(clock):
    events = []
    cb = bridge(events, interval=60.0)
    cb.on_epoch_begin(1)
    for batch in range(10):
        cb.on_train_batch_end(batch, {"loss": 0.1})
    clock.now += 2.0
    cb.on_epoch_end(1, {"loss": 0.25, "val_loss": 0.5, "note": "text is dropped"})
    epoch = events[-1]
    assert isinstance(epoch, EpochEnded)
    assert (epoch.epoch, epoch.epochs, epoch.seconds, epoch.samples_per_s) == (2, 3, 2.0, 40.0)
    assert epoch.logs == {"loss": 0.25, "val_loss": 0.5}


def test_event_dicts_are_json_ready_even_when_the_loss_is_nan():
    import json

    raw = event_dict(EpochEnded(1, 2, {"loss": math.nan, "val_loss": math.inf}, 1.0, 10.0))
    assert list(raw)[0] == "event" and raw["event"] == "epoch_end"
    assert raw["logs"] == {"loss": None, "val_loss": None}
    json.dumps(raw, allow_nan=False)


# -- RunRecorder -----------------------------------------------------------------------------------------
def test_recorder_writes_history_checkpoints_and_status(tmp_path):
    rec, folder, model = recorder_in(tmp_path)
    run_epoch(rec, 0, 10, {"loss": 1.0, "val_loss": 0.9})
    run_epoch(rec, 1, 10, {"loss": 0.8, "val_loss": 0.95})  # worse: model.keras stays at epoch 1
    assert [row["epoch"] for row in folder.read_history()] == [1, 2]
    assert folder.read_json("run.json")["epochs_done"] == 2
    assert folder.file("last.keras").read_text() == "weights after 2 saves"  # one serialisation an epoch
    assert folder.file("model.keras").read_text() == "weights after 1 saves"  # epoch 1's, copied
    assert not rec.last_was_best and rec.last_was_recorded


def test_nan_loss_marks_divergence_and_keeps_the_last_good_checkpoint(tmp_path):
    rec, folder, model = recorder_in(tmp_path)
    run_epoch(rec, 0, 10, {"loss": 1.0, "val_loss": 0.9})
    before = folder.file("last.keras").read_text()
    run_epoch(rec, 1, 10, {"loss": math.nan, "val_loss": 0.5})
    assert rec.diverged and model.stop_training and not rec.last_was_recorded
    assert folder.file("last.keras").read_text() == before
    assert len(folder.read_history()) == 1


def test_an_epoch_cut_short_saves_last_keras_but_no_history_row(tmp_path):
    rec, folder, model = recorder_in(tmp_path)
    run_epoch(rec, 0, 10, {"loss": 1.0, "val_loss": 0.9})
    rec.cancel.set()
    rec.on_epoch_begin(1)
    for batch in range(4):
        rec.on_train_batch_begin(batch)
    assert model.stop_training  # checked in the loop itself: the batch in progress is the last
    rec.on_test_batch_begin(0)
    assert model.stop_evaluating  # no full validation pass for an epoch that won't be recorded
    rec.on_epoch_end(1, {"loss": 0.7, "val_loss": 0.8})
    assert rec.last_was_partial and not rec.last_was_recorded
    assert [row["epoch"] for row in folder.read_history()] == [1]
    assert folder.read_json("run.json")["epochs_done"] == 1
    assert len(model.saves) == 2  # last for epoch 1 (copied to best), last for the partial epoch


def test_a_complete_epoch_keeps_its_validation_even_when_stopping(tmp_path):
    rec, folder, model = recorder_in(tmp_path)
    rec.on_epoch_begin(0)
    for batch in range(10):
        rec.on_train_batch_begin(batch)
    model.stop_training = True
    rec.on_test_batch_begin(0)
    assert not model.stop_evaluating


def test_a_full_disk_raises_save_error_and_leaves_earlier_files_intact(tmp_path, monkeypatch):
    rec, folder, model = recorder_in(tmp_path)
    run_epoch(rec, 0, 10, {"loss": 1.0, "val_loss": 0.9})
    last = folder.file("last.keras").read_text()

    def full(tmp):
        with open(tmp, "w") as fh:
            fh.write("half")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(model, "save", full)
    with pytest.raises(SaveError, match="the disk is full"):
        run_epoch(rec, 1, 10, {"loss": 0.5, "val_loss": 0.4})
    assert folder.file("last.keras").read_text() == last
    assert len(folder.read_history()) == 1 and len(rec.history) == 1
    assert sorted(p.name for p in folder.path.iterdir()) == [
        "config.json", "history.csv", "last.keras", "model.keras", "run.json",
    ]  # fmt: skip


def test_recorder_of_a_resumed_run_knows_the_best_val_loss(tmp_path):
    history = [{"epoch": 1, "val_loss": 0.5}, {"epoch": 2, "val_loss": 0.7}]
    rec, folder, model = recorder_in(tmp_path, history)
    run_epoch(rec, 2, 10, {"loss": 0.5, "val_loss": 0.6})
    assert not rec.last_was_best and not folder.file("model.keras").exists()
    assert [row["epoch"] for row in folder.read_history()] == [1, 2, 3]


def test_early_stopping_remembers_the_epochs_waited_before_a_resume():
    history = [{"epoch": 1, "val_loss": 0.5}, {"epoch": 2, "val_loss": 0.4}, {"epoch": 3, "val_loss": 0.45}]
    stopper = ResumableEarlyStopping(patience=2, history=history)
    stopper.set_model(FakeModel())
    stopper.on_train_begin()
    assert (stopper.best, stopper.wait) == (0.4, 1)
    stopper.on_epoch_end(3, {"val_loss": 0.46})
    assert stopper.model.stop_training


def test_epoch_events_come_only_for_epochs_the_recorder_wrote(tmp_path, clock):
    """A complete epoch is an event with its logs; an epoch cut short or diverged is none (no history row)."""
    events: list = []
    rec, folder, model = recorder_in(tmp_path)
    cb = bridge(events, recorder=rec)

    def epoch(n: int, steps: int, logs: dict) -> None:
        cb.on_epoch_begin(n)
        rec.on_epoch_begin(n)
        for batch in range(steps):
            rec.on_train_batch_begin(batch)
            cb.on_train_batch_end(batch, logs)
        rec.on_epoch_end(n, logs)
        cb.on_epoch_end(n, logs)

    epoch(0, 10, {"loss": 1.0, "val_loss": 0.9})
    epoch(1, 4, {"loss": 0.8, "val_loss": 0.7})  # cut short: 4 of 10 batches
    epoch(2, 10, {"loss": math.nan, "val_loss": 0.5})  # diverged
    ended = [e for e in events if isinstance(e, EpochEnded)]
    assert [(e.epoch, e.logs["val_loss"], e.best) for e in ended] == [(1, 0.9, True)]
    assert [row["epoch"] for row in folder.read_history()] == [1]


def test_an_epoch_cut_short_whose_weights_are_detached_keeps_the_last_complete_epoch(tmp_path):
    """Keras' JAX trainer can leave the variables of an epoch cut short detached ("Array has been deleted");
    the stop still ends cleanly, with the last completed epoch's last.keras."""
    rec, folder, model = recorder_in(tmp_path)
    run_epoch(rec, 0, 10, {"loss": 1.0, "val_loss": 0.9})
    kept = folder.file("last.keras").read_text()

    def detached(path) -> None:
        raise RuntimeError("Array has been deleted with shape=float32[1,10].")

    model.save = detached
    rec.cancel.set()
    run_epoch(rec, 1, 4, {"loss": 0.7, "val_loss": 0.8})
    assert rec.last_was_partial and folder.file("last.keras").read_text() == kept
    assert [row["epoch"] for row in folder.read_history()] == [1]
    with pytest.raises(RuntimeError, match="other"):  # any other error still surfaces
        model.save = lambda path: (_ for _ in ()).throw(RuntimeError("other"))
        run_epoch(rec, 1, 4, {"loss": 0.7, "val_loss": 0.8})
