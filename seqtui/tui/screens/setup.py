"""Setup: a dataset, an architecture and the numbers the lessons talk about, checked as you type, with a
live model summary (computed without Keras in a thread worker, so it shows before the engine loads)."""

from __future__ import annotations

import dataclasses
from typing import Any

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Footer, Input, Label, Select, Static
from textual.worker import Worker

from seqtui.core.config.metrics import MONITORS
from seqtui.core.config.presets import PRESETS
from seqtui.core.config.run_config import ARCHITECTURES, RunConfig
from seqtui.core.config.tokenizing import TOKENIZERS, tokenizer_name
from seqtui.core.config.validation import Problem
from seqtui.datasets.registry import DATASETS, DatasetInfo
from seqtui.tui import memory
from seqtui.tui.screens.base import BaseScreen
from seqtui.tui.setup_coverage import TextCoverage
from seqtui.tui.setup_datasets import (
    DATASET_COLUMNS,
    DatasetFetching,
    config_path_ok,
    dataset_cells,
    dataset_text,
    default_preset,
    preset_options,
)
from seqtui.tui.setup_form import (
    FIELD_NAMES,
    FORM_FIELDS,
    availability,
    config_from_form,
    field_text,
    hidden_when_unused,
    unused_reason,
)
from seqtui.tui.setup_lr_finder import RateFinding
from seqtui.tui.setup_run_fields import RUN_FIELDS, RunFields
from seqtui.tui.setup_summary import SummaryRefresh
from seqtui.tui.widgets.field_row import ChoiceRow, FieldRow
from seqtui.tui.widgets.layer_summary import LayerSummary
from seqtui.tui.widgets.status_line import StatusLine

SCREEN_ORDER = {
    name: i
    for i, name in enumerate(
        ("dataset", "data_path", "embeddings", "arch", *FIELD_NAMES, "monitor", *RUN_FIELDS)
    )
}
"""Where each setting sits on the screen, top to bottom: the first problem named is the first one seen."""


