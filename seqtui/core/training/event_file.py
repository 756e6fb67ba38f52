"""A run's events written to its folder as it trains (`events.jsonl`), for `seqtui watch` and anyone who
follows a run that another process trains.

The lines are those of `seqtui train --json` (`event_dict`), plus batch events at most BATCH_LINES_PER_S a
second (the last batch of each epoch always). Each line is one `write` to a file opened for appending, so it
reaches the operating system whole, at once, and a reader never waits on the trainer: nothing is locked and
nothing is fsynced. A disk that refuses the file costs one warning; the run goes on.

Nothing here imports Keras.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

from seqtui.core.runs.follow import EVENTS, Follower
from seqtui.core.training.events import BatchEnded, Event, LogMessage, Observer, RunEnded, event_dict

BATCH_LINES_PER_S = 2.0


def event_line(event: Event) -> bytes:
    """The event as one line of `seqtui train --json`, newline included."""
    return (json.dumps(event_dict(event), ensure_ascii=False) + "\n").encode("utf-8")


class EventFile:
    """An observer that appends each event to `folder/events.jsonl`, then passes it on to `observer`."""

    def __init__(
        self, observer: Observer, folder: Path, batch_lines_per_s: float = BATCH_LINES_PER_S
    ) -> None:
        self.observer = observer
        self.path = Path(folder) / EVENTS
        self.min_interval = 1.0 / batch_lines_per_s if batch_lines_per_s > 0 else float("inf")
        self._lock = threading.Lock()  # batch events come from Keras' worker threads
        self._last_batch = -float("inf")
        self.broken = False
        """True once the file could not be written: no more lines are tried."""

    def __call__(self, event: Event) -> None:
        problem = self._append(event) if self._wanted(event) else None
        self.observer(event)
        if problem is not None:
            self.observer(problem)

    def _wanted(self, event: Event) -> bool:
        """Every event but batch ones over the rate (the last batch of an epoch always counts)."""
        if self.broken:
            return False
        if not isinstance(event, BatchEnded):
            return True
        now = time.monotonic()
        with self._lock:
            if now - self._last_batch < self.min_interval and event.step != event.steps:
                return False
            self._last_batch = now
        return True

    def _append(self, event: Event) -> LogMessage | None:
        """Write the event's line; a warning (once) when the file can't be written."""
        line = event_line(event)
        try:
            with self._lock:
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
                try:
                    while line:  # a short write (a full disk) goes on where it stopped
                        line = line[os.write(fd, line) :]
                finally:
                    os.close(fd)
        except OSError as exc:
            self.broken = True
            reason = exc.strerror or str(exc)
            return LogMessage(
                message=f"could not write {self.path} ({reason}); `seqtui watch` can't follow this run",
                level="warning",
            )
        return None


def missing_end(follower: Follower) -> RunEnded | None:
    """For a follower whose `events()` ran out: the run_end its trainer could not write, `crashed` when the
    process died (with how to resume it), else the status run.json gives; None when the file's last line is
    the run's own run_end."""
    path = follower.folder.path
    if follower.status == "crashed":
        message = (
            "the training process ended without finishing the run; resume it with: "
            f"seqtui train --resume {path}"
        )
        return RunEnded(
            status="crashed", run_dir=str(path), epochs_done=follower.epochs_done(), message=message
        )
    if follower.last is not None and follower.last.get("event") == "run_end":
        return None
    return RunEnded(status=follower.status, run_dir=str(path), epochs_done=follower.epochs_done())  # type: ignore[arg-type]
