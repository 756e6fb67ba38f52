"""Text fit for a terminal or a document: every character a terminal would act on, written as its escape.

A CSV label, a run folder's name or a field of its config.json is data: printed raw, `ESC ] 8 ;; url ESC \\`
makes a hidden link, `ESC [ 2 J` clears the screen, a bidi override turns the rest of the line backwards.
`inert` is the one function every printer uses (the consoles in `seqtui.render.safe_console`, the plain
lines of a log, the exported README), so such text shows as what it is: `\\x1b]8;;http://evil\\x1b\\`.
"""

from __future__ import annotations

import functools
import re
from typing import Any

LINE_BREAKS = "\n\t"
"""What `inert` keeps by default: a message's line breaks and tabs (a terminal only moves the cursor)."""

BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
"""The Unicode bidirectional marks, embeddings, overrides and isolates: they reorder what follows them."""

_ACTIVE = (
    "\x00-\x1f\x7f-\x9f"  # C0 controls (ESC among them), DEL, C1 controls (CSI \x9b, OSC \x9d...)
    + BIDI_CONTROLS
    + "\u2028\u2029"  # line and paragraph separators: a line break to some terminals, none to others
    + "\ud800-\udfff"  # lone surrogates (a file name in another encoding): no terminal can be sent them
)


@functools.lru_cache(maxsize=8)
def _pattern(keep: str) -> re.Pattern[str]:
    active = "".join(f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}" for c in keep)
    return re.compile(f"[{_ACTIVE}]" if not keep else f"(?![{active}])[{_ACTIVE}]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def inert(text: str, keep: str = LINE_BREAKS) -> str:
    """`text` with every control character (C0, DEL, C1, so every escape sequence), bidi control, line or
    paragraph separator and lone surrogate written as its Python escape (`\\x1b`, `\\u202e`); the characters
    in `keep` (by default newline and tab) stay. Every printable character stays as it is: Korean, emoji,
    accents, spaces. Idempotent: what it returns has nothing left to escape."""
    if text.isprintable():  # the common case, at C speed: no control, format or separator character
        return text
    return _pattern(keep).sub(_escape, text)


def inert_values(value: Any, keep: str = LINE_BREAKS) -> Any:
    """`value` with `inert` applied to every string in it, dict keys and list items included (a JSON line
    read from a file); numbers, booleans and None stay as they are."""
    if isinstance(value, str):
        return inert(value, keep)
    if isinstance(value, dict):
        return {inert_values(k, keep): inert_values(v, keep) for k, v in value.items()}
    if isinstance(value, list):
        return [inert_values(v, keep) for v in value]
    return value


def bounded_number(value: float, places: int = 4) -> str:
    """A number in at most about 10 characters: fixed point (`places` decimals) when it reads well there,
    else 3 significant digits (`1e+308`, `2.5e-07`, `inf`, `nan`). A run folder edited to hold 1e308 would
    otherwise print 309 digits."""
    size = abs(value)
    if size == 0 or (size < 1e6 and (places == 0 or size >= 10.0**-places)):
        return f"{value:.{places}f}"
    return f"{value:.3g}"


def plural(count: int, word: str) -> str:
    """'1 epoch', '2 epochs', '0 epochs' (and '1,200 samples')."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"
