"""One line of progress: a label, a bar drawn with glyphs (filled █, to-do ·), a percentage and a note.

Lighter than Textual's ProgressBar (one widget, repainted only when its text changes, never relaid out) and
readable with NO_COLOR, where ProgressBar's done and to-do parts differ by colour alone.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import RenderResult
from textual.widget import Widget

from seqtui.tui.widgets.prob_bars import bar


class ProgressLine(Widget):
    DEFAULT_CSS = """
    ProgressLine { height: 1; width: 1fr; padding: 0 1; }
    """

    def __init__(self, label: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.label = label
        self.done = 0
        self.total = 0
        self.note = ""

    @property
    def fraction(self) -> float:
        return min(1.0, self.done / self.total) if self.total else 0.0

    def update(self, done: int, total: int, note: str = "", label: str | None = None) -> None:
        """Repaint only when something visible changed."""
        state = (done, total, note, label or self.label)
        if state != (self.done, self.total, self.note, self.label):
            self.done, self.total, self.note, self.label = state
            self.refresh()

    def render(self) -> RenderResult:
        count = f"{self.done}/{self.total}" if self.total else "-/-"
        head = f"{self.label} {count}".ljust(14)
        width = max(6, min(40, self.size.width - len(head) - len(self.note) - 10))
        filled = bar(self.fraction, width).replace(" ", "·")
        return Text.assemble(head, " ", (filled, "bold"), f" {self.fraction:4.0%} ", self.note)
