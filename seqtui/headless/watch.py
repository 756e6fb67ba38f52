"""`seqtui watch RUN` headless: the events of a run that another process trains, from its start until it ends,
as `seqtui train` prints them in a log (plain lines) or with `--json` (the same JSON lines).

The watcher only reads the run folder (`core.runs.follow`): the trainer never waits for it, and a trainer
killed on the way is told as `crashed`. Nothing here imports Keras.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from rich.console import Console
from rich.text import Text

from seqtui.common.text import inert_values
from seqtui.core.runs.folder import RunFolder, RunFolderError
from seqtui.core.runs.follow import EVENTS, Follower
from seqtui.core.training.event_file import missing_end
from seqtui.core.training.events import event_dict, event_from_dict

KEPT = "\n\t"
"""The only characters below the printable ones that a watched line keeps (a message's line breaks)."""


def printable(value: Any) -> Any:
    """`value` with every character a terminal would act on (escape sequences, bidi overrides) written as
    its escape: text from a file never reaches the terminal raw. Dicts and lists are cleaned inside."""
    return inert_values(value, KEPT)


def _printer(as_json: bool, stdout: IO[str]) -> Callable[[dict[str, Any]], None]:
    """What one event of the file prints: its JSON line (batch events left out, as `train --json` does), or
    the plain line `train` prints in a log."""
    from seqtui.render.reporters import PlainReporter

    plain = PlainReporter(stdout)

    def show(raw: dict[str, Any]) -> None:
        if raw.get("event") == "batch_end":
            return
        clean = printable(raw)
        if as_json:
            print(json.dumps(clean, ensure_ascii=False), file=stdout, flush=True)
            return
        event = event_from_dict(clean)
        if event is not None:
            try:
                plain(event)
            except (TypeError, ValueError):  # a damaged line: a number that is not one
                return

    return show


def watchable(run: Path, runs_dir: Path | None) -> RunFolder:
    """The run folder to follow (a path, or a name under the runs folder); RunFolderError when it is not one,
    or when it ended before seqtui wrote its events (nothing to show)."""
    folder = RunFolder.open(run, runs_dir)
    status = folder.status
    if status not in ("running", "crashed") and not folder.file(EVENTS).exists():
        raise RunFolderError(
            f"{folder.path} has no {EVENTS} to show: it ended ({status}) before seqtui wrote one; "
            f"`seqtui runs` shows how it ended"
        )
    return folder


def watch_run(
    run: Path, runs_dir: Path | None, as_json: bool, err: Console, poll_s: float = 0.2
) -> tuple[str, RunFolder]:
    """Print the run's events until it ends; return its final status (`crashed` when its trainer died) and
    its folder. An unknown folder is a RunFolderError."""
    folder = watchable(run, runs_dir)
    follower = Follower(folder, poll_s)
    show = _printer(as_json, sys.stdout)
    for raw in follower.events():
        show(raw)
    if follower.status == "crashed":
        _say_crashed(follower, show, err)
    return follower.status, folder


def _say_crashed(follower: Follower, show: Callable[[dict[str, Any]], None], err: Console) -> None:
    """A run whose trainer died: a run_end line saying `crashed` (the trainer could not write one)."""
    end = missing_end(follower)
    assert end is not None  # a crashed run always has one
    show(event_dict(end))
    err.print(Text.assemble(("crashed:", "bold red"), " ", printable(end.message)), soft_wrap=True)
