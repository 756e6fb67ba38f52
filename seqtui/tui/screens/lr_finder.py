"""The learning-rate range test's answer on Setup: loss against rate (log axis) with the suggestion marked,
the suggestion in words, and a choice: use it (it goes into the learning-rate field) or keep the field."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, Static

from seqtui.render.lr_chart import lr_chart, rate
from seqtui.tui.screens.dialogs import Dialog

if TYPE_CHECKING:
    from seqtui.core.training.lr_finder import LRFinding


def finding_text(finding: LRFinding) -> Text:
    """How the test went and what it suggests, in two or three lines."""
    t = finding.test
    current = rate(finding.current_rate) if finding.current_rate else f"the {finding.optimizer} default"
    ended = t.ended + (f" at {rate(t.failed_rate)}" if t.failed_rate else "")
    lines = [
        Text(
            f"{len(t.rates)} batches of {finding.batch_size}, rate {rate(t.start)} to {rate(t.stop)}; {ended}"
        )
    ]
    if t.suggestion is None:
        lines.append(Text("no suggestion: the loss was not a number from the first batch", style="bold red"))
    else:
        lines.append(
            Text.assemble(
                ("suggested learning rate ", "bold"),
                (rate(t.suggestion), "bold green"),
                f": a tenth of {rate(t.lowest_rate)}, where the smoothed loss is lowest",
            )  # fmt: skip
        )
    lines.append(Text(f"the field now: {current}", style="italic"))
    return Text("\n").join(lines)


class LRFinderDialog(Dialog[bool]):
    """The chart and the suggestion; y/enter puts the rate in the field, n/escape keeps the field."""

    DEFAULT_CSS = """
    LRFinderDialog > Vertical { width: 84; }
    LRFinderDialog #lr-chart { height: auto; }
    """
    BINDINGS = [Binding("y", "answer(True)", "Use it"), Binding("n,escape", "answer(False)", "Keep")]

    def __init__(self, finding: LRFinding, width: int = 78, height: int = 12) -> None:
        super().__init__()
        self.finding = finding
        self.chart_size = (width, height)

    def compose(self) -> ComposeResult:
        usable = self.finding.test.suggestion is not None
        with Vertical():
            yield Label("Learning-rate range test", classes="title")
            yield Static(Text.from_ansi(lr_chart(self.finding, *self.chart_size)), id="lr-chart")
            yield Static(finding_text(self.finding), id="lr-summary")
            with Horizontal():
                yield Button("Keep the field (n)", id="keep")
                if usable:
                    yield Button(f"Use {rate(self.finding.test.suggestion)} (y)", variant="primary", id="use")

    def on_mount(self) -> None:
        self.query_one("#use" if self.finding.test.suggestion is not None else "#keep").focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_answer(event.button.id == "use")

    def action_answer(self, use: bool) -> None:
        self.dismiss(use and self.finding.test.suggestion is not None)
