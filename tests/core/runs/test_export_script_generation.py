"""`seqtui export --format script` on a next-token generation run (the user's plain-text file, the offline
lines-ko): the script reads the same lines (decoded as seqtui decoded them, `--limit` reading the first ones),
makes the same (context, next token) examples with the run's vocabulary and splits them by whole lines as seqtui
does, so its arrays are seqtui's exactly; it trains the same model to the same test metric, and continues a
seed line as `seqtui predict` does, token for token.

The shared steps (and the tolerance) are in script_checks.py.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
from pathlib import Path

import numpy as np
import pytest

from seqtui.core.config.presets import PRESETS
from seqtui.core.runs.export_script import ScriptError, check_scriptable, script_text
from seqtui.datasets.config import KOREAN_STOPWORDS, DataConfig
from seqtui.datasets.registry import load_dataset
from tests.core.runs.script_checks import (
    run_config,
    same_arrays,
    same_model_and_metrics,
    script_module,
    trained_exported_and_rerun,
)

WHO = ["나는", "우리는", "친구가", "동생이", "선생님이"]
WHAT = ["밥을 먹었다", "학교에 갔다", "책을 읽었다", "노래를 불렀다", "바다를 보았다", "편지를 썼다"]
WHEN = ["아침에", "오늘", "어제", "저녁에"]


def story_lines(count: int) -> list[str]:
    """Korean sentences: a few words that recur in many combinations, as a story's do."""
    return [f"{WHEN[i % 4]} {WHO[i % 5]} {WHAT[i % 6]}." for i in range(count)]


def write_story(path: Path, count: int = 60, encoding: str = "utf-8", newline: str = "\n") -> Path:
    """A plain-text story, one sentence a line, a blank line every tenth (a paragraph break)."""
    lines = [line + ("\n" if i % 10 == 9 else "") for i, line in enumerate(story_lines(count))]
    path.write_bytes((newline.join(lines) + newline).encode(encoding))
    return path


@pytest.mark.parametrize(
    ("writer", "settings"),
    [
        (lambda p: write_story(p / "story.txt"), {}),
        (lambda p: write_story(p / "story.txt", 200), {"split": "character", "sample_limit": 30}),
        (lambda p: write_story(p / "cp949.txt", encoding="cp949", newline="\r\n"), {"standardize": "hangul"}),
        (lambda p: write_story(p / "bom.txt", encoding="utf-8-sig"), {"vocab_size": 9, "maxlen": 3}),
        (lambda p: write_story(p / "few.txt", 12), {"split": "character", "validation_split": 0.25}),
        (lambda p: write_story(p / "story.txt"), {"split": "morpheme", "stopwords": KOREAN_STOPWORDS}),
        (lambda p: write_story(p / "story", 40), {"stopwords": ("오늘",), "standardize": "none"}),
    ],
    ids=["words", "characters-limit", "cp949-crlf", "bom-vocab-cut", "few-lines", "morphemes", "no-suffix"],
)
def test_the_script_reads_the_text_into_seqtuis_arrays(tmp_path, writer, settings):
    data = DataConfig("file", data_path=str(writer(tmp_path)), **{"maxlen": 6, **settings})
    ds = load_dataset(data)
    assert ds.task == "generation"
    module = script_module(run_config(data, ds), ds, tmp_path / "exp")
    parts = module.load_data(module.DATA)
    if data.sample_limit:
        parts = module.limited(parts)
    same_arrays(parts, ds)
    assert len(ds.x_train) > 10 and ds.y_train.max() > 2  # real next tokens, not all OOV


def test_a_long_texts_every_kth_example_is_seqtuis(tmp_path, monkeypatch):
    """A text over the memory budget keeps every k-th example (the budget lowered on both sides to see it)."""
    from seqtui.datasets import generation

    monkeypatch.setattr(generation, "PAIR_BUDGET_BYTES", 10_000)
    data = DataConfig(
        "file", data_path=str(write_story(tmp_path / "story.txt", 90)), maxlen=6, split="character"
    )
    ds = load_dataset(data)
    assert re.match(r"long text: every [2-5]th next-token example kept", ds.notes[1]), ds.notes
    module = script_module(run_config(data, ds), ds, tmp_path / "exp")
    module.PAIR_BUDGET_BYTES = 10_000
    same_arrays(module.load_data(module.DATA), ds)


def test_the_limit_reads_only_the_first_lines_as_seqtui_does(tmp_path):
    path = write_story(tmp_path / "long.txt", 400)
    data = DataConfig("file", data_path=str(path), maxlen=6, split="character", sample_limit=30)
    ds = load_dataset(data)
    module = script_module(run_config(data, ds), ds, tmp_path / "exp")
    lines = module.text_lines(module.DATA)
    assert len(lines) == 80 and lines == story_lines(
        80
    )  # 4 x MIN_LINES_TO_SPLIT_BY_LINE, blank lines skipped
    assert ds.notes[1] == "--limit 30: read the first 80 lines, enough for it"


