"""Config validation: every bad value is named with a fix, all at once; whatever the values, `validate`
answers with a list and `check_config` raises nothing but ConfigError (hypothesis)."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seqtui.common.names import suggest
from seqtui.core.config.errors import ConfigError
from seqtui.core.config.presets import PRESETS
from seqtui.core.config.run_config import (
    ARCHITECTURES,
    FIELD_SECTION,
    OPTIMIZERS,
    DataConfig,
    ModelConfig,
    RunConfig,
    TrainConfig,
    with_overrides,
)
from seqtui.core.config.validation import UPPER_LIMITS, Problem, time_steps_after_conv, validate
from seqtui.core.model.checks import check_config
from seqtui.datasets.base import Dataset, ImageEncoder
from seqtui.datasets.registry import DATASET_NAMES


def fields_of(config: RunConfig, **overrides) -> dict[str, str]:
    return {p.field: p.message for p in validate(with_overrides(config, **overrides), DATASET_NAMES)}


BASE = PRESETS["series-rnn"].config
TEXT = PRESETS["imdb-cnn-lstm"].config


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_is_valid(name):
    assert validate(PRESETS[name].config, DATASET_NAMES) == []


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"maxlen": 0}, "maxlen", "above 0"),
        ({"maxlen": -5}, "maxlen", "above 0"),
        ({"vocab_size": 0}, "vocab_size", "above 0"),
        ({"vocab_size": 2}, "vocab_size", "at least 3"),
        ({"vocab_size": 1}, "vocab_size", "at least 3"),
        ({"text_column": ""}, "text_column", "must be a name or path (got '')"),
        ({"units": 0}, "units", "above 0"),
        ({"epochs": 0}, "epochs", "above 0"),
        ({"batch_size": -1}, "batch_size", "above 0"),
        ({"dropout": 1.0}, "dropout", "[0, 1)"),
        ({"dropout": -0.1}, "dropout", "[0, 1)"),
        ({"dropout": math.nan}, "dropout", "[0, 1)"),
        ({"learning_rate": 0.0}, "learning_rate", "above 0"),
        ({"learning_rate": math.inf}, "learning_rate", "above 0"),
        ({"units": 10**9}, "units", "at most"),
        ({"seed": -1}, "seed", "0 to"),
        ({"arch": "lstn"}, "arch", "Did you mean 'lstm'"),
        ({"optimizer": "adma"}, "optimizer", "Did you mean 'adam'"),
        ({"loss": "msee"}, "loss", "unknown loss 'msee'. Did you mean 'mse'"),
        ({"dataset": "imbd"}, "dataset", "Did you mean 'imdb'"),
        ({"split": "words"}, "split", "whitespace"),
        ({"padding": "middle"}, "padding", "'pre' or 'post'"),
        ({"validation_split": 1.0}, "validation_split", "between 0 and 1"),
    ],
)
def test_bad_values_are_named(overrides, field, words):
    problems = fields_of(BASE, **overrides)
    assert field in problems
    assert words in problems[field]


def test_your_own_file_is_a_known_dataset():
    assert "dataset" not in fields_of(TEXT, dataset="file", data_path="reviews.csv")


def test_every_problem_at_once():
    problems = fields_of(BASE, maxlen=0, units=0, epochs=0, dropout=2.0)
    assert {"maxlen", "units", "epochs", "dropout"} <= problems.keys()


def test_conv_kernel_longer_than_maxlen():
    assert "longer than" in fields_of(TEXT, maxlen=3)["conv_kernel"]


def test_conv_and_pool_leave_no_time_steps():
    # Conv1D(5) on 7 steps leaves 3; MaxPooling1D(4) leaves 0.
    assert "leave no time steps" in fields_of(TEXT, maxlen=7)["pool_size"]
    assert fields_of(TEXT, maxlen=8) == {}


def test_time_steps_of_a_series_are_lookback_over_step():
    """series-rnn reads 3 steps: a Conv1D of 5 can't fit, whatever maxlen says."""
    problems = fields_of(BASE, arch="conv1d", maxlen=500)
    assert "3 time steps" in problems["conv_kernel"]
    assert fields_of(BASE, arch="conv1d", conv_kernel=3) == {}
    assert "must not exceed lookback" in fields_of(BASE, step=4)["step"]


