"""Inside the model, as pictures on the Predict screen: the embedding's most frequent words on their PCA
plane (`PlaneView`), and a drawn digit's Conv2D feature maps (`FeatureMapsView`). Both draw what
`seqtui inspect --projection` and `--image` print, sized to the space they have when they are drawn."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import RenderResult
from textual.widget import Widget

if TYPE_CHECKING:
    from seqtui.core.inference.inspect_images import FeatureMap
    from seqtui.core.inference.inspect_projection import Projection

PLANE_LINES = 3
"""Lines of the plane besides the grid: the legend, the axes line and a spare one."""


class PlaneView(Widget):
    """The projection as a labelled scatter filling the widget."""

    DEFAULT_CSS = """
    PlaneView { height: 1fr; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.found: Projection | None = None
        self.note = ""

    def show(self, found: Projection) -> None:
        self.found, self.note = found, ""
        self.refresh()

    def message(self, note: str) -> None:
        self.found, self.note = None, note
        self.refresh()

    def render(self) -> RenderResult:
        from seqtui.render.scatter import scatter

        if self.found is None:
            return Text(self.note, style="italic")
        size = self.content_size
        return scatter(self.found, size.width, size.height - PLANE_LINES)


class FeatureMapsView(Widget):
    """The feature maps of every Conv2D and pooling layer, a few channels each, as half-block images."""

    DEFAULT_CSS = """
    FeatureMapsView { height: auto; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.maps: list[FeatureMap] = []
        self.note = ""

    def show(self, maps: list[FeatureMap]) -> None:
        self.maps, self.note = maps, ""
        self.refresh(layout=True)

    def message(self, note: str) -> None:
        self.maps, self.note = [], note
        self.refresh(layout=True)

    def render(self) -> RenderResult:
        from seqtui.render.feature_maps import feature_maps_view

        if not self.maps:
            return Text(self.note, style="italic")
        glyphs = bool(getattr(self.app, "no_color", False))
        return feature_maps_view(self.maps, self.content_size.width or 80, glyphs)
