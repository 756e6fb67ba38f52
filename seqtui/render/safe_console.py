"""The Rich console every command and headless run prints through: text never reaches the terminal raw.

Rich passes an escape character inside a string straight to the terminal (it strips only bell, backspace
and carriage return), so a CSV label holding `ESC [ 2 J` would clear the screen from a `predict` table.
`SafeConsole.render` is the one place every printed renderable becomes segments (`print`, `log`, tables,
live views, the pager), and it passes the text of each content segment through `inert`. Rich's own control
segments (cursor moves of a live view) and the colours and links it adds from styles are left alone: they
are made after this step, from styles, never from the text.

Rich measures a table's cells before they are rendered, on the raw text: a cell whose text held control
characters may show cut to its measured width (`\x1b[2` of `\x1b[2J`), never raw. Renderers whose text is
data and often shown (predict's class names) pass it through `inert` themselves, so it is measured as shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.console import Console, ConsoleOptions, RenderableType
from rich.segment import Segment

from seqtui.common.text import inert


class SafeConsole(Console):
    """A Rich `Console` whose content never carries a control character, escape sequence or bidi control:
    each shows as its escape (`\\x1b[2J`). Newlines and tabs stay."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kwargs.get("width") is None:  # Rich fixes COLUMNS once, when made: read it at each print instead
            self._width = None
        if kwargs.get("height") is None:
            self._height = None

    def render(self, renderable: RenderableType, options: ConsoleOptions | None = None) -> Iterable[Segment]:
        # Console.render renders nested renderables by calling self.render: inner segments come back
        # already inert, and inert of inert text is the same text.
        for segment in super().render(renderable, options):
            text = segment.text
            if segment.control or text.isprintable():
                yield segment
            else:
                yield Segment(inert(text), segment.style, segment.control)
