"""Our chart widget: named line series in, a plotext drawing out, redrawn a few times a second at most.

Screens talk to `MetricChart`'s small API (`set_series`, `clear`, `mark`), never to plotext, so the
charting library can be swapped. Each series is downsampled to the plot's width when it is drawn, and
series differ by marker (braille dots, quadrant blocks, x, +) as well as by colour, so charts still read with NO_COLOR.
"""

from __future__ import annotations

import math
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
    FRAME_SECONDS = 1.0
    """Redraw at most this often, however fast data arrives: a plotext build costs 15-20 ms of the UI
    thread, which shares the CPU with training (the progress lines stay live at the event rate)."""

    def __init__(self, title: str, xlabel: str = "epoch", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.title = title
        self.xlabel = xlabel
        self.series: dict[str, Series] = {}
        self.marked: tuple[float, str] | None = None
        self.draws = 0
        self._dirty = False
        self._version = 0
        self._cache: tuple[tuple[object, ...], RenderResult] | None = None

    def on_mount(self) -> None:
        super().on_mount()
        self.set_interval(self.FRAME_SECONDS, self._frame)

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
        if self._dirty:
            self.flush()

    def render(self) -> RenderResult:
        key = (self._version, self.size, self.app.theme)
        if self._cache is None or self._cache[0] != key:  # Textual may ask again with nothing new to draw
            self._cache = (key, self._draw())
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
