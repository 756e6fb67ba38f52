"""The one-line header of every screen: where you are, whether the engine is ready, what is training."""

from __future__ import annotations

from rich.text import Text
from textual.app import RenderResult
from textual.widget import Widget


class StatusLine(Widget):
    """Screen title on the left (never cut); the current run and the engine status on the right."""

    DEFAULT_CSS = """
    StatusLine { dock: top; height: 1; padding: 0 1; background: $boost; }
    """

    def __init__(self, title: str) -> None:
        super().__init__(id="status-line")
        self.title = title

    def on_mount(self) -> None:
        self.watch(self.app, "engine_status", self._changed, init=False)
        self.watch(self.app, "activity", self._changed, init=False)

    def _changed(self, _value: object = None) -> None:
        self.refresh()

    @property
    def right_text(self) -> str:
        activity = getattr(self.app, "activity", "")
        engine = getattr(self.app, "engine_status", "")
        return f"{activity} | {engine}" if activity else engine

    def render(self) -> RenderResult:
        left = Text.assemble(("seqtui", "bold"), " > ", self.title)
        room = self.content_region.width - left.cell_len - 2
        right = self.right_text
        if room < 4:
            return left
        if len(right) > room:
            right = right[: room - 1] + "…"
        return Text.assemble(left, " " * (room - len(right) + 2), right)
