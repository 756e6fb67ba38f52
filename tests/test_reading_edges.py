"""Edges of reading a user's file and building a vocabulary, found by sampling datasets' mutants: the size
limit is inclusive, a decoding error names its line, and the tokenizer keeps the choices it was given."""

from __future__ import annotations

import pytest

from seqtui.datasets import text_files
from seqtui.datasets.base import DataError
from seqtui.datasets.tokenizer import Tokenizer


def test_a_file_of_exactly_the_size_limit_is_read_and_one_byte_more_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(text_files, "MAX_FILE_BYTES", 10)
    exact, over = tmp_path / "exact.txt", tmp_path / "over.txt"
    exact.write_bytes(b"0123456789")
    over.write_bytes(b"0123456789!")
    assert text_files.read_bytes(exact) == b"0123456789"
    with pytest.raises(DataError, match="is larger than"):
        text_files.read_bytes(over)


def test_text_that_is_not_the_encoding_asked_for_names_its_line(tmp_path):
    with pytest.raises(DataError) as info:
        text_files.decode_bytes("첫 줄\n둘째 줄\n".encode() + b"\xff\xfe bad\n", tmp_path / "f.txt", "utf-8")
    assert str(info.value).startswith(f"{tmp_path / 'f.txt'}, line 3: not valid utf-8")


def test_fit_keeps_the_standardization_it_is_given():
    tok = Tokenizer.fit(["Seoul seoul, SEOUL!"], standardize="none")
    assert tok.standardize == "none" and set(tok.word_index) == {"Seoul", "seoul,", "SEOUL!"}


def test_a_tokenizer_with_a_start_id_shows_the_start_token_first():
    tok = Tokenizer(word_index={"오늘": 3, "날씨": 4}, start_id=1, oov_id=2)  # Keras' IMDB layout
    assert [(t.text, t.id, t.known) for t in tok.view("오늘 비")] == [
        ("<start>", 1, True),
        ("오늘", 3, True),
        ("비", 2, False),
    ]


def test_labels_must_lie_below_the_class_count(tmp_path):
    import numpy as np

    from seqtui.datasets.keras_files import label_array

    path = tmp_path / "reuters.npz"
    assert label_array(np.array([0, 45]), path, "y_train", 2, 46).tolist() == [0, 45]
    with pytest.raises(DataError) as info:
        label_array(np.array([0, 46]), path, "y_train", 2, 46)
    assert str(info.value) == f"{path}: y_train holds labels outside 0..45"
