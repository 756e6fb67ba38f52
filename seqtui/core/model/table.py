"""The layer table of the model `build_model` makes, computed from the settings without Keras: each layer's
name as Keras names it in a fresh process ("embedding", "lstm", "dense", "dense_1"), its output shape, its
parameters and the recurrent arithmetic the lessons teach.

It follows `architectures.py` layer by layer, as `estimate.py` does for the sizes; a test checks it against
Keras' own table (`building.layer_table`) for every preset and architecture. Where it does not cover a model
(`computed_table` answers None), the summary builds the model with Keras instead.
"""

from __future__ import annotations

import math
import re
from typing import Any

from seqtui.core.config.run_config import ARCHITECTURES, ModelConfig
from seqtui.core.model.architectures import InputSpec, recurrent_depth

RECURRENT_TYPES = {"simple_rnn": "SimpleRNN", "gru": "GRU"}
"""Keras' layer for each recurrent architecture; every other one stacks LSTMs."""
INPUT_KINDS = ("tokens", "image", "series")


def recurrent_formula(kind: str, features: int, units: int) -> str | None:
    """The parameter arithmetic of a SimpleRNN, LSTM or GRU layer (Keras' GRU keeps two biases per gate)."""
    n, u = features, units
    if kind == "SimpleRNN":
        return f"({n} + {u}) x {u} + {u} = {(n + u) * u + u:,}"
    if kind == "LSTM":
        return f"4 x (({n} + {u}) x {u} + {u}) = {4 * ((n + u) * u + u):,}"
    if kind == "GRU":
        return f"3 x (({n} + {u}) x {u} + 2 x {u}) = {3 * ((n + u) * u + 2 * u):,}"
    return None


def keras_name(type_name: str) -> str:
    """The name Keras derives from a layer's class (its `to_snake_case`): SimpleRNN -> simple_rnn."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", type_name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


class _Rows:
    """The table as it grows: each layer takes the shape of the one before, and Keras' numbered names."""

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape
        self.rows: list[dict[str, Any]] = []
        self.seen: dict[str, int] = {}

    def add(
        self, type_name: str, shape: tuple[int, ...], params: int = 0, formula: str | None = None
    ) -> None:
        base = keras_name(type_name)
        count = self.seen.get(base, 0)
        self.seen[base] = count + 1
        row: dict[str, Any] = {
            "name": base if count == 0 else f"{base}_{count}",
            "type": type_name,
            "output_shape": ["None", *shape],
            "params": params,
        }
        if formula:
            row["formula"] = formula
        self.rows.append(row)
        self.shape = shape

    def dense(self, units: int) -> None:
        self.add("Dense", (units,), self.shape[-1] * units + units)


def _recurrent_stack(rows: _Rows, m: ModelConfig) -> None:
    kind = RECURRENT_TYPES.get(m.arch, "LSTM")
    gates = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}[kind]
    bidirectional = m.bidirectional or m.arch == "bilstm"
    depth = recurrent_depth(m)
    for i in range(depth):
        steps, features = rows.shape[0], rows.shape[-1]
        per_direction = gates * (
            features * m.units + m.units * m.units + m.units * (2 if kind == "GRU" else 1)
        )
        formula = recurrent_formula(kind, features, m.units)
        width = 2 * m.units if bidirectional else m.units
        shape = (steps, width) if i < depth - 1 else (width,)
        if bidirectional:
            rows.add("Bidirectional", shape, 2 * per_direction, f"2 x [{formula}]")
        else:
            rows.add(kind, shape, per_direction, formula)


def _cnn2d(rows: _Rows, m: ModelConfig) -> None:
    half = max(1, m.conv_filters // 2)
    height, width, channels = rows.shape
    rows.add("Conv2D", (height - 2, width - 2, half), 9 * channels * half + half)
    rows.add("Conv2D", (height - 4, width - 4, m.conv_filters), 9 * half * m.conv_filters + m.conv_filters)
    rows.add("MaxPooling2D", ((height - 4 - 2) // 2 + 1, (width - 4 - 2) // 2 + 1, m.conv_filters))
    rows.add("Dropout", rows.shape)
    rows.add("Flatten", (math.prod(rows.shape),))
    rows.dense(m.dense_units)


def _conv1d(rows: _Rows, m: ModelConfig) -> None:
    steps, features = rows.shape
    params = m.conv_kernel * features * m.conv_filters + m.conv_filters
    rows.add("Conv1D", (steps - m.conv_kernel + 1, m.conv_filters), params)


def _body(rows: _Rows, m: ModelConfig, spec: InputSpec) -> None:
    """The layers between the input and the head, as `architectures._body` stacks them."""
    if spec.kind == "tokens":
        rows.add("Embedding", (*spec.shape, m.embedding_dim), (spec.vocab_size or 0) * m.embedding_dim)
        if m.embeddings and m.freeze_embeddings:  # pretrained vectors kept as they are
            rows.rows[-1]["frozen"] = True
    elif spec.kind == "image" and m.arch not in ("mlp", "cnn2d"):
        rows.add("Reshape", spec.shape[:2])  # image rows become time steps
    if m.arch == "mlp":
        rows.add("Flatten", (math.prod(rows.shape),))
        rows.dense(m.units)
    elif m.arch == "cnn2d":
        _cnn2d(rows, m)
    elif m.arch == "conv1d":
        _conv1d(rows, m)
        rows.add("GlobalMaxPooling1D", (m.conv_filters,))
    elif m.arch == "cnn_lstm":
        if m.dropout:
            rows.add("Dropout", rows.shape)
        _conv1d(rows, m)
        rows.add("MaxPooling1D", ((rows.shape[0] - m.pool_size) // m.pool_size + 1, m.conv_filters))
        _recurrent_stack(rows, m)
        return
    else:
        _recurrent_stack(rows, m)
    if m.dropout:
        rows.add("Dropout", rows.shape)


def covers(m: ModelConfig, spec: InputSpec) -> bool:
    """Whether `computed_table` can answer for this architecture and input without Keras."""
    if m.arch not in ARCHITECTURES or spec.kind not in INPUT_KINDS or not all(d > 0 for d in spec.shape):
        return False
    if spec.kind == "tokens":
        return len(spec.shape) == 1 and bool(spec.vocab_size)
    if spec.kind == "image":
        reshaped = m.arch in ("mlp", "cnn2d") or math.prod(spec.shape) == math.prod(spec.shape[:2])
        return len(spec.shape) == 3 and reshaped and (m.arch != "cnn2d" or min(spec.shape[:2]) >= 6)
    return len(spec.shape) == 2 and m.arch != "cnn2d"


def computed_table(m: ModelConfig, spec: InputSpec, task: str, outputs: int) -> dict[str, Any] | None:
    """`layer_table`'s answer for `build_model(m, spec, task, outputs)` in a fresh process, or None where it
    is not covered (an input this table does not know, or a layer left with no output)."""
    if not covers(m, spec):
        return None
    rows = _Rows(spec.shape)
    _body(rows, m, spec)
    rows.dense(1 if task in ("binary", "regression") else outputs)
    if any(d <= 0 for row in rows.rows for d in row["output_shape"][1:]):
        return None
    table: dict[str, Any] = {"total_params": sum(row["params"] for row in rows.rows), "layers": rows.rows}
    frozen = sum(row["params"] for row in rows.rows if row.get("frozen"))
    if frozen:
        table["non_trainable_params"] = frozen
    return table
