"""`seqtui export --format script` on a run that started from pretrained word vectors (`--embeddings`): the
script reads the same file and builds the same first matrix as `seqtui.datasets.word_vectors.build_matrix`
(GloVe and word2vec text, Korean and English words, a word's first line, NFD words, words beyond the
vocabulary, the seeded random rows), sets it into an Embedding that is trainable or frozen as the run's was,
and trains to the run's test metrics; a file that is gone or changed is refused at export.

The shared steps (and the tolerance) are in script_checks.py.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from pathlib import Path

import numpy as np
import pytest

from seqtui.core.runs.export_script import ScriptError, check_scriptable, script_text
from seqtui.datasets.config import DataConfig
from seqtui.datasets.registry import load_dataset
from seqtui.datasets.word_vectors import build_matrix
from tests.core.runs.script_checks import (
    run_config,
    same_arrays,
    same_model_and_metrics,
    script_module,
    trained_exported_and_rerun,
)

GOOD = ["정말 재밌는 영화 great movie", "좋은 배우 연기 loved it", "great acting 재밌는 이야기"]
BAD = ["지루한 영화 boring movie", "별로인 배우 hated it", "awful acting 지루한 이야기"]
VECTORS = {
    "영화": [0.5, -0.25, 1.0, 0.125, 0.0],
    "재밌는": [1.0, 0.5, -0.75, 0.3, 0.2],
    "지루한": [-1.0, -0.5, 0.75, -0.3, -0.2],
    "great": [0.75, 0.1, 0.2, 0.3, 0.4],
    "boring": [-0.75, -0.1, -0.2, -0.3, -0.4],
    "movie": [0.25, 0.35, 0.45, 0.55, 0.65],
    "acting": [0.0123, -0.456, 0.789, -1.5e-3, 2.0],
}
"""Words of the reviews (Korean and English) with their 5-dimensional vectors."""


def write_reviews(path: Path, rows: int = 48) -> Path:
    """A CSV of Korean and English reviews, numbered so that no row duplicates another."""
    lines = ["text,label"] + [
        f"{(GOOD if i % 2 else BAD)[i % 3]} n{i},{'pos' if i % 2 else 'neg'}" for i in range(rows)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_glove(path: Path, header: bool = False) -> Path:
    """GloVe's layout (`word v1 ... v5` a line, no header; with `header` word2vec text's `COUNT DIM` first):
    a word the vocabulary lacks, a repeated word (its first line counts), a Korean word in NFD (a Mac's
    file), a blank line and Windows line ends."""
    lines = [f"{w} {' '.join(repr(v) for v in vec)}" for w, vec in VECTORS.items()]
    lines.insert(2, "unrelated 9 9 9 9 9")
    lines.append("movie 7 7 7 7 7")  # a repeat: seqtui keeps the first
    lines.append(f"{unicodedata.normalize('NFD', '이야기')} 0.9 -0.9 0.8 -0.8 0.7")
    lines.append("")
    lines.append("배우 -0.6 0.6 -0.5 0.5 -0.4")
    body = "\r\n".join(lines) + "\r\n"
    path.write_bytes(((f"{len(lines) - 1} 5\r\n" if header else "") + body).encode("utf-8"))
    return path


def vectors_config(tmp_path: Path, vectors: Path, freeze: bool = False, seed: int = 42, **data) -> tuple:
    """config.json of a run on the reviews that started from `vectors`, its dataset and its first matrix."""
    settings = {"maxlen": 8, "vocab_size": 60, **data}
    cfg = DataConfig("file", data_path=str(write_reviews(tmp_path / "reviews.csv")), **settings)
    ds = load_dataset(cfg)
    first = build_matrix(vectors, ds.encoder.tokenizer, cfg.vocab_size, seed)
    config = run_config(cfg, ds)
    config["model"] = {**config["model"], "arch": "lstm", "units": 4, "embedding_dim": 5,
                       "embeddings": str(vectors), "freeze_embeddings": freeze}  # fmt: skip
    config["train"] = {**config["train"], "seed": seed}
    config["pretrained_vectors"] = first.record()
    return config, ds, first


@pytest.mark.parametrize(
    ("header", "seed", "data"),
    [
        (False, 42, {}),
        (True, 7, {}),
        (False, 3, {"vocab_size": 9}),  # some of the file's words have no row
        (
            False,
            42,
            {"split": "character", "maxlen": 20},
        ),  # single characters: only 영 of 영화 ... none found
    ],
    ids=["glove", "word2vec-header", "small-vocabulary", "characters"],
)
def test_the_scripts_matrix_is_the_runs_first_matrix(tmp_path, header, seed, data):
    vectors = write_glove(tmp_path / "vectors.txt", header)
    if data.get("split") == "character":
        vectors.write_text(vectors.read_text(encoding="utf-8") + "영 1 2 3 4 5\n", encoding="utf-8")
    config, ds, first = vectors_config(tmp_path, vectors, seed=seed, **data)
    module = script_module(config, ds, tmp_path / "exp")
    matrix = module.pretrained_matrix(vectors)
    np.testing.assert_array_equal(matrix, first.matrix)
    assert matrix.dtype == np.float32 and first.found >= 1
    assert config["pretrained_vectors"]["sha256"] == module.VECTORS_SHA256


def test_the_matrix_holds_the_files_vectors_and_seqtuis_random_rows(tmp_path):
    """What both compute, against the file itself: the first line of a repeated word, an NFD word found as
    NFC, padding zeros, the random rows drawn with the run's seed and the found vectors' spread."""
    vectors = write_glove(tmp_path / "vectors.txt")
    config, ds, first = vectors_config(tmp_path, vectors)
    matrix = script_module(config, ds, tmp_path / "exp").pretrained_matrix(vectors)
    tokenizer = ds.encoder.tokenizer
    index = {w: i for w, i in tokenizer.word_index.items() if i < 60}
    found = {w: v for w, v in first_lines(vectors).items() if w in index}
    assert set(found) == {*VECTORS, "이야기", "배우"} and len(found) == first.found
    for word, vector in found.items():
        np.testing.assert_array_equal(matrix[index[word]], vector)
    np.testing.assert_array_equal(matrix[index["movie"]], np.float32(VECTORS["movie"]))  # not the repeat's 7s
    assert not matrix[0].any()
    spread = float(np.stack(list(found.values())).std())
    expected = np.random.default_rng(42).normal(0.0, spread, (60, 5)).astype(np.float32)
    np.testing.assert_array_equal(matrix[tokenizer.oov_id], expected[tokenizer.oov_id])
    unfound = [i for w, i in index.items() if w not in found]
    np.testing.assert_array_equal(matrix[unfound], expected[unfound])


def first_lines(path: Path) -> dict[str, np.ndarray]:
    """The file's words (NFC) and vectors, each word's first line, in the file's order."""
    vectors: dict[str, np.ndarray] = {}
    for line in path.read_text("utf-8").splitlines():
        word, *numbers = line.split() or [""]
        word = unicodedata.normalize("NFC", word)
        if len(numbers) == 5 and word not in vectors:
            vectors[word] = np.asarray([float(n) for n in numbers], dtype=np.float32)
    return vectors


