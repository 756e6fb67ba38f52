"""What the Train screen knows about the run in progress, built from engine events (no UI here)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from seqtui.core.config.metrics import best_row
from seqtui.core.training.events import BatchEnded, EpochEnded, RunStarted


def clock(seconds: float) -> str:
    """h:mm:ss or m:ss."""
    if not math.isfinite(seconds) or seconds < 0:
        return "--:--"
    s = int(round(seconds))
    h, rest = divmod(s, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


SETTLED_BATCHES = 3
"""Batch events before the first epoch's pace is trusted for an ETA (the first include graph tracing)."""


@dataclass
class LiveRun:
    """Curves, progress, speed and time left of one run."""

    name: str = ""
    run_dir: str = ""
    epochs: int = 0
    initial_epoch: int = 0
    steps: int = 1
    train_samples: int = 0
    monitor: str = "accuracy"
    epoch: int = 0
    step: int = 0
    samples_per_s: float = 0.0
    batch_x: list[float] = field(default_factory=list)
    """The train curve: one point per finished epoch (its epoch value), then the running mean of the epoch
    in progress at fractional epochs (epoch 2, half done = 1.5). Finished epochs keep only their epoch
    value, so the curve has no jump where Keras' running mean restarts."""
    batch_loss: list[float] = field(default_factory=list)
    batch_metric: list[float] = field(default_factory=list)
    history: list[dict[str, float]] = field(default_factory=list)
    """One row per completed epoch, with 'epoch'."""
    epoch_seconds: list[float] = field(default_factory=list)
    best_epoch: int | None = None
    kept_by: str = "val_loss"
    """What picked best_epoch (the checkpoint that is tested): val_loss or val_accuracy."""
    batches_seen: int = 0
    """Batch events since the run (re)started; the pace of the first few includes graph tracing."""

    @classmethod
    def started(cls, event: RunStarted, history: list[dict[str, float]] | None = None) -> LiveRun:
        run = cls(
            name=event.name,
            run_dir=event.run_dir,
            epochs=event.epochs,
            initial_epoch=event.initial_epoch,
            steps=max(1, event.steps_per_epoch),
            train_samples=event.train_samples,
            monitor=event.monitor_metric,
            epoch=event.initial_epoch,
        )
        run.step = 0  # nothing of the next epoch is done yet
        run.history = list(history or [])
        run.kept_by = event.kept_by
        kept = best_row([row for row in run.history if "epoch" in row], event.kept_by)
        if kept is not None:
            run.best_epoch = int(kept["epoch"])
        return run

    def batch(self, event: BatchEnded) -> None:
        self.epoch, self.step, self.steps = event.epoch, event.step, max(1, event.steps)
        self.samples_per_s = event.samples_per_s
        self.batches_seen += 1
        self.batch_x.append(event.epoch - 1 + event.step / self.steps)
        self.batch_loss.append(event.logs.get("loss", math.nan))
        self.batch_metric.append(event.logs.get(self.monitor, math.nan))

    def epoch_end(self, event: EpochEnded) -> None:
        self.epoch, self.step = event.epoch, self.steps
        self.history.append({"epoch": event.epoch, **event.logs})
        start = event.epoch - 1
        keep = [i for i, x in enumerate(self.batch_x) if x <= start]
        self.batch_x = [self.batch_x[i] for i in keep] + [float(event.epoch)]
        self.batch_loss = [self.batch_loss[i] for i in keep] + [event.logs.get("loss", math.nan)]
        self.batch_metric = [self.batch_metric[i] for i in keep] + [event.logs.get(self.monitor, math.nan)]
        self.epoch_seconds.append(event.seconds)
        if event.best:
            self.best_epoch = event.epoch

    def curve(self, key: str) -> tuple[list[float], list[float]]:
        rows = [row for row in self.history if key in row]
        return [row["epoch"] for row in rows], [row[key] for row in rows]

    @property
    def seconds_left(self) -> float:
        """This epoch's remaining batches plus the epochs still to come, at the measured pace."""
        recent = self.epoch_seconds[-3:]
        if recent:
            per_epoch = sum(recent) / len(recent)
        elif self.samples_per_s > 0 and self.batches_seen >= SETTLED_BATCHES:
            per_epoch = self.train_samples / self.samples_per_s
        else:
            return math.inf
        this_epoch = (self.steps - self.step) / self.steps * per_epoch
        return this_epoch + max(0, self.epochs - self.epoch) * per_epoch

    def best_text(self) -> str:
        if self.best_epoch is None:
            return ""
        row = next((r for r in self.history if int(r["epoch"]) == self.best_epoch), {})
        val = row.get(self.kept_by)
        by = "" if self.kept_by == "val_loss" else f" by {self.kept_by}"
        return f"* best epoch {self.best_epoch}{by}" + (
            f" ({self.kept_by} {val:.4f})" if val is not None else ""
        )
