"""A run's end as the CLI and the app show it: test metrics in the series' units, each baseline once by
name, the verdict, and the run folder."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

from seqtui.core.training.events import (
    RunEnded,
)

if TYPE_CHECKING:
    pass


UNKNOWN_UNITS = "in the series' units"
"""What a forecast's error says when the series does not name its unit."""


BASELINE_NAMES = {
    "majority": "majority class",
    "logreg": "logistic regression",
    "naive": "tomorrow equals now",
    "mean": "always the mean",
    "ridge": "ridge regression",
}
"""The candidate baselines a run's baseline numbers carry (`<name>_test_<metric>`), in words."""


def in_units(end: RunEnded, key: str, value: float, named: bool = True) -> str:
    """A test number as it reads: '0.1220 °F' (a forecaster's error in the series' units, `end.scales`),
    '0.0150 °F²' for a squared error, '0.9125' for the rest. `named=False`: a series without a named unit
    gives the scaled number alone (a line that says `units_note` once instead)."""
    metric = key if key in end.scales else key.rsplit("_", 1)[-1]
    scale = end.scales.get(metric)
    if scale is None or not math.isfinite(value):
        return f"{value:.4f}"
    squared = metric == "mse" or (metric == "loss" and scale == end.scales["mse"] != end.scales["mae"])
    if not named and not end.unit:
        return f"{value * scale:.4f}"
    unit = end.unit or UNKNOWN_UNITS
    return f"{value * scale:.4f} {unit}{'²' if squared and end.unit else ', squared' if squared else ''}"


def result_rows(end: RunEnded) -> list[tuple[str, str]]:
    """The test metrics, then each candidate baseline once by name (the one to beat first), with its test
    number in the same units: what `train`'s table, its plain line and the app's Train results show."""
    rows = [(f"test {key}", in_units(end, key, value)) for key, value in end.test_metrics.items()]
    candidates = [
        (name, key, value)
        for key, value in end.baseline.items()
        if (name := key.split("_test_")[0]) in BASELINE_NAMES and "_test_" in key and not key.endswith("mse")
    ]
    if end.baseline_name:  # its number once: under its own name when the candidates are listed
        best = next((k for k in end.baseline if k.startswith("test_") and not k.endswith("units")), "")
        chosen = in_units(end, best, end.baseline[best]) if best and not candidates else ""
        rows.append(("baseline to beat", f"{end.baseline_name}{': ' + chosen if chosen else ''}"))
    for name, key, value in candidates:
        rows.append((f"baseline: {BASELINE_NAMES[name]}", in_units(end, key, value)))
    if not end.baseline_name and not candidates:  # a run.json of an older version: its raw numbers
        rows += [(f"baseline {key}", f"{value:.4f}") for key, value in end.baseline.items()]
    return rows


def run_end_table(event: RunEnded) -> Table:
    """The end of a run: test metrics and baselines in the series' units; the run folder is printed after it
    (`run_folder_line`), never cut by the table's width."""
    table = Table(title=f"run {event.status}", show_header=True)
    table.add_column("metric")
    table.add_column("value", justify="right")
    for label, value in result_rows(event):
        table.add_row(label, Text(value))
    if event.verdict:
        table.add_row("verdict", Text(f"the model {event.verdict}"))
    table.add_row("epochs", str(event.epochs_done))
    if event.best_epoch is not None:
        table.add_row("tested epoch", Text(kept_epoch_text(event)))
    return table


def units_note(end: RunEnded) -> str:
    """' (errors in the series' units)': said once after a line of bare numbers (`named=False`) when the
    run is a forecaster whose series names no unit; '' otherwise."""
    return f" (errors {UNKNOWN_UNITS})" if end.scales and not end.unit else ""


def kept_epoch_text(end: RunEnded, named: bool = True) -> str:
    """'7, best by val_loss: val_loss 0.4123, val_acc 0.7304': the epoch model.keras holds (the one the test
    metrics are of) with its own validation metrics; '' before any epoch."""
    if end.best_epoch is None:
        return ""
    values = ", ".join(
        f"{k.replace('accuracy', 'acc')} {in_units(end, k.removeprefix('val_'), v, named)}"
        for k, v in end.best_val.items()
    )
    return f"{end.best_epoch}, best by {end.monitor or 'val_loss'}" + (f": {values}" if values else "")


def run_folder_line(event: RunEnded) -> Text:
    """'run folder: PATH', whole: print it with `soft_wrap=True` so a long path wraps in the terminal, not
    in the text you copy."""
    return Text.assemble(("run folder:", "bold"), " ", event.run_dir)
