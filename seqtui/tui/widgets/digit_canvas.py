"""A 28x28 drawing canvas (mouse or keyboard) and a preview of the digit as MNIST would have it.

Two pixel rows share one terminal cell, drawn with half-block glyphs (shape, not colour, carries the ink),
so the whole canvas fits in 28x14 cells and stays readable with NO_COLOR.
"""

from __future__ import annotations

import numpy as np
from rich.text import Text
from textual import events
from textual.app import RenderResult
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget

SIZE = 28
_GLYPH = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}
_SHADES = " ░▒▓█"


class DigitCanvas(Widget, can_focus=True):
    """Draw with the mouse, or move the cursor with the arrows and toggle the pen with space.

    Text selection is off: a drag here draws, and must not leave a selection rectangle (in a browser, through
    `seqtui serve`, Textual would otherwise select the canvas's glyphs under the stroke)."""

    ALLOW_SELECT = False

    DEFAULT_CSS = """
    DigitCanvas { width: 30; height: 16; border: round $secondary; }
    DigitCanvas:focus { border: double $accent; }
    """
    BINDINGS = [
        Binding("up", "move(-1, 0)", "Up", show=False),
        Binding("down", "move(1, 0)", "Down", show=False),
        Binding("left", "move(0, -1)", "Left", show=False),
        Binding("right", "move(0, 1)", "Right", show=False),
        Binding("shift+up", "move(-4, 0)", "Up 4", show=False),
        Binding("shift+down", "move(4, 0)", "Down 4", show=False),
        Binding("shift+left", "move(0, -4)", "Left 4", show=False),
        Binding("shift+right", "move(0, 4)", "Right 4", show=False),
        Binding("space", "toggle_pen", "Pen", tooltip="pen up/down"),
        Binding("c,delete,backspace", "clear", "Clear"),
    ]

    class Changed(Message):
        """The drawing changed."""

        def __init__(self, canvas: DigitCanvas) -> None:
            super().__init__()
            self.canvas = canvas

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.pixels = np.zeros((SIZE, SIZE), dtype="uint8")
        self.cursor = (SIZE // 2, SIZE // 2)
        self.pen_down = False
        self._last_cell: tuple[int, int] | None = None

    # -- drawing ------------------------------------------------------------------------------------
    def _ink(self, row: int, col: int, rows: int = 2, cols: int = 2) -> None:
        self.pixels[max(0, row) : max(0, row + rows), max(0, col) : max(0, col + cols)] = 255

    def _changed(self) -> None:
        self.refresh()
        self.post_message(self.Changed(self))

    def clear(self) -> None:
        self.pixels[:] = 0
        self._changed()

    def action_clear(self) -> None:
        self.clear()

    def action_toggle_pen(self) -> None:
        self.pen_down = not self.pen_down
        if self.pen_down:
            self._ink(*self.cursor)
            self._changed()
        else:
            self.refresh()

    def action_move(self, drow: int, dcol: int) -> None:
        row, col = self.cursor
        steps = max(abs(drow), abs(dcol))
        for _ in range(steps):
            row = min(SIZE - 1, max(0, row + (drow > 0) - (drow < 0)))
            col = min(SIZE - 1, max(0, col + (dcol > 0) - (dcol < 0)))
            if self.pen_down:
                self._ink(row, col)
        self.cursor = (row, col)
        if self.pen_down:
            self._changed()
        else:
            self.refresh()

    # -- mouse --------------------------------------------------------------------------------------
    def _cell(self, event: events.MouseEvent) -> tuple[int, int] | None:
        offset = event.get_content_offset(self)
        if offset is None or not (0 <= offset.x < SIZE and 0 <= offset.y < SIZE // 2):
            return None
        return offset.y, offset.x

    def _stroke_to(self, cell: tuple[int, int]) -> None:
        """Ink from the last mouse cell to this one, so a fast drag leaves no gaps."""
        start = self._last_cell or cell
        steps = max(abs(cell[0] - start[0]), abs(cell[1] - start[1]), 1)
        for i in range(steps + 1):
            y = round(start[0] + (cell[0] - start[0]) * i / steps)
            x = round(start[1] + (cell[1] - start[1]) * i / steps)
            self._ink(2 * y, x)
        self._last_cell = cell
        self.cursor = (2 * cell[0], cell[1])
        self._changed()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        cell = self._cell(event)
        if cell is not None:
            self.focus()
            self.capture_mouse()
            self._last_cell = None
            self._stroke_to(cell)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self._last_cell is not None:  # between our mouse down and up (the mouse is captured)
            cell = self._cell(event)
            if cell is not None:
                self._stroke_to(cell)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        self._last_cell = None
        self.release_mouse()

    # -- drawing the widget -------------------------------------------------------------------------
    def render(self) -> RenderResult:
        ink = self.pixels > 127
        out = Text()
        cur_row, cur_col = self.cursor
        for y in range(SIZE // 2):
            for x in range(SIZE):
                glyph = _GLYPH[(bool(ink[2 * y, x]), bool(ink[2 * y + 1, x]))]
                if (y, x) == (cur_row // 2, cur_col) and self.has_focus:
                    if glyph == " ":
                        glyph = "●" if self.pen_down else "┼"
                    out.append(glyph, "reverse")
                else:
                    out.append(glyph)
            if y < SIZE // 2 - 1:
                out.append("\n")
        return out


class DigitPreview(Widget):
    """A 28x28 greyscale image in shade glyphs: the digit as the model receives it."""

    DEFAULT_CSS = """
    DigitPreview { width: 30; height: 16; border: round $secondary; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.image = np.zeros((SIZE, SIZE), dtype="uint8")

    def show(self, image: np.ndarray) -> None:
        self.image = np.asarray(image, dtype="uint8")
        self.refresh()

    def render(self) -> RenderResult:
        pairs = self.image.astype("float32").reshape(SIZE // 2, 2, SIZE).mean(axis=1) / 255.0
        lines = ["".join(_SHADES[min(4, int(round(v * 4)))] for v in row) for row in pairs]
        return Text("\n".join(lines))
