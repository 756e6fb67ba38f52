"""Compare: train settings side by side (what `seqtui compare` does), with the leaderboard updating live and
every run's validation curve overlaid, each named in the legend. `o` on a finished row opens its run.

The comparison runs in a thread worker through the app's runner; each event comes back as a message posted
from that thread, so training never waits for the screen.
"""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Button, DataTable, Footer, Input, Label, Static

from seqtui.core.config.errors import Cancelled
from seqtui.core.experiments.compare import Comparison, Entry, Standing, ranked
from seqtui.core.training.events import EpochEnded, Event, RunEnded, RunStarted
from seqtui.tui.screens.base import JobScreen
from seqtui.tui.widgets.chart import MetricChart
from seqtui.tui.widgets.status_line import StatusLine

COLUMNS = ("#", "run", "params", "s/ep", "best", "val", "test", "base", "to best")


class CompareEvent(Message):
    """A run's engine event, tagged by the run's label, delivered on the UI thread."""

    def __init__(self, label: str, event: Event) -> None:
        super().__init__()
        self.label = label
        self.event = event


class CompareRunFailed(Message):
    """A run that raised instead of training (its data or settings failed once loaded): no RunEnded comes."""

    def __init__(self, label: str, status: str, message: str) -> None:
        super().__init__()
        self.label, self.status, self.message = label, status, message


def outcome(standings: list[Standing]) -> str:
    """'1 of 2 runs completed; arch=gru failed: <why>' (the first run that did not complete, and how many more)."""
    completed = sum(s.status == "completed" for s in standings)
    text = f"{completed} of {len(standings)} runs completed"
    trouble = [s for s in standings if s.status not in ("completed", "pending", "running")]
    if trouble:
        first = trouble[0]
        text += f"; {first.label} {first.status}" + (f": {first.message}" if first.message else "")
        text += f" (and {len(trouble) - 1} more)" if len(trouble) > 1 else ""
    return text


def parse_settings(text: str) -> dict[str, str]:
    """'arch=lstm,gru maxlen=100,500' -> {'arch': 'lstm,gru', 'maxlen': '100,500'} (limit= works too)."""
    from seqtui.core.experiments.compare import CompareError

    out = {}
    for word in text.split():
        name, sep, value = word.partition("=")
        if not sep or not name:
            raise CompareError(f"{word!r}: write SETTING=A,B, e.g. arch=lstm,gru")
        out["sample_limit" if name == "limit" else name.replace("-", "_")] = value
    return out


