"""The parameter arithmetic of a layer table: one formula per layer, from the Input row to the head, as the
lessons write it (Embedding vocab x dim, a recurrent layer's gates x ((features + units) x units + units),
a convolution's kernel x in_channels x filters + filters, a Dense input x units + units; pooling, dropout
and reshaping hold no weights).

Each formula is worked out from the table's shapes (what a layer reads is the shape the one before it gives;
a 'valid' convolution's kernel is how many steps it took away) and the input's vocabulary, then evaluated:
its number is computed here, not copied from the table, so a test can hold the two against each other.
Nothing here imports Keras.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

GATES = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}
NO_WEIGHTS = (
    "Dropout", "Flatten", "Reshape", "MaxPooling1D", "MaxPooling2D", "GlobalMaxPooling1D",
    "GlobalAveragePooling1D", "AveragePooling1D", "AveragePooling2D", "InputLayer",
)  # fmt: skip


@dataclass(frozen=True)
class Formula:
    """One layer's parameter count as the lessons write it."""

    layer: str
    """The layer's type (Input for the input row)."""
    symbolic: str
    """The formula in words: 'vocab x dim'."""
    numbers: str
    """The same with this model's numbers: '10,000 x 100'."""
    value: int | None
    """What the numbers evaluate to; None where the formula is not known (a layer Keras alone counts)."""


def _n(value: int) -> str:
    return f"{value:,}"


def _recurrent(kind: str, features: int, units: int) -> tuple[str, str, int]:
    """gates x ((features + units) x units + units): each gate's kernel, recurrent kernel and bias; Keras' GRU
    (reset_after=True) keeps a second bias per gate."""
    gates = GATES[kind]
    biases = 2 if kind == "GRU" else 1
    bias_words, bias_nums = ("2 x units", f"2 x {units}") if biases == 2 else ("units", f"{units}")
    inner_words = f"(features + units) x units + {bias_words}"
    inner_nums = f"({features} + {units}) x {units} + {bias_nums}"
    value = gates * ((features + units) * units + biases * units)
    if gates == 1:
        return inner_words, inner_nums, value
    return f"{gates} x ({inner_words})", f"{gates} x ({inner_nums})", value


def _inner_kind(row: dict[str, Any], features: int, width: int) -> str:
    """The recurrent layer inside a Bidirectional wrapper: the one whose count its parameters match."""
    units = width // 2
    for kind in ("LSTM", "GRU", "SimpleRNN"):
        if 2 * _recurrent(kind, features, units)[2] == row["params"]:
            return kind
    return "LSTM"


def _weights(row: dict[str, Any], before: list[Any], vocab: int | None) -> Formula:
    """The formula of a layer with weights, from the shape it reads (`before`) and the one it gives."""
    kind, after = row["type"], row["output_shape"][1:]
    if kind == "Embedding" and vocab:
        dim = after[-1]
        return Formula(kind, "vocab x dim", f"{_n(vocab)} x {dim}", vocab * dim)
    if kind == "Dense":
        n, u = before[-1], after[-1]
        return Formula(kind, "input x units + units", f"{_n(n)} x {u} + {u}", n * u + u)
    if kind in GATES:
        words, nums, value = _recurrent(kind, before[-1], after[-1])
        return Formula(kind, words, nums, value)
    if kind == "Bidirectional":
        inner = _inner_kind(row, before[-1], after[-1])
        words, nums, value = _recurrent(inner, before[-1], after[-1] // 2)
        return Formula(f"Bidirectional({inner})", f"2 x [{words}]", f"2 x [{nums}]", 2 * value)
    if kind == "Conv1D":
        k, c, f = before[0] - after[0] + 1, before[-1], after[-1]
        return Formula(
            kind, "kernel x in_channels x filters + filters", f"{k} x {c} x {f} + {f}", k * c * f + f
        )
    if kind == "Conv2D":
        kh, kw, c, f = before[0] - after[0] + 1, before[1] - after[1] + 1, before[-1], after[-1]
        return Formula(
            kind,
            "kernel x in_channels x filters + filters",
            f"{kh}x{kw} x {c} x {f} + {f}",
            kh * kw * c * f + f,
        )
    return Formula(kind, "counted by Keras", _n(row["params"]), None)


def layer_formulas(table: dict[str, Any]) -> list[Formula]:
    """A formula per layer of `table` (`computed_table`'s or Keras' `layer_table`), the Input row first where
    the table says its input (`computed_table` does)."""
    given = table.get("input") or {}
    shape = given.get("shape")
    out: list[Formula] = []
    if shape:
        out.append(
            Formula("Input", "the shape of a batch of samples", "(" + ", ".join(map(str, shape)) + ")", 0)
        )
    before: list[Any] | None = list(shape[1:]) if shape else None
    for row in table["layers"]:
        if row["type"] in NO_WEIGHTS:
            out.append(Formula(row["type"], "no weights", "0", 0))
        elif before is None or not all(isinstance(d, int) for d in [*before, *row["output_shape"][1:]]):
            out.append(Formula(row["type"], "counted by Keras", _n(row["params"]), None))
        else:
            out.append(_weights(row, before, given.get("vocab_size")))
        before = list(row["output_shape"][1:])
    return out


def formula_total(formulas: list[Formula]) -> int | None:
    """The sum of the formulas' numbers; None when one of them is unknown."""
    values = [f.value for f in formulas]
    return sum(v for v in values if v is not None) if None not in values else None
