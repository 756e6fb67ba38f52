"""Sweep: search a preset's settings with Optuna (what `seqtui sweep` does) and watch the trials live: best
so far, each setting's importance once enough trials finished; `o` opens the selected trial's run.

The study lives where the CLI keeps it (SQLite in the runs folder), so a sweep started here and one started
with `seqtui sweep` on the same preset share their trials.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Button, DataTable, Footer, Input, Label, Static

from seqtui.tui.screens.base import JobScreen
from seqtui.tui.widgets.status_line import StatusLine


class TrialsUpdated(Message):
    """The study after a trial: its rows (best first) and each setting's importance."""

    def __init__(self, rows: list[tuple[str, ...]], importance: dict[str, float], hint: str = "") -> None:
        super().__init__()
        self.rows = rows
        self.importance = importance
        self.hint = hint


def search_words(text: str) -> tuple[str | None, str | None]:
    """'units=32..64 epochs=3' -> ('units=32..64', '3'): the search spec and the epochs word, apart."""
    words = text.split()
    epochs = [w[7:] for w in words if w.startswith("epochs=")]
    search = ",".join(w for w in words if not w.startswith("epochs=")) or None
    return search, epochs[-1] if epochs else None


def space_preview(preset_name: str, text: str) -> str:
    """'searches: units 8..256 (log, default), ...' for a preset and a search line, or why it can't say yet."""
    from seqtui.core.config.presets import PRESETS
    from seqtui.core.experiments.errors import SweepError
    from seqtui.core.experiments.search_space import default_space, narrow
    from seqtui.core.experiments.sweep_view import describe_space
    from seqtui.datasets.registry import get_dataset

    preset = PRESETS.get(preset_name)
    if preset is None:
        return "searches: name a preset (e.g. topics-en-lstm) to see the space it searches"
    kind = get_dataset(preset.config.data.dataset).input_kind
    if kind == "auto":
        return "searches: the space shows when the sweep starts (a file's input is known once read)"
    search, _ = search_words(text)
    try:
        space = narrow(default_space(preset.config, kind), search)
    except SweepError as exc:
        return f"searches: {exc}"
    return "searches " + describe_space(space, search)


def nothing_learned(rows: list[tuple[str, ...]], monitor: str) -> str:
    """The learned-nothing hint for accuracy sweeps whose scored trials all sit at the majority class."""
    from seqtui.core.experiments.sweep_view import learned_nothing_hint, majority_accuracy

    if "accuracy" not in monitor:
        return ""
    values = [float(r[2]) for r in rows if r[2] != "-"]
    return learned_nothing_hint(values, majority_accuracy(r[4] for r in rows)) if values else ""


