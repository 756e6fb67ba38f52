"""Setup's learning-rate finder (ctrl+l, as `train --find-lr`): the range test on the form's config in a thread
worker (nothing is written), then its chart and suggestion in a dialog; the learning-rate field changes only
when the user takes the suggestion."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from textual import work
from textual.widgets import Input
from textual.worker import Worker, WorkerState

from seqtui.core.training.lr_finder import BATCHES, START_RATE, STOP_RATE

if TYPE_CHECKING:
    from seqtui.core.config.run_config import RunConfig
    from seqtui.core.training.lr_finder import LRFinding


class RateFinding:
    """Mixed into the Setup screen, which provides `revalidate`, `config`, `problems` and `blocker`."""

    app: Any
    config: RunConfig | None
    problems: list[Any]
    blocker: str | None
    query_one: Any
    notify: Any
    revalidate: Any
    _lr_cancel: threading.Event | None = None

    @property
    def finding_rate(self) -> bool:
        return self._lr_cancel is not None and not self._lr_cancel.is_set()

    def action_find_lr(self) -> None:
        """Run the range test on the model and data the form describes, or say why not yet."""
        self.revalidate()
        why = (
            "a range test is already running" if self.finding_rate
            else "fix the fields marked ✗ first" if self.problems
            else self.blocker
            or (None if self.app.engine_ready else "Keras is still loading: press ctrl+l again when it is ready")
        )  # fmt: skip
        if why:
            self.notify(f"Find LR: {why}", severity="warning", markup=False)
            return
        assert self.config is not None
        self._lr_cancel = threading.Event()
        self.notify(
            f"Finding a learning rate: {BATCHES} batches, the rate growing from {START_RATE:g} to {STOP_RATE:g} "
            "(nothing is written)...",
            timeout=6,
        )
        self.find_lr(self.config, self._lr_cancel)

    @work(thread=True, exclusive=True, exit_on_error=False, group="lr", name="lr")
    def find_lr(self, config: RunConfig, cancel: threading.Event) -> LRFinding:
        return self.app.lr_finder(config, cancel)

    def lr_state(self, event: Worker.StateChanged) -> bool:
        """The test ended: its dialog, or its error (as any worker's, in the app's error dialog)."""
        if event.state not in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            return False
        if self._lr_cancel is not None:
            self._lr_cancel.set()
        if event.state == WorkerState.SUCCESS:
            self.show_finding(event.worker.result)
        return False

    def show_finding(self, finding: LRFinding) -> None:
        from seqtui.tui.screens.lr_finder import LRFinderDialog

        width = max(40, min(78, self.app.size.width - 10))
        height = max(6, min(14, self.app.size.height - 14))

        def answered(use: bool | None) -> None:
            suggestion = finding.test.suggestion
            if use and suggestion is not None:
                self.query_one("#learning_rate", Input).value = f"{suggestion:.2g}"
                self.notify(f"Learning rate set to {suggestion:.2g}", timeout=3)

        self.app.push_screen(LRFinderDialog(finding, width, height), answered)
