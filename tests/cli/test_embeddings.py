"""`--embeddings FILE` on the command line: `summary` sizes the model from the file and counts frozen
parameters, `train` reports the vocabulary's coverage, and a bad file or a conflicting size is one message
with exit code 2 and no traceback."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from seqtui.cli.main import app
from tests.core.training.test_pretrained_vectors import write_reviews, write_vectors


def invoke(*args: str):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})


def test_summary_takes_the_size_from_the_file_and_counts_the_frozen_embedding(tmp_path):
    vectors = str(write_vectors(tmp_path / "v.vec"))
    result = invoke("summary", "topics-en-lstm", "--vocab-size", "100", "--embeddings", vectors, "--freeze-embeddings",
                    "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    table = json.loads(result.stdout)
    assert table["layers"][0]["output_shape"][-1] == 4 and table["layers"][0]["params"] == 400
    assert table["non_trainable_params"] == 400 and table["layers"][0]["frozen"] is True
    shown = invoke(
        "summary", "topics-en-lstm", "--vocab-size", "100", "--embeddings", vectors, "--freeze-embeddings"
    )
    assert f"({table['total_params'] - 400:,} trainable, 400 frozen)" in shown.stdout


def test_a_conflicting_size_and_a_bad_file_are_one_message_each(tmp_path):
    vectors = str(write_vectors(tmp_path / "v.vec"))
    conflict = invoke("summary", "topics-en-lstm", "--embeddings", vectors, "--embedding-dim", "50")
    assert conflict.exit_code == 2
    assert "--embedding-dim: is 50, but 'v.vec' holds 4-dimensional vectors" in conflict.output
    (tmp_path / "w.bin").write_bytes(b"1 4\nthe \x00\x00\x00?\x00\x00\x80?\x00\x00\x00\x00\x00\x00\x00\x00")
    binary = invoke("train", "--preset", "topics-en-lstm", "--embeddings", str(tmp_path / "w.bin"))
    assert binary.exit_code == 2 and "Traceback" not in binary.output
    assert "--embeddings: 'w.bin' is in word2vec's binary format" in binary.output
    frozen_alone = invoke("train", "--preset", "topics-en-lstm", "--freeze-embeddings")
    assert frozen_alone.exit_code == 2
    assert (
        "--freeze-embeddings: freezes pretrained vectors: give them with --embeddings FILE"
        in frozen_alone.output
    )


def test_train_reports_the_coverage_and_records_the_file(tmp_path):
    data, vectors = write_reviews(tmp_path / "r.csv"), write_vectors(tmp_path / "v.vec")
    result = invoke("train", "--data", str(data), "--embeddings", str(vectors), "--maxlen", "6", "--units", "4",
                    "--epochs", "1", "--runs-dir", str(tmp_path / "runs"), "--no-tensorboard", "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    notes = [json.loads(line) for line in result.stdout.splitlines() if '"log"' in line or "message" in line]
    assert any("pretrained vectors 'v.vec' (word2vec/fastText text 4d): 6 of" in str(n) for n in notes)
    (folder,) = (tmp_path / "runs").iterdir()
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    assert config["model"]["embeddings"] == str(vectors) and config["model"]["embedding_dim"] == 4
    assert config["pretrained_vectors"]["found"] == 6
