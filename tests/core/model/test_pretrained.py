"""Pretrained vectors in the model: the Embedding layer starts from the matrix, the file sets the embedding
size (a conflicting one is one message), and the parameter tables say which parameters are frozen, as
Keras counts them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from seqtui.core.config.errors import ConfigError
from seqtui.core.config.presets import get_preset
from seqtui.core.config.run_config import with_overrides
from seqtui.core.config.validation import validate
from seqtui.core.model.checks import check_config
from seqtui.core.model.pretrained import embedding_file_problems, embedding_overrides
from seqtui.core.model.summary import model_summary, summarize


def glove(path: Path, dim: int = 6) -> Path:
    path.write_text(
        "".join(f"{w} " + " ".join(["0.5"] * dim) + "\n" for w in ("the", "영화")), encoding="utf-8"
    )
    return path


@pytest.mark.parametrize("arch", ["lstm", "conv1d", "bilstm"])
@pytest.mark.parametrize("freeze", [True, False])
def test_the_computed_table_says_what_keras_says_of_a_frozen_embedding(tmp_path, arch, freeze):
    config = with_overrides(
        get_preset("topics-en-lstm").config, arch=arch, units=5, conv_filters=4, conv_kernel=3, vocab_size=50,
        embeddings=str(glove(tmp_path / "g.txt")), embedding_dim=6, freeze_embeddings=freeze,
    )  # fmt: skip
    from seqtui.core.hardware.backend import import_keras

    import_keras().backend.clear_session(free_memory=False)  # Keras' layer names as in a fresh process
    mine, keras = summarize(config).table, model_summary(config)
    assert mine == keras
    embedding = 50 * 6
    assert mine["layers"][0]["params"] == embedding
    assert mine.get("non_trainable_params", 0) == (embedding if freeze else 0)
    assert mine["layers"][0].get("frozen", False) is freeze


def test_the_keras_count_of_frozen_parameters_is_the_embeddings(tmp_path):
    from seqtui.core.model.building import compiled_model, spec_from_info
    from seqtui.datasets.registry import DATASETS

    config = with_overrides(
        get_preset("topics-en-lstm").config, vocab_size=30, embeddings=str(glove(tmp_path / "g.txt")),
        embedding_dim=6, freeze_embeddings=True,
    )  # fmt: skip
    model = compiled_model(config, *spec_from_info(config, DATASETS[config.data.dataset]))
    frozen = sum(int(np.prod(w.shape)) for w in model.non_trainable_weights)
    assert frozen == 30 * 6 == summarize(config).table["non_trainable_params"]
    assert model.count_params() == summarize(config).table["total_params"]


def test_the_embedding_layer_starts_from_the_matrix_given():
    from seqtui.core.config.run_config import ModelConfig
    from seqtui.core.model.architectures import InputSpec, build_model

    matrix = np.arange(30 * 4, dtype=np.float32).reshape(30, 4) / 100
    model = build_model(ModelConfig("lstm", embedding_dim=4, units=3), InputSpec("tokens", (5,), 30), "binary", 1,
                        embeddings=matrix)  # fmt: skip
    np.testing.assert_array_equal(model.layers[0].get_weights()[0], matrix)
    assert model.layers[0].trainable  # no --embeddings file: nothing to freeze


def test_the_file_sets_the_embedding_size_unless_one_is_given(tmp_path):
    path = str(glove(tmp_path / "g.txt", dim=7))
    assert embedding_overrides({"embeddings": path})["embedding_dim"] == 7
    assert embedding_overrides({"embeddings": path, "embedding_dim": 3})["embedding_dim"] == 3
    assert embedding_overrides({"units": 3}) == {"units": 3}
    assert "embedding_dim" not in embedding_overrides({"embeddings": str(tmp_path / "missing.txt")})


def test_a_conflicting_embedding_size_is_one_message(tmp_path):
    config = with_overrides(
        get_preset("topics-en-lstm").config, embeddings=str(glove(tmp_path / "g.txt")), embedding_dim=50
    )
    with pytest.raises(ConfigError) as info:
        check_config(config, needs_data=False)
    assert [(p.field, p.option) for p in info.value.problems] == [("embedding_dim", "--embedding-dim")]
    assert (
        "is 50, but 'g.txt' holds 6-dimensional vectors; drop --embedding-dim"
        in info.value.problems[0].message
    )


def test_word_vectors_are_for_text_and_freezing_needs_them(tmp_path):
    path = str(glove(tmp_path / "g.txt"))
    digits = with_overrides(get_preset("digits-mlp").config, embeddings=path, embedding_dim=6)
    assert [p.message for p in embedding_file_problems(digits, "image")] == [
        "pretrained word vectors are for text; digits is image"
    ]
    alone = with_overrides(get_preset("topics-en-lstm").config, freeze_embeddings=True)
    assert [p.field for p in validate(alone)] == ["freeze_embeddings"]
    bad = with_overrides(get_preset("topics-en-lstm").config, embeddings=str(tmp_path / "none.txt"))
    assert [p.field for p in embedding_file_problems(bad, "tokens")] == ["embeddings"]


def test_a_run_is_named_after_the_vector_files_name_not_its_path(tmp_path):
    from seqtui.core.config.naming import run_title

    config = with_overrides(
        get_preset("topics-en-lstm").config, embeddings=str(tmp_path / "glove.6B.50d.txt")
    )
    assert "embeddings=glove.6B.50d.txt" in run_title(config) and str(tmp_path) not in run_title(config)
