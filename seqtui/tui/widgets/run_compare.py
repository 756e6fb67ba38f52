"""Any number of saved runs side by side: their curves overlaid on one chart, by epoch or by training
time, or their settings in one table with the rows that differ marked (≠, bold and reversed, so it reads
without colour too)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import ContentSwitcher, DataTable

from seqtui.core.runs.folder import SECONDS, RunFolder, RunFolderError
from seqtui.core.runs.listing import RunOverview
from seqtui.tui.widgets.chart import MARKERS, MetricChart

CURVES = ("val_loss", "loss")
"""What `t` cycles through on the chart: one line per run."""


def flat_settings(config: dict[str, Any]) -> dict[str, str]:
    """config.json's sections as 'section.field' -> text (top-level values keep their own name)."""
    out: dict[str, str] = {}
    for key, value in config.items():
        if isinstance(value, dict):
            for sub, inner in value.items():
                out[f"{key}.{sub}"] = "-" if inner is None else str(inner)
        else:
            out[key] = "-" if value is None else str(value)
    return out


def run_label(index: int, run: RunOverview) -> str:
    """'2 digits-mlp 01-01 00:00': the number in the runs table's cmp column, the preset, when it began."""
    started = (run.started or "")[5:16].replace("T", " ")
    return f"{index} {run.name} {started}".strip()


def _read(read: Any, run: RunOverview, empty: Any) -> Any:
    """A file of a run listed as sound, read now; damaged since the listing, it is drawn as empty (the next
    reload lists the run as damaged, with the reason)."""
    try:
        return read(RunFolder(run.path))
    except RunFolderError:
        return empty


class RunCompare(Vertical):
    DEFAULT_CSS = """
    RunCompare { height: 2fr; display: none; }
    RunCompare.-shown { display: block; }
    RunCompare > ContentSwitcher { height: 1fr; }
    RunCompare #compare-settings { height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.curve = CURVES[0]
        self.by_time = False
        """x is the training seconds at each epoch's end (history.csv's `seconds`) instead of the epoch."""
        self.runs: list[RunOverview] = []
        self.histories: list[list[dict[str, float]]] = []
        """Each run's history.csv, read once per `show`: `t` and `w` redraw from it."""

    def compose(self) -> ComposeResult:
        with ContentSwitcher(initial="compare-chart"):
            yield MetricChart("compare", id="compare-chart")
            yield DataTable(id="compare-settings", cursor_type="row", zebra_stripes=True)

    def show(self, runs: list[RunOverview]) -> None:
        """Compare these runs (two or more); fewer hides the comparison."""
        self.runs = runs
        self.set_class(len(runs) >= 2, "-shown")
        if len(runs) >= 2:
            self.histories = [_read(lambda f: f.read_history(), run, []) for run in runs]
            self._draw_chart()
            self._fill_settings()

    def toggle_view(self) -> None:
        switcher = self.query_one(ContentSwitcher)
        switcher.current = "compare-settings" if switcher.current == "compare-chart" else "compare-chart"

    def next_curve(self) -> None:
        self.curve = CURVES[(CURVES.index(self.curve) + 1) % len(CURVES)]
        self._draw_chart()

    def toggle_axis(self) -> None:
        self.by_time = not self.by_time
        self._draw_chart()

    def _draw_chart(self) -> None:
        if len(self.runs) < 2:  # hidden: `show` draws it when there is something to compare
            return
        chart = self.query_one("#compare-chart", MetricChart)
        x = SECONDS if self.by_time else "epoch"
        other = "loss" if self.curve == "val_loss" else "val_loss"
        axis, switch = ("time (s)", "epoch") if self.by_time else ("epoch", "time")
        title = f"{self.curve} by {axis} (t: {other}, w: {switch})"
        chart.xlabel = "training seconds" if self.by_time else "epoch"
        untimed = []
        series = []
        for index, (run, history) in enumerate(zip(self.runs, self.histories, strict=True), 1):
            rows = [row for row in history if self.curve in row]
            if rows and not all(x in row for row in rows):
                untimed.append(str(index))  # a run from before history.csv had times: said, not guessed
                rows = []
            series.append((index, run, rows))
        chart.clear(title + (f" · no times: {', '.join(untimed)}" if untimed else ""))
        for index, run, rows in series:
            chart.set_series(
                run_label(index, run),
                [row[x] for row in rows],
                [row[self.curve] for row in rows],
                MARKERS[(index - 1) % len(MARKERS)],
            )
        chart.flush()

    def _fill_settings(self) -> None:
        table = self.query_one("#compare-settings", DataTable)
        table.clear(columns=True)
        table.add_column("setting", key="setting")
        for index, run in enumerate(self.runs, 1):
            table.add_column(f"{index} {run.name}", key=str(run.path))
        settings = [flat_settings(_read(lambda f: f.read_json("config.json"), run, {})) for run in self.runs]
        results = [self._results(run) for run in self.runs]
        rows: dict[str, list[str]] = {}
        for each in [*results, *settings]:
            for key in each:
                rows.setdefault(key, [])
        for key in rows:
            rows[key] = [(results[i] | settings[i]).get(key, "-") for i in range(len(self.runs))]
        # the differences first, then what every run shares
        for key, values in sorted(rows.items(), key=lambda kv: len(set(kv[1])) == 1):
            differs = len(set(values)) > 1
            style = "bold reverse" if differs else ""
            label = Text(("≠ " if differs else "  ") + key, style="bold" if differs else "")
            table.add_row(label, *(Text(v, style=style) for v in values), key=key)

    @staticmethod
    def _results(run: RunOverview) -> dict[str, str]:
        out = {"status": run.status, "epochs": f"{run.epochs_done}/{run.epochs}"}
        if run.best_val:  # the tested epoch's, and which epoch that is
            out[f"best {run.best_val[0]}"] = f"{run.best_val[1]:.4f}"
            if run.best_epoch is not None:
                out["best epoch"] = f"{run.best_epoch} by {run.monitor}"
        if run.test:
            out[f"test {run.test[0]}"] = f"{run.test[1]:.4f}"
        return out
