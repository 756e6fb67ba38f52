"""Setup's live model summary: rebuilt in a thread worker a moment after the form changes (computed without
Keras, so it shows before the engine loads), or a line saying why there is none yet."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work
from textual.worker import Worker, WorkerState

from seqtui.tui.widgets.layer_summary import LayerSummary, lesson_count

if TYPE_CHECKING:
    from textual.timer import Timer

    from seqtui.core.config.run_config import RunConfig
    from seqtui.datasets.registry import DatasetInfo


class SummaryRefresh:
    """Mixed into the Setup screen, which provides `config` and `info` and composes `#summary`. The screen's
    `worker_changed` hands the "summary" group's changes to `summary_state`."""

    app: Any
    config: RunConfig | None
    info: DatasetInfo
    query_one: Any
    set_timer: Any
    _summary_timer: Timer | None = None
    _summary_for: RunConfig | None = None
    """The config whose summary is shown or being built (None: build the next one whatever it is)."""

    def _schedule_summary(self, delay: float = 0.3) -> None:
        if self._summary_timer is not None:
            self._summary_timer.stop()
        self._summary_timer = self.set_timer(delay, self._update_summary)

    def _update_summary(self) -> None:
        summary = self.query_one("#summary", LayerSummary)
        if self.config is None:
            summary.message("fix the fields marked ✗ to see the model")
        elif self.info.input_kind == "auto":
            summary.message("your file decides the input shape: the summary appears when training starts")
        elif self.config != self._summary_for:
            self._summary_for = self.config
            self.build_summary(self.config)

    @work(thread=True, exclusive=True, exit_on_error=False, group="summary", name="summary")
    def build_summary(self, config: RunConfig) -> tuple[RunConfig, dict[str, Any]]:
        return config, self.app.summarizer(config)

    def summary_state(self, event: Worker.StateChanged) -> bool:
        """Show a built summary while the form still describes its config, or why the model can't be built;
        True when the error is shown in place (no dialog for a half-typed setting)."""
        worker = event.worker
        summary = self.query_one("#summary", LayerSummary)
        if event.state == WorkerState.SUCCESS and worker.result[0] == self.config:
            summary.show(worker.result[1], *lesson_count(self.config))
        elif event.state == WorkerState.ERROR:
            summary.message(f"this model can't be built: {worker.error}")
            self._summary_for = None
            return True
        return False
