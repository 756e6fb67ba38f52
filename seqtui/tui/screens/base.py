"""The base of the app's screens: their workers' state changes reach the app's one error handler.

`Worker.StateChanged` does not bubble, so each screen forwards it; a screen that shows an error in place
(a half-typed setting that can't build a model) says so and no dialog opens.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.worker import Worker


class BaseScreen(Screen):
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        handled = self.worker_changed(event)
        if not handled:
            self.app.report_worker(event)  # type: ignore[attr-defined]

    def worker_changed(self, event: Worker.StateChanged) -> bool:
        """React to this screen's workers; True means an error was shown here and needs no dialog."""
        return False