class SweepScreen(JobScreen):
    DEFAULT_CSS = """
    SweepScreen .row { height: 3; }
    SweepScreen .row > Label { width: 10; padding: 1 0 0 1; }
    SweepScreen .row > Input { width: 1fr; }
    SweepScreen #sweep-trials-count { width: 12; }
    SweepScreen #sweep-note { height: auto; padding: 0 1; }
    SweepScreen #sweep-space { height: auto; padding: 0 1; color: $text-muted; }
    SweepScreen #trials { height: 1fr; border: round $secondary; }
    SweepScreen #trials:focus { border: round $accent; }
    """
    BINDINGS = [
        Binding("ctrl+s", "start", "Start", tooltip="Enter in a field starts too"),
        Binding("s", "stop", "Stop"),
        Binding("o", "open_run", "Open run"),
    ]
    group = "sweep"
    note_id = "sweep-note"
    noun = "sweep"
    stop_message = "Stopping after the current batch; finished trials stay in the study."

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[str, ...]] = []

    def compose(self) -> ComposeResult:
        yield StatusLine("Sweep")
        with Horizontal(classes="row"):
            yield Label("preset")
            yield Input(placeholder="topics-en-lstm", id="sweep-preset")
            yield Input("10", type="integer", id="sweep-trials-count", tooltip="trials to run")
        with Horizontal(classes="row"):
            yield Label("search")
            yield Input(placeholder="units=32..256,dropout=0..0.5 epochs=3", id="sweep-search")
            yield Button("Sweep", id="sweep-start", variant="primary")
        yield Static("", markup=False, id="sweep-space")
        yield Static("", markup=False, id="sweep-note")
        trials = DataTable(id="trials", cursor_type="row", zebra_stripes=True)
        trials.border_title = "trials, best first (o opens a trial's run)"
        yield trials
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one("#trials", DataTable)
        for column in ("#", "state", "value", "settings"):
            table.add_column(column, key=column)
        self.show_space()

    @on(Input.Changed, "#sweep-preset, #sweep-search")
    def show_space(self) -> None:
        """What the sweep will search, before it starts: the named settings and the defaults it adds."""
        self.query_one("#sweep-space", Static).update(space_preview(
            self.query_one("#sweep-preset", Input).value.strip(), self.query_one("#sweep-search", Input).value
        ))  # fmt: skip

    def action_start(self) -> None:
        self.start()

    @on(Input.Submitted)
    @on(Button.Pressed, "#sweep-start")
    def start(self) -> None:
        if self.busy():
            return
        from seqtui.core.config.errors import ConfigError
        from seqtui.core.config.presets import get_preset
        from seqtui.core.config.run_config import UnknownName, with_overrides
        from seqtui.core.experiments.errors import SweepError
        from seqtui.core.experiments.sweep import plan_sweep

        search, epochs = search_words(self.query_one("#sweep-search", Input).value)
        try:
            preset = get_preset(self.query_one("#sweep-preset", Input).value.strip())
            trials = int(self.query_one("#sweep-trials-count", Input).value or "0")
            if trials < 1:
                raise SweepError("trials: run at least 1")
            if epochs is not None and not epochs.isdigit():
                raise SweepError(f"epochs={epochs}: write a whole number of epochs, e.g. epochs=3")
            config = with_overrides(preset.config, epochs=int(epochs) if epochs else None)
            plan = plan_sweep(config, search, None, None, self.app.runs_dir)  # type: ignore[attr-defined]
        except (ConfigError, SweepError, UnknownName, ValueError) as exc:
            self.show_problem(exc)
            return
        self.begin_job()
        self.query_one("#sweep-note", Static).update(
            f"study {plan.study}: {trials} more trials in {plan.where}"
        )
        self.run_sweep(plan, trials)

    @work(thread=True, exclusive=True, exit_on_error=False, group="sweep")
    def run_sweep(self, plan: Any, trials: int) -> None:
        from seqtui.core.experiments.study import load_or_create
        from seqtui.core.experiments.sweep import importance, run_trials, trial_rows

        runner = self.app.runner  # type: ignore[attr-defined]
        plan.root.mkdir(parents=True, exist_ok=True)
        study = load_or_create(plan.url, plan.study, plan.config, plan.monitor, plan.config.train.seed)

        train = functools.partial(runner.train, runs_dir=plan.root)  # run_trials adds the pruning callbacks

        def update(study: Any) -> None:
            rows = trial_rows(study.trials, plan.monitor)
            self.post_message(TrialsUpdated(rows, importance(study), nothing_learned(rows, plan.monitor)))

        def observe(outcome: Any, event: Any) -> None:  # why a trial could not train, or ended early
            from seqtui.core.training.events import LogMessage, RunEnded

            if isinstance(event, LogMessage) and event.level != "info":
                self.app.call_from_thread(self.notify, event.message, severity="warning", markup=False)
            elif isinstance(event, RunEnded) and event.status not in ("completed", "interrupted"):
                said = f"trial {outcome.number} {event.status}: {event.message}"
                self.app.call_from_thread(self.notify, said, severity="warning", markup=False)

        update(study)
        run_trials(study, plan.config, plan.space, trials, train, observe, self.cancel, plan.monitor, update)

    def on_trials_updated(self, message: TrialsUpdated) -> None:
        self.rows = message.rows
        table = self.query_one("#trials", DataTable)
        table.clear()
        for number, state, value, settings, _ in self.rows:
            table.add_row(number, state, value, settings, key=number)
        best = next((r for r in self.rows if r[2] != "-"), None)
        text = f"{len(self.rows)} trials" + (f"; best so far: trial {best[0]}, {best[2]}" if best else "")
        if message.importance:
            text += "\nimportance: " + ", ".join(f"{k} {v:.0%}" for k, v in message.importance.items())
        if message.hint:
            text += f"\n{message.hint}"
        self.query_one("#sweep-note", Static).update(text)

    async def action_open_run(self) -> None:
        table = self.query_one("#trials", DataTable)
        if not 0 <= table.cursor_row < len(self.rows):
            return
        run_dir = self.rows[table.cursor_row][4]
        if not run_dir:
            self.notify("This trial has no run folder.", severity="warning")
            return
        await self.app.open_for_prediction(Path(run_dir))  # type: ignore[attr-defined]
