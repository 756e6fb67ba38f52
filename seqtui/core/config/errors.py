"""The errors of a run's settings, low in `core` so any room can raise them without importing the checks."""

from __future__ import annotations

from seqtui.common.errors import EXIT_INTERRUPTED, SeqtuiError
from seqtui.core.config.validation import Problem


class Cancelled(SeqtuiError):
    """A stop request arrived before training started: no run folder was created or changed."""

    title = "Stopped"
    exit_code = EXIT_INTERRUPTED


class ConfigError(SeqtuiError):
    """Invalid settings; `problems` lists every one with its field name (one per line in the message)."""

    title = "Invalid settings"

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems

    @property
    def cli_message(self) -> str:
        return "invalid settings:\n" + "\n".join(f"  {p.option}: {p.message}" for p in self.problems)
