"""Pretrained word vectors read from small files written in each published text format (GloVe, word2vec
text with its header, fastText .vec with a trailing space), Korean words included, and every bad file
answered with one message."""

from __future__ import annotations

import hashlib
import struct
from pathlib import Path

import numpy as np
import pytest

from seqtui.datasets.errors import DataError
from seqtui.datasets.tokenizer import Tokenizer
from seqtui.datasets.word_vectors import build_matrix, probe, read_vectors, vocabulary

DIM = 4
VECTORS = {
    "the": [0.1, 0.2, 0.3, 0.4],
    "movie": [-1.5, 2.0, 0.25, 3.0],
    "영화": [0.5, -0.5, 1.0, -1.0],
    "재밌": [2.5, 0.0, -2.0, 1.25],
    "zebra": [9.0, 9.0, 9.0, 9.0],  # in the file, not in the vocabulary
}
TEXTS = ["the movie was great", "the movie", "영화 재밌 어요", "great great acting"]
"""Vocabulary by frequency: great the movie was 영화 재밌 어요 acting (ids 2..9)."""


def line(word: str, trailing: str = "") -> str:
    return word + " " + " ".join(f"{v:g}" for v in VECTORS[word]) + trailing


def write(path: Path, kind: str) -> Path:
    """The vectors in one of the three text formats."""
    if kind == "glove":
        body = "\n".join(line(w) for w in VECTORS) + "\n"
    elif kind == "word2vec":
        body = f"{len(VECTORS)} {DIM}\n" + "\n".join(line(w) for w in VECTORS) + "\n"
    else:  # fastText .vec: a header, a space after the last number
        body = f"{len(VECTORS)} {DIM}\n" + "".join(line(w, " \n") for w in VECTORS)
    path.write_text(body, encoding="utf-8")
    return path


@pytest.fixture
def tokenizer() -> Tokenizer:
    return Tokenizer.fit(TEXTS)


@pytest.mark.parametrize("kind", ["glove", "word2vec", "fasttext"])
def test_each_format_gives_the_files_vectors_and_exact_coverage(tmp_path, tokenizer, kind):
    path = write(tmp_path / f"v.{kind}", kind)
    vectors = build_matrix(path, tokenizer, rows=tokenizer.vocab_size, seed=0)
    words = vocabulary(tokenizer, tokenizer.vocab_size)
    assert len(words) == 8  # great, the, movie, was, 영화, 재밌, 어요, acting
    assert (vectors.found, vectors.words) == (4, 8)
    assert vectors.percent == 50.0
    assert vectors.file.dim == DIM and vectors.file.header == (kind != "glove")
    assert vectors.matrix.shape == (tokenizer.vocab_size, DIM) and vectors.matrix.dtype == np.float32
    for word in ("the", "movie", "영화", "재밌"):
        np.testing.assert_array_equal(vectors.matrix[tokenizer.word_index[word]], np.float32(VECTORS[word]))
    assert not vectors.matrix[0].any()  # padding starts at zero
    assert vectors.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert vectors.missing == ("great", "was", "어요", "acting")
    assert "4 of 8 words (50.0%) found; the rest start random" in vectors.line()


def test_the_vocabulary_cut_decides_which_words_count(tmp_path, tokenizer):
    # rows 5: ids 0 (padding), 1 (OOV), 2 great, 3 the, 4 movie: 2 of the 3 words are in the file
    vectors = build_matrix(write(tmp_path / "g.txt", "glove"), tokenizer, rows=5, seed=0)
    assert (vectors.found, vectors.words) == (2, 3)
    assert vectors.matrix.shape == (5, DIM)


def test_words_the_file_lacks_start_random_with_the_files_spread(tmp_path, tokenizer):
    path = write(tmp_path / "g.txt", "glove")
    one = build_matrix(path, tokenizer, rows=tokenizer.vocab_size, seed=1).matrix
    again = build_matrix(path, tokenizer, rows=tokenizer.vocab_size, seed=1).matrix
    other = build_matrix(path, tokenizer, rows=tokenizer.vocab_size, seed=2).matrix
    great = tokenizer.word_index["great"]
    np.testing.assert_array_equal(one, again)  # the run's seed decides them
    assert not np.array_equal(one[great], other[great])
    assert one[great].any()


def test_a_korean_word_written_decomposed_is_found(tmp_path, tokenizer):
    import unicodedata

    nfd = unicodedata.normalize("NFD", "영화")
    (tmp_path / "nfd.txt").write_text(f"{nfd} 1 2 3 4\n", encoding="utf-8")
    vectors = build_matrix(tmp_path / "nfd.txt", tokenizer, rows=tokenizer.vocab_size, seed=0)
    assert vectors.found == 1
    np.testing.assert_array_equal(vectors.matrix[tokenizer.word_index["영화"]], [1, 2, 3, 4])


