"""Where the model fails, in the app: a confusion matrix cell's test examples, most confident first, each one
a key away from the Predict screen (and its inside views); and a run's whole matrix, for the Runs screen.

The answers come from `seqtui.core.inference.inspect_mistakes` (the computation `seqtui inspect --mistakes`
prints), loaded in a thread worker: the model and the test split take seconds.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState

from seqtui.common.text import inert, plural
from seqtui.tui.errors import describe_error
from seqtui.tui.widgets.confusion import ConfusionMatrix, ConfusionTable
from seqtui.tui.widgets.digit_canvas import DigitPreview

if TYPE_CHECKING:
    from seqtui.core.inference.inspect_mistakes import Mistake, TestAnswers

EXAMPLES_SHOWN = 500
"""A cell lists at most this many examples (the most confident): a diagonal cell of IMDB holds 12,000."""
TEXT_CELLS = 200
"""An example's text is cut to this many characters in the list (the side pane shows it whole)."""

_answers: dict[tuple[str, int | None], TestAnswers] = {}
_answers_lock = threading.Lock()


def load_answers(app: App[Any], run_dir: Path) -> TestAnswers:
    """The run's answers on its test split, loaded through the app's session loader (call it in a worker).
    The last run's are kept, keyed by its model file's time, so each cell of a matrix opens at once."""
    from seqtui.core.runs.folder import RunFolder

    model = RunFolder(Path(run_dir)).model_file()
    key = (str(Path(run_dir).resolve()), model.stat().st_mtime_ns if model else None)
    with _answers_lock:
        if key in _answers:
            return _answers[key]
    answers = app.session_loader(Path(run_dir)).test_answers()  # type: ignore[attr-defined]
    with _answers_lock:
        _answers.clear()
        _answers[key] = answers
    return answers


def no_matrix_reason(run_dir: Path) -> str | None:
    """Why a run has no confusion matrix (a forecaster, a text generator), or None for a classifier."""
    from seqtui.core.runs.folder import CONFIG, RunFolder, RunFolderError

    try:
        task = RunFolder(Path(run_dir)).read_json(CONFIG).get("task")
    except RunFolderError as exc:
        return str(exc)
    what = {"regression": "a forecaster", "generation": "a text generator"}.get(str(task))
    if what:
        return f"{Path(run_dir).name} is {what}: it has no classes, so no confusion matrix (try it with p)."
    return None


@dataclass(frozen=True)
class Chosen:
    """A test example to open on the Predict screen."""

    run_dir: Path
    text: str | None
    image: np.ndarray | None


async def open_chosen(app: App[Any], chosen: Chosen | None) -> None:
    """The example on the Predict screen, with the run's model: its text in the sentence field, or its
    image on the canvas, so every view of Predict reads it."""
    if chosen is None:
        return
    await app.open_for_prediction(chosen.run_dir)  # type: ignore[attr-defined]
    from seqtui.tui.screens.predict import PredictScreen

    app.get_screen("predict", PredictScreen).show_example(chosen.text, chosen.image)


