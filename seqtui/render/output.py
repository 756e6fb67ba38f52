"""Where a headless run's output goes, chosen in one place for `train` and `compare`: JSON lines when asked
for, a Rich live view on a terminal, plain lines in a log, a pipe or CI."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import IO, Literal

OutputMode = Literal["json", "live", "plain"]


def output_mode(as_json: bool, live: bool = True, stdout: IO[str] | None = None) -> OutputMode:
    """JSON lines with `as_json`; else a live view when stdout is a terminal (and `live` allows one: several
    runs sharing the terminal don't); else plain lines."""
    if as_json:
        return "json"
    stream = stdout or sys.stdout
    return "live" if live and stream is not None and stream.isatty() else "plain"


@contextlib.contextmanager
def stdout_kept_for(mode: OutputMode) -> Iterator[None]:
    """With JSON lines, anything else printed meanwhile goes to stderr, so stdout stays pure (write the lines
    to the stdout taken before entering)."""
    if mode != "json":
        yield
        return
    with contextlib.redirect_stdout(sys.stderr):
        yield
