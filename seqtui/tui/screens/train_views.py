"""The Train screen's view keys: which chart shows (`a`), smoothing (`m`), a log y axis (`y`), the log,
results or gradient-flow pane (`l`, `g`), and the confusion matrix's cells (`x`, enter).

The base of `TrainScreen` (a BaseScreen, so Textual registers its `@on` handler), which composes the
widgets it names (`#loss-chart`, `#metric-chart`, `#bottom`, `#confusion`) and sets `live` and `ended`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import on
from textual.widgets import ContentSwitcher

from seqtui.tui.screens.base import BaseScreen
from seqtui.tui.widgets.chart import MetricChart
from seqtui.tui.widgets.confusion import ConfusionMatrix, ConfusionTable

if TYPE_CHECKING:
    from seqtui.core.training.events import RunEnded
    from seqtui.tui.live_run import LiveRun


class TrainViews(BaseScreen):
    """What TrainScreen does to change what its charts and bottom pane show."""

    live: LiveRun
    ended: RunEnded | None

    def action_swap_chart(self) -> None:
        """Under 96 columns one chart shows at a time: swap loss and the metric (one chart when they agree)."""
        loss, metric = self._charts()
        if metric.has_class("-same-as-loss"):
            loss.remove_class("-other")
            return
        showing_loss = not loss.has_class("-other")
        loss.set_class(showing_loss, "-other")
        metric.set_class(not showing_loss, "-other")
        if not self.has_class("-narrow"):
            self.notify("Both charts show at this width; under 96 columns `a` swaps them.")

    def _charts(self) -> list[MetricChart]:
        return [self.query_one(c, MetricChart) for c in ("#loss-chart", "#metric-chart")]

    def action_smooth(self) -> None:
        for chart in self._charts():
            chart.set_view(smooth=not chart.smooth)

    def action_log_scale(self) -> None:
        for chart in self._charts():
            chart.set_view(log_y=not chart.log_y)

    def action_toggle_pane(self) -> None:
        switcher = self.query_one("#bottom", ContentSwitcher)
        self._show_pane("results" if switcher.current == "log" else "log")

    def _show_pane(self, pane: str) -> None:
        """The log is a strip under the charts; the results (and a confusion matrix) take half the screen."""
        switcher = self.query_one("#bottom", ContentSwitcher)
        switcher.current = pane
        switcher.set_class(pane != "log", "-results")
        self.set_class(pane == "flow", "-flow")  # a short screen gives the loss charts' rows to the flow

    def action_mistakes(self) -> None:
        """`x`: the results with the cursor in the confusion matrix (enter lists a cell's test examples)."""
        table = self.query_one("#confusion", ConfusionTable)
        if not table.matrix:
            if self.ended is None:
                said = "No confusion matrix yet: it comes with the test results at the end of a run."
            elif self.live.monitor == "mae":
                said = (
                    "A forecaster has no classes, so no confusion matrix: try it on the Predict screen (p)."
                )
            else:
                said = "This run has no confusion matrix: a classifier's test results have one."
            self.notify(said, severity="warning")
            return
        self._show_pane("results")
        table.focus()
        self.query_one(ConfusionMatrix).scroll_visible(animate=False)  # its line under it too

    @on(ConfusionTable.CellChosen, "#confusion")
    def _cell_chosen(self, event: ConfusionTable.CellChosen) -> None:
        """A cell's test examples, from the run's saved model; enter on one opens it on Predict."""
        if self.ended is None:
            return
        from seqtui.tui.screens.mistakes import CellExamples, open_chosen

        run_dir = Path(self.ended.run_dir)
        dialog = CellExamples(run_dir, event.true, event.predicted, event.table.names)
        self.app.push_screen(dialog, lambda chosen: open_chosen(self.app, chosen))

    def action_grad_flow(self) -> None:
        switcher = self.query_one("#bottom", ContentSwitcher)
        self._show_pane("log" if switcher.current == "flow" else "flow")
