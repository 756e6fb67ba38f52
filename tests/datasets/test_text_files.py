"""Edges of reading a user's file and building a vocabulary, found by sampling datasets' mutants: the size
limit is inclusive, a decoding error names its line, and the tokenizer keeps the choices it was given; a pipe
still being written is cut at the bound, Excel-for-Mac line ends read as lines, an unclosed quote on the last
line is found after a row strict parsing rejects, and errors and notes say what they are about."""

from __future__ import annotations

import contextlib
import os
import threading

import pytest

from seqtui.datasets import text_files
from seqtui.datasets.base import encoder_from_dict
from seqtui.datasets.errors import DataError
from seqtui.datasets.series import read_numeric_table
from seqtui.datasets.tokenizer import Tokenizer
from tests.data_files import file_error, load_file, write_reviews_csv


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


def test_a_pipe_still_being_written_is_cut_at_the_bound(tmp_path, monkeypatch):
    """The reader stops after the limit's bytes; it never waits for the writer to finish first."""
    monkeypatch.setattr(text_files, "MAX_FILE_BYTES", 1000)
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    reader_done = threading.Event()
    held_to_the_end = []

    def feed() -> None:  # 5,000 bytes, then the pipe stays open until the reader is done (or 5 s pass)
        with open(fifo, "wb") as fh, contextlib.suppress(BrokenPipeError):
            fh.write(b"word " * 1000)
            fh.flush()
            held_to_the_end.append(not reader_done.wait(timeout=5))

    writer = threading.Thread(target=feed)
    writer.start()
    with pytest.raises(DataError, match="is larger than"):
        text_files.read_bytes(fifo)
    reader_done.set()
    writer.join(timeout=10)
    assert held_to_the_end == [False]  # the error came while the writer still held the pipe open


def test_a_saved_series_encoder_names_a_target_that_is_not_among_its_columns():
    saved = {"kind": "series", "columns": ["temp", "wind"], "target": "rain", "mean": [10.0, 2.0],
             "std": [2.0, 0.5], "lookback": 6, "step": 2, "delay": 3}  # fmt: skip
    with pytest.raises(DataError) as info:
        encoder_from_dict(saved)
    assert "damaged series encoder (target='rain' is not a value seqtui writes)" in str(info.value)
    assert encoder_from_dict({**saved, "target": "wind"}).target_index == 1


def test_a_table_without_numbers_read_as_a_series_lists_its_columns(tmp_path):
    path = tmp_path / "diary.csv"
    path.write_text("day,entry\n" + "".join(f"2024-01-{d:02d},walked to the river\n" for d in range(1, 20)))
    with pytest.raises(DataError) as info:
        read_numeric_table(path)
    message = str(info.value)
    assert message.startswith(f"{path}: no numeric column") and "'day'" in message and "'entry'" in message


def test_the_first_note_on_a_plain_text_is_what_was_read(tmp_path):
    lines = [f"the river ran past mill number {i} and on to the sea" for i in range(400)]
    path = tmp_path / "river.txt"
    path.write_text("\n\n".join(lines) + "\n")  # blank lines between: they are not counted
    notes = load_file(path, maxlen=5).notes
    assert notes[0] == f"river.txt: plain text, {len(lines)} lines, read for whitespace generation"
    assert len(notes) > 1 and notes[-1].startswith("vocab size")  # the other notes come after it
    limited = load_file(path, maxlen=5, sample_limit=20).notes
    read = int(limited[0].split(", ")[1].split()[0])
    assert read < len(lines) and limited[0].startswith("river.txt: plain text, ")
    assert limited[1] == f"--limit 20: read the first {read} lines, enough for it"


def test_a_csv_with_the_line_ends_of_excel_for_mac_reads_like_the_same_csv_with_newlines(tmp_path):
    unix = write_reviews_csv(tmp_path / "unix.csv")
    mac = tmp_path / "mac.csv"  # Excel's "CSV (Macintosh)": a carriage return alone ends each line
    mac.write_bytes(unix.read_bytes().replace(b"\n", b"\r"))
    want, got = load_file(unix), load_file(mac)
    assert got.class_names == want.class_names == ["bad", "good"]
    assert (got.x_train == want.x_train).all() and (got.x_test == want.x_test).all()
    assert got.encoder.tokenizer.word_index == want.encoder.tokenizer.word_index


def test_an_unclosed_quote_on_the_last_line_is_found_after_a_row_strict_parsing_rejects(tmp_path):
    rows = ["text,label", '"Best" film of the year,pos']  # csv reads it as: Best film of the year
    rows += [f"review {i} {'good' if i % 2 else 'bad'},{'pos' if i % 2 else 'neg'}" for i in range(30)]
    rows.append('"Awful, never again,neg')  # line 33: its quote is never closed
    path = tmp_path / "quotes.csv"
    path.write_text("\n".join(rows) + "\n")
    message = file_error(path)
    assert message.startswith(f"{path}, line 33: a double quote") and "never closed" in message
    rows[-1] = '"Awful, never again",neg'
    path.write_text("\n".join(rows) + "\n")
    assert load_file(path).class_names == ["neg", "pos"]
