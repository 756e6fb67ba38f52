"""The one error a sweep raises."""

from __future__ import annotations

from seqtui.common.errors import SeqtuiError


class SweepError(SeqtuiError):
    """A bad search range, an unreachable study database, or a study made for other data: one message."""

    title = "Cannot sweep"
