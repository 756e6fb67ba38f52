"""The hidden state and the gates of every recurrent layer, token by token, recomputed in NumPy from the
layer's own weights.

Keras gives a recurrent layer's output (the last state, or every state with `return_sequences`), never its
gates. Here each step is computed again from `kernel`, `recurrent_kernel` and `bias`, in Keras' own gate
order (LSTM i, f, c, o; GRU z, r, h with `reset_after`), in float64; `RecurrentTrace.keras_gap` records
how far the recomputed outputs are from what the Keras layer itself returned for the same input, so a
view that drifted from the model would show it.

    SimpleRNN  h_t = act(x_t W + h_{t-1} U + b)
    LSTM       i, f, o = sigma(.), c~ = act(.), c_t = f c_{t-1} + i c~, h_t = o act(c_t)
    GRU        z, r = sigma(.), h~ = act(x_t W_h + r (h_{t-1} U_h + b_rh) + b_xh), h_t = z h_{t-1} + (1-z) h~
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from seqtui.datasets.errors import DataError

RECURRENT = ("SimpleRNN", "LSTM", "GRU")
SATURATED_HIGH, SATURATED_LOW = 0.9, 0.1

_ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "tanh": np.tanh,
    "sigmoid": lambda x: 1.0 / (1.0 + np.exp(-x)),
    "relu": lambda x: np.maximum(x, 0.0),
    "linear": lambda x: x,
    "hard_sigmoid": lambda x: np.clip(x / 6.0 + 0.5, 0.0, 1.0),
}


def kind_of(layer: Any) -> str:
    return type(layer).__name__


def directions(layer: Any) -> list[tuple[Any, str]]:
    """The recurrent layers inside `layer`: itself, or a Bidirectional's forward and backward ones."""
    if kind_of(layer) == "Bidirectional":
        return [(layer.forward_layer, "forward"), (layer.backward_layer, "backward")]
    return [(layer, "forward")] if kind_of(layer) in RECURRENT else []


def activation(fn: Any) -> Callable[[np.ndarray], np.ndarray]:
    """The NumPy twin of a Keras activation, found by its name."""
    name = getattr(fn, "__name__", str(fn))
    if name not in _ACTIVATIONS:
        raise DataError(
            f"the activation {name!r} has no NumPy twin here; inspect knows {', '.join(_ACTIVATIONS)}"
        )
    return _ACTIVATIONS[name]


@dataclass(frozen=True)
class Cell:
    """One recurrent layer (one direction of a bidirectional one) as plain arrays: what a step needs."""

    kind: str
    """SimpleRNN, LSTM or GRU."""
    kernel: np.ndarray
    recurrent_kernel: np.ndarray
    bias: np.ndarray | None
    act: Callable[[np.ndarray], np.ndarray] = np.tanh
    gate_act: Callable[[np.ndarray], np.ndarray] = _ACTIVATIONS["sigmoid"]
    reset_after: bool = True
    go_backwards: bool = False

    @property
    def units(self) -> int:
        return int(self.recurrent_kernel.shape[0])

    @classmethod
    def from_layer(cls, layer: Any) -> Cell:
        """The arrays of a Keras SimpleRNN, LSTM or GRU layer (never a Bidirectional wrapper)."""
        kind = type(layer).__name__
        cell = layer.cell
        gate = activation(cell.recurrent_activation) if kind != "SimpleRNN" else _ACTIVATIONS["sigmoid"]
        bias = getattr(cell, "bias", None)
        return cls(
            kind=kind,
            kernel=_array(cell.kernel),
            recurrent_kernel=_array(cell.recurrent_kernel),
            bias=None if bias is None else _array(bias),
            act=activation(cell.activation),
            gate_act=gate,
            reset_after=bool(getattr(cell, "reset_after", True)),
            go_backwards=bool(layer.go_backwards),
        )


def _array(variable: Any) -> np.ndarray:
    return np.asarray(variable.numpy(), dtype="float64")


def _simple(cell: Cell, x: np.ndarray, steps: range) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    h = np.zeros(cell.units)
    out = np.zeros((*x.shape[:-1], cell.units))
    projected = x @ cell.kernel + (cell.bias if cell.bias is not None else 0.0)
    for t in steps:
        h = cell.act(projected[t] + h @ cell.recurrent_kernel)
        out[t] = h
    return out, {}


def _lstm(cell: Cell, x: np.ndarray, steps: range) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    u = cell.units
    h, c = np.zeros(u), np.zeros(u)
    gates = {name: np.zeros((*x.shape[:-1], u)) for name in ("input", "forget", "output", "cell")}
    out = np.zeros((*x.shape[:-1], u))
    projected = x @ cell.kernel + (cell.bias if cell.bias is not None else 0.0)
    for t in steps:
        z = projected[t] + h @ cell.recurrent_kernel
        i, f, o = cell.gate_act(z[..., :u]), cell.gate_act(z[..., u : 2 * u]), cell.gate_act(z[..., 3 * u :])
        c = f * c + i * cell.act(z[..., 2 * u : 3 * u])
        h = o * cell.act(c)
        out[t] = h
        gates["input"][t], gates["forget"][t], gates["output"][t], gates["cell"][t] = i, f, o, c
    return out, gates


