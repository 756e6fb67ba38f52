"""Class probabilities as horizontal bars with class names, the likeliest marked with an arrow."""

from __future__ import annotations

from rich.text import Text
from textual.app import RenderResult
from textual.widget import Widget

_EIGHTHS = " ▏▎▍▌▋▊▉"


def bar(fraction: float, width: int) -> str:
    """A bar of `width` cells filled to `fraction`, in eighths of a cell."""
    eighths = round(max(0.0, min(1.0, fraction)) * width * 8)
    full, rest = divmod(eighths, 8)
    return ("█" * full + (_EIGHTHS[rest] if rest else "")).ljust(width)


class ProbabilityBars(Widget):
    """Ranked (class, probability) pairs, most likely first, as many as fit."""

    DEFAULT_CSS = """
    ProbabilityBars { height: 1fr; min-height: 3; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.ranked: list[tuple[str, float]] = []
        self.note = "no prediction yet"

    def show(self, ranked: list[tuple[str, float]] | None, note: str = "") -> None:
        self.ranked = list(ranked or [])
        self.note = note
        self.refresh()

    @property
    def top(self) -> str | None:
        return self.ranked[0][0] if self.ranked else None

    def render(self) -> RenderResult:
        if not self.ranked:
            return Text(self.note, style="italic")
        width = max(self.size.width, 20)
        rows = max(1, self.size.height - (1 if self.note else 0))
        name_w = min(16, max(len(n) for n, _ in self.ranked))
        bar_w = max(4, width - name_w - 10)
        out = Text()
        if self.note:
            out.append(self.note + "\n", style="italic")
        for i, (name, p) in enumerate(self.ranked[:rows]):
            first = i == 0
            out.append("▶ " if first else "  ", style="bold" if first else "")
            out.append(name[:name_w].ljust(name_w) + " ", style="bold" if first else "")
            out.append(bar(p, bar_w), style="bold" if first else "")
            out.append(f" {p:6.1%}" + ("\n" if i < min(rows, len(self.ranked)) - 1 else ""))
        return out
