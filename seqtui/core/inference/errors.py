"""The errors of using a run: one type for a view or an input the model can't answer."""

from __future__ import annotations

from seqtui.datasets.errors import DataError


class InspectError(DataError):
    """A view the model has no layer for, or data a view can't rebuild (exit code 2, one message)."""

    title = "Nothing to inspect"
