"""What a headless run prints while it trains: plain lines for logs, JSON lines, a Rich live view, and the
loss chart at its end."""

from __future__ import annotations

import dataclasses
import json
import math
import sys
from typing import IO, TYPE_CHECKING, Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Column
from rich.text import Text

from seqtui.common.text import inert, plural
from seqtui.core.training.events import (
    BatchEnded,
    EpochEnded,
    Event,
    LogMessage,
    RunEnded,
    RunStarted,
    event_dict,
)

if TYPE_CHECKING:
    pass
from seqtui.render.results import in_units, kept_epoch_text, units_note


def format_logs(logs: dict[str, float]) -> str:
    return "  ".join(f"{k}={v:.4f}" for k, v in logs.items())


EPOCH_LINE_WIDTH = 80
"""An epoch's line fits this with the usual metrics (loss, acc, val_loss, val_acc) and `*best`; the samples
per second follow only where there is room (the live view's bar shows them anyway)."""


def epoch_line(event: EpochEnded, rate: bool = True) -> str:
    """'epoch 3/10  loss=0.4123 acc=0.8710 val_loss=0.4512 val_acc=0.8504  1.2s *best', with
    '  12,345 samples/s' before `*best` when `rate` and the line still fits EPOCH_LINE_WIDTH."""
    logs = " ".join(f"{k.replace('accuracy', 'acc')}={v:.4f}" for k, v in event.logs.items())
    line = f"epoch {event.epoch}/{event.epochs}  {logs}  {event.seconds:.1f}s"
    best = " *best" if event.best else ""
    speed = f"  {event.samples_per_s:,.0f} samples/s"
    if rate and len(line) + len(speed) + len(best) <= EPOCH_LINE_WIDTH:
        line += speed
    return line + best


def hardware_line(event: RunStarted) -> str:
    """'jax on 2x NVIDIA H100, batch 128 (2 x 64), mixed_bfloat16, 8 steps per call'."""
    if not event.devices:
        return ""
    per_device = event.batch_size // max(event.device_count, 1)
    split = f" ({event.device_count} x {per_device})" if event.device_count > 1 else ""
    fused = f", {event.steps_per_execution} batches per call" if event.steps_per_execution > 1 else ""
    return f"{event.devices}, batch {event.batch_size}{split}, {event.precision}{fused}"


def epoch_span(event: RunStarted) -> str:
    """'epochs 4-6', or what a resume whose epochs are all done does: evaluate the model."""
    if event.initial_epoch >= event.epochs:
        return f"{'the' if event.epochs == 1 else 'all'} {plural(event.epochs, 'epoch')} done, evaluating on the test set"
    return f"epochs {event.initial_epoch + 1}-{event.epochs}"


class PlainReporter:
    """One line per epoch, no control characters: for log files, SLURM and CI."""

    def __init__(self, out: IO[str] | None = None) -> None:
        self.out = out or sys.stdout

    def __call__(self, event: Event) -> None:
        line = None
        if isinstance(event, RunStarted):
            line = (
                f"run {event.name}: {event.total_params:,} params, {event.train_samples:,} samples, "
                f"{epoch_span(event)} -> {event.run_dir}"
            )
            if event.devices:
                line += f"\n{hardware_line(event)}"
        elif isinstance(event, EpochEnded):
            line = epoch_line(event)
        elif isinstance(event, LogMessage):
            line = f"{'note' if event.level == 'info' else event.level}: {event.message}"
        elif isinstance(event, RunEnded):
            # key=value, as a log is grepped; errors in the series' units (`*_in_units` says nothing more)
            tested = "  ".join(f"{k}={in_units(event, k, v, False)}" for k, v in event.test_metrics.items())
            line = f"run {event.status}: {plural(event.epochs_done, 'epoch')}, test {tested or '-'}"
            if event.best_epoch is not None and event.test_metrics:  # the epoch those test numbers are of
                line += f" (tested epoch {kept_epoch_text(event, named=False)})"
            if event.baseline and event.test_metrics:
                known = {k: v for k, v in event.baseline.items() if not k.endswith("_in_units")}
                line += ", baseline " + "  ".join(
                    f"{k}={in_units(event, k, v, False)}" for k, v in known.items()
                )
            if event.test_metrics:
                line += units_note(event)  # once, not after every number
            if event.verdict:
                line += f"; the model {event.verdict}"
        if line:
            print(inert(line), file=self.out, flush=True)  # a run's name, a data note: never raw


