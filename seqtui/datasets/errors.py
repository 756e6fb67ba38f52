"""The data error, low in `datasets` so every reader raises it without importing the others."""

from __future__ import annotations

from seqtui.common.errors import SeqtuiError


class DataError(SeqtuiError):
    """Bad or missing data, with a message that says what is wrong and how to fix it."""

    title = "The data could not be loaded"
