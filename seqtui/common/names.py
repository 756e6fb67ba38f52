"""Looking names up: the error for an unknown one, with close matches suggested."""

from __future__ import annotations

import difflib

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
