"""Runs: past run folders with status and metrics; predict with one, continue one, compare any number."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static

from seqtui.core.runs import listing as run_list
from seqtui.core.runs.folder import RunFolder, RunFolderError, has_model
from seqtui.core.runs.listing import RunOverview
from seqtui.tui.screens.base import BaseScreen
from seqtui.tui.screens.dialogs import EpochsDialog
from seqtui.tui.widgets.run_compare import RunCompare
from seqtui.tui.widgets.status_line import StatusLine

COLUMNS = ("cmp", "run", "started", "status", "epochs", "best val", "test", "time")
NARROW_BELOW = 96


def _short(metric: str) -> str:
    return metric.replace("accuracy", "acc")


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return f"{seconds / 60:.1f} min" if seconds >= 60 else f"{seconds:.0f} s"


def _saved_message(path: Path) -> str:
    """The run's last message (why it failed or stopped); a damaged run.json says so instead."""
    try:
        return str(RunFolder(path).read_json("run.json").get("message") or "")
    except RunFolderError as exc:
        return str(exc)


class RunsScreen(BaseScreen):
    DEFAULT_CSS = """
    RunsScreen #runs { height: 1fr; min-height: 7; }
    RunsScreen #run-detail { height: auto; max-height: 4; padding: 0 1; border-top: hkey $secondary; }
    """
    BINDINGS = [
        Binding("p", "predict", "Try it"),
        Binding("c", "continue_run", "Continue"),
        Binding("space", "mark", "Compare"),
        Binding("v", "compare_view", "Chart/settings", show=False),
        Binding("t", "compare_curve", "Curve", show=False),
        Binding("w", "compare_axis", "Time", show=False),
        Binding("r", "reload", "Reload"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.runs: list[RunOverview] = []
        self.marked: list[Path] = []
        self._shown_columns: tuple[str, ...] = ()
        self._visit_pending = False

    def compose(self) -> ComposeResult:
        yield StatusLine("Runs")
        yield DataTable(id="runs", cursor_type="row", zebra_stripes=True)
        yield Static("", markup=False, id="run-detail")
        yield RunCompare(id="compare")
        yield Footer(compact=True, show_command_palette=False)

    def _columns(self) -> tuple[str, ...]:
        """Every column from 96 columns on; below, the start time gives way so the rest fits 80."""
        if self.app.size.width >= NARROW_BELOW:
            return COLUMNS
        return tuple(c for c in COLUMNS if c != "started")

    def on_resize(self) -> None:
        if self.is_mounted and self._shown_columns and self._shown_columns != self._columns():
            self._lay_out()  # the runs already read: a resize reads no folder

    def on_screen_resume(self) -> None:
        # Textual resumes a mode's screen twice on its first visit: the folders are read once per visit.
        if not self._visit_pending:
            self._visit_pending = True
            self.call_later(self._visit)

    def _visit(self) -> None:
        self._visit_pending = False
        self.action_reload()
        self.query_one("#runs", DataTable).focus()

    def action_reload(self) -> None:
        """Read the run folders again (on every visit and `r`) and show them."""
        self.runs = run_list.list_runs(self.app.runs_dir)  # type: ignore[attr-defined]
        self.marked = [p for p in self.marked if any(r.path == p for r in self.runs)]
        self._lay_out()

    def _lay_out(self) -> None:
        """The table of the runs read last, with the columns that fit the screen's width."""
        table = self.query_one("#runs", DataTable)
        cursor = table.cursor_row
        columns = self._columns()
        table.clear(columns=columns != self._shown_columns)
        if columns != self._shown_columns:
            for column in columns:
                table.add_column(column, key=column)
            self._shown_columns = columns
        for run in self.runs:
            cells = dict(zip(COLUMNS, self._cells(run), strict=True))
            table.add_row(*(cells[c] for c in columns), key=str(run.path))
        if self.runs:
            table.move_cursor(row=min(cursor, len(self.runs) - 1))
        else:
            self.query_one("#run-detail", Static).update(
                Text(f"No runs under {self.app.runs_dir} yet: train one on the Setup screen (F2).")  # type: ignore[attr-defined]
            )
        self._draw_compare()

    def _mark(self, path: Path) -> str:
        return str(self.marked.index(path) + 1) if path in self.marked else ""

    def _cells(self, run: RunOverview) -> list[str | Text]:
        mark = self._mark(run.path)
        val = f"{_short(run.best_val[0].removeprefix('val_'))} {run.best_val[1]:.4f}" if run.best_val else "-"
        test = f"{_short(run.test[0])} {run.test[1]:.4f}" if run.test else "-"
        bad = run.status in ("failed", "diverged", "crashed", "damaged")
        status = Text(("✗ " if bad else "✓ " if run.status == "completed" else "") + run.status)
        started = (run.started or "")[5:16].replace("T", " ")  # MM-DD HH:MM (UTC)
        cells = [
            Text(run.name),
            started,
            status,
            f"{run.epochs_done}/{run.epochs}",
            val,
            test,
            _duration(run.seconds),
        ]
        return [mark, *cells]

    @property
    def current(self) -> RunOverview | None:
        table = self.query_one("#runs", DataTable)
        if not self.runs or table.cursor_row < 0 or table.cursor_row >= len(self.runs):
            return None
        return self.runs[table.cursor_row]

    @on(DataTable.RowHighlighted, "#runs")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        run = self.current
        if run is None:
            return
        message = run.reason or _saved_message(run.path)
        detail = Text.assemble((run.path.name, "bold"), f"  in {run.path.parent}")
        if message:
            detail.append(f"\n{message}", style="italic")
        if run.verdict:
            detail.append(f"\ntest: the model {run.verdict}")
        self.query_one("#run-detail", Static).update(detail)

    @on(DataTable.RowSelected, "#runs")
    async def _selected(self, event: DataTable.RowSelected) -> None:
        await self.action_predict()

    async def action_predict(self) -> None:
        run = self.current
        if run is None:
            return
        if run.reason:
            self.notify(f"{run.path.name} is damaged: {run.reason}", severity="error", markup=False)
            return
        if not has_model(run.path):
            self.notify(
                f"{run.path.name} has no saved model (it ended before its first epoch).",
                severity="warning",
                markup=False,
            )
            return
        await self.app.open_for_prediction(run.path)  # type: ignore[attr-defined]

    def action_continue_run(self) -> None:
        run = self.current
        if run is None:
            return
        if run.reason:
            self.notify(f"{run.path.name} is damaged: {run.reason}", severity="error", markup=False)
            return
        suggested = run.epochs if run.epochs_done < run.epochs else run.epochs_done + 5

        async def chosen(epochs: int | None) -> None:
            if epochs is not None:
                await self.app.continue_run(run.path, epochs)  # type: ignore[attr-defined]

        self.app.push_screen(EpochsDialog(run.path.name, run.epochs_done, suggested), chosen)

    def action_mark(self) -> None:
        """Space marks a run for comparison (any number); marked runs are numbered in the cmp column."""
        run = self.current
        if run is None:
            return
        if run.path in self.marked:
            self.marked.remove(run.path)
        elif run.reason:  # its files can't be drawn; said in place, like the other notes of this list
            self.query_one("#run-detail", Static).update(
                Text(f"{run.path.name} is damaged and can't be compared: {run.reason}")
            )
            return
        else:
            self.marked = [*self.marked, run.path]
        table = self.query_one("#runs", DataTable)
        for summary in self.runs:
            table.update_cell(str(summary.path), "cmp", self._mark(summary.path))
        self._draw_compare()

    def action_compare_view(self) -> None:
        self.query_one("#compare", RunCompare).toggle_view()

    def action_compare_curve(self) -> None:
        self.query_one("#compare", RunCompare).next_curve()

    def action_compare_axis(self) -> None:
        """The compare chart's x axis: epochs, or training seconds (runs without times are named)."""
        self.query_one("#compare", RunCompare).toggle_axis()

    def _draw_compare(self) -> None:
        by_path = {run.path: run for run in self.runs}
        marked = [by_path[p] for p in self.marked if p in by_path]
        self.query_one("#compare", RunCompare).show(marked)
        if len(marked) == 1:  # said in place: a toast would cover the runs list or the chart
            self.query_one("#run-detail", Static).update(
                f"marked {marked[0].path.name}; mark more runs with space to compare them"
            )
