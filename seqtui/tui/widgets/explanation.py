"""Why the model answered: tokens coloured by their importance, and a 28x28 heat map of a drawn digit.

Colour carries the strength; the sign is also written (^ supports, v opposes) so the strip reads without
colour. The heat map draws two pixel rows per cell with '▀' (top pixel as foreground, bottom as background).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from rich.style import Style
from rich.text import Text
from textual.app import RenderResult
from textual.widget import Widget
from textual.widgets import Static

from seqtui.render.explanations import explanation_strip, importance_colour

if TYPE_CHECKING:
    from seqtui.core.inference.explain import ImageExplanation, TextExplanation


def importance_text(expl: TextExplanation) -> Text:
    out = Text(f"why {expl.class_name} ({expl.probability:.0%}): ", style="italic")
    out.append_text(explanation_strip([tok.text for tok in expl.tokens], expl.importance))
    strongest = max(zip(expl.importance, expl.tokens, strict=True), key=lambda p: p[0], default=None)
    if strongest and strongest[0] > 0:
        out.append(
            f"\nhiding '{strongest[1].text}' lowers it most (-{strongest[0]:.2f} log-odds)", style="dim"
        )
    return out


class ImportanceStrip(Static):
    """The sentence's tokens coloured by how much each pushed the predicted class."""

    DEFAULT_CSS = """
    ImportanceStrip { height: auto; max-height: 5; padding: 0 1; }
    """

    def show(self, expl: TextExplanation | None) -> None:
        self.explanation = expl
        self.update(importance_text(expl) if expl else Text(""))


class HeatMap(Widget):
    """Which pixels pushed the predicted digit: green where hiding the ink lowers it, red where it helps."""

    DEFAULT_CSS = """
    HeatMap { width: 30; height: 16; border: round $secondary; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.explanation: ImageExplanation | None = None
        self.image = np.zeros((28, 28), dtype="uint8")

    def show(self, expl: ImageExplanation | None, image: np.ndarray | None = None) -> None:
        self.explanation = expl
        if image is not None:
            self.image = np.asarray(image, dtype="uint8")
        self.border_title = f"why {expl.class_name}" if expl else "why: draw a digit"
        self.refresh()

    def _colour(self, value: float, ink: int, scale: float) -> str:
        colour = importance_colour(value, scale)
        if colour is not None:
            return colour
        grey = int(ink * 0.35)  # the digit stays faintly visible under the map
        return f"rgb({grey},{grey},{grey})"

    def render(self) -> RenderResult:
        heat = self.explanation.heat if self.explanation is not None else np.zeros((28, 28))
        scale = float(np.abs(heat).max())
        out = Text()
        for y in range(14):
            for x in range(28):
                top = self._colour(heat[2 * y, x], int(self.image[2 * y, x]), scale)
                bottom = self._colour(heat[2 * y + 1, x], int(self.image[2 * y + 1, x]), scale)
                out.append("▀", Style(color=top, bgcolor=bottom))
            if y < 13:
                out.append("\n")
        return out