class JsonReporter:
    """One JSON object per line for every run, epoch and log event (batch events are left out)."""

    def __init__(self, out: IO[str] | None = None) -> None:
        self.out = out or sys.stdout

    def __call__(self, event: Event) -> None:
        if isinstance(event, BatchEnded):
            return
        print(json.dumps(event_dict(event), ensure_ascii=False), file=self.out, flush=True)


class RichReporter:
    """A live view: epoch and batch bars with ETA, samples/s and the latest metrics."""

    def __init__(self, console: Console) -> None:
        self.console = console
        # Fixed, unwrapped columns that fit 80 (the latest metrics only where there is room for them:
        # every epoch's metrics are printed above the bars anyway).
        columns: list[Any] = [
            TextColumn("[bold]{task.description}", table_column=Column(no_wrap=True, min_width=8)),
            BarColumn(bar_width=max(10, min(40, console.width - 62))),
            MofNCompleteColumn(table_column=Column(no_wrap=True)),
            TimeElapsedColumn(),
            TextColumn("eta"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[rate]}", markup=False, table_column=Column(no_wrap=True, min_width=9)),
        ]
        if console.width >= 120:
            columns.append(
                TextColumn("{task.fields[metrics]}", markup=False, table_column=Column(no_wrap=True))
            )
        self.progress = Progress(*columns, console=console, transient=False)
        self.epoch_task = self.batch_task = None
        self.batch_epoch = 0
        self.history: list[dict[str, float]] = []

    def __enter__(self) -> RichReporter:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def __call__(self, event: Event) -> None:
        p = self.progress
        if isinstance(event, RunStarted):
            self.console.print(
                Text.assemble(
                    (event.name, "bold"),
                    f": {event.total_params:,} params, {event.train_samples:,} samples -> {event.run_dir}",
                )
            )
            if event.devices:
                self.console.print(hardware_line(event), highlight=False, markup=False)
            self.epoch_task = p.add_task(
                "epochs", total=event.epochs, completed=event.initial_epoch, rate="", metrics=""
            )
            self.batch_task = p.add_task("batches", total=event.steps_per_epoch, rate="", metrics="")
        elif isinstance(event, BatchEnded) and self.batch_task is not None:
            if event.epoch != self.batch_epoch:
                self.batch_epoch = event.epoch
                p.reset(self.batch_task)
            p.update(
                self.batch_task,
                completed=event.step,
                total=event.steps,
                rate=f"{event.samples_per_s:,.0f}/s",
                metrics=format_logs(event.logs),
            )
            p.update(self.epoch_task, description=f"epoch {event.epoch}")
        elif isinstance(event, EpochEnded) and self.epoch_task is not None:
            self.history.append(event.logs)
            p.update(
                self.epoch_task,
                completed=event.epoch,
                metrics=format_logs(event.logs),
                rate=f"{event.samples_per_s:,.0f}/s",
            )
            line = epoch_line(dataclasses.replace(event, best=False), rate=False)
            p.console.print(Text.assemble(line, (" *best", "green") if event.best else ""))
        elif isinstance(event, LogMessage):
            label = ("note:", "dim") if event.level == "info" else (f"{event.level}:", "yellow")
            p.console.print(Text.assemble(label, " ", event.message))


def loss_chart(
    history: list[dict[str, float]], width: int = 70, height: int = 15, color: bool = False
) -> str:
    """Train vs validation loss as plotext text (ANSI colours only when `color`)."""
    import plotext as plt

    plt.clear_figure()
    plt.plotsize(width, height)
    plt.theme("clear" if not color else "pro")
    epochs = list(range(1, len(history) + 1))
    drawn = []
    for key, marker in (("loss", "braille"), ("val_loss", "x")):  # two markers: readable without colour
        values = [row.get(key, math.nan) for row in history]
        if any(math.isfinite(v) for v in values):
            plt.plot(epochs, values, marker=marker)  # the legend is in the title: never over a curve
            drawn.append(f"{'⢕⢕' if marker == 'braille' else 'xx'} {key}")
    if len(epochs) <= 20:
        plt.xticks(epochs)
    plt.title("  ".join(["loss per epoch:", *drawn]) if drawn else "loss per epoch")
    plt.xlabel("epoch")
    return plt.build()
