"""The one-line header of every screen: where you are, whether the engine is ready, what is training."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.widgets import Static


class StatusLine(Static):
    """Screen title on the left; engine status and the current run on the right (from app reactives)."""

    DEFAULT_CSS = """
    StatusLine { dock: top; height: 1; padding: 0 1; background: $boost; }
    """

    def __init__(self, title: str) -> None:
        super().__init__(id="status-line")
        self.title = title

    def on_mount(self) -> None:
        self.watch(self.app, "engine_status", self._changed)
        self.watch(self.app, "activity", self._changed)

    def _changed(self, _value: object = None) -> None:
        app = self.app
        right = Text(getattr(app, "engine_status", ""))
        activity = getattr(app, "activity", "")
        if activity:
            right = Text.assemble(activity, " | ", right)
        grid = Table.grid(expand=True, padding=(0, 1))
        left = Text.assemble(("seqtui", "bold"), " > ", self.title)
        grid.add_column(no_wrap=True, width=left.cell_len)
        grid.add_column(justify="right", no_wrap=True, overflow="ellipsis")
        grid.add_row(left, right)
        self.update(grid, layout=False)  # always one line: no need to lay the screen out again
