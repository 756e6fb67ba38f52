"""Keras callbacks of a run: the event bridge, the run-folder recorder, and early stopping that survives
a resume.

The batch-end hooks are `async_safe`, so Keras keeps dispatching batch ends on its worker threads and the
training loop never waits for a log conversion or an observer. The recorder's hooks are batch *begin*
hooks, which Keras calls in the loop itself: that is where a stop request takes effect, after the batch.
With `steps_per_execution` = k (fused steps, on GPUs) Keras calls the batch hooks once per k batches, so a
stop request takes effect after the current group of k batches.
"""

from __future__ import annotations

import math
import threading
import time
from typing import TYPE_CHECKING, Any

import keras

from seqtui.core.config.metrics import best_row, higher_is_better, improves, monitored
from seqtui.core.hardware.cluster import any_process
from seqtui.core.runs.folder import BEST, LAST, SECONDS, RunFolder, SaveError
from seqtui.core.training.events import BatchEnded, EpochEnded, Observer

if TYPE_CHECKING:
    from seqtui.core.training.epoch_watch import EpochWatch


def _floats(logs: dict[str, Any] | None) -> dict[str, float]:
    return {k: float(v) for k, v in (logs or {}).items() if isinstance(v, (int, float))}


class AsyncTerminateOnNaN(keras.callbacks.TerminateOnNaN):
    """Keras' TerminateOnNaN, marked safe for Keras' asynchronous batch dispatch."""

    async_safe = True


class EventBridge(keras.callbacks.Callback):
    """Turns batch and epoch ends into events, batch events throttled by wall clock (the last batch of an
    epoch always reported). Epoch events come only for epochs the recorder wrote to history.csv, so the
    curve an observer draws is the run's history, resumed runs included.

    Also watches the cancellation event: once set, training stops after the current batch.
    """

    async_safe = True

    def __init__(
        self,
        observer: Observer,
        batch_size: int,
        train_samples: int,
        cancel: threading.Event,
        recorder: RunRecorder | None = None,
        min_interval: float = 0.2,
        watch: EpochWatch | None = None,
    ) -> None:
        super().__init__()
        self.observer = observer
        self.watch = watch
        """Probes and gradient flow (`epoch_watch.py`), called before this bridge: their epoch's fields."""
        self.batch_size = batch_size
        self.train_samples = train_samples
        self.cancel = cancel
        self.recorder = recorder
        self.min_interval = min_interval
        self._lock = threading.Lock()
        self._epoch = 0
        self._epoch_start = 0.0
        self._last_emit = 0.0
        self._last_step = 0

    @property
    def steps(self) -> int:
        return int(self.params.get("steps") or math.ceil(self.train_samples / self.batch_size))

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._epoch = epoch + 1
        self._epoch_start = self._last_emit = time.perf_counter()
        self._last_step = 0

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if self.cancel.is_set():
            self.model.stop_training = True
        step = batch + 1
        now = time.perf_counter()
        with self._lock:
            if step <= self._last_step:
                return  # a late worker thread: a newer batch was reported already
            self._last_step = step
            if now - self._last_emit < self.min_interval and step != self.steps:
                return
            self._last_emit = now
        elapsed = max(now - self._epoch_start, 1e-9)
        rate = min(step * self.batch_size, self.train_samples) / elapsed
        self.observer(
            BatchEnded(epoch=self._epoch, step=step, steps=self.steps, logs=_floats(logs), samples_per_s=rate)
        )

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        seconds = time.perf_counter() - self._epoch_start
        done = min(self._last_step * self.batch_size, self.train_samples)
        best = bool(self.recorder and self.recorder.last_was_best)
        if self.recorder and not self.recorder.last_was_recorded:
            return  # cut short or diverged: not an epoch of the run's history
        self.observer(
            EpochEnded(
                epoch=epoch + 1,
                epochs=self.params.get("epochs", 0),
                logs=_floats(logs),
                seconds=seconds,
                samples_per_s=done / max(seconds, 1e-9),
                best=best,
                **(self.watch.extras(epoch + 1) if self.watch else {}),
            )
        )


class StopTogether(keras.callbacks.Callback):
    """The processes of one run agree before every batch whether a stop was asked in any of them (one tiny
    all-gather), and set `agreed` together, so that every process ends after the same batch. Not
    `async_safe`: the agreement is a collective, which every process must reach in the same order."""

    def __init__(self, requested: threading.Event, agreed: threading.Event) -> None:
        super().__init__()
        self.requested = requested
        self.agreed = agreed

    def on_train_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if not self.agreed.is_set() and any_process(self.requested.is_set()):
            self.agreed.set()


