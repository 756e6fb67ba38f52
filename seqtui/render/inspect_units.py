"""One selected hidden unit as `seqtui inspect --unit` and the Predict screen show it: its value per token
(and its gates', for an LSTM or GRU), and the validation fragments where it is highest, the peak token in
[brackets] so it reads in black and white too."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group
from rich.table import Table
from rich.text import Text

from seqtui.render.inspect import Row, Scale, clean, columns, heat_map

if TYPE_CHECKING:
    from seqtui.core.inference.inspect import TokenInspection
    from seqtui.core.inference.inspect_states import RecurrentTrace
    from seqtui.core.inference.inspect_units import UnitFragments, UnitRef


def trace_of(found: TokenInspection, ref: UnitRef) -> RecurrentTrace | None:
    """The layer (and direction) the unit belongs to."""
    return next((t for t in found.traces if (t.name, t.direction) == (ref.layer, ref.direction)), None)


def unit_gate_rows(trace: RecurrentTrace, unit: int, steps: list[int]) -> list[Row]:
    """Each gate of one unit per step (0..1), then its cell state (LSTM)."""
    share = Scale(0.0, 1.0, diverging=False)
    rows = [
        Row(f"{name} u{unit}", [float(values[s, unit]) for s in steps], share)
        for name, values in trace.gates.items()
        if name != "cell"
    ]
    if "cell" in trace.gates:
        cell = [float(trace.gates["cell"][s, unit]) for s in steps]
        rows.append(Row(f"cell u{unit}", cell, Scale.around_zero(cell)))
    return rows


def unit_rows(trace: RecurrentTrace, unit: int, steps: list[int]) -> list[Row]:
    """The unit's h_t per step (on its own scale), then its gates."""
    values = [float(trace.hidden[s, unit]) for s in steps]
    return [Row(f"h_t u{unit}", values, Scale.around_zero(values)), *unit_gate_rows(trace, unit, steps)]


def fragment_text(tokens: list[str], peak: int) -> Text:
    """The tokens with the peak in bold [brackets]."""
    out = Text()
    for n, token in enumerate(tokens):
        if n:
            out.append(" ")
        word = clean(token)
        out.append(f"[{word}]" if n == peak else word, style="bold" if n == peak else "")
    return out


def fragments_table(found: UnitFragments) -> Table:
    title = (
        f"{clean(found.ref.label)}: where it is highest in the validation set "
        f"({found.rows:,} sequences read; the peak token in [brackets])"
    )
    table = Table(title=Text(title), title_justify="left")
    table.add_column("h_t", justify="right", no_wrap=True)
    table.add_column("row", justify="right", no_wrap=True)
    table.add_column("fragment")
    for f in found.fragments:
        table.add_row(f"{f.value:+.3f}", str(f.row), fragment_text(f.tokens, f.peak))
    if not found.fragments:
        table.add_row("-", "-", Text("no validation sequence has a token", style="italic"))
    return table


def unit_view(found: TokenInspection, ref: UnitRef, fragments: UnitFragments | None, width: int,
              glyphs: bool) -> Group:  # fmt: skip
    """The unit's value (and gates) per token of the sentence, and its top validation fragments."""
    trace = trace_of(found, ref)
    assert trace is not None
    heads, steps = columns(found)
    title = f"{clean(ref.label)} ({trace.kind}): h_t per token" + (", and its gates" if trace.gates else "")
    parts = [heat_map(title, heads, unit_rows(trace, ref.unit, steps), width, glyphs)]
    if fragments is not None:
        parts.append(fragments_table(fragments))
    return Group(*parts)
