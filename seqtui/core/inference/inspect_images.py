"""What a Conv2D model sees in a digit: the feature maps after each convolution and pooling layer.

The maps are the layers' own outputs for the image as the model reads it (one compiled sub-model of the
model's inputs and those layers' outputs); the channels shown first are the most active ones, by the mean
of the map over its pixels (ties: the lower channel).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

MAP_KINDS = ("Conv2D", "MaxPooling2D", "AveragePooling2D")
CHANNELS = 4


def strongest(values: np.ndarray, count: int) -> list[int]:
    """The `count` channels of a map (h, w, channels) with the highest mean, largest first."""
    means = values.reshape(-1, values.shape[-1]).mean(axis=0)
    return [int(c) for c in np.lexsort((np.arange(len(means)), -means))[:count]]


@dataclass(frozen=True)
class FeatureMap:
    """One layer's output for one image: (height, width, channels)."""

    layer: str
    kind: str
    values: np.ndarray

    def channels(self, count: int = CHANNELS) -> list[int]:
        return strongest(self.values, count)

    def to_dict(self, count: int = CHANNELS) -> dict[str, Any]:
        return {
            "layer": self.layer,
            "kind": self.kind,
            "shape": list(self.values.shape),
            "strongest": self.channels(count),
            "values": np.round(self.values.astype("float64"), 6).tolist(),
        }


def map_layers(layers: list[Any]) -> list[Any]:
    """The model's Conv2D and pooling layers, in order."""
    return [layer for layer in layers if type(layer).__name__ in MAP_KINDS]
