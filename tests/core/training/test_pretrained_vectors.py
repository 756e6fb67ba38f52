"""Runs that start from pretrained word vectors (`--embeddings`): the Embedding layer starts from the file's
vectors, stays so when frozen and moves when fine-tuned; config.json keeps the file's path, SHA-256 and
coverage; the run's log says the coverage; a resume checks that the file is the same."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from seqtui.core.config.run_config import DataConfig, ModelConfig, RunConfig, TrainConfig
from seqtui.core.runs.folder import CONFIG, LAST, RunFolder, RunFolderError
from seqtui.core.training.events import LogMessage, RunEnded
from seqtui.core.training.resume import resume, same_vectors
from seqtui.core.training.runner import train
from seqtui.datasets.registry import load_dataset
from seqtui.datasets.word_vectors import build_matrix, vocabulary

GOOD = ["정말 재밌 영화 great movie", "좋은 영화 loved it", "great acting 재밌"]
BAD = ["지루한 영화 boring movie", "별로 영화 hated it", "awful acting 지루한"]
FILE_WORDS = {"영화": 0.5, "재밌": 1.0, "지루한": -1.0, "great": 0.75, "boring": -0.75, "movie": 0.25}
"""Six of the vocabulary's words, each with a vector of its own value (4 dimensions)."""


def write_reviews(path: Path) -> Path:
    rows = ["text,label"]
    for i in range(48):
        rows.append(f"{(GOOD if i % 2 else BAD)[i % 3]} n{i},{'pos' if i % 2 else 'neg'}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def write_vectors(path: Path) -> Path:
    lines = [f"{w} {v} {-v} {2 * v} 0.125" for w, v in FILE_WORDS.items()] + ["unrelated 1 1 1 1"]
    path.write_text(f"{len(lines)} 4\n" + "\n".join(lines) + "\n", encoding="utf-8")  # word2vec text
    return path


def config(tmp_path: Path, freeze: bool) -> RunConfig:
    return RunConfig(
        DataConfig("file", data_path=str(write_reviews(tmp_path / "reviews.csv")), maxlen=6, vocab_size=80),
        ModelConfig("lstm", embedding_dim=4, units=4, embeddings=str(write_vectors(tmp_path / "v.vec")),
                    freeze_embeddings=freeze),
        TrainConfig(epochs=1, batch_size=8, patience=0, learning_rate=0.05),
    )  # fmt: skip


def embedding_of(folder: RunFolder) -> np.ndarray:
    import keras

    return np.asarray(folder.load_model(LAST, keras).layers[0].get_weights()[0])


def run(tmp_path: Path, freeze: bool) -> tuple[RunConfig, RunFolder, list]:
    cfg = config(tmp_path, freeze)
    events: list = []
    end = train(cfg, events.append, runs_dir=tmp_path / "runs")
    assert isinstance(end, RunEnded) and end.status == "completed", end.message
    return cfg, RunFolder(Path(end.run_dir)), events


def start_matrix(cfg: RunConfig) -> np.ndarray:
    """The matrix the run started from: the file's vectors for its vocabulary, the rest seeded random."""
    tokenizer = load_dataset(cfg.data).encoder.tokenizer
    return build_matrix(cfg.model.embeddings, tokenizer, cfg.data.vocab_size, cfg.train.seed).matrix


@pytest.fixture(scope="module")
def frozen(tmp_path_factory):
    return run(tmp_path_factory.mktemp("frozen"), freeze=True)


def test_a_frozen_embedding_keeps_the_files_vectors_after_an_epoch(frozen):
    cfg, folder, _ = frozen
    tokenizer = load_dataset(cfg.data).encoder.tokenizer
    weights = embedding_of(folder)
    for word, v in FILE_WORDS.items():
        np.testing.assert_allclose(weights[tokenizer.word_index[word]], [v, -v, 2 * v, 0.125], rtol=1e-6)
    np.testing.assert_array_equal(weights, start_matrix(cfg))  # every row, the random ones too


def test_config_json_keeps_the_file_its_sha256_and_the_coverage(frozen):
    import hashlib

    cfg, folder, events = frozen
    record = json.loads(folder.file(CONFIG).read_text(encoding="utf-8"))["pretrained_vectors"]
    words = len(vocabulary(load_dataset(cfg.data).encoder.tokenizer, cfg.data.vocab_size))
    assert record["path"] == cfg.model.embeddings
    assert record["sha256"] == hashlib.sha256(Path(cfg.model.embeddings).read_bytes()).hexdigest()
    assert (record["found"], record["words"], record["dim"]) == (6, words, 4)
    assert record["format"] == "word2vec/fastText text"
    notes = [e.message for e in events if isinstance(e, LogMessage)]
    assert any(f"6 of {words} words ({600 / words:.1f}%) found" in n for n in notes)


def test_a_fine_tuned_embedding_moves_from_the_files_vectors(tmp_path):
    cfg, folder, _ = run(tmp_path, freeze=False)
    tokenizer = load_dataset(cfg.data).encoder.tokenizer
    weights = embedding_of(folder)
    row = tokenizer.word_index["영화"]
    assert not np.allclose(weights[row], [0.5, -0.5, 1.0, 0.125], atol=1e-3)


def test_a_resume_refuses_a_changed_vector_file(frozen, tmp_path):
    import shutil

    cfg, folder, _ = frozen
    copy = RunFolder(shutil.copytree(folder.path, tmp_path / "runs" / folder.path.name))
    same_vectors(copy, copy.read_config())  # the same file: fine
    original = Path(cfg.model.embeddings).read_bytes()
    try:
        Path(cfg.model.embeddings).write_bytes(original.replace(b"0.125", b"0.25"))
        with pytest.raises(RunFolderError, match="is not the word-vector file .* started from"):
            resume(copy.path, lambda event: None, epochs=2)
        Path(cfg.model.embeddings).unlink()
        same_vectors(copy, copy.read_config())  # gone: the checkpoint holds the weights
        copy.file(LAST).unlink()
        with pytest.raises(RunFolderError, match="can't be read and .* has no checkpoint"):
            same_vectors(copy, copy.read_config())
    finally:
        Path(cfg.model.embeddings).write_bytes(original)
