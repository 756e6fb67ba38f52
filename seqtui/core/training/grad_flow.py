"""Gradient flow: the norm of the loss's gradient by each trainable layer's weights, on one fixed training
batch, by the Keras backend's own autodiff (TensorFlow's GradientTape, `jax.grad`, torch's `backward`), as
`core/inference/inspect_gradients.py` takes its gradients by a sentence's embedding.

The batch runs in inference mode (dropout off), so the same weights always give the same norms: what changes
from epoch to epoch is the model. A layer whose norm falls by three orders of magnitude or more, against the
largest layer's or against its own first epoch, barely learns any more: `collapse_notes` says so in words.

Nothing here imports Keras at module level.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

COLLAPSE = 1e-3
"""A layer whose norm is at most this share of the largest (or of its own first epoch's) is called out."""
FIXED_BATCH = 64
"""At most this many training rows make the fixed batch..."""
FIXED_SHARE = 100
"""...and at most one in this many rows of the training set (at least MIN_FIXED): one extra forward and
backward pass on it costs about 1/FIXED_SHARE of an epoch, within the 2% budget on the smallest datasets."""
MIN_FIXED = 8

Grads = Callable[[Any], list[float]]
"""The fixed batch's inputs -> the squared L2 norm of the loss's gradient by each trainable weight (the
model's weight order), computed inside the compiled function: only these numbers leave the device."""


def _tensorflow(model: Any, loss: Callable[[Any], Any]) -> Grads:
    import tensorflow as tf

    @tf.function(reduce_retracing=True)
    def squares(x: Any) -> list[Any]:
        with tf.GradientTape() as tape:
            value = loss(model(x, training=False))
        grads = tape.gradient(value, model.trainable_variables)
        # an Embedding's gradient comes as IndexedSlices: made dense, repeated ids summed as they should be
        return [tf.zeros(()) if g is None else tf.reduce_sum(tf.square(tf.cast(tf.convert_to_tensor(g), "float32")))
                for g in grads]  # fmt: skip

    return lambda x: [float(v) for v in squares(x)]


def _jax(model: Any, loss: Callable[[Any], Any]) -> Grads:
    import jax
    import jax.numpy as jnp

    def score(trainable: list[Any], fixed: list[Any], x: Any) -> Any:
        out, _ = model.stateless_call(trainable, fixed, x, training=False)
        return loss(out)

    @jax.jit
    def squares(trainable: list[Any], fixed: list[Any], x: Any) -> list[Any]:
        return [jnp.sum(jnp.square(g.astype("float32"))) for g in jax.grad(score)(trainable, fixed, x)]

    def run(x: Any) -> list[float]:
        trainable = [v.value for v in model.trainable_variables]
        fixed = [v.value for v in model.non_trainable_variables]
        return [float(v) for v in squares(trainable, fixed, x)]

    return run


def _torch(model: Any, loss: Callable[[Any], Any]) -> Grads:
    def run(x: Any) -> list[float]:
        model.zero_grad()
        loss(model(x, training=False)).backward()
        return [0.0 if v.value.grad is None else float((v.value.grad.float() ** 2).sum()) for v in
                model.trainable_variables]  # fmt: skip

    return run


_AUTODIFF = {"tensorflow": _tensorflow, "jax": _jax, "torch": _torch}


class GradientFlow:
    """A model's per-layer gradient norms on one fixed batch (`x`, `y`), the loss the model was compiled with."""

    def __init__(self, keras: Any, model: Any, x: np.ndarray, y: np.ndarray) -> None:
        backend = keras.backend.backend()
        if backend not in _AUTODIFF:
            raise ValueError(f"gradient flow needs tensorflow, jax or torch, not {backend}")
        self.model = model
        self.x = keras.ops.convert_to_tensor(x)
        y_true = keras.ops.convert_to_tensor(y)
        loss_fn = keras.losses.get(model.loss)

        def loss(y_pred: Any) -> Any:
            return keras.ops.mean(loss_fn(y_true, keras.ops.cast(y_pred, "float32")))

        self._grads = _AUTODIFF[backend](model, loss)

    def layers(self) -> list[tuple[str, list[int]]]:
        """Each layer with trainable weights, by name, with the positions of its weights among the model's."""
        where = {id(v): n for n, v in enumerate(self.model.trainable_variables)}
        out = []
        for layer in self.model.layers:
            mine = [where[id(v)] for v in layer.trainable_weights if id(v) in where]
            if mine:
                out.append((layer.name, mine))
        return out

    def norms(self) -> dict[str, float]:
        """Layer name -> the L2 norm of the gradient by all of that layer's trainable weights together."""
        squares = self._grads(self.x)
        return {name: math.sqrt(sum(squares[i] for i in positions)) for name, positions in self.layers()}


def fixed_batch(x: np.ndarray, y: np.ndarray, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
    """The first rows of the training data (at most a batch, FIXED_BATCH, and 1/FIXED_SHARE of the data): the
    same rows every epoch and after a resume, since a run's data is split by its seed."""
    n = max(1, min(batch_size, FIXED_BATCH, max(MIN_FIXED, len(x) // FIXED_SHARE), len(x)))
    return x[:n], y[:n]


def _orders(ratio: float) -> str:
    return "all the way" if ratio <= 0 else f"{-math.log10(ratio):.1f} orders of magnitude"


def collapse_notes(rows: list[dict[str, float]]) -> list[str]:
    """Plain sentences for the layers whose gradient has collapsed by the last epoch of `rows` (one
    {layer: norm} per epoch, oldest first): at most COLLAPSE of the largest layer's, or of its own first."""
    if not rows or not rows[-1]:
        return []
    last, first = rows[-1], rows[0]
    finite = {k: v for k, v in last.items() if math.isfinite(v)}
    if not finite:
        return []
    top_name = max(finite, key=lambda k: finite[k])
    top = finite[top_name]
    notes = []
    for name, value in finite.items():
        if top > 0 and value <= COLLAPSE * top:
            notes.append(
                f"{name}'s gradient is {_orders(value / top)} below {top_name}'s: it has almost stopped "
                "learning (a vanishing gradient)"
            )
        elif len(rows) > 1 and first.get(name, 0.0) > 0 and value <= COLLAPSE * first[name]:
            notes.append(
                f"{name}'s gradient fell {_orders(value / first[name])} since the first epoch: it has almost "
                "stopped learning"
            )
    return notes
