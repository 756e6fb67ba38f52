"""A labelled input with its validation message beside it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Label, Static


class FieldRow(Horizontal):
    """label | input | message. The input's id is the field name, the message is `#msg-<name>`."""

    DEFAULT_CSS = """
    FieldRow { height: auto; min-height: 1; }
    FieldRow > Label { width: 14; }
    FieldRow > Input { width: 10; }
    FieldRow > .field-message { width: 1fr; padding-left: 1; }
    FieldRow.-invalid > Input { text-style: reverse; }
    """

    def __init__(self, name: str, label: str, value: str, tip: str) -> None:
        super().__init__(id=f"row-{name}")
        self.field_name = name
        self._label = label
        self._value = value
        self._tip = tip

    def compose(self) -> ComposeResult:
        yield Label(self._label)
        field = Input(self._value, id=self.field_name, compact=True, select_on_focus=True)
        field.tooltip = self._tip
        yield field
        yield Static("", markup=False, id=f"msg-{self.field_name}", classes="field-message")

    def set_problem(self, message: str | None) -> None:
        self.set_class(bool(message), "-invalid")
        self.query_one(".field-message", Static).update(f"✗ {message}" if message else "")
