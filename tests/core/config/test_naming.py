"""A run's display name: what the user gave, else the preset (or the data) and what changed."""

from __future__ import annotations

import dataclasses

import pytest

from seqtui.common.names import clean_name, clean_text, slug
from seqtui.core.config.naming import run_title
from seqtui.core.config.presets import PRESETS
from seqtui.core.config.run_config import RunConfig, with_overrides
from seqtui.core.config.validation import validate
from seqtui.datasets.config import DataConfig


def test_a_preset_run_is_named_after_the_preset_and_what_changed():
    base = PRESETS["topics-ko-lstm"].config
    assert run_title(base) == "topics-ko-lstm"
    assert run_title(with_overrides(base, arch="gru", units=128)) == "topics-ko-lstm arch=gru units=128"
    changed = with_overrides(base, dropout=0.23456, bidirectional=True, epochs=3, sample_limit=500)
    assert run_title(changed) == "topics-ko-lstm bidirectional=on dropout=0.2346 epochs=3 limit=500"
    # a setting set back to the preset's own value is no change
    assert run_title(with_overrides(base, units=base.model.units)) == "topics-ko-lstm"


def test_a_run_on_a_file_is_named_after_the_file_and_a_preset_on_other_data_says_so():
    on_file = RunConfig(data=DataConfig(dataset="file", data_path="/data/reviews.csv"))
    assert run_title(on_file) == "reviews"
    assert run_title(with_overrides(on_file, units=32)) == "reviews units=32"
    folder = RunConfig(data=DataConfig(dataset="file", data_path="corpus/리뷰/"))
    assert run_title(folder) == "리뷰"
    preset = with_overrides(PRESETS["topics-ko-lstm"].config, dataset="file", data_path="x/reviews.csv")
    assert run_title(preset) == "topics-ko-lstm data=reviews"
    assert run_title(RunConfig(data=DataConfig(dataset="imdb"))) == "imdb"


def test_a_given_name_wins_and_is_cleaned_of_control_characters():
    config = dataclasses.replace(PRESETS["digits-mlp"].config, label="  내 첫\t실험 \x1b[2J\u202e ")
    assert run_title(config) == "내 첫 실험 [2J"
    assert run_title(dataclasses.replace(config, label="\x07\x1b")) == "digits-mlp"  # nothing visible left
    problems = validate(dataclasses.replace(config, label=" \x00 "))
    assert [(p.field, p.option) for p in problems] == [("label", "--name")]
    assert validate(config) == []


def test_clean_text_keeps_korean_and_line_breaks_only_when_asked():
    assert clean_text("a\n b\x00\r\nc", lines=True) == "a\nb\nc"
    assert clean_text("a\nb") == "a b"
    assert clean_name("x" * 200).endswith("…") and len(clean_name("x" * 200)) == 120


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("topics-ko-lstm arch=gru units=128", "topics-ko-lstm"),  # whole words that fit 17 cells
        ("digits-mlp arch=gru", "digits-mlp"),
        ("mnist arch=gru", "mnist-arch-gru"),
        ("내 첫 실험", "내-첫-실험"),  # a Korean letter takes two cells: 10 here
        ("../../etc/passwd", "etc-passwd"),
        ("=/=", ""),
        ("abcdefghijklmnopqrstuvwxyz", "abcdefghijklmnopq"),
    ],
)
def test_slug_is_safe_for_a_folder_and_short(name, expected):
    assert slug(name) == expected