def _gru(cell: Cell, x: np.ndarray, steps: range) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    u = cell.units
    bias = cell.bias if cell.bias is not None else np.zeros((2, 3 * u) if cell.reset_after else 3 * u)
    input_bias, recurrent_bias = (bias[0], bias[1]) if cell.reset_after else (bias, np.zeros(3 * u))
    projected = x @ cell.kernel + input_bias
    w_h = cell.recurrent_kernel
    h = np.zeros(u)
    gates = {name: np.zeros((*x.shape[:-1], u)) for name in ("update", "reset")}
    out = np.zeros((*x.shape[:-1], u))
    for t in steps:
        xz, xr, xh = projected[t, ..., :u], projected[t, ..., u : 2 * u], projected[t, ..., 2 * u :]
        if cell.reset_after:
            inner = h @ w_h + recurrent_bias
            z, r = cell.gate_act(xz + inner[..., :u]), cell.gate_act(xr + inner[..., u : 2 * u])
            candidate = cell.act(xh + r * inner[..., 2 * u :])
        else:
            z = cell.gate_act(xz + h @ w_h[:, :u])
            r = cell.gate_act(xr + h @ w_h[:, u : 2 * u])
            candidate = cell.act(xh + (r * h) @ w_h[:, 2 * u :])
        h = z * h + (1.0 - z) * candidate
        out[t] = h
        gates["update"][t], gates["reset"][t] = z, r
    return out, gates


_STEPS = {"SimpleRNN": _simple, "LSTM": _lstm, "GRU": _gru}


def run_cell(cell: Cell, x: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Every state (T, units) and every gate (T, units) for one sequence x (T, features), indexed by the
    position of the token read, so a backward layer's row t is its state after reading tokens T-1 .. t.
    A batch x (T, n, features), steps first, gives (T, n, units) each: many sequences in one pass."""
    x = np.asarray(x, dtype="float64")
    steps = range(len(x) - 1, -1, -1) if cell.go_backwards else range(len(x))
    return _STEPS[cell.kind](cell, x, steps)


@dataclass(frozen=True)
class GateSummary:
    """One gate over a sentence: per step the mean over units and the share of saturated units."""

    name: str
    mean: list[float]
    saturated: list[float]
    """Per step: the share of units above 0.9 or below 0.1."""


@dataclass(frozen=True)
class RecurrentTrace:
    """One recurrent layer (one direction) over one sentence: every state and gate at every step."""

    name: str
    kind: str
    direction: str
    """forward, or backward for the second half of a bidirectional layer."""
    hidden: np.ndarray
    """(steps, units): h_t at every step, padding steps included."""
    gates: dict[str, np.ndarray] = field(default_factory=dict)
    """LSTM: input, forget, output and cell (the cell state c_t); GRU: update, reset. (steps, units) each."""
    keras_gap: float = 0.0
    """The largest distance between the recomputed outputs and what the Keras layer returned."""

    @property
    def units(self) -> int:
        return int(self.hidden.shape[1])


def top_units(hidden: np.ndarray, real: np.ndarray, count: int) -> list[int]:
    """The units that move most over the sentence's own tokens: the summed |h_t - h_{t-1}|, the step into
    the first token included, largest first (ties by unit number)."""
    rows = np.flatnonzero(real)
    if len(rows) == 0:
        return list(range(min(count, hidden.shape[1])))
    before = hidden[rows[0] - 1] if rows[0] > 0 else np.zeros(hidden.shape[1])
    path = np.vstack([before, hidden[rows]])
    moved = np.abs(np.diff(path, axis=0)).sum(axis=0)
    return [int(u) for u in np.lexsort((np.arange(len(moved)), -moved))[:count]]


def summarise_gates(trace: RecurrentTrace) -> list[GateSummary]:
    """Per gate (the cell state left out: it is no gate) the per-step mean and saturated share."""
    out = []
    for name, values in trace.gates.items():
        if name == "cell":
            continue
        saturated = ((values > SATURATED_HIGH) | (values < SATURATED_LOW)).mean(axis=1)
        out.append(GateSummary(name, values.mean(axis=1).tolist(), saturated.tolist()))
    return out


_READS = {
    "forget": (
        "the forget gate",
        "the cell keeps most of what it read",
        "the cell forgets most of what it read",
    ),
    "input": ("the input gate", "each token writes much into the cell", "tokens barely write into the cell"),
    "output": ("the output gate", "the cell shows through to h_t", "the cell stays hidden from h_t"),
    "update": ("the update gate", "h_t keeps most of the previous state", "each token replaces most of h_t"),
    "reset": ("the reset gate", "the candidate uses the previous state", "the candidate ignores the past"),
}
_KEY_GATE = {"LSTM": "forget", "GRU": "update"}


def reading(kind: str, gates: dict[str, np.ndarray], real: np.ndarray) -> str:
    """One plain sentence on the layer's key gate (LSTM: forget, GRU: update) over the sentence's tokens: the
    share of tokens whose mean over units is above 0.9 (or, when fewer, below 0.1)."""
    key = _KEY_GATE.get(kind)
    if key is None or key not in gates or not real.any():
        return ""
    means = gates[key][real].mean(axis=1)
    high, low = float((means > SATURATED_HIGH).mean()), float((means < SATURATED_LOW).mean())
    what, keeps, drops = _READS[key]
    if high >= low and high > 0:
        return f"{what} stays above 0.9 on {high:.0%} of tokens: {keeps}"
    if low > 0:
        return f"{what} stays below 0.1 on {low:.0%} of tokens: {drops}"
    return f"{what} averages {float(means.mean()):.2f} and never saturates: it weighs old against new on every token"
