"""What the CLI shows: training output (a Rich live view on a terminal, plain lines in logs, JSON lines on
request) and the tables of `presets`, `summary`, `runs`, `predict` and `datasets`."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from rich.console import Console, Group
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Column, Table
from rich.text import Text

from seqtui.core.model.baselines import beats
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
    from seqtui.core.config.presets import Preset
    from seqtui.core.inference.explain import TextExplanation
    from seqtui.core.runs.listing import RunOverview
    from seqtui.datasets.registry import DatasetInfo


def format_logs(logs: dict[str, float]) -> str:
    return "  ".join(f"{k}={v:.4f}" for k, v in logs.items())


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
        return f"all {event.epochs} epochs done, evaluating on the test set"
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
            line = (
                f"epoch {event.epoch}/{event.epochs}  {format_logs(event.logs)}  "
                f"{event.seconds:.1f}s  {event.samples_per_s:,.0f} samples/s{'  *best' if event.best else ''}"
            )
        elif isinstance(event, LogMessage):
            line = f"{'note' if event.level == 'info' else event.level}: {event.message}"
        elif isinstance(event, RunEnded):
            line = f"run {event.status}: {event.epochs_done} epochs, test {format_logs(event.test_metrics) or '-'}"
            if event.baseline and event.test_metrics:
                line += f", baseline {format_logs(event.baseline)}"
            if event.verdict:
                line += f"; the model {event.verdict}"
        if line:
            print(line, file=self.out, flush=True)


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
            p.console.print(
                Text.assemble(
                    f"epoch {event.epoch}/{event.epochs}  {format_logs(event.logs)}  {event.seconds:.1f}s",
                    ("  best", "green") if event.best else "",
                )
            )
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
    for key, marker in (("loss", "braille"), ("val_loss", "x")):  # two markers: readable without colour
        values = [row.get(key, math.nan) for row in history]
        if any(math.isfinite(v) for v in values):
            plt.plot(epochs, values, label=key, marker=marker)
    if len(epochs) <= 20:
        plt.xticks(epochs)
    plt.title("loss per epoch")
    plt.xlabel("epoch")
    return plt.build()


def run_end_table(event: RunEnded) -> Table:
    table = Table(title=f"run {event.status}", show_header=True)
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key, value in event.test_metrics.items():
        table.add_row(f"test {key}", f"{value:.4f}")
    if event.baseline_name:
        table.add_row("baseline", event.baseline_name)
    for key, value in event.baseline.items():
        table.add_row(f"baseline {key}", f"{value:.4f}")
    if event.verdict:
        table.add_row("verdict", f"the model {event.verdict}")
    table.add_row("epochs", str(event.epochs_done))
    table.add_row("run folder", Text(event.run_dir))
    return table


# -- the other commands' tables -----------------------------------------------------------------------
def presets_table(presets: Iterable[Preset]) -> Table:
    """Names you type are never cut or wrapped; the description wraps instead."""
    table = Table(title="presets")
    for col in ("name", "dataset", "arch", "params"):
        table.add_column(col, justify="right" if col == "params" else "left", no_wrap=True)
    table.add_column("description", ratio=1, min_width=12)
    for p in presets:
        table.add_row(p.name, p.dataset, p.arch, f"{p.params:,}" if p.params else "-", Text(p.description))
    return table


def layers_table(title: str, layers: dict[str, Any]) -> Table:
    """`layer_table`'s answer: layers with output shapes, parameters and the RNN arithmetic."""
    view = Table(title=Text(f"{title}: {layers['total_params']:,} parameters"))
    for col in ("layer", "output shape", "params", "arithmetic"):
        view.add_column(col, justify="right" if col == "params" else "left")
    for row in layers["layers"]:
        shape = "(" + ", ".join(str(s) for s in row["output_shape"]) + ")"
        name = Text(f"{row['name']} ({row['type']})")
        view.add_row(name, shape, f"{row['params']:,}", Text(row.get("formula", "")))
    return view


def _short(metric: str) -> str:
    """'val_accuracy' -> 'acc': the column says which split, 80 columns hold the table."""
    return metric.removeprefix("val_").replace("accuracy", "acc")


RUN_STATUS_STYLE = {
    "completed": "green",
    "failed": "red",
    "diverged": "red",
    "crashed": "red",
    "damaged": "red",
}


def runs_table(root: Path, rows: Iterable[RunOverview]) -> Table:
    rows = list(rows)
    table = Table(title=Text(f"runs in {root}"))
    # The preset/dataset over the folder name (and the devices) in one column, never broken inside a name (the
    # folder is what you copy into `--resume` or `predict`): the other columns give way; the table fits 80.
    widest = max((len(r.path.name) for r in rows), default=16)
    table.add_column("preset/dataset, run folder", min_width=min(widest, 40))
    # Two-line cells keep it within 80 columns: epochs over time, validation over test over baseline.
    table.add_column("status", no_wrap=True)
    table.add_column("epochs\ntime", no_wrap=True)
    table.add_column("best val\ntest", no_wrap=True)
    for r in rows:
        metrics = f"{_short(r.best_val[0])} {r.best_val[1]:.4f}" if r.best_val else "-"
        metrics += f"\n{_short(r.test[0])} {r.test[1]:.4f}" if r.test else "\n-"
        if r.test and r.baseline:  # the baseline to beat under the test metric, and whether it was
            metrics += f"\nbase {r.baseline.test:.4f} {'beats' if beats(r.test[1], r.baseline) else 'below'}"
        dur = f"{r.seconds:.0f}s" if r.seconds is not None else "-"
        style = RUN_STATUS_STYLE.get(r.status, "yellow")
        names = Text.assemble((r.name, "bold"), "\n", r.path.name, no_wrap=True)
        if r.devices:  # never wider than the folder names: the other columns keep their room
            room = max(widest, 16)
            shown = r.devices if len(r.devices) <= room else r.devices[: room - 1] + "…"
            names.append(f"\n{shown}", style="dim")
        run = Group(names, Text(r.reason, style="red")) if r.reason else names  # a damaged run's reason wraps
        table.add_row(run, Text(r.status, style), f"{r.epochs_done}/{r.epochs}\n{dur}", metrics)
    return table


