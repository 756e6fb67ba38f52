"""The parameter arithmetic: one formula per layer whose own number equals the Keras-free table's count, for
every preset and every architecture on every kind of input (the table itself is checked against Keras in
test_table.py), and formulas that say what the lessons say."""

from __future__ import annotations

import pytest

from seqtui.core.config.presets import PRESETS, get_preset
from seqtui.core.config.run_config import with_overrides
from seqtui.core.model.arithmetic import formula_total, layer_formulas
from seqtui.core.model.summary import summarize
from tests.core.model.test_table import ARCH_CASES, SMALL


def assert_formulas_count_the_table(table: dict) -> None:
    formulas = layer_formulas(table)
    assert formulas[0].layer == "Input" and formulas[0].value == 0
    assert len(formulas) == len(table["layers"]) + 1
    for formula, row in zip(formulas[1:], table["layers"], strict=True):
        assert formula.value == row["params"], (row, formula)
        assert formula.value == 0 or formula.numbers, formula
    assert formula_total(formulas) == table["total_params"]


@pytest.mark.parametrize("preset", list(PRESETS))
def test_every_presets_formulas_equal_the_tables_counts(preset):
    assert_formulas_count_the_table(summarize(get_preset(preset).config).with_input)


@pytest.mark.parametrize(("preset", "arch", "variant"), ARCH_CASES, ids=lambda v: str(v))
def test_every_architectures_formulas_equal_the_tables_counts(preset, arch, variant):
    config = with_overrides(get_preset(preset).config, arch=arch, **SMALL, **variant)
    assert_formulas_count_the_table(summarize(config).with_input)


def by_layer(preset: str, **overrides) -> dict[str, str]:
    table = summarize(with_overrides(get_preset(preset).config, **overrides)).with_input
    return {f.layer: f"{f.symbolic} = {f.numbers}" for f in layer_formulas(table)}


def test_the_formulas_are_the_lessons():
    text = by_layer("topics-en-lstm", arch="gru", units=8, embedding_dim=5, vocab_size=40, maxlen=12)
    assert text["Input"].endswith("(None, 12)")
    assert text["Embedding"] == "vocab x dim = 40 x 5"
    assert text["GRU"] == "3 x ((features + units) x units + 2 x units) = 3 x ((5 + 8) x 8 + 2 x 8)"
    assert text["Dense"] == "input x units + units = 8 x 21 + 21"  # topics-en has 21 topics
    conv = by_layer("imdb-cnn-lstm", conv_kernel=3, conv_filters=7, embedding_dim=5)
    assert conv["Conv1D"] == "kernel x in_channels x filters + filters = 3 x 5 x 7 + 7"
    assert conv["MaxPooling1D"] == "no weights = 0"
    images = by_layer("digits-cnn", conv_filters=8)
    assert (
        images["Conv2D"] == "kernel x in_channels x filters + filters = 3x3 x 4 x 8 + 8"
    )  # the second: 4 in
    both = by_layer("memory-simple-rnn", bidirectional=True, units=3)
    assert (
        both["Bidirectional(SimpleRNN)"] == "2 x [(features + units) x units + units] = 2 x [(2 + 3) x 3 + 3]"
    )


def test_a_layer_the_arithmetic_does_not_know_is_left_to_keras():
    table = {"total_params": 10, "layers": [
        {"name": "x", "type": "BatchNormalization", "output_shape": ["None", 4], "params": 10}]}  # fmt: skip
    (formula,) = layer_formulas(table)  # no input given: no Input row
    assert formula.value is None and formula.symbolic == "counted by Keras"
    assert formula_total([formula]) is None
