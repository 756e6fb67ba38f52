"""The Runs screen's edits of its list: rename, note and delete a run; filter (`/`, esc) and sort (`s`, a
header click) the list.

The base of `RunsScreen` (a BaseScreen, so Textual registers its `@on` handlers), which composes the widgets
it names (`#runs`, `#filter`) and provides `current`, `action_reload` and `_lay_out`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.widgets import DataTable, Input

from seqtui.core.runs.folder import RunFolder, RunFolderError
from seqtui.core.runs.listing import SORT_KEYS
from seqtui.core.runs.manage import delete_run, note_run, rename_run
from seqtui.tui.screens.base import BaseScreen
from seqtui.tui.screens.dialogs import ConfirmDialog, TextDialog

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from seqtui.core.runs.listing import RunOverview

SORTS = ("started", "run", "arch", "status", "epochs", "best val", "test", "time")
"""What `s` cycles through, from the folders' order (newest first); each column starts in its natural
direction (DESCENDING_FIRST newest or largest first)."""
DESCENDING_FIRST = {"started", "epochs", "best val", "test", "time"}


class RunEditing(BaseScreen):
    """What RunsScreen does to change its runs and the list's filter and order."""

    marked: list[Path]
    sort_by: str
    descending: bool
    current: RunOverview | None
    action_reload: Callable[[], None]
    """Read the run folders again and show them."""
    _lay_out: Callable[[], None]
    """Show the runs read last, filtered and sorted."""

    # -- rename, note, delete -------------------------------------------------------------------------
    def _editable(self) -> RunOverview | None:
        """The run under the cursor, unless the list is empty."""
        run = self.current
        if run is None:
            self.notify("No run here to change.", severity="warning")
        return run

    def _changed(self, done: str) -> None:
        self.action_reload()
        self.notify(done, markup=False)

    def action_rename(self) -> None:
        """`n`: a new display name (the folder keeps its name, so paths already copied go on working)."""
        run = self._editable()
        if run is None:
            return

        def chosen(name: str | None) -> None:
            if name is None:
                return
            try:
                shown = rename_run(RunFolder(run.path), name)
            except RunFolderError as exc:
                self.notify(str(exc), severity="error", markup=False)
                return
            self._changed(f"Renamed to {shown}")

        self.app.push_screen(TextDialog(f"Rename {run.name} ({run.path.name}) to:", run.name), chosen)

    def action_note(self) -> None:
        """`e`: a note on the run (an empty one removes it); `/` finds runs by their notes."""
        run = self._editable()
        if run is None:
            return

        def chosen(text: str | None) -> None:
            if text is None:
                return
            try:
                note_run(RunFolder(run.path), text)
            except RunFolderError as exc:
                self.notify(str(exc), severity="error", markup=False)
                return
            self._changed(f"Note saved on {run.name}" if text.strip() else f"Note removed from {run.name}")

        question = f"Note on {run.name} (empty removes it):"
        self.app.push_screen(TextDialog(question, run.note.replace("\n", " "), required=False), chosen)

    def action_delete(self) -> None:
        """`d`: delete the run's folder after a yes (never one that trains now)."""
        run = self._editable()
        if run is None:
            return

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            try:
                delete_run(RunFolder(run.path), self.app.runs_dir)  # type: ignore[attr-defined]
            except RunFolderError as exc:
                self.notify(str(exc), severity="error", markup=False)
                return
            self.marked = [p for p in self.marked if p != run.path]
            self._changed(f"Deleted {run.path.name}")

        question = f"Delete {run.name} ({run.path.name}) and every file in it? This can't be undone."
        self.app.push_screen(ConfirmDialog(question, yes="Delete", no="Keep"), answered)

    # -- filter and sort --------------------------------------------------------------------------------
    def action_filter(self) -> None:
        """`/`: a line above the list; the list keeps the runs whose name, arch, dataset, status or note hold
        what is typed (any case). Enter goes back to the list, keeping the filter; esc clears it."""
        field = self.query_one("#filter", Input)
        field.add_class("-shown")
        field.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._lay_out()

    @on(Input.Submitted, "#filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        field = self.query_one("#filter", Input)
        field.set_class(bool(field.value), "-shown")
        self.query_one("#runs", DataTable).focus()

    def action_clear_filter(self) -> None:
        field = self.query_one("#filter", Input)
        if field.value or field.has_class("-shown"):
            field.value = ""
            field.remove_class("-shown")
            self.query_one("#runs", DataTable).focus()
            self._lay_out()

    def action_sort(self) -> None:
        """`s`: sort by the next column (started, run, arch, status, epochs, best val, test, time)."""
        self._sort(SORTS[(SORTS.index(self.sort_by) + 1) % len(SORTS)])

    @on(DataTable.HeaderSelected, "#runs")
    def _header_clicked(self, event: DataTable.HeaderSelected) -> None:
        """A click on a column's header sorts by it; a second click turns the order round."""
        column = str(event.column_key.value)
        if column == self.sort_by:
            self.descending = not self.descending
            self._lay_out()
        elif column in SORT_KEYS:
            self._sort(column)

    def _sort(self, column: str) -> None:
        self.sort_by, self.descending = column, column in DESCENDING_FIRST
        self._lay_out()