class RunRecorder(keras.callbacks.Callback):
    """After every completed epoch: last.keras, then model.keras (a copy of it) when the monitored metric
    (`val_loss` or `val_accuracy`, the config's `monitor`) improves, then history.csv, then run.json, which
    names the kept epoch (`best_epoch`, `monitor`): the epoch that is tested, shown as the run's best.

    Each history row also holds `seconds`: the training time at the end of that epoch, summed over the
    run's sessions (a resume goes on from the last row's value; the idle gap between sessions is not
    counted). It is a time, not a metric. A run whose earlier rows have no `seconds` (made before they
    were recorded) gets none in its new rows either: a count restarting at 0 would draw a wrong time axis.

    The files are written in that order, each atomically, so whatever stops the process, history.csv never
    lists an epoch that last.keras does not hold.
    A NaN/inf loss marks the run diverged and leaves the last good checkpoints as they are.
    An epoch cut short by a stop request skips its validation pass and saves last.keras but no history row,
    so a resume redoes that epoch (from the weights it had reached). A failed save raises `SaveError`.
    """

    def __init__(
        self,
        folder: RunFolder,
        history: list[dict[str, float]],
        cancel: threading.Event,
        monitor: str = "val_loss",
    ) -> None:
        super().__init__()
        self.folder = folder
        self.history = history
        self.cancel = cancel
        self.monitor = monitor
        kept = best_row(history, monitor)
        self.best = monitored(kept, monitor) if kept else None
        self.best_epoch = int(kept["epoch"]) if kept and "epoch" in kept else None
        self.diverged = False
        self.last_was_best = False
        self.last_was_partial = False
        self.last_was_recorded = False
        self._steps_seen = 0
        earlier = history[-1].get(SECONDS) if history else 0.0
        self._seconds_before = earlier if earlier is not None and math.isfinite(earlier) else None
        self._began = time.monotonic()

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._began = time.monotonic()

    @property
    def _steps(self) -> int:
        return int(self.params.get("steps") or 0)

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._steps_seen = 0

    def on_train_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        # With steps_per_execution = k, Keras calls this once per k fused batches, with the first index
        fused = int(getattr(self.model, "steps_per_execution", 1) or 1)
        self._steps_seen = min(batch + fused, self._steps) if self._steps else batch + 1
        if self.cancel.is_set():  # checked in the training loop itself: this batch is the last one
            self.model.stop_training = True

    def on_test_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if self.model.stop_training and self._steps_seen < self._steps:
            self.model.stop_evaluating = True  # the epoch won't be recorded: don't make the user wait for it

    def _save(self, write: Any, *args: Any, **kwargs: Any) -> None:
        try:
            write(*args, **kwargs)
        except OSError as exc:
            raise SaveError(self.folder.path, exc) from exc

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        logs = _floats(logs)
        self.last_was_best = self.last_was_recorded = False
        self.last_was_partial = self._steps_seen < self._steps
        if not all(math.isfinite(v) for v in logs.values()):
            self.diverged = True
            self.model.stop_training = True
            return
        if self.last_was_partial:
            try:
                self._save(self.folder.save_model, self.model, LAST)
            except RuntimeError as exc:
                # Keras' JAX trainer can leave the variables of an epoch cut short detached (their arrays
                # deleted); the last completed epoch's last.keras stays, and a resume redoes this epoch.
                if "deleted" not in str(exc):
                    raise
            return
        # Serialise once per epoch; a best epoch copies that file. A crash between the two leaves an
        # older model.keras and no history row for this epoch, so a resume redoes it.
        self._save(self.folder.save_model, self.model, LAST)
        value = monitored(logs, self.monitor)
        if improves(value, self.best, self.monitor):
            self._save(self.folder.copy_file, LAST, BEST)
            self.best, self.best_epoch = value, epoch + 1
            self.last_was_best = True
        row = {"epoch": epoch + 1, **logs}
        if self._seconds_before is not None:
            row[SECONDS] = round(self._seconds_before + time.monotonic() - self._began, 3)
        self._save(self.folder.write_history, [*self.history, row])
        self.history.append(row)
        self.last_was_recorded = True
        self._save(
            self.folder.update_status,
            epochs_done=len(self.history),
            best_epoch=self.best_epoch,
            monitor=self.monitor,
        )


class ResumableEarlyStopping(keras.callbacks.EarlyStopping):
    """EarlyStopping on the run's monitor (val_loss or val_accuracy) that, on a resumed run, remembers the
    best value and the epochs waited."""

    def __init__(self, patience: int, history: list[dict[str, float]], monitor: str = "val_loss") -> None:
        super().__init__(
            monitor=monitor, patience=patience, mode="max" if higher_is_better(monitor) else "min"
        )
        self.history = history

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        super().on_train_begin(logs)
        for row in self.history:
            value = monitored(row, self.monitor)
            if not math.isfinite(value):
                continue
            self.wait += 1
            if improves(value, self.best, self.monitor):
                self.best, self.wait = value, 0
