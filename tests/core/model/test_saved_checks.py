"""model_mismatch on small real Keras models: a generator must have an output for every word it may read."""

from __future__ import annotations

import pytest

from seqtui.core.hardware.backend import import_keras
from seqtui.core.model.saved_checks import model_mismatch
from seqtui.datasets.base import TextEncoder
from seqtui.datasets.tokenizer import Tokenizer

WORDS = {"오늘": 2, "날씨": 3, "좋다": 4, "the": 5}  # ids 0 (padding) to 5: six outputs needed


def generator(outputs: int):
    keras = import_keras()
    inputs = keras.Input(shape=(4,))
    hidden = keras.layers.Embedding(6, 3)(inputs)
    return keras.Model(inputs, keras.layers.Dense(outputs)(keras.layers.GlobalAveragePooling1D()(hidden)))


@pytest.mark.parametrize(
    ("outputs", "message"), [(6, None), (7, None), (5, "5 outputs, fewer than the 6 words")]
)
def test_a_generator_needs_an_output_for_each_word(outputs, message):
    encoder = TextEncoder(Tokenizer(word_index=WORDS), maxlen=4)
    found = model_mismatch(generator(outputs), encoder, "generation", [])
    assert found == (message and f"the model has {message}")


@pytest.mark.parametrize(("inputs", "outputs"), [(1, 2), (2, 1)])
def test_a_model_with_more_than_one_input_or_output_is_not_seqtuis(inputs, outputs):
    keras = import_keras()
    ins = [keras.Input(shape=(4,)) for _ in range(inputs)]
    joined = keras.layers.Concatenate()(ins) if inputs > 1 else ins[0]
    hidden = keras.layers.GlobalAveragePooling1D()(keras.layers.Embedding(6, 3)(joined))
    model = keras.Model(ins, [keras.layers.Dense(6)(hidden) for _ in range(outputs)])
    encoder = TextEncoder(Tokenizer(word_index=WORDS), maxlen=4)
    assert model_mismatch(model, encoder, "generation", []) == (
        "the model does not have one input and one output as seqtui's models do"
    )
