"""A labelled input with its validation message beside it (one line; the screen shows the whole message
of the focused field below the form)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Label, Select, Static


class FieldRow(Horizontal):
    """label | input | message. The input's id is the field name, the message is `#msg-<name>`."""

    DEFAULT_CSS = """
    FieldRow { height: auto; min-height: 1; }
    FieldRow > Label { width: 14; }
    FieldRow > Input { width: 10; }
    FieldRow > .field-message { width: 1fr; padding-left: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    FieldRow.-invalid > Input { text-style: reverse; }
    """

    def __init__(self, name: str, label: str, value: str, tip: str) -> None:
        super().__init__(id=f"row-{name}")
        self.field_name = name
        self._label = label
        self._value = value
        self.tip = tip
        self.problem: str | None = None

    def compose(self) -> ComposeResult:
        yield Label(self._label)
        field = Input(self._value, id=self.field_name, compact=True, select_on_focus=True)
        field.tooltip = self.tip
        yield field
        yield Static("", markup=False, id=f"msg-{self.field_name}", classes="field-message")

    @property
    def note(self) -> str:
        """What to say about this field while it has the focus: its problem in full, else its tip."""
        return f"✗ {self._label}: {self.problem}" if self.problem else f"{self._label}: {self.tip}"

    def set_problem(self, message: str | None, aside: str | None = None) -> None:
        """Show what is wrong with the value, else `aside` (why the model doesn't read this field, or what
        the value means)."""
        self.problem = message
        self.set_class(bool(message), "-invalid")
        self.query_one(".field-message", Static).update(f"✗ {message}" if message else aside or "")


class ChoiceRow(Horizontal):
    """label | select | message: a FieldRow whose value is one of a few choices (the select's id is the
    field name, the message `#msg-<name>`)."""

    DEFAULT_CSS = """
    ChoiceRow { height: auto; min-height: 1; }
    ChoiceRow > Label { width: 14; }
    ChoiceRow > Select { width: 15; }
    ChoiceRow > .field-message { width: 1fr; padding-left: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def __init__(self, name: str, label: str, choices: tuple[str, ...], value: str, tip: str) -> None:
        super().__init__(id=f"row-{name}")
        self.field_name = name
        self._label = label
        self._choices = choices
        self._value = value
        self.tip = tip
        self.problem: str | None = None

    def compose(self) -> ComposeResult:
        yield Label(self._label)
        options = [(choice, choice) for choice in self._choices]
        choice = Select(options, value=self._value, allow_blank=False, compact=True, id=self.field_name)
        choice.tooltip = self.tip
        yield choice
        yield Static("", markup=False, id=f"msg-{self.field_name}", classes="field-message")

    @property
    def note(self) -> str:
        return f"✗ {self._label}: {self.problem}" if self.problem else f"{self._label}: {self.tip}"

    def set_problem(self, message: str | None, aside: str | None = None) -> None:
        """Show what is wrong with the choice, else `aside` (why it is fixed, or what it means)."""
        self.problem = message
        self.query_one(".field-message", Static).update(f"✗ {message}" if message else aside or "")
