"""The tables of `presets`, `summary`, `runs`, `predict` and `datasets`."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from seqtui.common.text import bounded_number, inert, plural
from seqtui.core.model.verdicts import beats

if TYPE_CHECKING:
    from seqtui.core.config.presets import Preset
    from seqtui.core.inference.predict import Forecast
    from seqtui.core.runs.listing import RunOverview
    from seqtui.datasets.registry import DatasetInfo
from seqtui.render.results import UNKNOWN_UNITS

# -- the other commands' tables -----------------------------------------------------------------------
WIDE_PRESETS = 120
"""From this width `seqtui presets` gives the dataset and the parameters their own columns; below, they sit
under the name and the architecture."""


TRAINS_HERE_STYLE = {"offline": "green", "cached": "green"}


def presets_table(presets: Iterable[Preset], width: int = WIDE_PRESETS) -> Group:
    """Every preset and whether it trains here as it is (offline, cached, or what it needs): names you type
    are never cut or wrapped, the description wraps at word boundaries; fits 80 columns. Then how to get what
    the presets need."""
    from seqtui.datasets.registry import get_dataset

    presets = list(presets)
    wide = width >= WIDE_PRESETS
    table = Table(title="presets")
    table.add_column("name" if wide else "name\ndataset", no_wrap=True)
    if wide:
        table.add_column("dataset", no_wrap=True)
    table.add_column("arch" if wide else "arch\nparams", no_wrap=True)
    if wide:
        table.add_column("params", justify="right", no_wrap=True)
    table.add_column("trains here", no_wrap=True)
    table.add_column("description", ratio=1, min_width=16, overflow="fold")
    needs: dict[str, list[str]] = {}
    for p in presets:
        status = get_dataset(p.dataset).trains_here
        if status not in TRAINS_HERE_STYLE:
            needs.setdefault(status, []).append(p.name)
        params = f"{p.params:,}" if p.params else "-"
        cells = (
            [p.name, p.dataset, p.arch, params] if wide else [f"{p.name}\n{p.dataset}", f"{p.arch}\n{params}"]
        )
        table.add_row(*cells, Text(status, TRAINS_HERE_STYLE.get(status, "yellow")), Text(p.description))
    hints = {
        "needs download": "seqtui datasets fetch DATASET (once, with internet)",
        "needs a file": "--data FILE (see `seqtui datasets`)",
        "needs package": "pip install 'seqtui[samples]'",
    }
    lines = [Text.assemble((status, "bold"), f": {hints[status]}") for status in needs if status in hints]
    return Group(table, *lines)


def layers_table(title: str, layers: dict[str, Any]) -> Table:
    """`layer_table`'s answer: layers with output shapes, parameters and the RNN arithmetic."""
    frozen = layers.get("non_trainable_params", 0)
    kept = f" ({layers['total_params'] - frozen:,} trainable, {frozen:,} frozen)" if frozen else ""
    view = Table(title=Text(f"{title}: {layers['total_params']:,} parameters{kept}"))
    for col in ("layer", "output shape", "params", "arithmetic"):
        view.add_column(col, justify="right" if col == "params" else "left")
    for row in layers["layers"]:
        shape = "(" + ", ".join(str(s) for s in row["output_shape"]) + ")"
        name = Text(f"{row['name']} ({row['type']}{', frozen' if row.get('frozen') else ''})")
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


WIDE_RUNS = 100
"""From this width `seqtui runs` gives the architecture its own column; below, it sits under the status."""


def _line(text: str, room: int, style: str = "") -> Text:
    """One line of a cell, cut with an ellipsis to `room` terminal cells (a Korean letter takes two)."""
    line = Text(text, style=style, no_wrap=True)
    line.truncate(room, overflow="ellipsis")
    return line


def _run_cell(r: RunOverview, room: int) -> Text | Group:
    """The name (bold), the folder (whole: it is what you copy), then the note's first line and the devices,
    these cut to the folder's width so that the other columns keep their room."""
    lines = [_line(r.name, room, "bold"), Text(r.path.name, no_wrap=True)]
    if r.note:
        lines.append(_line(r.note.splitlines()[0], room, "italic"))
    if r.devices:
        lines.append(_line(r.devices, room, "dim"))
    names = Text("\n", no_wrap=True).join(lines)
    return Group(names, Text(r.reason, style="red")) if r.reason else names  # a damaged run's reason wraps


