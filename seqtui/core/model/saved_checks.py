"""Does a saved model fit the run folder it sits in? Checked before predicting with it or training it on.

A run folder whose config.json or encoder.json was edited, or whose checkpoint came from another run,
would otherwise fail deep inside Keras (or allocate a tensor of the edited size); here it is one message.
"""

from __future__ import annotations

from typing import Any

from seqtui.datasets.base import Encoder, ImageEncoder, SeriesEncoder, TextEncoder

TASKS = ("binary", "multiclass", "regression", "generation")


def expected_input(encoder: Encoder) -> tuple[int, ...]:
    """The input shape (without the batch) the encoder produces."""
    if isinstance(encoder, TextEncoder):
        return (encoder.maxlen,)
    if isinstance(encoder, ImageEncoder):
        return tuple(encoder.shape)
    assert isinstance(encoder, SeriesEncoder)
    return (encoder.lookback // encoder.step, len(encoder.columns))


def _shape(tensor: Any) -> tuple[Any, ...]:
    return tuple(None if s is None else int(s) for s in tensor.shape[1:])


def model_mismatch(model: Any, encoder: Encoder, task: str, class_names: list[str]) -> str | None:
    """What disagrees between a loaded model and the run's encoder and classes; None when they fit."""
    inputs, outputs = getattr(model, "inputs", None), getattr(model, "outputs", None)
    if not inputs or not outputs or len(inputs) != 1 or len(outputs) != 1:
        return "the model does not have one input and one output as seqtui's models do"
    got, want = _shape(inputs[0]), expected_input(encoder)
    if got != want:
        return f"the model reads input of shape {got} but encoder.json describes {want}"
    width = _shape(outputs[0])[-1] if _shape(outputs[0]) else None
    if task in ("binary", "regression") and width != 1:
        return f"a {task} model has one output, this one has {width}"
    if task == "multiclass" and class_names and width != len(class_names):
        return f"the model has {width} outputs but config.json names {len(class_names)} classes"
    words = encoder.tokenizer.vocab_size if isinstance(encoder, TextEncoder) else 0
    if task == "generation" and (width is None or width < words):
        return f"the model has {width} outputs, fewer than the {words} words"
    return None


def architecture_mismatch(saved: Any, built: Any) -> str | None:
    """Whether a checkpoint holds the model the config describes: the same layer types and weight shapes."""

    def layout(model: Any) -> list[tuple[str, list[tuple[int, ...]]]]:
        return [
            (type(layer).__name__, [tuple(int(d) for d in w.shape) for w in layer.weights])
            for layer in model.layers
        ]

    have, want = layout(saved), layout(built)
    if have == want:
        return None
    have_names, want_names = [n for n, _ in have], [n for n, _ in want]
    if have_names != want_names:
        return (
            f"the checkpoint's layers are {', '.join(have_names)}; "
            f"the config describes {', '.join(want_names)}"
        )
    return "the checkpoint's weight shapes differ from the model the config describes"
