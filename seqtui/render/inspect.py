"""What `seqtui inspect` shows: heat maps with the tokens as columns (paged to the terminal's width), gate
strips, the gradient's reach, filter windows, neighbours and mistakes.

Values are coloured on a scale with a legend under each map; without colour (NO_COLOR, a pipe) every cell
is a glyph of the same scale instead (▁ low .. █ high), so the map reads in black and white too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.cells import cell_len, set_cell_size
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from seqtui.core.inference.inspect import TokenInspection
    from seqtui.core.inference.inspect_embeddings import Neighbours
    from seqtui.core.inference.inspect_filters import FilterWindows
    from seqtui.core.inference.inspect_mistakes import Mistakes
    from seqtui.core.inference.inspect_states import RecurrentTrace

CELL = 5
"""Characters per token column: '+.83' and a gap, or four glyphs and a gap."""
LABEL = 11
GLYPHS = "▁▂▃▄▅▆▇█"
_ZERO, _HIGH, _LOW = (48, 48, 48), (230, 97, 1), (33, 102, 172)


def clean(text: str) -> str:
    """Text from a file or a tokenizer as it may reach a terminal: control characters become '?'."""
    return "".join(ch if ch.isprintable() else "?" for ch in text)


@dataclass(frozen=True)
class Scale:
    """Where values sit between `low` and `high`: diverging (blue below 0, orange above) or sequential."""

    low: float
    high: float
    diverging: bool = True

    @classmethod
    def around_zero(cls, values: Sequence[float]) -> Scale:
        reach = max((abs(v) for v in values), default=0.0) or 1.0
        return cls(-reach, reach)

    def position(self, value: float) -> float:
        """0 at `low`, 1 at `high`, clipped."""
        span = self.high - self.low
        return min(1.0, max(0.0, (value - self.low) / span)) if span > 0 else 0.5

    def glyph(self, value: float) -> str:
        return GLYPHS[min(len(GLYPHS) - 1, int(self.position(value) * len(GLYPHS)))]

    def colour(self, value: float) -> str:
        if self.diverging:
            t = 2 * self.position(value) - 1
            end, t = (_HIGH, t) if t >= 0 else (_LOW, -t)
        else:
            end, t = _HIGH, self.position(value)
        r, g, b = (round(z + (e - z) * t) for z, e in zip(_ZERO, end, strict=True))
        return f"rgb({r},{g},{b})"

    def cell(self, value: float, glyphs: bool) -> Text:
        """One token column: the value in CELL - 1 characters on its colour, then a gap, so neighbouring
        numbers never run together (a terminal or a copy without colour); or its glyph under NO_COLOR."""
        if glyphs:
            return Text(self.glyph(value) * (CELL - 1) + " ")
        return Text.assemble(
            (set_cell_size(self.number(value), CELL - 1), f"white on {self.colour(value)}"), " "
        )

    def number(self, value: float) -> str:
        """`value` in at most four characters: '+.83', '-1.2', '+12', '0.83', '12.3', '6e-3', 'big'."""
        if self.diverging:
            if abs(value) < 0.995:
                return f"{value:+.2f}".replace("0.", ".", 1)
            return f"{value:+.1f}" if abs(value) < 9.95 else f"{value:+.0f}" if abs(value) < 999.5 else "big"
        if 0 < abs(value) < 0.01:
            return f"{value:.0e}".replace("e-0", "e-")
        if abs(value) < 9.995:
            return f"{value:.2f}"
        return f"{value:.1f}" if abs(value) < 99.95 else f"{value:.0f}" if abs(value) < 9999.5 else "big"

    def legend(self, glyphs: bool) -> Text:
        """'scale: ▁ -0.98 .. █ +0.98' in the map's own glyphs or colours."""
        out = Text("scale: ", style="dim")
        marks = (self.low, (self.low + self.high) / 2, self.high)
        for value in marks:
            out.append_text(self.cell(value, glyphs) if not glyphs else Text(self.glyph(value)))
            out.append(f" {value:+.2f}" if self.diverging else f" {value:.3g}")
            out.append("  ")
        return out


@dataclass(frozen=True)
class Row:
    label: str
    values: list[float]
    scale: Scale


def columns(found: TokenInspection) -> tuple[list[tuple[str, str]], list[int]]:
    """The map's columns: one folded column for every padding step (its value: the last padding step's),
    then one per token; each as (token, second header line) with the step it shows."""
    pads = [n for n, pad in enumerate(found.padding) if pad]
    words = found.step_tokens
    heads, steps = [], []
    if pads:
        heads.append(("pad", f"x{len(pads)}"))
        steps.append(pads[-1])
    real = [n for n, pad in enumerate(found.padding) if not pad]
    for k, n in enumerate(real, start=1):
        heads.append((clean(words[n] or ""), str(k)))
        steps.append(n)
    return heads, steps