@pytest.mark.parametrize("settings", [{"sample_limit": 400}, {"split": "whitespace", "maxlen": 8}])
def test_the_script_reads_lines_ko_as_seqtui_does(tmp_path, settings):
    """chatterbot-corpus' Korean dialog lines (the lines-ko-gen preset's characters, and words)."""
    pytest.importorskip("chatterbot_corpus")
    from seqtui.core.model.architectures import build_model
    from seqtui.core.model.building import spec_from_dataset

    preset = PRESETS["lines-ko-gen"].config
    data = dataclasses.replace(preset.data, **settings)
    ds = load_dataset(data)
    config = {**run_config(data, ds), "model": preset.to_dict()["model"], "preset": preset.name}
    module = script_module(config, ds, tmp_path / "exp")
    seqtuis = build_model(preset.model, *spec_from_dataset(dataclasses.replace(preset, data=data), ds))
    assert module.build_model().count_params() == seqtuis.count_params() == 64_000 + 98_816 + 129_000
    parts = module.load_data()
    if data.sample_limit:
        parts = module.limited(parts)
    same_arrays(parts, ds)
    assert len(module.text_lines()) > 900


def test_the_script_refuses_bad_options_and_never_prints_control_characters(tmp_path):
    path = write_story(tmp_path / "story.txt")
    data = DataConfig("file", data_path=str(path), maxlen=6)
    ds = load_dataset(data)
    module = script_module(run_config(data, ds), ds, tmp_path / "exp")
    assert module.word_count("12") == 12 and module.temperature_option("0") == 0.0
    for bad in ("0", "-3", "x"):
        with pytest.raises(argparse.ArgumentTypeError):
            module.word_count(bad)
    for bad in ("-0.5", "nan", "hot"):
        with pytest.raises(argparse.ArgumentTypeError):
            module.temperature_option(bad)
    assert module.shown("날씨\x1b[2J\t끝") == "날씨\\x1b[2J\\t끝"
    assert ds.encoder.tokenizer.vocab_size == module.VOCAB_END


def test_what_a_script_cant_read_yet_is_one_clear_error(tmp_path):
    path = write_story(tmp_path / "story.txt")
    ds = load_dataset(DataConfig("file", data_path=str(path), maxlen=6))
    table = tmp_path / "now_a_table.txt"
    table.write_text(
        "문장\t주제\n" + "".join(f"{line}\t이야기\n" for line in story_lines(8)), encoding="utf-8"
    )
    cp949 = write_story(tmp_path / "cp949.txt", encoding="cp949")
    csv_file = tmp_path / "story.csv"
    csv_file.write_text("text\n" + "\n".join(story_lines(20)) + "\n", encoding="utf-8")
    cases = [
        ({"data_path": str(tmp_path / "gone.txt")}, "is no longer there to read its encoding from"),
        ({"data_path": str(tmp_path)}, "is a folder, not a text file for generation"),
        ({"data_path": str(table)}, "now_a_table.txt now reads as a tab-separated table"),
        ({"data_path": str(cp949), "encoding": "utf-8"}, "seqtui can't read cp949.txt now ("),
        ({"data_path": str(csv_file)}, "seqtui reads story.csv as a table, not as plain text"),
    ]
    for change, message in cases:
        data = dataclasses.replace(DataConfig("file", data_path=str(path)), **change)
        with pytest.raises(
            ScriptError, match=re.escape(message) + ".*; export the model with --format keras"
        ):
            check_scriptable(run_config(data, ds))


def test_the_exported_script_trains_and_generates_as_the_run(tmp_path):
    """A real character LSTM on a Korean story, exported and run as its own process from where the file is
    now; then the script's `generate` with the run's own model gives what `seqtui predict` gives, greedy and
    sampled."""
    from seqtui.core.inference.predict import Predictor

    story = write_story(tmp_path / "story.txt", 120)
    moved = tmp_path / "moved.txt"
    train = ["--data", str(story), "--arch", "lstm", "--units", "8", "--embedding-dim", "8", "--maxlen", "10",
             "--split", "character", "--vocab-size", "40", "--epochs", "2", "--seed", "3"]  # fmt: skip
    script = ["--epochs", "2", "--data", str(moved), "--words", "4", "--temperature", "0"]
    run, output = trained_exported_and_rerun(tmp_path, train, script, lambda: story.rename(moved))
    assert same_model_and_metrics(run, output) == 40 * 8 + 4 * (8 * 8 + 8 * 8 + 8) + 8 * 40 + 40
    seed = story_lines(1)[0]
    assert re.search(rf"^seed: {re.escape(seed)}\ngenerated \(temperature 0\): .+$", output, re.M), output

    predictor = Predictor.load(run)
    module = _module_beside(tmp_path / "exp")
    greedy = module.generate(predictor.model, seed, 6, 0.0, np.random.default_rng(0))
    assert greedy == predictor.generate(seed, 6, 0.0) and len(greedy) == 6
    sampled = module.generate(predictor.model, "아침에", 8, 1.5, np.random.default_rng(11))
    assert sampled == predictor.generate("아침에", 8, 1.5, rng_seed=11) and len(sampled) == 8


def _module_beside(folder: Path):
    """The exported train.py (encoder.json beside it) imported as a module."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("exported_generation", folder / "train.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_lines_ko_script_names_no_file():
    """The offline lines need no --data: the script reads chatterbot-corpus itself (written without it)."""
    config = {**PRESETS["lines-ko-gen"].config.to_dict(), "task": "generation", "input_kind": "tokens"}
    text = script_text({**config, "class_names": [], "preset": "lines-ko-gen"}, "lines")
    assert 'LANGUAGE = "korean"' in text and "--data" not in text and "def text_lines():" in text
    assert "layers.Embedding(1000, 64)" in text and 'layers.Dense(1000, activation="softmax")' in text
    compile(text, "train.py", "exec")
