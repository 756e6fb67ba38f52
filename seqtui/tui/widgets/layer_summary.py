"""The model as a table: each layer's output shape and parameters, then each layer's parameter arithmetic
(`core.model.arithmetic`), the Input row first."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from seqtui.core.config.presets import PRESETS
from seqtui.core.config.run_config import RunConfig
from seqtui.core.model.arithmetic import formula_total, layer_formulas


def lesson_count(config: RunConfig) -> tuple[int | None, str | None]:
    """The preset's published parameter count to compare with (on the preset's own dataset)."""
    preset = PRESETS.get(config.preset or "")
    if preset is None or preset.params is None or config.data.dataset != preset.dataset:
        return None, None
    return preset.params, preset.name


def arithmetic_lines(table: dict[str, Any]) -> list[Text]:
    """One line per layer: its formula in words, with this model's numbers, and what they come to."""
    lines: list[Text] = []
    for f in layer_formulas(table):
        if f.layer == "Input":
            lines.append(Text.assemble(("Input: ", "bold"), f"{f.numbers}, no weights"))
        elif f.value == 0:
            lines.append(Text.assemble((f"{f.layer}: ", "bold"), ("0 (no weights)", "dim")))
        else:
            lines.append(Text.assemble((f"{f.layer}: ", "bold"), f.symbolic))
            lines.append(Text("  = " + (f.numbers if f.value is None else f"{f.numbers} = {f.value:,}")))
    return lines


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
    lines = arithmetic_lines(table)
    total = table["total_params"]
    summed = formula_total(layer_formulas(table))
    verdict = ""
    if expected is not None:
        verdict = "  ✓ the lesson's count" if total == expected else f"  (preset {preset}: {expected:,})"
    lines.append(Text.assemble(("total ", "bold"), (f"{total:,}", "bold"), " parameters", verdict))
    if summed is not None and summed != total:  # never expected: the arithmetic and the table disagree
        lines.append(Text(f"the formulas sum to {summed:,}", style="bold red"))
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
