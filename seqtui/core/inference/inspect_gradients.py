"""How far back the gradient reaches: the norm of the gradient of the predicted class's probability with
respect to each token's embedding vector, by the Keras backend's own autodiff (TensorFlow's GradientTape,
`jax.grad`, or torch's `backward`).

The model is cut after its Embedding layer: `embedded = embedding(ids)` is the input, the layers after it
run on it in inference mode, and the score is the predicted class's probability (a binary model's sigmoid
p for class 1, 1 - p for class 0). Backpropagation through time multiplies one Jacobian per step, so on a
plain RNN the norms fall off toward the start of the sentence: the vanishing gradient, on the user's model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from seqtui.datasets.errors import DataError


@dataclass(frozen=True)
class GradientReach:
    """Per step of the padded input: |d p(class) / d embedding_t|."""

    class_index: int
    probability: float
    norms: np.ndarray
    """(steps,) the gradient's L2 norm at each step, padding steps included."""
    backend: str


def split_at_embedding(model: Any) -> tuple[Any, list[Any]]:
    """The model's first Embedding layer and the layers after it (a plain chain: seqtui's Sequential)."""
    layers = list(model.layers)
    for n, layer in enumerate(layers):
        if type(layer).__name__ == "Embedding":
            return layer, layers[n + 1 :]
    raise DataError("this model has no Embedding layer, so there is no token embedding to take a gradient by")


def run_layers(layers: list[Any], x: Any) -> Any:
    """The layers applied one after another in inference mode (dropout off)."""
    for layer in layers:
        x = layer(x, training=False)
    return x


def _probabilities(keras: Any, out: Any) -> Any:
    """Model outputs (n, classes) as class probabilities; a binary model's (n, 1) sigmoid becomes [1-p, p]."""
    return keras.ops.concatenate([1.0 - out, out], axis=-1) if out.shape[-1] == 1 else out


def class_score(keras: Any, layers: list[Any], embedded: np.ndarray, index: int) -> float:
    """The class's probability for an embedded sequence (1, steps, dim): what the gradient differentiates,
    for checking it against finite differences."""
    out = _probabilities(keras, run_layers(layers, keras.ops.convert_to_tensor(embedded.astype("float32"))))
    return float(keras.ops.convert_to_numpy(out)[0, index])


Scored = Callable[[Any], tuple[Any, Any]]
"""x -> (the predicted class's probability, every class's probabilities)."""


def _tensorflow(score: Scored) -> Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]:
    import tensorflow as tf

    @tf.function(reduce_retracing=True)
    def grad(x: Any) -> Any:
        with tf.GradientTape() as tape:
            tape.watch(x)
            value, probs = score(x)
        return tape.gradient(value, x), probs

    def run(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        g, probs = grad(tf.convert_to_tensor(x))
        return np.asarray(g), np.asarray(probs)

    return run


def _jax(score: Scored) -> Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]:
    import jax

    grad = jax.jit(jax.grad(score, has_aux=True))

    def run(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        g, probs = grad(jax.numpy.asarray(x))
        return np.asarray(g), np.asarray(probs)

    return run


def _torch(score: Scored) -> Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]:
    import torch

    def run(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        from keras import ops

        tensor = torch.tensor(x, requires_grad=True, device=ops.convert_to_tensor(0.0).device)
        value, probs = score(tensor)
        value.backward()
        return tensor.grad.detach().cpu().numpy(), probs.detach().cpu().numpy()

    return run


_AUTODIFF = {"tensorflow": _tensorflow, "jax": _jax, "torch": _torch}


class GradientProbe:
    """A model's gradient function, compiled once (tf.function, jax.jit) and reused for every sentence."""

    def __init__(self, keras: Any, model: Any) -> None:
        self.backend = keras.backend.backend()
        if self.backend not in _AUTODIFF:
            raise DataError(f"the gradient view needs tensorflow, jax or torch, not {self.backend}")
        self.keras = keras
        self.embedding, self.rest = split_at_embedding(model)
        ops = keras.ops

        def score(x: Any) -> tuple[Any, Any]:
            probs = _probabilities(keras, run_layers(self.rest, x))
            chosen = ops.stop_gradient(ops.one_hot(ops.argmax(probs, axis=-1), probs.shape[-1]))
            return ops.sum(probs * chosen), probs

        self._grad = _AUTODIFF[self.backend](score)

    def embed(self, ids: np.ndarray) -> np.ndarray:
        """The Embedding layer's vectors for padded ids (1, steps): what the gradient is taken by."""
        return np.asarray(self.keras.ops.convert_to_numpy(self.embedding(ids)), dtype="float32")

    def reach(self, ids: np.ndarray) -> GradientReach:
        """The gradient norms for one padded id sequence (1, steps), for the class the model predicts."""
        grad, probs = self._grad(self.embed(ids))
        index = int(np.argmax(probs[0]))
        norms = np.linalg.norm(np.asarray(grad, dtype="float64")[0], axis=-1)
        return GradientReach(index, float(probs[0, index]), norms, self.backend)


def gradient_reach(keras: Any, model: Any, ids: np.ndarray) -> GradientReach:
    """`GradientProbe(keras, model).reach(ids)`, for one sentence (the probe compiles once: keep it for more)."""
    return GradientProbe(keras, model).reach(ids)


def reach_sentence(norms: np.ndarray, real: np.ndarray) -> str:
    """One plain sentence on how far back the gradient reaches over the sentence's own tokens: the first
    token's norm as a share of the largest, and how many tokens keep at least a tenth of it."""
    values = np.asarray(norms, dtype="float64")[np.asarray(real, dtype=bool)]
    if len(values) == 0 or values.max() <= 0:
        return "no token moves the answer: the gradient is zero on this sentence"
    share = values[0] / values.max()
    strong = int((values >= 0.1 * values.max()).sum())
    return (
        f"the first token's gradient is {share:.0%} of the largest; {strong} of {len(values)} tokens keep at "
        f"least a tenth of it{': the gradient vanishes toward the start' if share < 0.1 else ''}"
    )