def test_the_first_line_of_a_repeated_word_wins_and_a_word_with_spaces_is_read(tmp_path, tokenizer):
    text = "the 1 1 1 1\nthe 2 2 2 2\nat the 3 3 3 3\nmovie 4 4 4 4\n"
    (tmp_path / "g.txt").write_text(text, encoding="utf-8")
    found, _ = read_vectors(probe(tmp_path / "g.txt"), {"the", "at the", "movie"})
    assert found["the"].tolist() == [1, 1, 1, 1]
    assert found["at the"].tolist() == [3, 3, 3, 3]
    assert found["movie"].tolist() == [4, 4, 4, 4]


def test_reading_keeps_only_the_wanted_words_and_reports_progress(tmp_path):
    rows = [f"w{i} {i} 0 0 0" for i in range(3000)]
    (tmp_path / "big.txt").write_text("\n".join(rows) + "\n", encoding="utf-8")
    seen: list[int] = []
    import seqtui.datasets.word_vectors as wv

    old, wv.PROGRESS_EVERY = wv.PROGRESS_EVERY, 1000
    try:
        found, _ = read_vectors(probe(tmp_path / "big.txt"), {"w7", "w2999"}, seen.append)
    finally:
        wv.PROGRESS_EVERY = old
    assert sorted(found) == ["w2999", "w7"] and found["w2999"][0] == 2999
    assert seen == [1000, 2000, 3000]


def _error(path: Path, tokenizer: Tokenizer | None = None) -> str:
    with pytest.raises(DataError) as info:
        build_matrix(path, tokenizer or Tokenizer.fit(TEXTS), rows=10, seed=0)
    return str(info.value)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "'bad.txt' is empty"),
        (b"the 1 2 3 4\nmovie 1 2 3\n", "line 2 of 'bad.txt' has 3 numbers after its word, not 4"),
        (b"the 1 2 3 4\nmovie 1 2 3 4 5\n", "line 2 of 'bad.txt' has 5 numbers after its word, not 4"),
        (b"2 4\nthe 1 2 3\n", "line 2 of 'bad.txt' has 3 numbers, but the header says 4"),
        (b"the 1 2 3 4\nmovie 1 2 x 4\n", "line 2 of 'bad.txt': 'x' is not a number"),
        (b"the 1 2 3 4\nmovie 1 nan 3 4\n", "line 2 of 'bad.txt' has a value that is not a finite number"),
        (b"the 1 2 3 4\n\xbf\xb5\xc8\xad 1 2 3 4\n", "line 2 of 'bad.txt' is not UTF-8 (byte 1)"),
        (b"\xbf\xb5\xc8\xad 1 2 3 4\n", "line 1 of 'bad.txt' is not UTF-8"),
        (b"2 4\n", "'bad.txt' has a header line (2 4) but no vectors"),
        (b"the\n", "line 1 of 'bad.txt' has a word and no numbers"),
        (b"\x1f\x8b\x08\x00rest", "'bad.txt' is gzip-compressed; decompress it first"),
        (b"PK\x03\x04rest", "'bad.txt' is a zip archive; unzip it first"),
        (b"\xba\x16\x4f\x2f\x0c\x00\x00\x00", "'bad.txt' is a binary file, not word vectors as text"),
        (b"the 1 2 3 4\nzebra 0 0 0 0\n", "none of the 8 vocabulary words ('great', 'the', 'movie'"),
    ],
)
def test_a_bad_file_gets_one_message(tmp_path, content, expected):
    (tmp_path / "bad.txt").write_bytes(content)
    if "none of" in expected:  # a file of other words entirely
        (tmp_path / "bad.txt").write_bytes(b"zebra 1 2 3 4\nlion 0 0 0 0\n")
    assert expected in _error(tmp_path / "bad.txt")


def test_binary_word2vec_says_so_and_how_to_convert(tmp_path):
    body = b"2 4\n" + b"".join(w + b" " + struct.pack("<4f", 0.5, -1, 0, 2) for w in (b"the", b"movie"))
    (tmp_path / "vectors.bin").write_bytes(body)
    message = _error(tmp_path / "vectors.bin")
    assert "'vectors.bin' is in word2vec's binary format" in message
    assert "load_word2vec_format('vectors.bin', binary=True).save_word2vec_format('vectors.txt'" in message


def test_a_missing_file_and_a_folder_are_refused(tmp_path):
    assert "no word-vector file" in _error(tmp_path / "nope.txt")
    assert "is a folder, not a regular file" in _error(tmp_path)


def test_a_line_longer_than_the_limit_is_refused(tmp_path, monkeypatch):
    import seqtui.datasets.word_vectors as wv

    monkeypatch.setattr(wv, "MAX_LINE", 64)
    (tmp_path / "long.txt").write_text("the 1 2 3 4\nmovie " + "1 " * 40 + "\n", encoding="utf-8")
    assert "line 2 of 'long.txt' is longer than" in _error(tmp_path / "long.txt")