def test_architecture_and_input_kind_must_match():
    with pytest.raises(ConfigError, match="cnn2d needs images"):
        check_config(with_overrides(BASE, arch="cnn2d"))
    with pytest.raises(ConfigError, match="for images use cnn2d"):
        check_config(with_overrides(PRESETS["digits-mlp"].config, arch="conv1d"))


def test_file_datasets_need_a_path_that_exists(tmp_path):
    with pytest.raises(ConfigError, match="spam.csv"):
        check_config(PRESETS["spam-rnn"].config)
    with pytest.raises(ConfigError, match="does not exist"):
        check_config(with_overrides(BASE, data_path=str(tmp_path / "nope.csv")))


def test_suggest_lists_choices_when_nothing_is_close():
    assert "Choose one of" in suggest("zzzzzz", ARCHITECTURES)
    assert "Did you mean" in suggest("gru2", ARCHITECTURES)


def test_overrides_make_a_new_config_and_reject_unknown_names():
    changed = with_overrides(BASE, units=3, epochs=None)
    assert changed.model.units == 3 and BASE.model.units == 10
    assert changed.train.epochs == BASE.train.epochs
    with pytest.raises(KeyError, match="unknown setting"):
        with_overrides(BASE, colour="red")


def test_config_round_trips_through_json_as_config_json_stores_it():
    config = PRESETS["nsmc-lstm"].config  # Korean stopwords: a tuple that JSON turns into a list
    assert config.data.stopwords
    assert RunConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config


def test_a_config_file_with_missing_sections_or_unknown_fields_gets_the_defaults():
    assert RunConfig.from_dict({"preset": "x"}) == RunConfig(preset="x")
    raw = {"data": {"maxlen": 7, "from_a_newer_version": 1}, "train": {"epochs": 2}}
    assert RunConfig.from_dict(raw) == RunConfig(DataConfig(maxlen=7), ModelConfig(), TrainConfig(epochs=2))


def test_time_steps_left_after_a_valid_conv_and_pooling_are_whole():
    assert time_steps_after_conv(21, 5, 4) == 4  # 17 steps after Conv1D(5), 4 whole pools of 4
    assert time_steps_after_conv(8, 5, 4) == 1 and time_steps_after_conv(7, 5, 4) == 0


# -- property-based: no value makes validation fail with anything but the documented answer ------------
anything = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.sampled_from(["lstm", "pre", "adam", "imdb", "whitespace", "mse"]),
    st.lists(st.integers(), max_size=2),
)
FLAT_FIELDS = sorted(FIELD_SECTION)


@st.composite
def configs(draw) -> RunConfig:
    base = draw(st.sampled_from([PRESETS[n].config for n in sorted(PRESETS)] + [RunConfig()]))
    names = draw(st.lists(st.sampled_from(FLAT_FIELDS), max_size=6, unique=True))
    values = {name: draw(anything) for name in names}
    grouped = {section: {} for section in ("data", "model", "train")}
    for name, value in values.items():
        grouped[FIELD_SECTION[name]][name] = value
    return dataclasses.replace(
        base,
        data=dataclasses.replace(base.data, **grouped["data"]),
        model=dataclasses.replace(base.model, **grouped["model"]),
        train=dataclasses.replace(base.train, **grouped["train"]),
    )


@settings(max_examples=200, deadline=None)
@given(configs())
def test_validate_never_raises_and_names_real_fields(config):
    problems = validate(config, DATASET_NAMES)
    assert all(isinstance(p, Problem) and p.field in FIELD_SECTION | {"dataset": "data"} for p in problems)
    assert all(p.message for p in problems)


@settings(max_examples=200, deadline=None)
@given(configs())
def test_check_config_raises_only_config_error(config):
    try:
        check_config(config)
    except ConfigError as exc:
        assert exc.problems
        assert str(exc)


