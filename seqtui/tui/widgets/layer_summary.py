"""The model as a table: each layer's output shape and parameters, and the recurrent arithmetic."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

SYMBOLIC = {
    "SimpleRNN": "(features + units) x units + units",
    "LSTM": "4 x ((features + units) x units + units)",
    "GRU": "3 x ((features + units) x units + 2 x units)",
}


def _recurrent_kind(row: dict[str, Any]) -> str:
    """SimpleRNN, LSTM or GRU, looking inside a Bidirectional wrapper by its formula."""
    if row["type"] != "Bidirectional":
        return row["type"]
    inner = row.get("formula", "")[len("2 x [") :]
    return "LSTM" if inner.startswith("4 x") else "GRU" if inner.startswith("3 x") else "SimpleRNN"


def summary_renderable(
    table: dict[str, Any], expected: int | None = None, preset: str | None = None
) -> Group:
    view = Table(box=None, padding=(0, 1, 0, 0), show_edge=False, expand=False)
    view.add_column("layer")
    view.add_column("output shape")
    view.add_column("params", justify="right")
    for row in table["layers"]:
        shape = "(" + ", ".join(str(s) for s in row["output_shape"]) + ")"
        view.add_row(f"{row['type']}", shape, f"{row['params']:,}")
    lines: list[Text] = []
    for row in table["layers"]:
        if "formula" in row:
            kind = _recurrent_kind(row)
            symbolic = SYMBOLIC.get(kind, "")
            if row["type"] == "Bidirectional":
                symbolic = f"2 directions x [{symbolic}]"
            lines.append(Text.assemble((f"{row['type']}: ", "bold"), symbolic))
            lines.append(Text(f"  = {row['formula']}"))
    total = table["total_params"]
    verdict = ""
    if expected is not None:
        verdict = "  ✓ the lesson's count" if total == expected else f"  (preset {preset}: {expected:,})"
    lines.append(Text.assemble(("total ", "bold"), (f"{total:,}", "bold"), " parameters", verdict))
    return Group(view, *lines)


class LayerSummary(Static):
    """A live model summary; `show` a layer table or a message saying why there is none."""

    DEFAULT_CSS = """
    LayerSummary { height: auto; padding: 0 1; }
    """

    def show(self, table: dict[str, Any], expected: int | None = None, preset: str | None = None) -> None:
        self.update(summary_renderable(table, expected, preset))

    def message(self, text: str) -> None:
        self.update(Text(text, style="italic"))
