"""Inside the model, on the Predict screen: one view of a sentence as `seqtui inspect` computes it.

`TokenMap` draws the hidden state of each recurrent layer, its gates, or the gradient strip with the heat
maps of `seqtui.render.inspect`: the tokens as columns (a page of them at a time, PgUp/PgDn), values coloured
on a scale with a legend, or glyphs (▁ .. █) when the app runs with NO_COLOR. The rows keep every value of
the sentence (`maps`), so the colours of a page are those of the whole sentence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.text import Text
from textual.app import RenderResult
from textual.widget import Widget

from seqtui.render.inspect import CELL, LABEL, Row, Scale, clean, columns, gate_rows, heat_map
from seqtui.render.inspect_units import trace_of, unit_gate_rows, unit_rows

if TYPE_CHECKING:
    from seqtui.core.inference.inspect import TokenInspection
    from seqtui.core.inference.inspect_states import RecurrentTrace
    from seqtui.core.inference.inspect_units import UnitRef

MAP_LINES = 6
"""Lines of a map besides its rows: title, page line, two header lines, legend, the note under it."""
FEWEST_ROWS = 3


@dataclass(frozen=True)
class MapData:
    """One heat map: a title, rows over every column of the sentence, and a plain sentence under it."""

    title: str
    rows: list[Row]
    note: str = ""
    units: list[UnitRef] = field(default_factory=list)
    """Per row the unit it shows (the states maps), so a row can be selected."""
    whole: bool = False
    """Every row shown, however little room (the selected unit's own map)."""


def _title(trace: RecurrentTrace, what: str) -> str:
    return f"{trace.name} ({trace.kind}, {trace.direction}) {what}"


def state_data(found: TokenInspection, unit: UnitRef | None = None) -> list[MapData]:
    """Per recurrent layer and direction: h_t of every unit, the units that move most first; with a selected
    unit, first its own map (h_t and its gates per token) and a mark on its row."""
    from seqtui.core.inference.inspect_units import UnitRef

    _, steps = columns(found)
    out = []
    for trace in found.traces:
        units = found.top_units(trace, trace.units)
        refs = [UnitRef(trace.name, trace.direction, u) for u in units]
        values = [[float(trace.hidden[s, u]) for s in steps] for u in units]
        scale = Scale.around_zero([v for row in values for v in row])
        rows = [Row(f"{'▶' if ref == unit else ''}unit {ref.unit}", row, scale)
                for ref, row in zip(refs, values, strict=True)]  # fmt: skip
        title = _title(trace, f"h_t, the units that move most first (of {trace.units})")
        out.append(MapData(title, rows, units=refs))
    trace = trace_of(found, unit) if unit is not None else None
    if unit is not None and trace is not None:
        what = "h_t and its gates per token" if trace.gates else "h_t per token"
        out.insert(
            0,
            MapData(f"▶ {unit.label} ({trace.kind}): {what}", unit_rows(trace, unit.unit, steps), whole=True),
        )
    return out


def gate_data(found: TokenInspection, unit: UnitRef | None = None) -> list[MapData]:
    """Per LSTM or GRU layer: each gate's mean over units and saturated share per token, the cell state's
    mean, and the sentence that reads them; the selected unit's own gates under its layer's."""
    _, steps = columns(found)
    out = []
    for trace in found.traces:
        if not trace.gates:
            continue
        rows = gate_rows(trace, steps)
        if unit is not None and (unit.layer, unit.direction) == (trace.name, trace.direction):
            rows += unit_gate_rows(trace, unit.unit, steps)
        title = _title(trace, "gates: avg = mean, sat = share > 0.9 or < 0.1")
        out.append(MapData(title, rows, found.reading(trace)))
    return out


def gradient_data(found: TokenInspection, unit: UnitRef | None = None) -> list[MapData]:
    """|d p / d embedding| per token, and how far back it reaches."""
    from seqtui.core.inference.inspect_gradients import reach_sentence

    reach = found.gradient
    if reach is None:
        return []
    _, steps = columns(found)
    values = [float(reach.norms[s]) for s in steps]
    scale = Scale(0.0, max(values, default=0.0) or 1.0, diverging=False)
    names = found.class_names
    name = names[reach.class_index] if reach.class_index < len(names) else str(reach.class_index)
    title = f"gradient of p({name}) = {reach.probability:.3f} by each token's embedding"
    return [MapData(title, [Row("|grad|", values, scale)], reach_sentence(reach.norms, found.real))]


VIEWS = {"states": state_data, "gates": gate_data, "gradient": gradient_data}


class TokenMap(Widget):
    """The heat maps of one token view of one sentence, paged over its tokens."""

    DEFAULT_CSS = """
    TokenMap { height: auto; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.found: TokenInspection | None = None
        self.view = ""
        self.maps: list[MapData] = []
        self.heads: list[tuple[str, str]] = []
        self.first = 0
        """The first token column shown."""
        self.note = ""

    def show(self, found: TokenInspection, view: str, unit: UnitRef | None = None) -> None:
        """Draw `view` (states, gates or gradient) of `found`, from its first page unless it is the same
        sentence in the same view (then the page stays); `unit`: the selected unit's rows too."""
        same = self.found is not None and self.found.ids == found.ids and self.view == view
        self.found, self.view, self.note = found, view, ""
        self.maps = VIEWS[view](found, unit)
        self.heads = columns(found)[0]
        self.first = self.first if same and self.first < len(self.heads) else 0
        self.refresh(layout=True)

    def message(self, note: str) -> None:
        """A line in place of the maps (a view the model lacks, a failure, nothing typed yet)."""
        self.found, self.maps, self.heads, self.note, self.first = None, [], [], note, 0
        self.refresh(layout=True)

    @property
    def per_page(self) -> int:
        return max(1, (self.content_size.width - LABEL) // CELL)

    @property
    def pages(self) -> int:
        return max(1, -(-len(self.heads) // self.per_page))

    def page(self, pages: int) -> None:
        """Move `pages` pages of token columns on (back if negative)."""
        per = self.per_page
        last = max(0, (len(self.heads) - 1) // per * per)
        self.first = max(0, min(last, self.first + pages * per))
        self.refresh(layout=True)

    @property
    def row_count(self) -> int:
        """Rows per map: as many as fit the space the maps have (at least a few; the rest scroll)."""
        room = self.parent.size.height if isinstance(self.parent, Widget) else 0
        if not self.maps or self.view != "states":
            return max((len(m.rows) for m in self.maps), default=0)
        shared = [m for m in self.maps if not m.whole]
        room -= sum(MAP_LINES + len(m.rows) for m in self.maps if m.whole) + 1  # + the key line
        return max(FEWEST_ROWS, (room - MAP_LINES * len(shared)) // max(1, len(shared)))

    def shown_rows(self, data: MapData) -> list[Row]:
        """The rows on screen: their values for the columns of the page shown."""
        stop = self.first + self.per_page
        rows = data.rows if data.whole else data.rows[: self.row_count]
        return [Row(r.label, r.values[self.first : stop], r.scale) for r in rows]

    def units_shown(self) -> list[UnitRef]:
        """The units whose rows are on screen, map by map: what selecting moves through."""
        return [u for m in self.maps for u in m.units[: self.row_count]]

    def render(self) -> RenderResult:
        if not self.maps:
            return Text(self.note or "", style="italic")
        glyphs = bool(getattr(self.app, "no_color", False))
        heads = self.heads[self.first : self.first + self.per_page]
        width = LABEL + CELL * len(heads)
        parts: list[RenderableType] = []
        if self.pages > 1:
            stop = self.first + len(heads)
            where = f"columns {self.first + 1}-{stop} of {len(self.heads)}"
            parts.append(Text(f"{where}  (PgUp/PgDn: more)", style="dim"))
        if self.view == "states":
            parts.append(Text("ctrl+↓/↑: select a unit (its gates, and where it peaks in the validation set)",
                              style="dim"))  # fmt: skip
        for data in self.maps:
            parts.append(heat_map(clean(data.title), heads, self.shown_rows(data), width, glyphs))
            if data.note:
                parts.append(Text(data.note, style="italic"))
        return Group(*parts)