class SetupScreen(DatasetFetching, RateFinding, RunFields, SummaryRefresh, TextCoverage, BaseScreen):
    DEFAULT_CSS = """
    SetupScreen #setup-body { height: 1fr; }
    SetupScreen #data-pane { width: 34; padding: 0 1 0 0; }
    SetupScreen.-wide #data-pane { width: 1fr; min-width: 64; max-width: 90; }
    SetupScreen #form-pane { width: 1fr; min-width: 40; border-left: vkey $secondary; padding: 0 0 0 1; }
    SetupScreen #data-pane .row > Label { width: 10; }
    SetupScreen #datasets { height: 1fr; min-height: 5; }
    SetupScreen.-tall #datasets { height: auto; max-height: 24; }
    SetupScreen #dataset-info { height: auto; }
    SetupScreen #fetch-message { height: auto; }
    SetupScreen #coverage { height: auto; color: $text-muted; display: none; }
    SetupScreen #coverage.-shown { display: block; }
    SetupScreen #field-note { height: auto; color: $text-muted; padding: 0 0 1 0; }
    SetupScreen #other-problems { height: auto; display: none; }
    SetupScreen #other-problems.-shown { display: block; }
    SetupScreen .section { text-style: bold; }
    SetupScreen #model-pane { height: auto; }
    SetupScreen #model-pane.-maximized { height: 1fr; }
    SetupScreen #model-pane:focus > .section { text-style: bold reverse; }
    SetupScreen Select { width: 1fr; }
    SetupScreen #data_path { width: 1fr; }
    SetupScreen #data_path.-invalid { text-style: reverse; }
    SetupScreen FieldRow.-unused { display: none; }
    SetupScreen #row-label > Input, SetupScreen #row-notify > Input { width: 2fr; }
    """
    BINDINGS = [
        Binding("ctrl+s", "start", "Start", priority=True),
        Binding("ctrl+g", "fetch", "Fetch data"),
        Binding("ctrl+l", "find_lr", "Find LR"),
        Binding("ctrl+r", "reset", "Reset", show=False),
        Binding("ctrl+t", "use_suggested_maxlen", "Suggested maxlen", show=False),
        Binding("ctrl+o", "zoom", "Model"),  # the summary fills the screen; z too, outside a text field
        Binding("z", "zoom", "Model", show=False),
    ]
    ZOOM = ("#model-pane",)

    def __init__(self) -> None:
        super().__init__()
        self.remembered = memory.recall()
        preset = self.remembered.get("preset")
        self.preset = preset if preset in PRESETS else default_preset()
        self.base: RunConfig = PRESETS[self.preset].config
        dataset = self.remembered.get("dataset")
        self.dataset = dataset if dataset in DATASETS else self.base.data.dataset
        self.config: RunConfig | None = None
        self.problems: list[Problem] = []
        self.blocker: str | None = None

    # -- layout -------------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield StatusLine("Setup")
        with Horizontal(id="setup-body"):
            with Vertical(id="data-pane"):
                with Horizontal(classes="row"):
                    yield Label("preset")
                    yield Select(
                        preset_options(), value=self.preset, allow_blank=False, compact=True, id="preset"
                    )  # each name with ✓ (trains here), ↓ (download), … (your file)
                yield DataTable(id="datasets", cursor_type="row", zebra_stripes=True)
                yield Static(markup=False, id="dataset-info")
                with Horizontal(classes="row"):
                    yield Label("data file")
                    yield Input(placeholder="optional: a path", id="data_path", compact=True)
                with Horizontal(classes="row"):
                    yield Label("vectors")
                    yield Input(
                        placeholder="optional: GloVe .txt, word2vec text, fastText .vec",
                        id="embeddings",
                        compact=True,
                    )
                with Horizontal(classes="row"):
                    yield Label("")  # the vectors' row above says what these choices are about
                    choices = [("fine-tuned", False), ("frozen", True)]
                    yield Select(
                        choices, value=False, allow_blank=False, compact=True, id="freeze_embeddings"
                    )
                yield Static(markup=False, id="fetch-message")
            with VerticalScroll(id="form-pane"):
                with Horizontal(classes="row"):
                    yield Label("architecture")
                    arch_options = [(a, a) for a in ARCHITECTURES]
                    yield Select(
                        arch_options, value=self.base.model.arch, allow_blank=False, compact=True, id="arch"
                    )
                with Horizontal(classes="row"):
                    yield Label("tokenizer")
                    yield Select(
                        [(name, name) for name in TOKENIZERS], value=tokenizer_name(self.base.data.split),
                        allow_blank=False, compact=True, id="tokenizer",
                    )  # fmt: skip
                for spec in FORM_FIELDS:
                    yield FieldRow(spec.name, spec.label, field_text(self.base, spec.name), spec.tip)
                    if spec.name == "vocab_size":
                        yield Static(markup=False, id="coverage")  # the data's lengths against these two
                yield from self.compose_run_fields(self.base.train.monitor)
                yield Static(markup=False, id="field-note")
                yield Static(markup=False, id="other-problems")
                with VerticalScroll(id="model-pane"):  # a tab stop; ctrl+o (or z) fills the screen with it
                    yield Label("model", classes="section")
                    yield LayerSummary(id="summary")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.fill_datasets()
        self.select_dataset(self.dataset)
        self._apply(self.remembered)
        self.query_one("#datasets", DataTable).focus()

    # -- remembering the setup between launches ----------------------------------------------------
    def setup_state(self) -> dict[str, Any]:
        """What the form shows now, as `memory.remember` keeps it."""
        return {
            "preset": self.preset,
            "dataset": self.dataset,
            "arch": str(self.query_one("#arch", Select).value),
            "data_path": self.query_one("#data_path", Input).value,
            "embeddings": self.query_one("#embeddings", Input).value,
            "freeze_embeddings": self.query_one("#freeze_embeddings", Select).value is True,
            "monitor": self.monitor,
            # a field with a problem (a stray letter: "0q") is not remembered; the next launch shows the preset's
            "fields": {
                name: self.query_one(f"#{name}", Input).value
                for name in FIELD_NAMES
                if name not in {p.field for p in self.problems}
            },
            "notify": self.query_one("#notify", Input).value,
        }

    def _apply(self, state: dict[str, Any]) -> None:
        """Put a remembered setup back in the form (values it doesn't know are left as they are)."""
        fields = state.get("fields")
        if isinstance(fields, dict):
            for name in FIELD_NAMES:
                if isinstance(fields.get(name), str):
                    self.query_one(f"#{name}", Input).value = fields[name]
        if state.get("arch") in ARCHITECTURES:
            self.query_one("#arch", Select).value = state["arch"]
        if isinstance(state.get("data_path"), str):
            self.query_one("#data_path", Input).value = state["data_path"]
        if isinstance(state.get("embeddings"), str):
            self.query_one("#embeddings", Input).value = state["embeddings"]
        if isinstance(state.get("freeze_embeddings"), bool):
            self.query_one("#freeze_embeddings", Select).value = state["freeze_embeddings"]
        if isinstance(state.get("notify"), str):
            self.query_one("#notify", Input).value = state["notify"]
        if state.get("monitor") in MONITORS:
            self.query_one("#monitor", Select).value = state["monitor"]

    def action_reset(self) -> None:
        """Forget the remembered setup and show the first lesson preset as it is."""
        memory.forget()
        self.choose_preset(default_preset(), force=True)
        self.query_one("#data_path", Input).value = ""
        self.notify("Settings reset to the preset; nothing is remembered now.")

    def choose_preset(self, name: str, force: bool = False) -> None:
        """Show a preset's settings (the command palette and the preset list both come here)."""
        select = self.query_one("#preset", Select)
        if force or select.value == name:
            self.preset = ""  # so the change below applies even to the preset already shown
            self._use_preset(name)
        select.value = name

    def fill_datasets(self) -> None:
        """The dataset list: name and status in 80 columns (the description below says the rest); task,
        samples and classes too from 96 columns on."""
        table = self.query_one("#datasets", DataTable)
        columns = DATASET_COLUMNS if self.app.size.width >= 96 else DATASET_COLUMNS[:2]
        table.clear(columns=len(table.columns) != len(columns))
        if not table.columns:
            for column in columns:
                table.add_column(column, key=column)
        for info in DATASETS.values():
            table.add_row(*dataset_cells(info)[: len(columns)], key=info.name)

    def on_resize(self) -> None:
        table = self.query_one("#datasets", DataTable)
        if len(table.columns) != (len(DATASET_COLUMNS) if self.app.size.width >= 96 else 2):
            self.fill_datasets()
            self.select_dataset(self.dataset)

    def select_dataset(self, name: str) -> None:
        table = self.query_one("#datasets", DataTable)
        table.move_cursor(row=table.get_row_index(name))
        self._dataset_changed(name)

    @property
    def info(self) -> DatasetInfo:
        return DATASETS[self.dataset]

    # -- reacting to the user -----------------------------------------------------------------------
    @on(Select.Changed, "#preset")
    def _preset_chosen(self, event: Select.Changed) -> None:
        if event.value == self.preset or event.value is Select.NULL:
            return
        self._use_preset(str(event.value))

    def _use_preset(self, name: str) -> None:
        self.preset = name
        self.base = PRESETS[self.preset].config
        for spec in FORM_FIELDS:
            self.query_one(f"#{spec.name}", Input).value = field_text(self.base, spec.name)
        self.query_one("#arch", Select).value = self.base.model.arch
        self.query_one("#tokenizer", Select).value = tokenizer_name(self.base.data.split)
        self.query_one("#monitor", Select).value = self.base.train.monitor
        self.select_dataset(self.base.data.dataset)

    @on(DataTable.RowHighlighted, "#datasets")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value and event.row_key.value != self.dataset:
            self._dataset_changed(str(event.row_key.value))

    def _dataset_changed(self, name: str) -> None:
        if name != self.dataset and not self.query("#fetch-bar"):
            self.query_one("#fetch-message", Static).update("")  # an old fetch's outcome is about another set
        self.dataset = name
        info = self.info
        tokens = info.input_kind in ("tokens", "auto")
        self.query_one("#tokenizer", Select).disabled = not tokens
        self.query_one("#embeddings", Input).disabled = not tokens
        self.query_one("#freeze_embeddings", Select).disabled = not tokens
        self.query_one("#dataset-info", Static).update(dataset_text(info, tokens))
        self.revalidate()

    @on(Input.Changed)
    @on(Select.Changed, "#arch")
    @on(Select.Changed, "#tokenizer")
    @on(Select.Changed, "#freeze_embeddings")
    @on(Select.Changed, "#monitor")
    def _edited(self, event: Any) -> None:
        self.revalidate()

    def revalidate(self) -> None:
        """Rebuild the config from the form and show every problem beside its field."""
        values = {name: self.query_one(f"#{name}", Input).value for name in FIELD_NAMES}
        arch = str(self.query_one("#arch", Select).value)
        data_path = self.query_one("#data_path", Input).value.strip() or None
        base = (
            self.base
            if self.base.data.dataset == self.dataset
            else dataclasses.replace(self.base, preset=None)
        )
        tokenizer = str(self.query_one("#tokenizer", Select).value)
        text = self.info.input_kind in ("tokens", "auto")
        embeddings = self.query_one("#embeddings", Input).value.strip() if text else ""
        freeze = self.query_one("#freeze_embeddings", Select).value is True
        config, problems = config_from_form(
            base, values, self.dataset, arch, data_path, tokenizer, embeddings or None, freeze, self.monitor
        )
        self._show_file_dimension(embeddings)
        if data_path and not config_path_ok(data_path):
            problems.insert(0, Problem("data_path", f"no file or folder {data_path!r}: check the path"))
        self.query_one("#data_path", Input).set_class(
            bool(data_path) and not config_path_ok(data_path), "-invalid"
        )
        problems += self.run_field_problems(config)
        config = self.named(config)
        self.problems = problems
        self.blocker = availability(self.info, data_path)
        by_field: dict[str, str] = {}
        for problem in problems:
            by_field.setdefault(problem.field, problem.message)
        for row in self.query(FieldRow):
            unused = unused_reason(row.field_name, arch, self.info.input_kind)
            row.query_one(Input).disabled = unused is not None
            row.set_class(unused is not None and hidden_when_unused(row.field_name), "-unused")
            row.set_problem(by_field.get(row.field_name), unused or self.run_field_aside(row.field_name))
        self.show_monitor(arch, self.info.input_kind, problems)
        self.show_coverage(config.data, {p.field for p in problems}, self.blocker)
        self._show_note()
        shown = (*FIELD_NAMES, "monitor", *RUN_FIELDS)  # beside their rows
        others = [f"✗ {p.field}: {p.message}" for p in problems if p.field not in shown]
        if self.blocker:
            others.append(f"! {self.blocker}")
        other = self.query_one("#other-problems", Static)
        other.update(Text("\n".join(others)))
        other.set_class(bool(others), "-shown")
        self.config = None if problems else config
        self._schedule_summary()

    def _show_file_dimension(self, embeddings: str) -> None:
        """The embedding field shows the size the word-vector file sets (the form's config takes it)."""
        from seqtui.core.model.pretrained import file_dimension

        dim = file_dimension(embeddings) if embeddings else None
        box = self.query_one("#embedding_dim", Input)
        if dim and box.value.strip() != str(dim):
            box.value = str(dim)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        self._show_note()

    def _show_note(self) -> None:
        """The focused field's tip, or its whole problem (the row beside it has room for one line)."""
        focused = self.focused
        row = focused.parent if focused is not None else None
        note = row.note if isinstance(row, (FieldRow, ChoiceRow)) else ""
        self.query_one("#field-note", Static).update(note)

    def worker_changed(self, event: Worker.StateChanged) -> bool:
        worker = event.worker
        if worker.group == "summary":
            return self.summary_state(event)  # an error is shown in place; no dialog for a half-typed setting
        if worker.group == "fetch":
            self._fetch_state(event)
        elif worker.group == "lr":
            return self.lr_state(event)
        elif worker.group == "coverage":
            return self.coverage_state(event)
        return False

    # -- actions ------------------------------------------------------------------------------------
    def action_start(self) -> None:
        self.revalidate()
        if self.problems:  # every problem at once, top to bottom as the screen shows them
            ordered = sorted(self.problems, key=lambda p: SCREEN_ORDER.get(p.field, len(SCREEN_ORDER)))
            first, count = ordered[0], len(ordered)
            also = "".join(f"\n✗ {p}" for p in ordered[1:])
            self.notify(
                f"Fix {count} problem{'s' if count > 1 else ''} first: {first}{also}",
                severity="error",
                markup=False,
            )
            if first.field in (*FIELD_NAMES, *RUN_FIELDS, "data_path", "embeddings"):
                self.query_one(f"#{first.field}", Input).focus()
            return
        if self.blocker:
            self.notify(self.blocker, severity="warning", markup=False)
            return
        assert self.config is not None
        config = self.config
        self.app.activity = f"starting {config.name}"  # type: ignore[attr-defined]
        self.notify(f"Starting {config.name}: loading data and building the model...", timeout=3)
        memory.remember(self.setup_state())
        self.call_after_refresh(self._start, config)  # the message paints before the Train screen builds

    async def _start(self, config: RunConfig) -> None:
        await self.app.start_training(config)  # type: ignore[attr-defined]
