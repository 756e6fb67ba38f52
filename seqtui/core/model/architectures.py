"""Model builders: plain arguments in, a compiled-ready `keras.Model` out.

Recurrent layers keep Keras' cuDNN-eligible defaults (tanh/sigmoid, recurrent_dropout=0, unroll=False)
and no `mask_zero`: with 'pre' padding, Keras 3 asserts right-padded masks on GPU and the run fails, and
JAX's cuDNN path takes no mask at all. Under mixed precision they compute in float32: cuDNN's recurrent
kernels are float32 (a bfloat16 LSTM falls back to the slow scan on JAX), the rest runs in half precision.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from seqtui.core.config.run_config import ModelConfig
from seqtui.core.hardware.backend import import_keras

if TYPE_CHECKING:
    import numpy as np

HEAD_LOSS = {
    "binary": "binary_crossentropy",
    "multiclass": "sparse_categorical_crossentropy",
    "generation": "sparse_categorical_crossentropy",
    "regression": "mse",
}
HEAD_METRIC = {"binary": "accuracy", "multiclass": "accuracy", "generation": "accuracy", "regression": "mae"}


@dataclass(frozen=True)
class InputSpec:
    kind: str
    """tokens, image or series."""
    shape: tuple[int, ...]
    vocab_size: int | None = None


def recurrent_depth(model: ModelConfig) -> int:
    return max(model.layers, 2) if model.arch == "stacked_lstm" else model.layers


def _recurrent_stack(keras: Any, model: ModelConfig) -> list[Any]:
    kind = {"simple_rnn": keras.layers.SimpleRNN, "gru": keras.layers.GRU}.get(model.arch, keras.layers.LSTM)
    depth = recurrent_depth(model)
    bidirectional = model.bidirectional or model.arch == "bilstm"
    mixed = keras.config.dtype_policy().name.startswith("mixed")
    dtype = "float32" if mixed else None
    stack = []
    for i in range(depth):
        layer = kind(model.units, return_sequences=i < depth - 1, dtype=dtype)
        stack.append(keras.layers.Bidirectional(layer) if bidirectional else layer)
    return stack


def _body(keras: Any, model: ModelConfig, spec: InputSpec) -> list[Any]:
    L = keras.layers
    layers: list[Any] = []
    if spec.kind == "tokens":
        frozen = bool(model.embeddings) and model.freeze_embeddings  # pretrained vectors kept as they are
        layers.append(L.Embedding(spec.vocab_size, model.embedding_dim, trainable=not frozen))
    elif spec.kind == "image" and model.arch not in ("mlp", "cnn2d"):
        layers.append(L.Reshape(spec.shape[:2]))  # image rows become time steps
    arch = model.arch
    if arch == "mlp":
        layers += [L.Flatten(), L.Dense(model.units, activation="relu")]
    elif arch == "cnn2d":
        layers += [
            L.Conv2D(max(1, model.conv_filters // 2), 3, activation="relu"),
            L.Conv2D(model.conv_filters, 3, activation="relu"),
            L.MaxPooling2D(2),
            L.Dropout(model.dropout / 2),
            L.Flatten(),
            L.Dense(model.dense_units, activation="relu"),
        ]
    elif arch == "conv1d":
        layers += [L.Conv1D(model.conv_filters, model.conv_kernel, activation="relu"), L.GlobalMaxPooling1D()]
    elif arch == "cnn_lstm":
        if model.dropout:
            layers.append(L.Dropout(model.dropout))
        layers += [
            L.Conv1D(model.conv_filters, model.conv_kernel, padding="valid", activation="relu"),
            L.MaxPooling1D(model.pool_size),
            *_recurrent_stack(keras, model),
        ]
        return layers
    else:
        layers += _recurrent_stack(keras, model)
    if model.dropout:
        layers.append(L.Dropout(model.dropout))
    return layers


def _head(keras: Any, task: str, outputs: int) -> Any:
    """The output layer, in float32 under mixed precision too (a half-precision softmax loses accuracy)."""
    dtype = "float32" if keras.config.dtype_policy().name.startswith("mixed") else None
    if task == "binary":
        return keras.layers.Dense(1, activation="sigmoid", dtype=dtype)
    if task == "regression":
        return keras.layers.Dense(1, dtype=dtype)
    return keras.layers.Dense(outputs, activation="softmax", dtype=dtype)


def build_model(
    model: ModelConfig,
    spec: InputSpec,
    task: str,
    outputs: int,
    name: str = "seqtui",
    embeddings: np.ndarray | None = None,
) -> Any:
    """A Sequential model for the architecture, input and task head; `embeddings` (vocab x dim, pretrained
    word vectors) become the Embedding layer's initial weights (set after building, so the saved model's
    config does not carry the matrix)."""
    keras = import_keras()
    dtype = "int32" if spec.kind == "tokens" else "float32"
    layers = [
        keras.Input(shape=spec.shape, dtype=dtype),
        *_body(keras, model, spec),
        _head(keras, task, outputs),
    ]
    safe_name = "".join(c if c.isalnum() or c == "_" else "_" for c in name)
    built = keras.Sequential(layers, name=safe_name)
    if embeddings is not None:
        layer = next(x for x in built.layers if isinstance(x, keras.layers.Embedding))
        layer.set_weights([embeddings])
    return built


def make_optimizer(name: str, learning_rate: float | None) -> Any:
    keras = import_keras()
    kwargs = {"learning_rate": learning_rate} if learning_rate else {}
    return keras.optimizers.get({"class_name": name, "config": kwargs})
