"""Names: looking them up (the error for an unknown one, with close matches suggested), and showing the
names people give (a run's display name, its folder's safe form)."""

from __future__ import annotations

import difflib
import unicodedata

from seqtui.common.errors import SeqtuiError


class UnknownName(SeqtuiError, KeyError):
    """An unknown preset, dataset or setting name; the message suggests close ones.

    A KeyError for callers that look names up, and a SeqtuiError so that doors can tell it from a KeyError
    raised by a bug.
    """

    title = "Unknown name"

    def __str__(self) -> str:  # KeyError would quote the message
        return self.message


def suggest(name: object, choices: list[str] | tuple[str, ...]) -> str:
    """' Did you mean x?' for a close match, else the list of choices."""
    close = difflib.get_close_matches(str(name), list(choices), n=3, cutoff=0.5)
    if close:
        return f" Did you mean {' or '.join(repr(c) for c in close)}?"
    return f" Choose one of: {', '.join(choices)}."


NAME_LIMIT = 120
"""A run's display name is cut to this many characters: long enough for a preset and what changed."""
SLUG_LIMIT = 17
"""A run folder's name after its time stamp is at most this many terminal cells (a Korean letter takes two):
`seqtui runs` shows the folder whole at 80 columns; the display name, in run.json, says the rest."""


def clean_text(text: object, limit: int | None = None, lines: bool = False) -> str:
    """`text` fit to show in a terminal: no control or format characters (escape sequences, bidi overrides,
    zero-width marks), runs of spaces as one, at most `limit` characters (cut with an ellipsis). `lines`
    keeps line breaks (a note); otherwise the result is one line (a name). Korean and other scripts stay."""
    raw = unicodedata.normalize("NFC", str(text))
    kept = []
    for ch in raw:
        if ch == "\n" and lines:
            kept.append("\n")
        elif ch.isspace():
            kept.append(" ")
        elif unicodedata.category(ch)[0] != "C":  # Cc control, Cf format, Cs, Co, Cn
            kept.append(ch)
    parts = ("".join(kept)).split("\n")
    cleaned = "\n".join(" ".join(part.split()) for part in parts).strip()
    if limit is not None and len(cleaned) > limit:
        cleaned = cleaned[: limit - 1].rstrip() + "…"
    return cleaned


def clean_name(text: object) -> str:
    """A run's display name as shown: one line, no control characters, at most NAME_LIMIT characters."""
    return clean_text(text, NAME_LIMIT)


def slug(text: object, limit: int = SLUG_LIMIT) -> str:
    """A file-system-safe form of a name (letters of any script, digits, `-`, `_`, `.`; anything else a `-`,
    no `-` twice, none at the ends): 'topics-ko-lstm arch=gru' -> 'topics-ko-lstm-arch-gru', '내 실험' ->
    '내-실험'. Empty when nothing is left ('=/='): callers fall back to another name."""
    parts = [_safe(word) for word in unicodedata.normalize("NFC", str(text)).split()]
    kept: list[str] = []
    for part in filter(None, parts):  # whole words ('arch=gru') while they fit, else what fits of the first
        if _cells("-".join([*kept, part])) <= limit:
            kept.append(part)
        elif not kept:
            kept.append(_cut(part, limit))
        else:
            break
    return "-".join(kept).strip("-.")


def _safe(word: str) -> str:
    chars = (c if c.isalnum() or c in "_." else "-" for c in word)
    return "-".join(part for part in "".join(chars).split("-") if part).strip(".")


def _cells(text: str) -> int:
    """Terminal cells `text` takes: two for a wide (Korean, Chinese, Japanese) character."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _cut(text: str, limit: int) -> str:
    out = ""
    for c in text:
        if _cells(out + c) > limit:
            break
        out += c
    return out
