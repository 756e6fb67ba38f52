"""The layer table without Keras: layer by layer the same as Keras' own (name, type, output shape, params,
formula) for every preset and every architecture on every kind of input, and `seqtui summary` answers
without importing TensorFlow or Keras."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from seqtui.cli.main import app
from seqtui.core.config.presets import PRESETS, get_preset
from seqtui.core.config.run_config import ARCHITECTURES, ModelConfig, RunConfig, with_overrides
from seqtui.core.model import summary as summaries
from seqtui.core.model.architectures import InputSpec
from seqtui.core.model.checks import compatibility_problems
from seqtui.core.model.table import computed_table, keras_name
from seqtui.datasets.config import DataConfig
from tests.data_files import write_reviews_csv

# One preset per kind of input: tokens, images, a series, tokens for next-word generation, long tokens.
INPUTS = ("topics-en-lstm", "digits-mlp", "seattle-gru", "lines-ko-gen", "imdb-cnn-lstm")
VARIANTS = ({}, {"bidirectional": True, "layers": 2, "dropout": 0.3})
SMALL = {"units": 6, "embedding_dim": 5, "conv_filters": 7, "conv_kernel": 3, "pool_size": 2, "dense_units": 9,
         "vocab_size": 40}  # fmt: skip
"""Small, distinct sizes: the architectures' shapes at a fraction of the presets' build time."""


def keras_table(config: RunConfig) -> dict:
    """Keras' own table of the built model, named as in a fresh process (Keras numbers names per session)."""
    from seqtui.core.hardware.backend import import_keras

    import_keras().backend.clear_session(free_memory=False)  # names only: no garbage collection (0.3 s)
    return summaries.model_summary(config)


def assert_same_layers(config: RunConfig) -> None:
    answer = summaries.summarize(config)
    expected = keras_table(config)
    assert answer.keras_note is None
    for mine, theirs in zip(answer.table["layers"], expected["layers"], strict=True):
        assert mine == theirs
    assert answer.table["total_params"] == expected["total_params"]


@pytest.mark.parametrize("preset", list(PRESETS))
def test_every_preset_matches_keras_layer_by_layer(preset):
    assert_same_layers(get_preset(preset).config)


ARCH_CASES = [
    (preset, arch, variant)
    for preset in INPUTS
    for arch in ARCHITECTURES
    for variant in VARIANTS
    if not compatibility_problems(with_overrides(get_preset(preset).config, arch=arch))
]


@pytest.mark.parametrize(("preset", "arch", "variant"), ARCH_CASES, ids=lambda v: str(v))
def test_every_architecture_on_every_input_matches_keras(preset, arch, variant):
    assert_same_layers(with_overrides(get_preset(preset).config, arch=arch, **SMALL, **variant))


def test_every_architecture_is_checked_on_every_input_it_takes():
    archs = {arch for _, arch, _ in ARCH_CASES}
    assert archs == set(ARCHITECTURES)
    assert {"cnn2d", "mlp", "lstm"} <= {arch for preset, arch, _ in ARCH_CASES if preset == "digits-mlp"}


def test_a_users_file_is_read_for_its_shape_and_the_table_still_needs_no_keras(tmp_path):
    path = write_reviews_csv(tmp_path / "reviews.csv")
    data = DataConfig("file", data_path=str(path), vocab_size=60, maxlen=12, text_column="review",
                      label_column="verdict")  # fmt: skip
    config = RunConfig(data, ModelConfig("gru", embedding_dim=4, units=3))
    table = summaries.summarize(config).table
    assert table["layers"][0]["output_shape"] == ["None", 12, 4]
    assert table["layers"][1]["formula"] == "3 x ((4 + 3) x 3 + 2 x 3) = 81"
    assert_same_layers(config)


def test_the_names_follow_keras_numbering_per_kind_of_layer():
    assert [keras_name(t) for t in ("SimpleRNN", "MaxPooling1D", "GlobalMaxPooling1D", "Conv2D")] == [
        "simple_rnn", "max_pooling1d", "global_max_pooling1d", "conv2d"]  # fmt: skip
    table = computed_table(ModelConfig("stacked_lstm", embedding_dim=2, units=3, dropout=0.1),
                           InputSpec("tokens", (5,), 10), "multiclass", 4)  # fmt: skip
    assert table is not None
    assert [row["name"] for row in table["layers"]] == ["embedding", "lstm", "lstm_1", "dropout", "dense"]
    assert [row["output_shape"] for row in table["layers"]][1:3] == [["None", 5, 3], ["None", 3]]
    assert table["layers"][2]["params"] == 4 * ((3 + 3) * 3 + 3)  # the second LSTM reads the first's 3 units


@pytest.mark.parametrize(
    ("model", "spec"),
    [(ModelConfig("lstm"), InputSpec("image", (28, 28, 3))),  # rows of RGB pixels don't reshape to (28, 28)
     (ModelConfig("cnn2d"), InputSpec("image", (5, 5, 1))),  # two 3x3 convolutions and a pool leave nothing
     (ModelConfig("cnn_lstm", conv_kernel=5, pool_size=4), InputSpec("tokens", (6,), 10)),
     (ModelConfig("transformer"), InputSpec("tokens", (6,), 10))],
)  # fmt: skip
def test_a_model_the_table_does_not_cover_gets_none(model, spec):
    assert computed_table(model, spec, "binary", 2) is None


def test_a_model_the_table_does_not_cover_is_built_by_keras_and_the_summary_says_so(monkeypatch):
    from seqtui.core.hardware.backend import import_keras

    monkeypatch.setattr(summaries, "computed_table", lambda *args: None)
    import_keras().backend.clear_session(free_memory=False)
    result = CliRunner().invoke(app, ["summary", "series-rnn", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == keras_table(get_preset("series-rnn").config)
    assert json.loads(result.stdout)["total_params"] == 131
    [note] = result.stderr.strip().splitlines()
    assert note.startswith("note: building the model with Keras") and "simple_rnn on series input" in note


@pytest.mark.parametrize("preset", ["topics-ko-lstm", "imdb-cnn-lstm"])
def test_summary_of_a_preset_imports_no_tensorflow_and_no_keras(preset):
    code = (
        "import json, sys\n"
        "from seqtui.cli.main import app\n"
        "try:\n"
        f"    app(['summary', {preset!r}, '--json'])\n"
        "except SystemExit as exit:\n"
        "    assert not exit.code, exit.code\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('keras', 'tensorflow', 'jax', 'torch'))\n"
        "print(json.dumps(loaded), file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stderr.strip().splitlines()[-1]) == []
    assert json.loads(result.stdout) == keras_table(get_preset(preset).config)
