"""Every preset has the source's parameter count; every architecture builds and trains an epoch."""

from __future__ import annotations

import math

import pytest

from seqtui.core.config.presets import PRESETS, get_preset
from seqtui.core.config.run_config import ARCHITECTURES, RECURRENT_ARCHITECTURES
from seqtui.core.model.building import compiled_model, layer_table, spec_from_info
from seqtui.datasets.registry import get_dataset
from tests.model_helpers import build_and_fit

SEEDS_PARAMS = {
    "reuters-lstm": 185_046,
    "reuters-lstm-120": 241_246,
    "imdb-cnn-lstm": 558_520,
    "imdb-lstm": 715_801,
    "imdb-gru": 687_241,
    "imdb-cnn-lstm-500": 664_920,
    "imdb-simple-rnn": 322_113,
    "mnist-mlp": 407_050,
    "mnist-cnn": 1_199_882,
    "spam-rnn": 287_585,
    "nsmc-lstm": 3_617_377,
    "series-rnn": 131,
}
SEEDS_ROWS = (*SEEDS_PARAMS, "jena-gru", "text-gen")


def preset_model(name: str):
    config = get_preset(name).config
    return compiled_model(config, *spec_from_info(config, get_dataset(config.data.dataset)))


def test_every_seeds_row_is_a_preset():
    assert set(SEEDS_ROWS) <= set(PRESETS)


@pytest.mark.parametrize("name", sorted(SEEDS_PARAMS))
def test_preset_parameter_count_matches_seeds(name):
    assert get_preset(name).params == SEEDS_PARAMS[name]
    assert preset_model(name).count_params() == SEEDS_PARAMS[name]


@pytest.mark.parametrize("name", sorted(n for n, p in PRESETS.items() if p.params and n not in SEEDS_PARAMS))
def test_offline_preset_parameter_count(name):
    assert preset_model(name).count_params() == PRESETS[name].params


def test_imdb_cnn_lstm_layers_are_the_lessons():
    table = layer_table(preset_model("imdb-cnn-lstm"))
    kinds = [row["type"] for row in table["layers"]]
    assert kinds == ["Embedding", "Dropout", "Conv1D", "MaxPooling1D", "LSTM", "Dense"]
    assert table["layers"][-1]["output_shape"] == ["None", 1]
    assert table["layers"][3]["output_shape"] == ["None", 24, 64]  # (100 - 5 + 1) // 4


def test_simple_rnn_arithmetic_shown_for_lesson_example():
    table = layer_table(preset_model("imdb-simple-rnn"))
    rnn = next(row for row in table["layers"] if row["type"] == "SimpleRNN")
    assert rnn["formula"] == "(32 + 32) x 32 + 32 = 2,080"
    assert rnn["params"] == 2080


def test_the_arithmetic_shown_for_each_recurrent_layer_adds_up_to_keras_count():
    from seqtui.common.keras_door import import_keras

    keras = import_keras()
    model = keras.Sequential(
        [
            keras.Input((10,), dtype="int32"),
            keras.layers.Embedding(50, 8),
            keras.layers.LSTM(6, return_sequences=True),
            keras.layers.GRU(5, return_sequences=True),
            keras.layers.Bidirectional(keras.layers.LSTM(3)),
            keras.layers.Dense(1),
        ]
    )  # seqtui's builders make Sequential models
    table = layer_table(model)
    shown = {row["type"]: (row["formula"], row["params"]) for row in table["layers"] if "formula" in row}
    assert shown == {
        "LSTM": ("4 x ((8 + 6) x 6 + 6) = 360", 360),
        "GRU": ("3 x ((6 + 5) x 5 + 2 x 5) = 195", 195),
        "Bidirectional": ("2 x [4 x ((5 + 3) x 3 + 3) = 108]", 216),
    }


CASES = [
    ("mlp", "tokens", "binary"),
    ("mlp", "image", "multiclass"),
    ("mlp", "series", "regression"),
    ("simple_rnn", "tokens", "binary"),
    ("lstm", "tokens", "multiclass"),
    ("gru", "series", "regression"),
    ("bilstm", "tokens", "binary"),
    ("stacked_lstm", "tokens", "multiclass"),
    ("conv1d", "tokens", "binary"),
    ("cnn_lstm", "tokens", "binary"),
    ("cnn2d", "image", "multiclass"),
    ("lstm", "image", "multiclass"),
    ("lstm", "tokens", "generation"),
]


def test_cases_cover_every_architecture():
    assert {arch for arch, _, _ in CASES} == set(ARCHITECTURES)


@pytest.mark.parametrize(("arch", "kind", "task"), CASES)
def test_architecture_builds_and_trains_an_epoch(arch, kind, task):
    model, history = build_and_fit(arch, kind, task)
    assert math.isfinite(history["loss"][0])
    if task == "binary":
        assert model.output_shape == (None, 1)


@pytest.mark.parametrize("arch", RECURRENT_ARCHITECTURES)
def test_recurrent_layers_keep_cudnn_defaults(arch):
    model, _ = build_and_fit(arch, "tokens", "binary")
    for layer in model.layers:
        inner = getattr(layer, "forward_layer", layer)
        if type(inner).__name__ in ("LSTM", "GRU", "SimpleRNN"):
            assert inner.recurrent_dropout == 0
            assert inner.unroll is False
            assert inner.activation.__name__ == "tanh"
    assert not any(getattr(layer, "mask_zero", False) for layer in model.layers)


def test_stacked_layers_return_sequences_until_the_last():
    model, _ = build_and_fit("gru", "tokens", "binary", layers=3)
    grus = [layer for layer in model.layers if type(layer).__name__ == "GRU"]
    assert [g.return_sequences for g in grus] == [True, True, False]
