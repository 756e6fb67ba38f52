"""From a config (and its dataset) to a compiled model, and a model's layer table with the arithmetic."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from seqtui.core.config.run_config import RunConfig
from seqtui.core.model.architectures import HEAD_LOSS, HEAD_METRIC, InputSpec, build_model, make_optimizer
from seqtui.core.model.table import recurrent_formula

if TYPE_CHECKING:
    from seqtui.datasets.base import Dataset
    from seqtui.datasets.registry import DatasetInfo
    from seqtui.datasets.word_vectors import PretrainedVectors


def spec_from_dataset(config: RunConfig, ds: Dataset) -> tuple[InputSpec, str, int]:
    """Input spec, task and output width for a loaded dataset."""
    outputs = config.data.vocab_size if ds.task == "generation" else max(ds.num_classes, 1)
    vocab = config.data.vocab_size if ds.input_kind == "tokens" else None
    return InputSpec(ds.input_kind, ds.input_shape, vocab), ds.task, outputs


def spec_from_info(config: RunConfig, info: DatasetInfo) -> tuple[InputSpec, str, int]:
    """The same, from registry facts alone (no data loaded): what `summary` and the setup screen use."""
    d = config.data
    if info.input_kind == "tokens":
        spec = InputSpec("tokens", (d.maxlen,), d.vocab_size)
    elif info.input_kind == "image":
        spec = InputSpec("image", (28, 28, 1))
    else:
        spec = InputSpec("series", (d.lookback // d.step, info.features))
    outputs = d.vocab_size if info.task == "generation" else (info.classes or 1)
    return spec, info.task, outputs


def compiled_model(
    config: RunConfig,
    spec: InputSpec,
    task: str,
    outputs: int,
    steps_per_execution: int = 1,
    vectors: PretrainedVectors | None = None,
) -> Any:
    """Keras' default jit_compile="auto" stays: XLA on JAX and, on TensorFlow, off as soon as a layer takes
    the cuDNN path (cuDNN kernels are not XLA ops). `vectors` (--embeddings) start the Embedding layer."""
    matrix = vectors.matrix if vectors is not None else None
    model = build_model(config.model, spec, task, outputs, name=config.name, embeddings=matrix)
    t = config.train
    model.compile(
        optimizer=make_optimizer(t.optimizer, t.learning_rate),
        loss=t.loss or HEAD_LOSS[task],
        metrics=[HEAD_METRIC[task]],
        steps_per_execution=steps_per_execution,
    )
    return model


def _recurrent_formula(layer: Any, features: int) -> str | None:
    """The parameter arithmetic the lessons teach, for recurrent layers."""
    name = type(layer).__name__
    if name == "Bidirectional":
        inner = _recurrent_formula(layer.forward_layer, features)
        return f"2 x [{inner}]" if inner else None
    units = getattr(layer, "units", None)
    return None if units is None else recurrent_formula(name, features, units)


def layer_table(model: Any) -> dict[str, Any]:
    """{"total_params": N, "layers": [{name, type, output_shape, params, formula}]}; a model with frozen
    layers (pretrained vectors kept as they are) adds "non_trainable_params" and "frozen": true on them."""
    layers = []
    for layer in model.layers:  # a Sequential's layers (every model seqtui builds) all have input and output
        row = {
            "name": layer.name,
            "type": type(layer).__name__,
            "output_shape": ["None" if s is None else int(s) for s in layer.output.shape],
            "params": int(layer.count_params()),
        }
        formula = _recurrent_formula(layer, int(layer.input.shape[-1] or 0))
        if formula:
            row["formula"] = formula
        if not layer.trainable and row["params"]:
            row["frozen"] = True
        layers.append(row)
    table: dict[str, Any] = {"total_params": int(model.count_params()), "layers": layers}
    frozen = sum(math.prod(w.shape) for w in model.non_trainable_weights)
    if frozen:
        table["non_trainable_params"] = int(frozen)
    return table