def heat_map(title: str, heads: list[tuple[str, str]], rows: list[Row], width: int, glyphs: bool) -> Group:
    """Rows of values under token columns, paged so each page fits `width`, with a legend per scale."""
    per_page = max(1, (width - LABEL) // CELL)
    parts: list[RenderableType] = [Text(title, style="bold")]
    for start in range(0, max(1, len(heads)), per_page):
        page = range(start, min(len(heads), start + per_page))
        if len(heads) > per_page:
            parts.append(Text(f"tokens {start + 1}-{page.stop} of {len(heads)}", style="dim"))
        for line in (0, 1):
            header = Text(set_cell_size("", LABEL))
            for c in page:
                word = heads[c][line]
                shown = word if cell_len(word) < CELL else set_cell_size(word, CELL - 2) + "…"
                header.append(set_cell_size(shown, CELL), style="bold" if line == 0 else "dim")
            parts.append(header)
        for row in rows:
            text = Text(set_cell_size(clean(row.label), LABEL - 1) + " ")
            for c in page:
                text.append_text(row.scale.cell(row.values[c], glyphs))
            parts.append(text)
    seen: list[Scale] = []
    for row in rows:
        if row.scale not in seen:
            seen.append(row.scale)
            parts.append(row.scale.legend(glyphs))
    return Group(*parts)


def _trace_title(trace: RecurrentTrace, what: str) -> str:
    return f"{trace.name} ({trace.kind}, {trace.direction}): {what}  [recomputed vs Keras: {trace.keras_gap:.1e}]"


def state_maps(found: TokenInspection, top: int, width: int, glyphs: bool) -> list[Group]:
    """Per recurrent layer and direction: h_t of the `top` units that move most over the sentence."""
    heads, steps = columns(found)
    maps = []
    for trace in found.traces:
        units = found.top_units(trace, top)
        values = [[float(trace.hidden[s, u]) for s in steps] for u in units]
        scale = Scale.around_zero([v for row in values for v in row])
        rows = [Row(f"unit {u}", row, scale) for u, row in zip(units, values, strict=True)]
        what = f"h_t of the {len(units)} of {trace.units} units that move most"
        maps.append(heat_map(_trace_title(trace, what), heads, rows, width, glyphs))
    return maps


def gate_rows(trace: RecurrentTrace, steps: list[int]) -> list[Row]:
    """Each gate's mean over units (avg) and saturated share (sat) per step, then the cell state's mean."""
    from seqtui.core.inference.inspect_states import summarise_gates

    share = Scale(0.0, 1.0, diverging=False)
    rows = []
    for gate in summarise_gates(trace):
        rows.append(Row(f"{gate.name} avg", [gate.mean[s] for s in steps], share))
        rows.append(Row(f"{gate.name} sat", [gate.saturated[s] for s in steps], share))
    if "cell" in trace.gates:
        cell = [float(trace.gates["cell"][s].mean()) for s in steps]
        rows.append(Row("cell avg", cell, Scale.around_zero(cell)))
    return rows


def gate_maps(found: TokenInspection, width: int, glyphs: bool) -> list[Group]:
    """Per LSTM or GRU layer: each gate's mean over units and saturated share per token, the cell state's
    mean, and the sentence that reads them."""
    heads, steps = columns(found)
    maps = []
    for trace in found.traces:
        if not trace.gates:
            continue
        rows = gate_rows(trace, steps)
        what = "gates: mean over units (avg), share above 0.9 or below 0.1 (sat)"
        body = heat_map(_trace_title(trace, what), heads, rows, width, glyphs)
        maps.append(Group(body, Text(found.reading(trace), style="italic")))
    return maps


def gradient_strip(found: TokenInspection, width: int, glyphs: bool) -> Group:
    """|d p / d embedding| per token, and how far back it reaches."""
    from seqtui.core.inference.inspect_gradients import reach_sentence

    reach = found.gradient
    assert reach is not None
    heads, steps = columns(found)
    values = [float(reach.norms[s]) for s in steps]
    scale = Scale(0.0, max(values, default=0.0) or 1.0, diverging=False)
    name = (
        found.class_names[reach.class_index]
        if reach.class_index < len(found.class_names)
        else str(reach.class_index)
    )
    title = (
        f"gradient of p({clean(name)}) = {reach.probability:.3f} by each token's embedding ({reach.backend})"
    )
    body = heat_map(title, heads, [Row("|grad|", values, scale)], width, glyphs)
    return Group(body, Text(reach_sentence(reach.norms, found.real), style="italic"))


def filters_table(found: list[FilterWindows], where: str) -> Table:
    table = Table(
        title=Text(f"Conv1D filters: the windows of {where} that fire hardest"), title_justify="left"
    )
    table.add_column("filter", no_wrap=True)
    table.add_column("windows (output after the activation)")
    for f in found:
        windows = "   ".join(f"{clean(' '.join(w.tokens))} {w.value:.2f}" for w in f.windows) or "-"
        table.add_row(f"{f.layer}:{f.filter}", Text(windows))
    return table


def neighbours_table(found: Neighbours) -> Table:
    table = Table(
        title=Text(f"nearest to {clean(found.word)!r} (id {found.id}) by cosine"), title_justify="left"
    )
    table.add_column("word")
    table.add_column("cosine", justify="right")
    for word, cosine in found.nearest:
        table.add_row(Text(clean(word)), f"{cosine:+.3f}")
    return table


def mistakes_view(found: Mistakes) -> Group:
    head = Text(f"{found.wrong:,} of {found.total:,} test examples wrong", style="bold")
    if not found.groups:
        return Group(head)
    parts: list[RenderableType] = [head]
    for group in found.groups:
        parts.append(Text(f"true {clean(group.true)} -> predicted {clean(group.predicted)}: {group.count:,}"))
        table = Table()
        table.add_column("p", justify="right", no_wrap=True)
        table.add_column("row", justify="right", no_wrap=True)
        table.add_column("text")
        for m in group.examples:
            table.add_row(f"{m.confidence:.3f}", str(m.row), Text(clean(m.text)))
        parts.append(table)
    return Group(*parts)
