"""One hidden unit up close: where in the validation set it is highest, as sentence fragments.

A unit is named `LAYER:UNIT` (a bidirectional layer's second half `LAYER/backward:UNIT`; a bare `UNIT` is the
first recurrent layer's). For every validation sequence the unit's peak is the largest h_t over the
sequence's own tokens (padding steps never count); the `top` sequences with the highest peaks give one
fragment each: the tokens within `reach` steps of the peak. The peaks of every unit of every layer come
from one pass over the validation set (the states recomputed in NumPy, as the states view does), so they
are computed once per run and kept.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from seqtui.core.inference.errors import InspectError

TOP, REACH = 5, 3


@dataclass(frozen=True)
class UnitRef:
    """Which unit: a recurrent layer's name, its direction and the unit's number."""

    layer: str
    direction: str
    unit: int

    @property
    def label(self) -> str:
        side = "/backward" if self.direction == "backward" else ""
        return f"{self.layer}{side}:{self.unit}"


def parse_unit(spec: str, layers: list[tuple[str, str, int]]) -> UnitRef:
    """`LAYER[/backward]:UNIT` (or a bare `UNIT`: the first layer) against the model's recurrent layers,
    given as (name, direction, units); one clear message for a layer or unit it doesn't have."""
    if not layers:
        raise InspectError("this model has no recurrent layer, so it has no units to select")
    name, _, number = spec.strip().rpartition(":")
    layer, _, direction = (name or layers[0][0]).partition("/")
    direction = direction or "forward"
    names = [f"{n}/backward" if d == "backward" else n for n, d, _ in layers]
    match = next((units for n, d, units in layers if (n, d) == (layer, direction)), None)
    if match is None:
        close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
        hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        raise InspectError(f"no recurrent layer {name!r}; this model's are {', '.join(names)}.{hint}")
    if not number.strip().isdigit() or int(number) >= match:
        raise InspectError(
            f"give a unit as LAYER:UNIT with UNIT from 0 to {match - 1} (e.g. {names[0]}:0), not {spec!r}"
        )
    return UnitRef(layer, direction, int(number))


@dataclass(frozen=True)
class Fragment:
    """A few tokens of one validation sequence around the step where the unit peaks."""

    tokens: list[str]
    peak: int
    """Which of `tokens` is the peak step."""
    value: float
    row: int
    """The validation sequence's row."""
    step: int
    """The peak's step in that padded sequence."""


@dataclass(frozen=True)
class UnitFragments:
    ref: UnitRef
    fragments: list[Fragment] = field(default_factory=list)
    rows: int = 0
    """How many validation sequences were read."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "layer": self.ref.layer,
            "direction": self.ref.direction,
            "unit": self.ref.unit,
            "rows_read": self.rows,
            "fragments": [
                {"tokens": f.tokens, "peak": f.peak, "value": round(f.value, 6), "row": f.row, "step": f.step}
                for f in self.fragments
            ],
        }


@dataclass(frozen=True)
class Peaks:
    """Per validation sequence and unit: the highest state over its own tokens, and the step of it."""

    value: np.ndarray
    """(n, units); -inf for a sequence with no token."""
    step: np.ndarray
    """(n, units)."""


def peaks(hidden: np.ndarray, padding: np.ndarray) -> Peaks:
    """The peaks of states `hidden` (steps, n, units), padding steps (n, steps) left out."""
    masked = np.where(padding.T[:, :, None], -np.inf, hidden)
    return Peaks(masked.max(axis=0), masked.argmax(axis=0))


def fragments(
    found: Peaks, unit: int, ids: np.ndarray, padding: np.ndarray, word: Callable[[int], str],
    top: int = TOP, reach: int = REACH,
) -> list[Fragment]:  # fmt: skip
    """The `top` sequences where `unit` peaks highest (ties: the earlier row), each as the tokens within
    `reach` steps of its peak."""
    value = found.value[:, unit]
    order = [int(r) for r in np.lexsort((np.arange(len(value)), -value)) if np.isfinite(value[r])][:top]
    out = []
    for row in order:
        step = int(found.step[row, unit])
        steps = [
            s for s in range(step - reach, step + reach + 1) if 0 <= s < ids.shape[1] and not padding[row, s]
        ]
        tokens = [word(int(ids[row, s])) for s in steps]
        out.append(Fragment(tokens, steps.index(step), float(value[row]), row, step))
    return out
