"""Watch: the Train view of a run that another process trains (`seqtui watch RUN`, enter on a running run).

The seam is the event: the Train screen draws engine events that its training thread posts through the
message bridge; here a thread worker follows the run's `events.jsonl` (`core.runs.follow`) and posts the same
events through the same bridge, so the charts, progress lines, log and results are the Train screen's own.
What differs: no run is started here, the resource line measures the trainer's process, and Stop asks that
process to stop as Ctrl+C would (SIGTERM, after a yes). When the file ends the view shows how the run ended,
`crashed` when the trainer died without saying.
"""

from __future__ import annotations

import functools
import threading
import types
import typing
from dataclasses import fields, replace
from pathlib import Path

from textual import work
from textual.binding import Binding
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from seqtui.common.text import inert_values
from seqtui.core.runs.folder import RunFolder, RunFolderError
from seqtui.core.runs.follow import Follower
from seqtui.core.runs.stop import ask_to_stop, trainer_pid
from seqtui.core.training.event_file import missing_end
from seqtui.core.training.events import Event, RunEnded, RunStarted, event_from_dict
from seqtui.tui.messages import MessageBridge, TrainingEnded, TrainingStarted
from seqtui.tui.screens.dialogs import ConfirmDialog
from seqtui.tui.screens.train import TrainScreen
from seqtui.tui.widgets.status_line import StatusLine

POLL_SECONDS = 0.2
"""How often the file is looked at for new lines once the follower has read what is there."""
KEPT = "\n\t"
"""The only characters below the printable ones that text from the file keeps (a message's line breaks)."""


def _fits(value: object, hint: object) -> bool:
    """Whether a value read from the file has the type the event's field declares: numbers, text, None,
    unions of them, lists and dicts of them (their items too); Any and literals take anything (the
    screen writes them with str())."""
    if hint in (int, float):
        return isinstance(value, hint if hint is int else (int, float)) and not isinstance(value, bool)
    if hint in (str, bool, type(None)):
        return isinstance(value, hint)  # type: ignore[arg-type]
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_fits(value, a) for a in args)
    if origin is list:
        return isinstance(value, list) and all(_fits(v, args[0]) for v in value)
    if origin is dict:
        return isinstance(value, dict) and all(_fits(v, args[1]) for v in value.values())
    return True


@functools.cache
def _field_types(kind: type) -> tuple[tuple[str, object], ...]:
    hints = typing.get_type_hints(kind)
    return tuple((f.name, hints[f.name]) for f in fields(kind))


def well_typed(event: Event) -> bool:
    """Whether every field holds what the Train screen will do arithmetic on (a damaged or hand-made file
    can put a word where a number goes: that event is left out rather than stopping the view)."""
    return all(_fits(getattr(event, name), hint) for name, hint in _field_types(type(event)))


def file_event(raw: dict[str, object], run_dir: Path) -> Event | None:
    """One line of events.jsonl as the engine's event, its text made inert and its run folder the one
    followed (the trainer's may be relative to another working directory); None for one that can't be."""
    event = event_from_dict(inert_values(raw, KEPT))
    if event is None or not well_typed(event):
        return None
    return replace(event, run_dir=str(run_dir)) if isinstance(event, (RunStarted, RunEnded)) else event


def catching_up(raw: dict[str, object], behind: int) -> bool:
    """Whether a batch event can be skipped: more events already read follow it (the view is catching up with
    a long file), and it is not the last batch of its epoch. The curve keeps only the end of a finished epoch
    anyway, so a replay draws the same picture, and a 10-hour run's file opens in seconds."""
    return behind > 0 and raw.get("event") == "batch_end" and raw.get("step") != raw.get("steps")


