"""What each Conv1D filter learned: the token windows that make it fire hardest.

A Conv1D output at position j reads the input steps j*stride - left .. j*stride - left + (kernel-1)*dilation
(left = 0 for 'valid', half the reach for 'same', the whole reach for 'causal'); for a Conv1D that reads
the embedded tokens (through dropout only), those steps are tokens, so its strongest outputs name n-grams.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Geometry:
    """Where a Conv1D output reads its input: kernel size, stride, dilation and the left padding."""

    kernel: int
    stride: int = 1
    dilation: int = 1
    left: int = 0

    @classmethod
    def of(cls, layer: Any) -> Geometry:
        kernel, stride, dilation = layer.kernel_size[0], layer.strides[0], layer.dilation_rate[0]
        reach = (kernel - 1) * dilation
        left = {"valid": 0, "same": reach // 2, "causal": reach}.get(layer.padding, 0)
        return cls(kernel, stride, dilation, left)

    def steps(self, position: int, length: int) -> list[int]:
        """The input steps output `position` reads, those outside the sequence left out."""
        start = position * self.stride - self.left
        return [
            s for s in range(start, start + self.kernel * self.dilation, self.dilation) if 0 <= s < length
        ]


@dataclass(frozen=True)
class Window:
    tokens: list[str]
    value: float
    row: int
    """Which sequence of the batch (the validation set's row, or 0 for one sentence)."""
    start: int
    """The first step it reads."""


@dataclass(frozen=True)
class FilterWindows:
    layer: str
    filter: int
    windows: list[Window] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "layer": self.layer,
            "filter": self.filter,
            "windows": [
                {"tokens": w.tokens, "value": round(w.value, 6), "row": w.row, "start": w.start}
                for w in self.windows
            ],
        }


def _best_windows(
    values: np.ndarray, ids: np.ndarray, padding: np.ndarray, geometry: Geometry,
    word: Callable[[int], str], top: int,
) -> list[Window]:  # fmt: skip
    """The `top` strongest outputs (n, positions) whose windows hold a token, one per distinct n-gram."""
    order = np.argsort(-values, axis=None, kind="stable")
    found: list[Window] = []
    seen: set[tuple[int, ...]] = set()
    for flat in order:
        row, position = divmod(int(flat), values.shape[1])
        steps = geometry.steps(position, ids.shape[1])
        if not steps or padding[row, steps].all():
            continue
        key = tuple(int(ids[row, s]) for s in steps)
        if key in seen:
            continue
        seen.add(key)
        tokens = ["<pad>" if padding[row, s] else word(int(ids[row, s])) for s in steps]
        found.append(Window(tokens, float(values[row, position]), row, steps[0]))
        if len(found) == top:
            break
    return found


def filter_windows(
    layer: str, geometry: Geometry, outputs: np.ndarray, ids: np.ndarray, padding: np.ndarray,
    word: Callable[[int], str], top: int = 3,
) -> list[FilterWindows]:  # fmt: skip
    """Per filter of a Conv1D's outputs (n, positions, filters) over `ids` (n, steps), its strongest windows."""
    return [
        FilterWindows(layer, f, _best_windows(outputs[:, :, f], ids, padding, geometry, word, top))
        for f in range(outputs.shape[-1])
    ]
