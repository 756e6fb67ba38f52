"""Our chart widget: named line series in, a plotext drawing out, redrawn a few times a second at most.

Screens talk to `MetricChart`'s small API (`set_series`, `clear`, `mark`, `flush`), never to plotext, so
the charting library can be swapped. Redraws are rationed (see `CPU_BUDGET`), each series is downsampled
to the plot's width when it is drawn, and series differ by marker (braille dots, quadrant blocks, x, +)
as well as by colour, so charts still read with NO_COLOR.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

from textual.app import RenderResult
from textual_plotext import PlotextPlot

MARKERS = ("braille", "hd", "x", "+")


@dataclass
class Series:
    xs: list[float]
    ys: list[float]
    marker: str


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

    def mark(self, x: float | None, label: str = "") -> None:
        self.marked = None if x is None else (x, label)
        self._dirty = True

    def clear(self, title: str | None = None) -> None:
        self.series.clear()
        self.marked = None
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
        for name, s in self.series.items():
            xs, ys = downsample(s.xs, s.ys, limit)
            if xs:
                plt.plot(xs, ys, label=name, marker=s.marker)
                drawn = True
        title = self.title if drawn else f"{self.title} (waiting for data)"
        if self.marked is not None:
            plt.vline(self.marked[0])
            title = f"{title} · {self.marked[1]}" if self.marked[1] else title
        plt.title(title[: max(0, self.size.width - 4)])  # plotext drops a title wider than the plot
        if self.size.height >= 14:
            plt.xlabel(self.xlabel)
        self.draws += 1
        return super().render()