@pytest.mark.parametrize("freeze", [False, True], ids=["fine-tuned", "frozen"])
def test_the_script_builds_seqtuis_model_with_its_first_weights(tmp_path, freeze):
    """With the same seed, the script's build_model plus the matrix is seqtui's model weight for weight (the
    Embedding's default initializer still draws before the matrix replaces it), with the run's trainable flag."""
    import keras

    from seqtui.core.config.run_config import RunConfig
    from seqtui.core.model.architectures import InputSpec, build_model

    vectors = write_glove(tmp_path / "vectors.txt")
    config, ds, first = vectors_config(tmp_path, vectors, freeze=freeze)
    module = script_module(config, ds, tmp_path / "exp")
    keras.utils.set_random_seed(42)
    ours = build_model(
        RunConfig.from_dict(config).model, InputSpec("tokens", (8,), 60), "binary", 2, embeddings=first.matrix
    )
    keras.utils.set_random_seed(42)
    theirs = module.build_model()
    theirs.layers[0].set_weights([module.pretrained_matrix(vectors)])
    assert theirs.count_params() == ours.count_params() == 60 * 5 + 4 * (4 * (5 + 4 + 1)) + 4 + 1
    assert theirs.layers[0].trainable is ours.layers[0].trainable is (not freeze)
    for a, b in zip(theirs.get_weights(), ours.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_the_script_reads_the_vectors_from_elsewhere_and_says_when_they_differ(tmp_path, capsys):
    vectors = write_glove(tmp_path / "vectors.txt")
    config, ds, first = vectors_config(tmp_path, vectors)
    code = script_text(config, "a run")
    assert 'parser.add_argument("--vectors", type=Path, default=VECTORS' in code
    assert (
        "matrix = pretrained_matrix(args.vectors)" in code and "model.layers[0].set_weights([matrix])" in code
    )
    module = script_module(config, ds, tmp_path / "exp")
    other = tmp_path / "other.txt"
    other.write_text(vectors.read_text(encoding="utf-8").replace("0.5", "0.55", 1), encoding="utf-8")
    matrix = module.pretrained_matrix(other)
    assert "is not the word-vector file the run read" in capsys.readouterr().out
    assert not np.array_equal(matrix, first.matrix)
    with pytest.raises(SystemExit, match="no word-vector file"):
        module.pretrained_matrix(tmp_path / "gone.txt")


def test_a_vectors_file_that_is_gone_or_changed_is_refused(tmp_path):
    vectors = write_glove(tmp_path / "vectors.txt")
    config, _, _ = vectors_config(tmp_path, vectors)
    assert check_scriptable(config).what
    vectors.write_text(vectors.read_text(encoding="utf-8") + "extra 1 2 3 4 5\n", encoding="utf-8")
    with pytest.raises(ScriptError, match=r"not the word-vector file the run started from .*--format keras"):
        check_scriptable(config)
    vectors.unlink()
    with pytest.raises(ScriptError, match="no longer there to read"):
        check_scriptable(config)
    write_glove(vectors)
    for damaged in ({"sha256": "'; import os"}, {"format": "binary"}, {"dim": 4}):
        broken = {**config, "pretrained_vectors": {**config["pretrained_vectors"], **damaged}}
        with pytest.raises(ScriptError, match="does not record the pretrained word vectors"):
            check_scriptable(broken)
    with pytest.raises(ScriptError, match="does not record the pretrained word vectors"):
        check_scriptable({k: v for k, v in config.items() if k != "pretrained_vectors"})


def test_a_fine_tuned_run_on_korean_and_english_vectors_trains_again(tmp_path):
    """A real run with --embeddings (GloVe file, 5d), exported; the script reads the file from where it was
    moved to (--vectors) and reaches the run's parameter count and test metrics."""
    vectors = write_glove(tmp_path / "vectors.txt")
    moved = tmp_path / "moved" / "vectors.txt"
    train = ["--data", str(write_reviews(tmp_path / "reviews.csv", rows=80)), "--embeddings", str(vectors),
             "--arch", "lstm", "--units", "4", "--maxlen", "8", "--vocab-size", "60", "--epochs", "2",
             "--batch-size", "8", "--seed", "5"]  # fmt: skip

    def move() -> None:
        moved.parent.mkdir()
        vectors.rename(moved)

    run, output = trained_exported_and_rerun(
        tmp_path, train, ["--epochs", "2", "--vectors", str(moved)], move
    )
    assert same_model_and_metrics(run, output) == 60 * 5 + 4 * (4 * (5 + 4 + 1)) + 4 + 1
    recorded = json.loads((run / "config.json").read_text(encoding="utf-8"))["pretrained_vectors"]
    found = int(re.search(r"pretrained vectors: (\d+) of", output).group(1))
    assert found == recorded["found"] and "SHA-256 differs" not in output


@pytest.mark.slow
def test_a_frozen_run_trains_again(tmp_path):
    """--freeze-embeddings: the script's Embedding is not trainable, and the metrics are the run's."""
    vectors = write_glove(tmp_path / "vectors.txt", header=True)
    train = ["--data", str(write_reviews(tmp_path / "reviews.csv", rows=80)), "--embeddings", str(vectors),
             "--freeze-embeddings", "--arch", "gru", "--units", "4", "--maxlen", "8", "--vocab-size", "60",
             "--epochs", "2", "--batch-size", "8"]  # fmt: skip
    run, output = trained_exported_and_rerun(tmp_path, train, ["--epochs", "2"])
    assert same_model_and_metrics(run, output) == 60 * 5 + 3 * (4 * (5 + 4) + 2 * 4) + 4 + 1
    assert "trainable=False" in (tmp_path / "exp" / "train.py").read_text(encoding="utf-8")
    assert re.search(r"Non-trainable params: 300\b", output)


def test_the_data_settings_are_the_runs(tmp_path):
    """The script still reads the run's data as the text reader writes it (the vectors part adds no row)."""
    vectors = write_glove(tmp_path / "vectors.txt")
    config, ds, _ = vectors_config(tmp_path, vectors)
    same_arrays(script_module(config, ds, tmp_path / "exp").load_data(Path(config["data"]["data_path"])), ds)


def test_a_generation_run_starts_from_the_same_vectors(tmp_path):
    """A next-word run on a Korean story (the softmax over the vocabulary): the same matrix, and `main` takes
    --vectors beside the generation options."""
    from tests.core.runs.test_export_script_generation import write_story

    vectors = tmp_path / "ko.vec"
    lines = [
        "나는 0.1 0.2 0.3",
        "친구가 -0.1 0.5 0.25",
        "먹었다 1 1 -1",
        "학교에 0.5 0.5 0.5",
        "없는말 3 3 3",
    ]
    vectors.write_text(f"{len(lines)} 3\n" + "\n".join(lines) + "\n", encoding="utf-8")
    data = DataConfig("file", data_path=str(write_story(tmp_path / "story.txt")), maxlen=6, vocab_size=30)
    ds = load_dataset(data)
    first = build_matrix(vectors, ds.encoder.tokenizer, 30, 42)
    config = run_config(data, ds)
    config["model"] = {**config["model"], "embedding_dim": 3, "embeddings": str(vectors)}
    config["pretrained_vectors"] = first.record()
    module = script_module(config, ds, tmp_path / "exp")
    np.testing.assert_array_equal(module.pretrained_matrix(vectors), first.matrix)
    assert (first.found, module.VECTORS_HEADER) == (4, True)
    code = script_text(config, "a story")
    assert '"--vectors"' in code and '"--seed-text"' in code


def test_a_vectors_file_it_cannot_read_is_one_line_and_exit_code_2(tmp_path, monkeypatch, capsys):
    vectors = write_glove(tmp_path / "vectors.txt")
    config, ds, _ = vectors_config(tmp_path, vectors)
    module = script_module(config, ds, tmp_path / "exp")
    latin = tmp_path / "latin.txt"
    latin.write_bytes("caf\xe9 0.1 0.2 0.3 0.4 0.5\n".encode("latin-1"))
    monkeypatch.setattr(sys, "argv", ["train.py", "--vectors", str(latin), "--epochs", "1"])
    with pytest.raises(SystemExit) as stopped:
        module.main()
    assert stopped.value.code == 2
    said = capsys.readouterr().err.splitlines()
    assert said[-1].startswith(f"train.py: error: --vectors {latin}: ") and "codec" in said[-1]
