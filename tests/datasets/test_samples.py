"""The offline sample datasets (real data shipped by PyPI packages) load with the expected shapes and classes."""

from __future__ import annotations

import numpy as np
import pytest

from seqtui.core.config.presets import PRESETS
from seqtui.core.config.run_config import DataConfig
from seqtui.datasets.errors import DataError
from seqtui.datasets.registry import DATASETS, get_dataset


def load(name: str, **settings):
    return get_dataset(name).load(DataConfig(name, **settings))


def sizes(ds) -> int:
    return len(ds.x_train) + len(ds.x_val) + len(ds.x_test)


def test_digits_are_5000_real_mnist_images_of_10_classes():
    ds = load("digits")
    assert sizes(ds) == 5000
    assert ds.input_shape == (28, 28, 1) and ds.x_train.dtype == np.float32
    assert ds.class_names == [str(i) for i in range(10)]
    assert set(np.unique(ds.y_train)) == set(range(10))
    assert ds.x_train.min() >= 0.0 and ds.x_train.max() <= 1.0
    assert len(ds.x_test) == 1000  # test_split 0.2
    assert ds.encoder.preparation == "digit"  # a new digit gets MNIST's preparation


def test_topics_ko_has_19_topics_and_korean_sentences():
    ds = load("topics-ko", split="character", maxlen=30)
    assert ds.num_classes == 19 and ds.task == "multiclass"
    assert ds.input_shape == (30,)
    assert sizes(ds) > 1000
    assert any("\uac00" <= ch <= "\ud7a3" for ch in "".join(ds.encoder.tokenizer.word_index))


def test_topics_en_has_21_topics():
    ds = load("topics-en", maxlen=20)
    assert ds.num_classes == 21
    assert sizes(ds) > 1500
    assert "the" in ds.encoder.tokenizer.word_index


def test_seattle_temps_windows_and_baseline():
    ds = load("seattle-temps", lookback=72, step=1, delay=24)
    assert ds.task == "regression" and ds.input_shape == (72, 1)
    assert ds.encoder.target == "temp" and ds.encoder.columns == ["temp"]
    assert sizes(ds) == 8759 - 3 * 24 - 71  # each part loses `delay` rows; the first window needs 72
    assert {"val_mae", "test_mae", "test_mae_in_units"} <= set(ds.baseline)
    assert 30 < ds.encoder.mean[0] < 70  # Fahrenheit


def test_lines_ko_generation_pairs():
    ds = load("lines-ko", vocab_size=3000, maxlen=12)
    assert ds.task == "generation" and ds.input_shape == (12,)
    assert sizes(ds) > 3000
    assert ds.x_train.max() < 3000 and ds.y_train.max() < 3000
    assert (ds.x_train[:, -1] > 0).all()  # every prefix has at least one token, right-aligned ('pre')


def test_toy_sequence():
    ds = load("sequence", lookback=3, step=1, delay=1)
    assert ds.input_shape == (3, 1) and sizes(ds) > 1900


@pytest.mark.parametrize(
    "name", [p.name for p in PRESETS.values() if DATASETS[p.dataset].source == "package"]
)
def test_offline_presets_data_loads_with_their_settings(name):
    config = PRESETS[name].config.data
    ds = get_dataset(config.dataset).load(config)
    assert len(ds.x_train) > 100


def test_missing_package_message(monkeypatch):
    import seqtui.datasets.samples as samples

    monkeypatch.setattr(samples, "package_root", lambda module: None)
    with pytest.raises(DataError, match="pip install chatterbot-corpus"):
        load("topics-ko")
