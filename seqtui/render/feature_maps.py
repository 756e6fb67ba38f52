"""Conv2D feature maps as small images in the terminal: each character cell holds two pixels, the upper as
the foreground of '▀' and the lower as its background, coloured on the scale of the heat maps; without
colour each cell is a glyph (' ░▒▓█') of the brighter of its two pixels. The channels of one layer share a
scale, so a brighter channel is a more active one."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from rich.console import Group, RenderableType
from rich.text import Text

from seqtui.render.inspect import Scale, clean

if TYPE_CHECKING:
    from seqtui.core.inference.inspect_images import FeatureMap

SHADES = " ░▒▓█"


def _scale(values: np.ndarray) -> Scale:
    low, high = float(values.min()), float(values.max())
    if low < 0:
        return Scale.around_zero([low, high])
    return Scale(0.0, high or 1.0, diverging=False)


def _lines(image: np.ndarray, scale: Scale, glyphs: bool) -> list[Text]:
    """One Text per two pixel rows."""
    if len(image) % 2:
        image = np.vstack([image, np.full((1, image.shape[1]), scale.low)])
    out = []
    for top, bottom in zip(image[0::2], image[1::2], strict=True):
        line = Text()
        for a, b in zip(top, bottom, strict=True):
            if glyphs:
                level = scale.position(max(float(a), float(b)))
                line.append(SHADES[min(len(SHADES) - 1, int(level * len(SHADES)))])
            else:
                line.append("▀", style=f"{scale.colour(float(a))} on {scale.colour(float(b))}")
        out.append(line)
    return out


def layer_images(found: FeatureMap, width: int, glyphs: bool, count: int = 4) -> Group:
    """The most active channels of one layer side by side, as many as fit `width`."""
    h, w, channels = found.values.shape
    fit = max(1, min(count, channels, (width + 1) // (w + 1)))
    chosen = found.channels(fit)
    scale = _scale(found.values[..., chosen])
    title = (
        f"{clean(found.layer)} ({found.kind}) {h}x{w}x{channels}: channels {', '.join(map(str, chosen))}, "
        f"most active first; scale {scale.low:.2g} .. {scale.high:.2g}"
    )
    images = [_lines(found.values[..., c], scale, glyphs) for c in chosen]
    rows: list[RenderableType] = [Text(title, style="bold")]
    for parts in zip(*images, strict=True):
        rows.append(Text(" ").join(parts))
    return Group(*rows)


def feature_maps_view(maps: list[FeatureMap], width: int, glyphs: bool, count: int = 4) -> Group:
    """Every Conv2D and pooling layer's map, in the model's order."""
    return Group(*(layer_images(m, width, glyphs, count) for m in maps))
