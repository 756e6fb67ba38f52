"""One shared helper to build and fit tiny models (keras-hub's run_backbone_test habit)."""

from __future__ import annotations

import numpy as np

from seqtui.core.config.run_config import DataConfig, ModelConfig, RunConfig, TrainConfig
from seqtui.core.model.architectures import InputSpec
from seqtui.core.model.building import compiled_model

TINY = dict(embedding_dim=4, units=4, conv_filters=4, conv_kernel=3, pool_size=2, dense_units=8)


def tiny_inputs(
    kind: str, n: int = 16, maxlen: int = 12, vocab: int = 30, features: int = 2
) -> tuple[InputSpec, np.ndarray]:
    rng = np.random.default_rng(0)
    if kind == "tokens":
        return InputSpec("tokens", (maxlen,), vocab), rng.integers(0, vocab, (n, maxlen)).astype("int32")
    if kind == "image":
        return InputSpec("image", (28, 28, 1)), rng.random((n, 28, 28, 1)).astype("float32")
    return InputSpec("series", (maxlen, features)), rng.standard_normal((n, maxlen, features)).astype(
        "float32"
    )


def tiny_targets(task: str, n: int = 16, classes: int = 3) -> np.ndarray:
    rng = np.random.default_rng(1)
    if task == "regression":
        return rng.standard_normal(n).astype("float32")
    return rng.integers(0, 2 if task == "binary" else classes, n).astype("int32")


def build_and_fit(arch: str, kind: str, task: str, **model_overrides) -> tuple[object, dict]:
    """Build a tiny model of the architecture, fit it one epoch, return (model, history)."""
    spec, x = tiny_inputs(kind)
    config = RunConfig(
        DataConfig("file", vocab_size=spec.vocab_size or 30, maxlen=12),
        ModelConfig(arch, **{**TINY, **model_overrides}),
        TrainConfig(epochs=1, batch_size=8),
    )
    outputs = 1 if task in ("binary", "regression") else 3
    model = compiled_model(config, spec, task, outputs)
    y = tiny_targets(task, len(x))
    history = model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    return model, history.history