def ranked_table(title: str, ranked: list[tuple[str, float]], top: int) -> Table:
    """Class probabilities, most likely first, with a bar each."""
    table = Table(title=Text(title), show_header=True, title_justify="left")
    table.add_column("class")
    table.add_column("probability", justify="right")
    table.add_column("")
    for name, p in ranked[:top]:
        table.add_row(Text(name), f"{p:.3f}", "█" * round(p * 30))
    return table


WIDE_DATASETS = 120
"""From this width `seqtui datasets` shows the source and how to get each dataset in the table; below,
one line per kind of hint after a compact table."""


def datasets_table(infos: Iterable[DatasetInfo], width: int = WIDE_DATASETS) -> Group:
    """Every dataset; names never cut (you type them), compact enough for 80 columns."""
    infos = list(infos)
    wide = width >= WIDE_DATASETS
    table = Table(title="datasets")
    table.add_column("name", no_wrap=True)
    for col in ("task", "samples", "classes"):
        table.add_column(col, no_wrap=True)
    if wide:
        table.add_column("source", no_wrap=True)
    table.add_column("status", no_wrap=True)
    if wide:
        table.add_column("how to get it", ratio=1)
    for info in infos:
        status = info.status
        style = "green" if status in ("cached", "offline package", "built in") else "yellow"
        cells = [info.name, info.task, info.samples, str(info.classes or "-")]
        cells += [info.source] if wide else []
        cells += [f"[{style}]{status}[/]"] + ([info.hint] if wide else [])
        table.add_row(*cells)
    if wide:
        return Group(table)
    hints: dict[str, list[str]] = {}
    for info in infos:
        if info.hint:
            hints.setdefault(info.hint.replace(info.name, "NAME"), []).append(info.name)
    lines = [
        Text.assemble(
            (", ".join(names), "bold"), ": ", hint.replace("NAME", names[0] if len(names) == 1 else "NAME")
        )
        for hint, names in hints.items()
    ]
    return Group(table, Text("how to get them:", style="italic"), *lines)


# -- explanations -------------------------------------------------------------------------------------
def importance_colour(value: float, scale: float) -> str | None:
    """Green for what supports the class, red for what goes against it, brighter for larger effects; None
    when it barely matters (under 5% of the strongest). The CLI and the app's strip and heat map share it."""
    strength = min(1.0, abs(value) / scale) if scale > 0 else 0.0
    if strength < 0.05:
        return None
    shade = int(80 + 175 * strength)
    return f"rgb(0,{shade},0)" if value > 0 else f"rgb({shade},0,0)"


def _importance_style(value: float, scale: float) -> str:
    colour = importance_colour(value, scale)
    return f"black on {colour}" if colour else ""


def explanation_strip(tokens: list[str], importance: list[float]) -> Text:
    """The sentence with each token coloured by its importance (sign also shown as ^ / v for no colour)."""
    scale = max((abs(v) for v in importance), default=0.0)
    out = Text()
    for word, value in zip(tokens, importance, strict=True):
        colour = importance_colour(value, scale)
        mark = "" if colour is None else "^" if value > 0 else "v"
        out.append(f"{word}{mark}", style=f"black on {colour}" if colour else "")
        out.append(" ")
    return out


def text_explanation_table(expl: TextExplanation) -> Table:
    """Per token: importance (the drop in the class's log-odds when it is hidden) and the class probability
    after that prefix."""
    table = Table(
        title=Text(
            f"why {expl.class_name} ({expl.probability:.3f}): hide a token ({expl.method}) -> drop in log-odds"
        ),
        title_justify="left",
    )
    table.add_column("token")
    table.add_column("importance", justify="right")
    table.add_column("")
    table.add_column(Text(f"p({expl.class_name}) after it"), justify="right")
    scale = max((abs(v) for v in expl.importance), default=0.0)
    for tok, value, p in zip(expl.tokens, expl.importance, expl.prefix, strict=True):
        bar = ("+" if value >= 0 else "-") * round(abs(value) / scale * 12) if scale > 0 else ""
        table.add_row(
            Text(tok.text), f"{value:+.3f}", Text(bar, style=_importance_style(value, scale)), f"{p:.3f}"
        )
    return table


def heat_map_text(heat: Any) -> Text:
    """A 28x28 heat map in 14 rows of half-cells: shade = importance, red where hiding ink helps the class."""
    import numpy as np

    heat = np.asarray(heat, dtype="float64")
    pairs = heat.reshape(heat.shape[0] // 2, 2, heat.shape[1]).mean(axis=1)
    scale = float(np.abs(pairs).max()) or 1.0
    shades = " ░▒▓█"
    out = Text()
    for row in pairs:
        for value in row:
            level = min(4, int(round(abs(value) / scale * 4)))
            out.append(shades[level], style="green" if value > 0 else "red" if value < 0 else "")
        out.append("\n")
    out.rstrip()
    return out
