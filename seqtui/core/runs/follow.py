"""Following a run that another process trains: its `events.jsonl`, read from the start and then as it grows,
until the run ends.

Every run appends its events to `events.jsonl` in its folder (`core.training.event_file`), one JSON object a
line, each line written whole. A follower only reads: it never locks, writes or signals anything in the run
folder, so any number of followers can watch one run and none of them can slow the trainer down. It takes
complete lines only (a line the trainer is still writing waits for the next poll), and tells a run that ended
from one whose trainer died by run.json and the trainer's process (`RunFolder.status` says `crashed`).

Nothing here imports Keras.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

from seqtui.common.files import UnreadableFile, open_regular
from seqtui.core.runs.folder import RUN, RunFolder, RunFolderError, process_alive

EVENTS = "events.jsonl"
"""The run's events, as `seqtui train --json` prints them plus throttled batch events."""

CHUNK = 4 * 2**20
"""The most bytes of events.jsonl one read takes (a long run's file is read in several)."""
ENDING_GRACE_S = 5.0
"""How long to wait for the last line once run.json says the run ended (the trainer writes run.json first)."""


def parse_line(line: bytes) -> dict[str, Any] | None:
    """One event of the file, or None for a line that is not one (a damaged file)."""
    try:
        event = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(event, dict) or not isinstance(event.get("event"), str):
        return None
    return event


class Follower:
    """The events of one run folder, as they come (`events()`), and how the run ended (`status`)."""

    def __init__(self, folder: RunFolder, poll_s: float = 0.2, stop: threading.Event | None = None) -> None:
        self.folder = folder
        self.poll_s = poll_s
        self.stop = stop or threading.Event()
        self.status = "running"
        """The run's status once `events()` is exhausted: the last run_end's, `crashed`, or run.json's."""
        self.last: dict[str, Any] | None = None
        """The last event read."""
        self.behind = 0
        """How many events already read wait behind the one just yielded (a reader catching up with a long
        file may skip what they make obsolete)."""
        self._offset = 0
        self._partial = b""

    @property
    def has_events(self) -> bool:
        return self.folder.file(EVENTS).exists()

    def _read(self) -> list[dict[str, Any]]:
        """The complete lines written since the last read (nothing while the file does not exist yet)."""
        try:
            with open_regular(self.folder.file(EVENTS)) as fh:
                fh.seek(self._offset)
                chunk = fh.read(CHUNK)
        except FileNotFoundError:
            return []
        except UnreadableFile as exc:
            raise RunFolderError(f"{self.folder.file(EVENTS)} {exc}; the run folder is damaged") from None
        self._offset += len(chunk)
        *lines, self._partial = (self._partial + chunk).split(b"\n")
        if len(self._partial) > CHUNK:  # no line is this long: a damaged file, skipped to its next line
            self._partial = b""
        return [event for line in lines if (event := parse_line(line)) is not None]

    def _ended(self) -> bool:
        """Whether the run is over as far as run.json and the trainer's process tell (`status` set)."""
        status = self.folder.status
        if status == "running":
            return False
        if status == "crashed":
            self.status = "crashed"
            return True
        # run.json is written before the run_end line: wait for that line while the trainer still lives
        if self.last is not None and self.last.get("event") == "run_end":
            self.status = str(self.last.get("status", status))
            return True
        self.status = status
        return False

    def events(self) -> Iterator[dict[str, Any]]:
        """Every event from the first, then each new one as the trainer writes it, until the run ends (or
        `stop` is set). A run_end followed by more lines (a resume) does not end the following."""
        ending_since: float | None = None
        while not self.stop.is_set():
            new = self._read()
            for i, event in enumerate(new, 1):
                self.last, self.behind = event, len(new) - i
                yield event
            if new:
                continue
            if self._ended():
                yield from self._rest()
                return
            if self.status != "running":  # ended per run.json, its run_end line not there yet
                ending_since = ending_since or time.monotonic()
                if time.monotonic() - ending_since > ENDING_GRACE_S or not self._trainer_alive():
                    yield from self._rest()
                    return
            self.stop.wait(self.poll_s)

    def _rest(self) -> Iterator[dict[str, Any]]:
        """Lines that came between the last read and the end's discovery."""
        for event in self._read():
            self.last = event
            yield event
        if self.status != "crashed" and self.last is not None and self.last.get("event") == "run_end":
            self.status = str(self.last.get("status", self.status))

    def _trainer_alive(self) -> bool:
        state = self.folder.read_json(RUN)
        return process_alive(state.get("pid"), state.get("pid_started"))

    def epochs_done(self) -> int:
        """run.json's count of epochs done (for a crashed run's last word)."""
        done = self.folder.read_json(RUN).get("epochs_done")
        return done if isinstance(done, int) and not isinstance(done, bool) else 0