class CompareScreen(JobScreen):
    DEFAULT_CSS = """
    CompareScreen .row { height: 3; }
    CompareScreen .row > Label { width: 10; padding: 1 0 0 1; }
    CompareScreen .row > Input { width: 1fr; }
    CompareScreen #leaderboard { height: auto; max-height: 12; }
    CompareScreen.-short #leaderboard { max-height: 7; }
    /* under 34 rows the two fields take a row each (no borders), so the chart keeps 11 or more */
    CompareScreen.-short .row { height: 1; }
    CompareScreen.-short .row > Label { padding: 0 0 0 1; }
    CompareScreen.-short .row > Input { border: none; height: 1; padding: 0 1; }
    CompareScreen.-short #compare-start { border: none; height: 1; min-width: 11; }
    CompareScreen #compare-note { height: auto; padding: 0 1; color: $text-muted; }
    CompareScreen #compare-curves { height: 1fr; }
    """
    BINDINGS = [
        Binding("ctrl+s", "start", "Start", tooltip="Enter in a field starts too"),
        Binding("s", "stop", "Stop"),
        Binding("o", "open_run", "Open run"),
        Binding("z", "zoom", "Zoom"),
    ]
    ZOOM = ("#compare-curves",)
    group = "compare"
    note_id = "compare-note"
    noun = "comparison"
    stop_message = "Stopping after the current batch; the finished runs stay in the leaderboard."

    def __init__(self) -> None:
        super().__init__()
        self.standings: list[Standing] = []
        self.comparison: Comparison | None = None

    def compose(self) -> ComposeResult:
        yield StatusLine("Compare")
        with Horizontal(classes="row"):
            yield Label("presets")
            yield Input(placeholder="topics-en-lstm (or a,b of one dataset)", id="compare-presets")
        with Horizontal(classes="row"):
            yield Label("vary")
            yield Input(placeholder="arch=lstm,gru maxlen=10,20 epochs=3 limit=500", id="compare-settings")
            yield Button("Compare", id="compare-start", variant="primary")
        yield Static("", markup=False, id="compare-note")
        yield DataTable(id="leaderboard", cursor_type="row", zebra_stripes=True)
        yield MetricChart("val_loss per epoch", id="compare-curves")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one("#leaderboard", DataTable)
        for column in COLUMNS:
            table.add_column(column, key=column)

    # -- starting -----------------------------------------------------------------------------------
    @on(Input.Submitted)
    @on(Button.Pressed, "#compare-start")
    def start(self) -> None:
        if self.busy():
            return
        from seqtui.core.config.errors import ConfigError
        from seqtui.core.config.presets import get_preset
        from seqtui.core.config.run_config import RunConfig, UnknownName, with_overrides
        from seqtui.core.experiments.compare import CompareError, plan

        presets = self.query_one("#compare-presets", Input).value.strip() or None
        try:
            given = parse_settings(self.query_one("#compare-settings", Input).value)
            dataset = given.pop("dataset", None)
            if not (presets or dataset):
                raise CompareError("name a preset (or dataset=NAME in vary) to compare on")

            def build(preset: str | None, combo: dict) -> RunConfig:
                base = get_preset(preset).config if preset else RunConfig()
                return with_overrides(base, dataset=dataset, **combo)

            entries = plan(presets, given, build)
        except (ConfigError, CompareError, UnknownName, KeyError) as exc:
            self.show_problem(exc)
            return
        self.begin(entries)

    def action_start(self) -> None:
        self.start()

    def begin(self, entries: list[Entry]) -> None:
        self.standings = [Standing(e.label) for e in entries]
        self.begin_job()
        self.query_one("#compare-curves", MetricChart).clear("val_loss per epoch")
        self._note(f"training {len(entries)} runs one after another...")
        self._draw_table()
        self.run_comparison(entries)

    @work(thread=True, exclusive=True, exit_on_error=False, group="compare")
    def run_comparison(self, entries: list[Entry]) -> Comparison:
        from seqtui.core.experiments.compare import run_comparison

        app = self.app

        def post(label: str, event: Event) -> None:
            if isinstance(event, RunStarted | EpochEnded | RunEnded):
                self.post_message(CompareEvent(label, event))

        def failed(entry: Entry, exc: Exception) -> None:
            status = "interrupted" if isinstance(exc, Cancelled) else "failed"
            self.post_message(
                CompareRunFailed(entry.label, status, str(exc.args[0]) if exc.args else str(exc))
            )

        train = app.runner.train  # type: ignore[attr-defined]
        runs_dir = app.runs_dir  # type: ignore[attr-defined]
        return run_comparison(entries, post, train, self.cancel, runs_dir, on_error=failed)

    def job_done(self, result: Comparison) -> None:
        self.comparison = result
        self.standings = result.standings
        self._draw_table()
        where = result.folder.path / "compare.json"
        head = "stopped" if self.cancel.is_set() else "done"
        opened = " · o: open the selected run" if any(s.status == "completed" for s in self.standings) else ""
        self._note(f"{head}: {outcome(self.standings)} · {where}{opened}")

    def _note(self, text: str) -> None:
        self.query_one("#compare-note", Static).update(text)

    def _note_progress(self) -> None:
        """While training, after a run that did not complete: how the comparison stands."""
        self._note(f"training {len(self.standings)} runs one after another: {outcome(self.standings)}")

    # -- live updates -------------------------------------------------------------------------------
    def on_compare_event(self, message: CompareEvent) -> None:
        standing = next((s for s in self.standings if s.label == message.label), None)
        if standing is None:
            return
        standing.observe(message.event)
        if isinstance(message.event, RunEnded) and message.event.status != "completed":
            self._note_progress()
        if isinstance(message.event, EpochEnded):
            epochs = [row["epoch"] for row in standing.curves]
            values = [row.get("val_loss", float("nan")) for row in standing.curves]
            self.query_one("#compare-curves", MetricChart).set_series(standing.label, epochs, values)
        self._draw_table()

    def on_compare_run_failed(self, message: CompareRunFailed) -> None:
        standing = next((s for s in self.standings if s.label == message.label), None)
        if standing is None:
            return
        standing.status, standing.message = message.status, message.message
        self._note_progress()
        self._draw_table()

    def _draw_table(self) -> None:
        from seqtui.core.experiments.compare import leaderboard_rows

        table = self.query_one("#leaderboard", DataTable)
        table.clear()
        for row in leaderboard_rows(self.standings):
            table.add_row(*row, key=row[1])

    # -- actions ------------------------------------------------------------------------------------
    async def action_open_run(self) -> None:
        table = self.query_one("#leaderboard", DataTable)
        order = ranked(self.standings)
        if not order or not 0 <= table.cursor_row < len(order):
            return
        chosen = order[table.cursor_row]
        if chosen.status != "completed" or not chosen.run_dir:
            self.notify(f"{chosen.label} has no finished run yet.", severity="warning")
            return
        await self.app.open_for_prediction(Path(chosen.run_dir))  # type: ignore[attr-defined]
