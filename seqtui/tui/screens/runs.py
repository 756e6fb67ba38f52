"""Runs: past run folders with status and metrics; predict with one, continue one, compare any number;
rename, note, delete, filter (`/`) and sort them."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Input, Static

from seqtui.common.text import bounded_number
from seqtui.core.runs import listing as run_list
from seqtui.core.runs.folder import RunFolder, RunFolderError, has_model
from seqtui.core.runs.listing import RunOverview, sorted_runs
from seqtui.tui.screens.dialogs import EpochsDialog
from seqtui.tui.screens.runs_editing import RunEditing
from seqtui.tui.widgets.run_compare import RunCompare
from seqtui.tui.widgets.status_line import StatusLine

COLUMNS = ("cmp", "run", "started", "status", "epochs", "best val", "test", "time", "arch")
NARROW_BELOW = 96
NARROW_HIDDEN = ("started", "best val", "time")
NAME_CELLS = (20, 40)
"""A name is cut to this many cells in the list below NARROW_BELOW columns and from it (the detail line below
the list shows it whole)."""
REFRESH_SECONDS = 2.0
"""How often the list re-reads the runs that are training (only those, each a few bounded reads)."""


def _short(metric: str) -> str:
    return metric.replace("accuracy", "acc")


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return f"{bounded_number(seconds / 60, 1)} min" if seconds >= 60 else f"{seconds:.0f} s"


def _saved_message(path: Path) -> str:
    """The run's last message (why it failed or stopped); a damaged run.json says so instead."""
    try:
        return str(RunFolder(path).read_json("run.json").get("message") or "")
    except RunFolderError as exc:
        return str(exc)


