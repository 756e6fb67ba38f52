"""Runs: past run folders with status and metrics; predict with one, continue one, compare two."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static

from seqtui.core.runs import RunFolder, RunSummary, has_model, list_runs
from seqtui.tui.screens.base import BaseScreen
from seqtui.tui.screens.dialogs import EpochsDialog
from seqtui.tui.widgets.chart import MetricChart
from seqtui.tui.widgets.status_line import StatusLine

COMPARE_MARKERS = {"A": ("braille", "hd"), "B": ("x", "+")}


def _short(metric: str) -> str:
    return metric.replace("accuracy", "acc")


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return f"{seconds / 60:.1f} min" if seconds >= 60 else f"{seconds:.0f} s"


class RunsScreen(BaseScreen):
    DEFAULT_CSS = """
    RunsScreen #runs { height: 1fr; min-height: 5; }
    RunsScreen #run-detail { height: auto; max-height: 4; padding: 0 1; border-top: hkey $secondary; }
    RunsScreen #compare-chart { display: none; height: 2fr; }
    RunsScreen #compare-chart.-shown { display: block; }
    """
    BINDINGS = [
        Binding("p", "predict", "Try it"),
        Binding("c", "continue_run", "Continue"),
        Binding("space", "mark", "Compare"),
        Binding("r", "reload", "Reload"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.runs: list[RunSummary] = []
        self.marked: list[Path] = []

    def compose(self) -> ComposeResult:
        yield StatusLine("Runs")
        yield DataTable(id="runs", cursor_type="row", zebra_stripes=True)
        yield Static("", markup=False, id="run-detail")
        yield MetricChart("compare", id="compare-chart")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one("#runs", DataTable)
        for column in ("cmp", "run", "started", "status", "epochs", "best val", "test", "time"):
            table.add_column(column, key=column)

    def on_screen_resume(self) -> None:
        self.action_reload()
        self.query_one("#runs", DataTable).focus()

    def action_reload(self) -> None:
        table = self.query_one("#runs", DataTable)
        cursor = table.cursor_row
        self.runs = list_runs(self.app.runs_dir)  # type: ignore[attr-defined]
        self.marked = [p for p in self.marked if any(r.path == p for r in self.runs)]
        table.clear()
        for run in self.runs:
            table.add_row(*self._cells(run), key=str(run.path))
        if self.runs:
            table.move_cursor(row=min(cursor, len(self.runs) - 1))
        else:
            self.query_one("#run-detail", Static).update(
                f"No runs under {self.app.runs_dir} yet: train one on the Setup screen (F2)."  # type: ignore[attr-defined]
            )
        self._draw_compare()

    def _cells(self, run: RunSummary) -> list[str | Text]:
        mark = "AB"[self.marked.index(run.path)] if run.path in self.marked else ""
        val = f"{_short(run.best_val[0].removeprefix('val_'))} {run.best_val[1]:.4f}" if run.best_val else "-"
        test = f"{_short(run.test[0])} {run.test[1]:.4f}" if run.test else "-"
        bad = run.status in ("failed", "diverged", "crashed")
        status = Text(("✗ " if bad else "✓ " if run.status == "completed" else "") + run.status)
        started = (run.started or "")[5:16].replace("T", " ")  # MM-DD HH:MM (UTC)
        cells = [
            run.name,
            started,
            status,
            f"{run.epochs_done}/{run.epochs}",
            val,
            test,
            _duration(run.seconds),
        ]
        return [mark, *cells]

    @property
    def current(self) -> RunSummary | None:
        table = self.query_one("#runs", DataTable)
        if not self.runs or table.cursor_row < 0 or table.cursor_row >= len(self.runs):
            return None
        return self.runs[table.cursor_row]

    @on(DataTable.RowHighlighted, "#runs")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        run = self.current
        if run is None:
            return
        message = RunFolder(run.path).read_json("run.json").get("message") or ""
        detail = Text.assemble((run.path.name, "bold"), f"  in {run.path.parent}")
        if message:
            detail.append(f"\n{message}", style="italic")
        self.query_one("#run-detail", Static).update(detail)

    @on(DataTable.RowSelected, "#runs")
    async def _selected(self, event: DataTable.RowSelected) -> None:
        await self.action_predict()

    async def action_predict(self) -> None:
        run = self.current
        if run is None:
            return
        if not has_model(run.path):
            self.notify(
                f"{run.path.name} has no saved model (it ended before its first epoch).", severity="warning"
            )
            return
        await self.app.open_for_prediction(run.path)  # type: ignore[attr-defined]

    def action_continue_run(self) -> None:
        run = self.current
        if run is None:
            return
        suggested = run.epochs if run.epochs_done < run.epochs else run.epochs_done + 5

        async def chosen(epochs: int | None) -> None:
            if epochs is not None:
                await self.app.continue_run(run.path, epochs)  # type: ignore[attr-defined]

        self.app.push_screen(EpochsDialog(run.path.name, run.epochs_done, suggested), chosen)

    def action_mark(self) -> None:
        run = self.current
        if run is None:
            return
        if run.path in self.marked:
            self.marked.remove(run.path)
        else:
            self.marked = [*self.marked, run.path][-2:]
        table = self.query_one("#runs", DataTable)
        for summary in self.runs:
            mark = "AB"[self.marked.index(summary.path)] if summary.path in self.marked else ""
            table.update_cell(str(summary.path), "cmp", mark)
        self._draw_compare()

    def _draw_compare(self) -> None:
        chart = self.query_one("#compare-chart", MetricChart)
        chart.set_class(len(self.marked) == 2, "-shown")
        if len(self.marked) != 2:
            if len(self.marked) == 1:
                self.notify("Marked A; mark one more run (space) to compare their curves.")
            return
        chart.clear("loss: A dots/blocks, B x/+")
        for letter, path in zip("AB", self.marked, strict=True):
            history = RunFolder(path).read_history()
            train_marker, val_marker = COMPARE_MARKERS[letter]
            for key, marker in (("loss", train_marker), ("val_loss", val_marker)):
                rows = [row for row in history if key in row]
                chart.set_series(
                    f"{letter} {key}", [r["epoch"] for r in rows], [r[key] for r in rows], marker
                )
        chart.flush()