def runs_table(root: Path, rows: Iterable[RunOverview], width: int = 80) -> Table:
    """The runs, newest first: name and folder, architecture, status, epochs and time, metrics."""
    rows = list(rows)
    wide = width >= WIDE_RUNS
    table = Table(title=Text(f"runs in {root}"))
    # The name over the folder name (and the note, the devices) in one column, never broken inside the folder
    # name (what you copy into `--resume` or `predict`): the other columns give way; the table fits 80.
    widest = max((len(r.path.name) for r in rows), default=16)
    room = max(widest, 16, min(60, width - 64) if wide else 0)  # wider: the whole name where it fits
    table.add_column("name, run folder", min_width=min(widest, 40))
    # Two-line cells keep it within 80 columns: epochs over time, validation over test over baseline.
    table.add_column("status" if wide else "status\narch", no_wrap=True)
    if wide:
        table.add_column("arch", no_wrap=True)
    table.add_column("epochs\ntime", no_wrap=True)
    table.add_column("best val\ntest", no_wrap=True)
    for r in rows:
        metrics = r.best_text  # the tested epoch's validation metric, '@' its epoch
        metrics += f"\n{_short(r.test[0])} {bounded_number(r.test[1])}" if r.test else "\n-"
        if r.test and r.baseline:  # the baseline to beat under the test metric, and whether it was
            metrics += f"\nbase {bounded_number(r.baseline.test)} {'beats' if beats(r.test[1], r.baseline) else 'below'}"
        dur = f"{bounded_number(r.seconds, 0)}s" if r.seconds is not None else "-"
        status = Text(r.status, RUN_STATUS_STYLE.get(r.status, "yellow"))
        arch = Text(r.arch or "-")
        cells = [status, arch] if wide else [Text("\n").join([status, arch])]
        table.add_row(_run_cell(r, room), *cells, f"{r.epochs_done}/{r.epochs}\n{dur}", metrics)
    return table


def ranked_table(title: str, ranked: list[tuple[str, float]], top: int) -> Table:
    """Class probabilities, most likely first, with a bar each."""
    table = Table(title=Text(title), show_header=True, title_justify="left")
    table.add_column("class")
    table.add_column("probability", justify="right")
    table.add_column("")
    for name, p in ranked[:top]:
        table.add_row(Text(inert(name)), f"{p:.3f}", "█" * round(p * 30))  # measured as it shows
    return table


def ranked_line(text: str, ranked: list[tuple[str, float]], top: int) -> Text:
    """One answer of a stream on one line: the likeliest class in bold, the next ones dim, then the text
    (its tabs shown as `\\x09`, so the line stays one line with the text last)."""
    line = Text(no_wrap=True)
    for i, (name, p) in enumerate(ranked[:top]):
        line.append(f"{inert(name, keep='')} {p:.3f}", style="bold" if i == 0 else "dim")
        line.append("  ")
    line.append(f"| {inert(text, keep='')}")
    return line


def forecast_table(forecast: Forecast, rows: int) -> Group:
    """`predict --forecast`: the MAE of the model and of the naive baseline over the test windows, the unit
    named, then the last `rows` windows, real against forecast."""
    unit = forecast.unit or UNKNOWN_UNITS
    lines = Text.assemble(
        (forecast.target, "bold"), f" over {plural(len(forecast.real), 'test window')}\n",
        f"test MAE {forecast.mae:.4f} {unit}",
    )  # fmt: skip
    if forecast.baseline_mae is not None:
        lines.append(f"\nbaseline 'tomorrow equals now': MAE {forecast.baseline_mae:.4f} {unit}")
    table = Table()
    for col in ("window", f"real ({forecast.unit})" if forecast.unit else "real", "forecast", "error"):
        table.add_column(Text(col), justify="right")
    start = max(0, len(forecast.real) - rows)
    for i, (real, predicted) in enumerate(
        zip(forecast.real[start:], forecast.predicted[start:], strict=True)
    ):
        table.add_row(str(start + i), f"{real:.4f}", f"{predicted:.4f}", f"{predicted - real:+.4f}")
    return Group(lines, table)


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