class RunsScreen(RunEditing):
    DEFAULT_CSS = """
    RunsScreen #runs { height: 1fr; min-height: 7; }
    RunsScreen #filter { display: none; }
    RunsScreen #filter.-shown { display: block; }
    RunsScreen #run-detail { height: auto; max-height: 5; padding: 0 1; border-top: hkey $secondary; }
    /* under 34 rows the panes give way instead of squeezing the chart: a one-row filter, and while runs
       are compared the detail keeps its first line (the chart names the runs; `z` fills the screen) */
    RunsScreen.-short #filter { height: 1; border: none; padding: 0 1; }
    RunsScreen.-short.-comparing #run-detail { max-height: 2; }
    """
    BINDINGS = [
        Binding("p", "predict", "Try it"),
        Binding("c", "continue_run", "Continue"),
        Binding("m", "mistakes", "Mistakes", show=False),
        Binding("space", "mark", "Compare"),
        Binding("v", "compare_view", "Chart/settings", show=False),
        Binding("t", "compare_curve", "Curve", show=False),
        Binding("w", "compare_axis", "Time", show=False),
        Binding("slash", "filter", "Filter"),
        Binding("s", "sort", "Sort"),
        Binding("n", "rename", "Rename"),
        Binding("e", "note", "Note", show=False),
        Binding("d,delete", "delete", "Delete", show=False),
        Binding("r", "reload", "Reload", show=False),  # the footer fits 80 columns; help lists every key
        Binding("z", "zoom", "Zoom", show=False),
        Binding("escape", "clear_filter", "Clear filter", show=False),
    ]
    ZOOM = ("#compare",)

    def __init__(self) -> None:
        super().__init__()
        self.runs: list[RunOverview] = []
        """Every run read, newest first."""
        self.shown: list[RunOverview] = []
        """The runs in the list: those the filter matches, in the chosen order."""
        self.sort_by, self.descending = "started", True
        self.marked: list[Path] = []
        self._shown_columns: tuple[str, ...] = ()
        self._labels: tuple[str, ...] = ()
        self._visit_pending = False

    def compose(self) -> ComposeResult:
        yield StatusLine("Runs")
        yield Input(
            placeholder="filter: part of a name, arch, dataset, status or note (esc clears)", id="filter"
        )
        yield DataTable(id="runs", cursor_type="row", zebra_stripes=True)
        yield Static("", markup=False, id="run-detail")
        yield RunCompare(id="compare")
        yield Footer(compact=True, show_command_palette=False)

    def _columns(self) -> tuple[str, ...]:
        """Every column from 96 columns on; below, the start time, best validation and duration give way
        (the line below the list says them for the highlighted run) so the rest fits 80."""
        if self.app.size.width >= NARROW_BELOW:
            return COLUMNS
        return tuple(c for c in COLUMNS if c not in NARROW_HIDDEN)

    def on_resize(self) -> None:
        if self.is_mounted and self._shown_columns and self._shown_columns != self._columns():
            self._lay_out()  # the runs already read: a resize reads no folder

    def on_screen_resume(self) -> None:
        # Textual resumes a mode's screen twice on its first visit: the folders are read once per visit.
        if not self._visit_pending:
            self._visit_pending = True
            self.call_later(self._visit)

    def on_mount(self) -> None:
        self.set_interval(REFRESH_SECONDS, self.refresh_running)

    def refresh_running(self) -> None:
        """Re-read the runs listed as running (while this screen shows) and update their rows in place: the
        cursor, the marks, the filter and the order stay as they are until the next reload (`r`)."""
        if not self.is_current or not any(run.status == "running" for run in self.runs):
            return
        changed = {}
        for i, run in enumerate(self.runs):
            if run.status == "running":
                try:
                    fresh = run_list.overview_of(RunFolder(run.path))
                except (RunFolderError, OSError) as exc:
                    fresh = run_list.damaged(run.path, str(exc))
                if fresh != run:
                    self.runs[i] = changed[run.path] = fresh
        if not changed:
            return
        self.shown = [changed.get(run.path, run) for run in self.shown]
        table = self.query_one("#runs", DataTable)
        for run in changed.values():
            if run in self.shown:
                cells = dict(zip(COLUMNS, self._cells(run), strict=True))
                for column in self._shown_columns:
                    table.update_cell(str(run.path), column, cells[column])
        current = self.current
        if current is not None and current.path in changed:
            self._highlighted(None)  # type: ignore[arg-type]
        if any(p in changed for p in self.marked):
            self._draw_compare()

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
        """The table of the runs read last (those the filter matches, in the chosen order), with the columns
        that fit the screen's width."""
        table = self.query_one("#runs", DataTable)
        cursor = table.cursor_row
        wanted = self.query_one("#filter", Input).value
        self.shown = sorted_runs([r for r in self.runs if r.matches(wanted)], self.sort_by, self.descending)
        columns = self._columns()
        labels = tuple(self._label(c) for c in columns)
        rebuild = (columns, labels) != (self._shown_columns, self._labels)
        table.clear(columns=rebuild)
        if rebuild:
            for column, label in zip(columns, labels, strict=True):
                table.add_column(label, key=column)
            self._shown_columns, self._labels = columns, labels
        for run in self.shown:
            cells = dict(zip(COLUMNS, self._cells(run), strict=True))
            table.add_row(*(cells[c] for c in columns), key=str(run.path))
        if self.shown:
            table.move_cursor(row=min(cursor, len(self.shown) - 1))
        elif self.runs:
            self.query_one("#run-detail", Static).update(
                Text(f"No run matches {wanted.strip()!r}: change the filter (/) or clear it (esc).")
            )
        else:
            self.query_one("#run-detail", Static).update(
                Text(f"No runs under {self.app.runs_dir} yet: train one on the Setup screen (F2).")  # type: ignore[attr-defined]
            )
        self._draw_compare()

    def _label(self, column: str) -> str:
        """A column's header, with ▲ or ▼ on the one the list is sorted by."""
        return f"{column} {'▼' if self.descending else '▲'}" if column == self.sort_by else column

    def _mark(self, path: Path) -> str:
        return str(self.marked.index(path) + 1) if path in self.marked else ""

    def _cells(self, run: RunOverview) -> list[str | Text]:
        mark = self._mark(run.path)
        val = run.best_text  # the tested epoch (model.keras): its validation metric, '@' its number
        test = f"{_short(run.test[0])} {bounded_number(run.test[1])}" if run.test else "-"
        bad = run.status in ("failed", "diverged", "crashed", "damaged")
        status = Text(("✗ " if bad else "✓ " if run.status == "completed" else "") + run.status)
        started = (run.started or "")[5:16].replace("T", " ")  # MM-DD HH:MM (UTC)
        name = Text(run.name, no_wrap=True)
        name.truncate(NAME_CELLS[self.app.size.width >= NARROW_BELOW], overflow="ellipsis")
        cells = [name, started, status, f"{run.epochs_done}/{run.epochs}", val, test, _duration(run.seconds)]
        cells.append(run.arch or "-")
        return [mark, *cells]

    @property
    def current(self) -> RunOverview | None:
        table = self.query_one("#runs", DataTable)
        if not self.shown or table.cursor_row < 0 or table.cursor_row >= len(self.shown):
            return None
        return self.shown[table.cursor_row]

    @on(DataTable.RowHighlighted, "#runs")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        run = self.current
        if run is None:
            return
        message = run.reason or _saved_message(run.path)
        detail = Text.assemble((run.name, "bold"), f"  {run.path.name} in {run.path.parent}")
        if self.app.size.width < NARROW_BELOW:  # the columns this width leaves out
            cells = dict(zip(COLUMNS, self._cells(run), strict=True))
            detail.append("\n" + "  ".join(f"{c} {cells[c]}" for c in NARROW_HIDDEN if str(cells[c]).strip()))
        if run.note:
            detail.append(f"\nnote: {run.note}")
        if message:
            detail.append(f"\n{message}", style="italic")
        if run.verdict:
            detail.append(f"\ntest: the model {run.verdict}")
        self.query_one("#run-detail", Static).update(detail)

    @on(DataTable.RowSelected, "#runs")
    async def _selected(self, event: DataTable.RowSelected) -> None:
        """enter: a run that trains opens in the watch view; any other, on Predict."""
        run = self.current
        if run is not None and run.status == "running":
            await self.watch_run(run.path)
        else:
            await self.action_predict()

    async def watch_run(self, path: Path) -> None:
        """The live view of a run that trains: the Train screen when this app trains it, else the watch view
        that follows its event file."""
        train = self.app.train_screen  # type: ignore[attr-defined]
        if train.is_training and train.live.run_dir and Path(train.live.run_dir).resolve() == path.resolve():
            await self.app.switch_mode("train")
            return
        from seqtui.tui.screens.watch import WatchScreen

        await self.app.push_screen(WatchScreen(path))

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

    def action_mistakes(self) -> None:
        """`m`: the run's confusion matrix on its test split, from its saved model; a cell lists its examples,
        and enter on one opens it on the Predict screen."""
        run = self.current
        if run is None:
            return
        from seqtui.tui.screens.mistakes import RunConfusion, no_matrix_reason, open_chosen

        reason = run.reason or no_matrix_reason(run.path)
        if reason is None and not has_model(run.path):
            reason = f"{run.path.name} has no saved model (it ended before its first epoch)."
        if reason:
            self.notify(reason, severity="warning", markup=False)
            return
        self.app.push_screen(RunConfusion(run.path), lambda chosen: open_chosen(self.app, chosen))

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
        for summary in self.shown:
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
        self.set_class(len(marked) >= 2, "-comparing")
        if len(marked) == 1:  # said in place: a toast would cover the runs list or the chart
            self.query_one("#run-detail", Static).update(
                f"marked {marked[0].path.name}; mark more runs with space to compare them"
            )