class WatchScreen(TrainScreen):
    """The Train view fed from a run folder's event file; read only, apart from Stop."""

    BINDINGS = [Binding("escape", "back", "Back")]

    def __init__(self, run_dir: Path, poll_s: float = POLL_SECONDS) -> None:
        super().__init__()
        self.run_dir = Path(run_dir)
        self.poll_s = poll_s
        self.done = threading.Event()
        """Set when the view closes: the follower stops reading."""
        self.follower: Worker | None = None
        self.pid: int | None = None
        """The trainer's process on this machine, while it trains."""

    def on_mount(self) -> None:
        self.query_one(StatusLine).title = f"Watch {self.run_dir.name}"
        self.query_one("#run-title", Static).update(f"{self.run_dir.name}: reading its events...")
        self.pid = self._trainer()
        self.follower = self.follow()

    def on_unmount(self) -> None:
        self.done.set()
        if self.app.activity.startswith("watching"):  # type: ignore[attr-defined]
            self.app.activity = ""  # type: ignore[attr-defined]

    def _trainer(self) -> int | None:
        try:
            return trainer_pid(RunFolder(self.run_dir))
        except RunFolderError:
            return None

    @property
    def is_training(self) -> bool:
        """Whether the followed run still trains (as far as its events tell)."""
        following = self.follower is not None and self.follower.state in (
            WorkerState.PENDING,
            WorkerState.RUNNING,
        )
        return following and self.ended is None

    @work(thread=True, exclusive=True, exit_on_error=False, group="watch", name="watch")
    def follow(self) -> str:
        """Post each event of the file as the Train screen's message, then how the run ended if the file
        can't say it (a killed trainer); return the run's status."""
        follower = Follower(RunFolder(self.run_dir), self.poll_s, self.done)
        bridge = MessageBridge(self)
        for raw in follower.events():
            if catching_up(raw, follower.behind):
                continue
            event = file_event(raw, self.run_dir)
            if event is not None:
                bridge(event)
        if self.done.is_set():
            return "closed"
        end = missing_end(follower)
        if end is not None:
            bridge(end)
        return follower.status

    def on_training_started(self, message: TrainingStarted) -> None:
        self.pid = self._trainer()  # a resume is a new process
        self.monitor = None

    def on_training_ended(self, message: TrainingEnded) -> None:
        self.pid = None

    # -- what differs from training here ------------------------------------------------------------
    def _sample_resources(self) -> None:
        """The trainer's CPU and memory (and GPU), while it trains and its process can be read."""
        line = self.query_one("#resources", Static)
        if self.pid is None or not self.is_training:
            self.monitor = None
            line.update("")
            return
        import psutil

        from seqtui.tui.resources import ResourceMonitor

        try:
            if self.monitor is None:
                self.monitor = ResourceMonitor(self.pid)
            line.update(f"trainer (process {self.pid}): {self.monitor.sample()}")
        except psutil.Error:  # it ended, or belongs to another user
            self.monitor, self.pid = None, None
            line.update("")

    def _show_progress(self) -> None:
        super()._show_progress()
        run = self.live
        if self.ended is None and run.name:
            doing = "stopping" if self.cancel.is_set() else "watching"
            self.app.activity = f"{doing} {run.name}: epoch {run.epoch}/{run.epochs}"  # type: ignore[attr-defined]

    def show_end(self, end: RunEnded) -> None:
        super().show_end(end)
        self.refresh_bindings()  # `s Stop` leaves the footer
        self.app.activity = f"watched run {end.status}"  # type: ignore[attr-defined]

    def action_stop(self) -> None:
        """`s`: after a yes, ask the trainer to stop after its current batch (SIGTERM, as Ctrl+C)."""
        if not self.is_training:
            self.notify("The run is not training: nothing to stop.")
            return
        if self.cancel.is_set():
            self.notify("Already asked to stop: it ends after the current batch.")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._ask_to_stop()

        question = (
            f"Stop {self.live.name or self.run_dir.name}? Its training process ends after the current batch, "
            "as with Ctrl+C; the model is kept and training can be continued."
        )
        self.app.push_screen(ConfirmDialog(question, yes="Stop it", no="Keep training"), answered)

    def _ask_to_stop(self) -> None:
        try:
            pid = ask_to_stop(RunFolder(self.run_dir))
        except RunFolderError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.cancel.set()
        self.log_line(
            f"asked the training process ({pid}) to stop after the current batch; the model is kept"
        )
        self._show_progress()

    def action_back(self) -> None:
        """escape: back to the screen this view was opened from (the trainer goes on)."""
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    def worker_changed(self, event: Worker.StateChanged) -> bool:
        if event.worker is self.follower:
            self.refresh_bindings()  # `s Stop` is in the footer while the run trains
        if event.worker is self.follower and event.state == WorkerState.ERROR:
            self.query_one("#run-title", Static).update(
                f"{self.run_dir.name} can't be followed (see the message)."
            )
            self.log_line(f"error: {event.worker.error}")
        return False
