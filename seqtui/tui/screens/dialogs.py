"""Small modal dialogs: an error to read, a yes/no question, a number of epochs, a line of text."""

from __future__ import annotations

from typing import TypeVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from seqtui.common.text import plural

ResultT = TypeVar("ResultT")


class Dialog(ModalScreen[ResultT]):
    """A centred box over the current screen."""

    DEFAULT_CSS = """
    Dialog { align: center middle; }
    Dialog > Vertical {
        width: 72; max-width: 96%; height: auto; max-height: 90%;
        border: thick $accent; background: $surface; padding: 0 1;
    }
    Dialog.error-dialog > Vertical { border: thick $error; }
    Dialog > Vertical > .title { text-style: bold; width: 1fr; padding-bottom: 1; }
    Dialog > Vertical > VerticalScroll { height: auto; max-height: 14; }
    Dialog > Vertical > Horizontal { height: auto; align-horizontal: right; padding-top: 1; }
    Dialog > Vertical > Horizontal > Button { margin-left: 2; }
    """


class ErrorDialog(Dialog[None]):
    """An error with what to do about it; the app keeps running behind it."""

    BINDINGS = [Binding("escape,enter", "dismiss", "Close")]

    def __init__(self, title: str, message: str) -> None:
        super().__init__(classes="error-dialog")
        self.title_text = title
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"✗ {self.title_text}", markup=False, classes="title")
            with VerticalScroll():
                yield Static(self.message, markup=False, id="error-message")
            with Horizontal():
                yield Button("OK", variant="primary", id="ok")

    def on_mount(self) -> None:
        self.query_one("#ok").focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None)

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)


class ConfirmDialog(Dialog[bool]):
    """A yes/no question; y/enter says yes, n/escape says no."""

    BINDINGS = [Binding("y", "answer(True)", "Yes"), Binding("n,escape", "answer(False)", "No")]

    def __init__(self, question: str, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self.question = question
        self.yes, self.no = yes, no

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question, markup=False, classes="title")
            with Horizontal():
                yield Button(f"{self.no} (n)", id="no")
                yield Button(f"{self.yes} (y)", variant="warning", id="yes")

    def on_mount(self) -> None:
        self.query_one("#yes").focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class EpochsDialog(Dialog["int | None"]):
    """How many epochs in total a continued run should reach."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, run_name: str, done: int, suggested: int) -> None:
        super().__init__()
        self.run_name, self.done, self.suggested = run_name, done, suggested

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(
                f"Continue {self.run_name}: it has {plural(self.done, 'epoch')}. Train until epoch:",
                markup=False,
                classes="title",
            )
            yield Input(str(self.suggested), id="epochs", type="integer")
            yield Static("", markup=False, id="epochs-message")
            with Horizontal():
                yield Button("Cancel (esc)", id="cancel")
                yield Button("Continue (enter)", variant="primary", id="go")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def _submit(self) -> None:
        text = self.query_one(Input).value.strip()
        if not text.isdigit() or int(text) <= self.done:
            self.query_one("#epochs-message", Static).update(f"✗ enter a whole number above {self.done}")
            return
        self.dismiss(int(text))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "go":
            self._submit()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class TextDialog(Dialog["str | None"]):
    """One line of text to type (a run's new name, its note): enter keeps it, escape cancels. `required`
    refuses an empty line, saying so below the field."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, question: str, value: str = "", placeholder: str = "", required: bool = True) -> None:
        super().__init__()
        self.question, self.value, self.placeholder, self.required = question, value, placeholder, required

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question, markup=False, classes="title")
            yield Input(self.value, placeholder=self.placeholder, id="text")
            yield Static("", markup=False, id="text-message")
            with Horizontal():
                yield Button("Cancel (esc)", id="cancel")
                yield Button("Save (enter)", variant="primary", id="save")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def _submit(self) -> None:
        text = self.query_one(Input).value
        if self.required and not text.strip():
            self.query_one("#text-message", Static).update("✗ type at least one character, or esc to cancel")
            return
        self.dismiss(text)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self._submit()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