class _Loading(ModalScreen[Any]):
    """A box over the screen that loads the run's answers in a worker and says so meanwhile; esc closes."""

    DEFAULT_CSS = """
    _Loading { align: center middle; }
    _Loading > #box {
        width: 96%; max-width: 118; height: 90%; max-height: 34;
        border: thick $accent; background: $surface; padding: 0 1;
    }
    _Loading #box-title { height: auto; text-style: bold; }
    _Loading #box-status { height: auto; color: $text-muted; }
    _Loading #box-keys { height: 1; color: $text-muted; text-style: italic; dock: bottom; }
    """
    BINDINGS = [Binding("escape", "close", "Close")]

    def __init__(self, run_dir: Path) -> None:
        super().__init__()
        self.run_dir = Path(run_dir)
        self.answers: TestAnswers | None = None

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, name="test answers")
    def load(self) -> TestAnswers:
        answers = load_answers(self.app, self.run_dir)
        self.prepare(answers)
        return answers

    def prepare(self, answers: TestAnswers) -> None:
        """What the box shows, computed in the worker (off the UI thread)."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.name != "test answers":
            return
        event.stop()  # said in the box, not in another dialog over it
        if event.state == WorkerState.SUCCESS:
            self.answers = event.worker.result
            self.loaded(event.worker.result)
        elif event.state == WorkerState.ERROR and event.worker.error is not None:
            title, message = describe_error(event.worker.error)
            self.status(Text(f"✗ {title}: {message}"))

    def loaded(self, answers: TestAnswers) -> None: ...

    def status(self, text: str | Text) -> None:
        self.query_one("#box-status", Static).update(text)

    def action_close(self) -> None:
        self.dismiss(None)


class CellExamples(_Loading):
    """The test examples of one (true, predicted) cell, most confident first, with the probability the model
    gave the predicted class; enter opens one on the Predict screen (the dialog answers with it)."""

    DEFAULT_CSS = """
    CellExamples #examples { width: 1fr; height: 1fr; }
    CellExamples #example-side { width: 34; height: 1fr; padding: 0 0 0 1; }
    CellExamples #example-text { height: auto; }
    CellExamples #example-image { display: none; }
    CellExamples #example-image.-shown { display: block; }
    """

    def __init__(self, run_dir: Path, true: int, predicted: int, names: list[str]) -> None:
        super().__init__(run_dir)
        self.true, self.predicted = true, predicted
        self.names = names
        self.examples: list[Mistake] = []
        self.in_cell = 0

    def _class_name(self, index: int) -> str:
        return inert(self.names[index], keep="") if index < len(self.names) else str(index)

    def compose(self) -> ComposeResult:
        t, p = self._class_name(self.true), self._class_name(self.predicted)
        with Vertical(id="box"):
            yield Static(f"true {t} · predicted {p}", markup=False, id="box-title")
            yield Static("loading the model and its test split...", markup=False, id="box-status")
            with Horizontal():
                yield DataTable(id="examples", cursor_type="row", zebra_stripes=True)
                with VerticalScroll(id="example-side"):
                    yield DigitPreview(id="example-image")
                    yield Static("", markup=False, id="example-text")
            yield Static("↑↓ pick · enter: open it in Predict · esc: back", markup=False, id="box-keys")

    def prepare(self, answers: TestAnswers) -> None:
        self.in_cell = len(answers.rows(self.true, self.predicted))
        self.examples = answers.cell(self.true, self.predicted, EXAMPLES_SHOWN)  # ~0.1 s for 500 texts

    def loaded(self, answers: TestAnswers) -> None:
        p = self._class_name(self.predicted)
        if not self.in_cell:
            self.status(f"No test example is in this cell: the model never answered {p} for them.")
            return
        shown = (
            f", the {len(self.examples):,} most confident listed" if self.in_cell > len(self.examples) else ""
        )
        self.status(
            f"{plural(self.in_cell, 'test example')}{shown}, most confident first; p = the probability of {p}"
        )
        table = self.query_one("#examples", DataTable)
        table.add_columns("#", "row", "p", "example")
        for rank, example in enumerate(self.examples, 1):
            text = Text(inert(example.text, keep="")[:TEXT_CELLS], no_wrap=True, overflow="ellipsis")
            table.add_row(str(rank), str(example.row), f"{example.confidence:.3f}", text, key=str(rank - 1))
        table.focus()

    @on(DataTable.RowHighlighted, "#examples")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.answers is None or not self.examples:
            return
        example = self.examples[event.cursor_row]
        image = self.answers.image(example.row)
        preview = self.query_one("#example-image", DigitPreview)
        preview.set_class(image is not None, "-shown")
        if image is not None:
            preview.show(image)
            text = f"test row {example.row}, p = {example.confidence:.3f}"
        else:
            text = f"test row {example.row}, p = {example.confidence:.3f}\n\n{inert(example.text)}"
        self.query_one("#example-text", Static).update(text)

    @on(DataTable.RowSelected, "#examples")
    def _selected(self, event: DataTable.RowSelected) -> None:
        if self.answers is None or not self.examples:
            return
        example = self.examples[event.cursor_row]
        image = self.answers.image(example.row)
        self.dismiss(Chosen(self.run_dir, None if image is not None else example.text, image))


class RunConfusion(_Loading):
    """A run's confusion matrix on its test split, computed from its saved model (the Runs screen's `m`);
    its cells open as on the Train screen."""

    DEFAULT_CSS = """
    RunConfusion #run-matrix { height: 1fr; }
    """

    def compose(self) -> ComposeResult:
        with Vertical(id="box"):
            yield Static(
                f"{self.run_dir.name}: the confusion matrix of its test split", markup=False, id="box-title"
            )
            yield Static("loading the model and its test split...", markup=False, id="box-status")
            with VerticalScroll(id="run-matrix"):
                yield ConfusionMatrix(table_id="run-confusion")
            yield Static("arrows pick a cell · enter: its examples · esc: back", markup=False, id="box-keys")

    def loaded(self, answers: TestAnswers) -> None:
        right = int((answers.true == answers.predicted).sum())
        total = len(answers.true)
        self.status(
            f"{right:,} of {plural(total, 'test example')} right; rows: true class, columns: predicted"
        )
        table = self.query_one("#run-confusion", ConfusionTable)
        table.show(answers.confusion(), answers.names)
        table.focus()

    @on(ConfusionTable.CellChosen)
    def _cell(self, event: ConfusionTable.CellChosen) -> None:
        def chosen(example: Chosen | None) -> None:
            if example is not None:
                self.dismiss(example)

        self.app.push_screen(
            CellExamples(self.run_dir, event.true, event.predicted, event.table.names), chosen
        )
