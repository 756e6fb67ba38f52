"""The Train screen's view of a model learning: the probes' answers (a line each with a sparkline, or one
line of current answers where the terminal has no room) and the gradient flow (a log-scale chart with a
line per layer, and a sentence for a layer whose gradient collapsed)."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from seqtui.common.names import clean_text
from seqtui.render.probes import flow_notes, flow_series, probes_text
from seqtui.tui.widgets.chart import MetricChart

ROOMY_HEIGHT = 30
"""Below this many terminal rows the probes show their current answers on one line."""


class ProbePanel(Static):
    """The probes of the run on screen, hidden when it has none."""

    DEFAULT_CSS = """
    ProbePanel { height: auto; max-height: 9; padding: 0 1; display: none; }
    ProbePanel.-shown { display: block; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", markup=False, id=id)
        self.rows: list[dict[str, Any]] = []

    @property
    def compact(self) -> bool:
        return self.app.size.height < ROOMY_HEIGHT

    def show_rows(self, rows: list[dict[str, Any]]) -> None:
        """Draw these epochs' probes (probes.jsonl rows or epoch events as dicts)."""
        self.rows = [row for row in rows if row.get("probes")]
        self.set_class(bool(self.rows), "-shown")
        self.redraw()

    def redraw(self) -> None:
        width = max(20, (self.app.size.width or 80) - 2)
        self.update(probes_text(self.rows, width, self.compact))

    def on_resize(self) -> None:
        self.redraw()


class FlowPane(Vertical):
    """Gradient norms per layer over the epochs, log-scale, and what they say in words."""

    DEFAULT_CSS = """
    FlowPane { height: 1fr; }
    FlowPane #flow-chart { min-height: 3; }
    FlowPane #flow-notes { height: auto; max-height: 4; padding: 0 1; color: $warning; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.notes: list[str] = []
        """The collapse sentences of the last drawing."""

    def compose(self) -> ComposeResult:
        yield MetricChart("gradient norm by layer", id="flow-chart")
        yield Static("no gradient flow yet: it is taken after each epoch", markup=False, id="flow-notes")

    def on_mount(self) -> None:
        self.query_one(MetricChart).set_view(log_y=True)

    def show_rows(self, rows: list[dict[str, Any]], epochs: tuple[int, int] | None = None) -> list[str]:
        """Draw the layers' norms; returns the collapse sentences (empty when every layer still learns)."""
        chart = self.query_one(MetricChart)
        chart.clear()
        for layer, (xs, ys) in flow_series(rows).items():
            chart.set_series(layer, xs, ys)
        if epochs is not None:
            chart.set_x_range(*epochs)
        notes = self.notes = flow_notes(rows)
        last = next((row["grad_norms"] for row in reversed(rows) if row.get("grad_norms")), None)
        if last is None:
            text = "no gradient flow yet: it is taken after each epoch"
        else:  # the layers by name, whatever room the chart's legend has
            named = " · ".join(f"{clean_text(k, 30)} {v:.2g}" for k, v in last.items())
            text = "\n".join(
                [*notes, f"last epoch: {named}" + ("" if notes else "; every layer still learns")]
            )
        self.query_one("#flow-notes", Static).update(text)
        return notes
