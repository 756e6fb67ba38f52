"""The base of the app's screens: their workers' state changes reach the app's one error handler.

`Worker.StateChanged` does not bubble, so each screen forwards it; a screen that shows an error in place
(a half-typed setting that can't build a model) says so and no dialog opens.
"""

from __future__ import annotations

import threading
from typing import Any

from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static
from textual.worker import Worker, WorkerState


class BaseScreen(Screen):
    """Screens with charts list what `z` zooms in `ZOOM` (CSS selectors, first shown wins) and bind `z`."""

    ZOOM: tuple[str, ...] = ()
    ALLOW_IN_MAXIMIZED_VIEW = "Footer, StatusLine"

    def zoom_target(self) -> Widget | None:
        """The pane `z` fills the screen with: the one holding the focus, else the first one shown."""
        shown = [w for selector in self.ZOOM for w in self.query(selector) if w.display and w.region.area]
        focused = self.focused
        for pane in shown:
            if focused is not None and (focused is pane or pane in focused.ancestors):
                return pane
        return shown[0] if shown else None

    def action_zoom(self) -> None:
        """Fill the screen with the focused (or first) chart pane; the same key again puts it back. A pane
        that can take the focus takes it while zoomed (keys scroll it, none reach a hidden field)."""
        if self.maximized is not None:
            self.minimize()
            before, self._focus_before_zoom = getattr(self, "_focus_before_zoom", None), None
            if before is not None and before.is_attached:
                before.focus()
            return
        target = self.zoom_target()
        if target is None:
            self.notify("Nothing to zoom on this screen yet.")
            return
        focused = self.focused
        self.maximized = target  # not Screen.maximize: a row of charts zooms as one pane
        if target.focusable and focused is not target:
            self._focus_before_zoom = focused
            target.focus()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        handled = self.worker_changed(event)
        if not handled:
            self.app.report_worker(event)  # type: ignore[attr-defined]

    def worker_changed(self, event: Worker.StateChanged) -> bool:
        """React to this screen's workers; True means an error was shown here and needs no dialog."""
        return False


class JobScreen(BaseScreen):
    """A screen that trains a batch of runs in one thread worker (Compare, Sweep): one job at a time, `s`
    stops it after the current batch, and a bad entry is answered in the screen's note line.

    Subclasses name the worker's `group`, the `note_id` of their note, the job's `noun` and what `s` says.
    """

    group = ""
    note_id = ""
    noun = "job"
    stop_message = "Stopping after the current batch."

    def __init__(self) -> None:
        super().__init__()
        self.cancel = threading.Event()
        self.running = False

    def busy(self) -> bool:
        """True (and says so) while a job runs: a second one waits for `s`."""
        if self.running:
            self.notify(f"A {self.noun} is running: stop it first (s).", severity="error")
        return self.running

    def begin_job(self) -> threading.Event:
        self.cancel = threading.Event()
        self.running = True
        self.refresh_bindings()
        return self.cancel

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # `s Stop` is in the footer only while a job runs
        return self.running if action == "stop" else True

    def show_problem(self, exc: Exception) -> None:
        """A bad entry in the note line: every problem of a ConfigError, else the error's message."""
        from seqtui.core.config.errors import ConfigError

        if isinstance(exc, ConfigError):
            text = "; ".join(str(p) for p in exc.problems)
        else:
            text = str(exc.args[0]) if exc.args else str(exc)
        self.query_one(f"#{self.note_id}", Static).update(text)

    def worker_changed(self, event: Worker.StateChanged) -> bool:
        if event.worker.group == self.group and event.state in (WorkerState.SUCCESS, WorkerState.ERROR):
            self.running = False
            self.refresh_bindings()
            if event.state == WorkerState.SUCCESS:
                self.job_done(event.worker.result)
            else:  # the dialog says it too; the note must not go on saying the job runs
                self.query_one(f"#{self.note_id}", Static).update(
                    f"the {self.noun} failed: {event.worker.error}"
                )
        return False

    def job_done(self, result: Any) -> None:
        """The job ended without an error (stopped or not); `result` is what the worker returned."""

    def action_stop(self) -> None:
        if self.running:
            self.cancel.set()
            self.notify(self.stop_message)
