"""Our chart widget: named line series in, a plotext drawing out, redrawn a few times a second at most.

Screens talk to `MetricChart`'s small API (`set_series`, `clear`, `mark`, `flush`), never to plotext, so
the charting library can be swapped. Redraws are rationed (see `CPU_BUDGET`), each series is downsampled
to the plot's width when it is drawn, and series differ by marker (braille dots, quadrant blocks, x, +)
as well as by colour, so charts still read with NO_COLOR. The legend is ours, not plotext's: a line above
the plot (on the title's line when both fit), so it never covers a curve in a small chart.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.app import RenderResult
from textual_plotext import PlotextPlot

from seqtui.common.text import inert

MARKERS = ("braille", "hd", "x", "+")
GLYPHS = {"braille": "⢕⢕", "hd": "▞▞", "x": "xx", "+": "++"}
"""What each marker looks like in the legend (plotext's own legend glyphs)."""
PALETTE = ((0, 130, 200), (60, 180, 75), (230, 25, 75), (255, 225, 25),
           (245, 130, 48), (145, 30, 180), (70, 240, 240), (240, 50, 230))  # fmt: skip
"""Series colours in order: textual-plotext's data colours, chosen to read on dark and light themes."""


@dataclass
class Series:
    xs: list[float]
    ys: list[float]
    marker: str


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Evenly spaced round values covering [lo, hi] (steps of 1, 2 or 5 x 10^k), about `count` of them."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return []
    if hi <= lo:
        hi = lo + (abs(lo) or 1.0) * 0.1
    raw = (hi - lo) / max(1, count - 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(lo / step) * step
    ticks = []
    value = first
    while value < hi + step * 0.999:
        ticks.append(round(value, 12))
        value += step
    return ticks


def tick_label(value: float, step: float) -> str:
    decimals = max(0, -math.floor(math.log10(step))) if step > 0 else 0
    return f"{value:.{min(decimals + (1 if step / 10 ** math.floor(math.log10(step)) == 2.5 else 0), 8)}f}"


def epoch_ticks(lo: float, hi: float, room: int) -> list[int]:
    """Whole epochs from lo to hi, at most `room` of them, in a round step."""
    span = max(1, math.ceil(hi) - math.floor(lo))
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000, 10**9) if span / s <= room)
    return list(range(math.floor(lo), math.ceil(hi) + 1, step))


def smoothed(ys: Sequence[float], weight: float = 0.6) -> list[float]:
    """An exponential moving average (TensorBoard's smoothing), debiased so it starts at the first value."""
    out, mean, total = [], 0.0, 0.0
    for y in ys:
        if not math.isfinite(y):
            out.append(y)
            continue
        mean = weight * mean + (1 - weight) * y
        total = weight * total + (1 - weight)
        out.append(mean / total)
    return out


def downsample(xs: Sequence[float], ys: Sequence[float], limit: int) -> tuple[list[float], list[float]]:
    """At most `limit` points: the mean of each run of neighbouring points, the last point kept as it is."""
    pairs = [(x, y) for x, y in zip(xs, ys, strict=False) if math.isfinite(y)]
    if len(pairs) <= limit or limit < 2:
        return [p[0] for p in pairs], [p[1] for p in pairs]
    size = len(pairs) / (limit - 1)
    out_x, out_y = [], []
    for i in range(limit - 1):
        chunk = pairs[int(i * size) : max(int((i + 1) * size), int(i * size) + 1)]
        out_x.append(sum(p[0] for p in chunk) / len(chunk))
        out_y.append(sum(p[1] for p in chunk) / len(chunk))
    out_x.append(pairs[-1][0])
    out_y.append(pairs[-1][1])
    return out_x, out_y


def legend_lines(entries: Sequence[tuple[str, str, Style]], width: int, max_lines: int) -> list[Text]:
    """`(glyph, name, style)` entries packed into at most `max_lines` lines of `width` cells; names are
    shortened with … only as far as needed to fit."""
    if not entries or width < 4:
        return []
    longest = max(cell_len(name) for _, name, _ in entries)
    for limit in range(longest, 0, -1):
        lines = _pack(entries, width, limit)
        if len(lines) <= max_lines:
            return lines
    return _pack(entries, width, 1)[:max_lines]