@settings(max_examples=200, deadline=None)
@given(configs())
def test_a_valid_config_holds_what_the_model_needs(config):
    if validate(config, DATASET_NAMES):
        return
    d, m, t = config.data, config.model, config.train
    for value in (d.maxlen, d.vocab_size, m.units, m.embedding_dim, m.layers, t.epochs, t.batch_size):
        assert isinstance(value, int) and not isinstance(value, bool) and value > 0
    assert 0.0 <= m.dropout < 1.0
    assert m.arch in ARCHITECTURES and t.optimizer in OPTIMIZERS
    assert t.learning_rate is None or 0 < t.learning_rate < 10
    assert all(getattr(config.data, k, None) is None or getattr(config.data, k) <= top
               for k, top in UPPER_LIMITS.items() if k in DataConfig.__dataclass_fields__)  # fmt: skip
    assert all(
        getattr(m, k) <= top for k, top in UPPER_LIMITS.items() if k in ModelConfig.__dataclass_fields__
    )
    assert all(
        getattr(t, k) <= top for k, top in UPPER_LIMITS.items() if k in TrainConfig.__dataclass_fields__
    )


def test_the_loaded_datas_kind_decides_the_series_checks():
    """Your own file is a series only once read: then step > lookback is a problem, named as such."""
    import numpy as np

    from seqtui.datasets.base import Dataset, SeriesEncoder

    x, y = np.zeros((8, 3, 1), dtype="float32"), np.zeros(8, dtype="float32")
    encoder = SeriesEncoder(["v"], "v", [0.0], [1.0], lookback=3, step=5, delay=1)
    data = Dataset("mine", "regression", "series", x, y, x, y, x, y, encoder, [])
    config = with_overrides(RunConfig(), dataset="file", data_path="mine.csv", lookback=3, step=5, arch="gru")
    with pytest.raises(ConfigError) as raised:
        check_config(config, data)
    assert [p.field for p in raised.value.problems] == ["step"]
    assert "must not exceed lookback 3" in raised.value.problems[0].message


def test_a_time_step_problem_is_listed_once():
    config = with_overrides(RunConfig(), dataset="file", data_path="x.csv", arch="cnn_lstm", maxlen=4)
    x = np.zeros((20, 4), dtype="int32")
    y = np.zeros(20, dtype="int32")
    data = Dataset("x", "binary", "tokens", x, y, x, y, x, y, ImageEncoder(), ["a", "b"])
    with pytest.raises(ConfigError) as info:
        check_config(config, data)
    assert [p.field for p in info.value.problems] == ["conv_kernel"]


# Sizes a practitioner does use must pass; one more zero (a typo that would exhaust memory) must not.
PLAUSIBLE = {"units": 4096, "embedding_dim": 1024, "maxlen": 20_000, "vocab_size": 2_000_000, "layers": 16,
             "epochs": 5000, "batch_size": 65_536, "conv_filters": 4096, "dense_units": 8192}  # fmt: skip
TYPOS = {"units": 100_000, "embedding_dim": 100_000, "maxlen": 1_000_000, "vocab_size": 100_000_000,
         "layers": 100, "epochs": 1_000_000, "batch_size": 10_000_000, "conv_filters": 100_000,
         "dense_units": 100_000, "lookback": 10_000_000}  # fmt: skip


@pytest.mark.parametrize("name", sorted(PLAUSIBLE))
def test_a_large_but_plausible_size_is_accepted(name):
    config = with_overrides(RunConfig(), **{name: PLAUSIBLE[name]})
    assert [p.field for p in validate(config, DATASET_NAMES)] == []


@pytest.mark.parametrize("name", sorted(TYPOS))
def test_a_size_with_an_extra_zero_is_refused_as_a_typo(name):
    config = with_overrides(RunConfig(), **{name: TYPOS[name]})
    problems = [p for p in validate(config, DATASET_NAMES) if p.field == name]
    assert len(problems) == 1
    assert f"{UPPER_LIMITS[name]:,}" in problems[0].message or str(UPPER_LIMITS[name]) in problems[0].message