def _pack(entries: Sequence[tuple[str, str, Style]], width: int, limit: int) -> list[Text]:
    lines: list[Text] = []
    line = Text()
    for glyph, name, style in entries:
        label = Text(name)
        label.truncate(limit, overflow="ellipsis")
        entry = Text.assemble((glyph, style), " ", label)
        if line.cell_len and line.cell_len + 2 + entry.cell_len > width:
            lines.append(line)
            line = Text()
        line = line + "  " + entry if line.cell_len else entry
    lines.append(line)
    for text in lines:
        text.truncate(width, overflow="ellipsis")
    return lines


def centred(text: Text, width: int) -> Text:
    return Text(" " * max(0, (width - text.cell_len) // 2)) + text


class MetricChart(PlotextPlot):
    """A titled line chart of named series, with an optional marked x (e.g. the best epoch)."""

    DEFAULT_CSS = """
    MetricChart { height: 1fr; min-height: 6; }
    """
    MIN_FRAME_SECONDS = 0.5
    """Redraw at most twice a second, however fast data arrives."""
    CPU_BUDGET = 0.01
    """...and spend at most this share of one core in plotext (about as much again goes to Textual's
    compositing): the UI thread shares the CPU and the GIL with training. A build costs 10-40 ms with
    the chart's size, so a chart in a 100x30 terminal redraws every 1-2 s, a bigger one less often;
    the progress lines stay live meanwhile."""

    def __init__(self, title: str, xlabel: str = "epoch", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.title = title
        self.xlabel = xlabel
        self.series: dict[str, Series] = {}
        self.marked: tuple[float, str] | None = None
        self.x_range: tuple[float, float] | None = None
        self.marks: dict[str, float] = {}
        """Extra vertical lines by label (early stopping)."""
        self.smooth = False
        self.log_y = False
        self.draws = 0
        self._dirty = False
        self._last_draw = 0.0
        self._draw_cost = 0.0
        self._version = 0
        self._cache: tuple[tuple[object, ...], RenderResult] | None = None

    def on_mount(self) -> None:
        super().on_mount()
        self.set_interval(self.MIN_FRAME_SECONDS / 2, self._frame)

    def set_series(
        self, name: str, xs: Sequence[float], ys: Sequence[float], marker: str | None = None
    ) -> None:
        """Replace one series; the chart redraws on its next frame."""
        if marker is None:
            old = self.series.get(name)
            marker = old.marker if old else MARKERS[len(self.series) % len(MARKERS)]
        self.series[name] = Series(list(xs), list(ys), marker)
        self._dirty = True

    def set_x_range(self, lo: float, hi: float) -> None:
        """Draw x from lo to hi whatever the data covers (charts side by side then share their x axis)."""
        if hi > lo and (lo, hi) != self.x_range:
            self.x_range = (lo, hi)
            self._dirty = True

    def set_view(self, smooth: bool | None = None, log_y: bool | None = None) -> None:
        """Smoothing (an EMA of each series) and a log-scale y axis, as toggles."""
        self.smooth = self.smooth if smooth is None else smooth
        self.log_y = self.log_y if log_y is None else log_y
        self.flush()

    def add_mark(self, label: str, x: float | None) -> None:
        if x is None:
            self.marks.pop(label, None)
        else:
            self.marks[label] = x
        self._dirty = True

    def mark(self, x: float | None, label: str = "") -> None:
        self.marked = None if x is None else (x, label)
        self._dirty = True

    def clear(self, title: str | None = None) -> None:
        self.series.clear()
        self.marked = None
        self.marks.clear()
        if title is not None:
            self.title = title
        self._dirty = True

    def flush(self) -> None:
        """Draw now (at the end of a run) instead of waiting for the next frame."""
        self._dirty = False
        self._version += 1
        self.refresh()

    def _frame(self) -> None:
        wait = max(self.MIN_FRAME_SECONDS, self._draw_cost / self.CPU_BUDGET)
        if self._dirty and time.perf_counter() - self._last_draw >= wait:
            self.flush()

    def render(self) -> RenderResult:
        key = (self._version, self.size, self.app.theme)
        if self._cache is None or self._cache[0] != key:  # Textual may ask again with nothing new to draw
            start = time.perf_counter()
            self._cache = (key, self._draw())
            self._last_draw = time.perf_counter()
            self._draw_cost = self._last_draw - start
        return self._cache[1]

    def _draw(self) -> RenderResult:
        plt = self.plt
        plt.clear_figure()
        limit = max(8, (self.size.width - 10) * 2)
        drawn = False
        all_x: list[float] = []
        all_y: list[float] = []
        log_y = self.log_y and all(y > 0 for s in self.series.values() for y in s.ys if math.isfinite(y))
        for i, s in enumerate(self.series.values()):
            xs, ys = downsample(s.xs, smoothed(s.ys) if self.smooth else s.ys, limit)
            if xs:
                plt.plot(xs, ys, marker=s.marker, color=PALETTE[i % len(PALETTE)])
                all_x += xs
                all_y += ys
                drawn = True
        if drawn:
            if log_y:
                plt.yscale("log")
            else:
                self._axes(all_x, all_y)
        title = self.title if drawn else f"{self.title} (waiting for data)"
        if self.marked is not None:
            plt.vline(self.marked[0])
            title = f"{title} · {self.marked[1]}" if self.marked[1] else title
        for label, x in self.marks.items():
            plt.vline(x)
            title = f"{title} · {label}"
        views = [name for name, on in (("smoothed", self.smooth), ("log", log_y)) if on]
        if views:
            title = f"{title} ({', '.join(views)})"
        if self.size.height >= 14:
            plt.xlabel(self.xlabel)
        self.draws += 1
        return self._with_header(self._header(title))

    def _header(self, title: str) -> list[Text]:
        """The title and the legend: one line when both fit, else the title over up to two legend lines
        (one in a chart under 12 rows; none for a lone series). Nothing of it is drawn inside the plot."""
        width = self.size.width
        entries = [
            (GLYPHS.get(s.marker, "••"), inert(name, keep=""), Style(color=f"rgb{PALETTE[i % len(PALETTE)]}"))
            for i, (name, s) in enumerate(self.series.items())
        ]
        head = Text(title)
        head.truncate(max(1, width - 2), overflow="ellipsis")
        whole = sum(cell_len(glyph) + 1 + cell_len(name) for glyph, name, _ in entries) + 2 * len(entries) - 2
        if entries and head.cell_len + 3 + whole <= width - 2:
            return [centred(head + "   " + legend_lines(entries, width, 1)[0], width)]
        if len(entries) < 2:  # the title names a lone curve: it gets no row of its own
            return [centred(head, width)]
        legend = legend_lines(entries, width - 2, 1 if self.size.height < 12 else 2)
        indent = Text(" " * max(0, (width - max(line.cell_len for line in legend)) // 2))
        return [centred(head, width), *(indent + line for line in legend)]  # a block, its lines aligned

    def _with_header(self, header: list[Text]) -> Text:
        """plotext's drawing in the rows the header leaves (textual-plotext's own `render`, at that height)."""
        width, height = self.size
        if height - len(header) < 4:  # too short for a plot under a legend: the title alone
            header = header[:1]
        rows = max(1, height - len(header))
        self._plot.plotsize(width, rows)
        self._plot._set_size(width, rows)  # as PlotextPlot.render does: plotsize alone doesn't resize
        self._plot.theme(self._get_plotext_theme_name(self.app.theme))
        return Text("\n").join([*header, Text.from_ansi(self._plot.build())])

    def _axes(self, xs: list[float], ys: list[float]) -> None:
        """Whole-epoch x ticks over the run's range; evenly spaced round y ticks."""
        plt = self.plt
        lo, hi = self.x_range or (min(xs), max(xs))
        lo, hi = min(lo, min(xs)), max(hi, max(xs))
        if self.xlabel == "epoch":
            ticks = epoch_ticks(lo, hi, max(2, (self.size.width - 12) // 6))
            plt.xlim(lo, max(hi, lo + 1))
            plt.xticks(ticks, [str(t) for t in ticks])
        y_ticks = nice_ticks(min(ys), max(ys), max(3, min(6, self.size.height // 3)))
        if len(y_ticks) >= 2:
            step = y_ticks[1] - y_ticks[0]
            plt.ylim(y_ticks[0], y_ticks[-1])
            plt.yticks(y_ticks, [tick_label(t, step) for t in y_ticks])
