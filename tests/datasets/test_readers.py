"""Readers never lose data silently: an unclosed quote is an error naming its line; infinite, overflowing and
all-missing numbers are named; bytes read are bounded whatever `stat` says; a table with 100,000 columns is
refused at once; --limit on a long text stops the reading, not just the training."""

from __future__ import annotations

import contextlib
import time

import pytest

from seqtui.core.config.run_config import DataConfig
from seqtui.datasets.errors import DataError
from seqtui.datasets.registry import load_dataset
from tests.data_files import file_error, load_file


def labelled_csv(rows: int = 101) -> list[str]:
    return ["text,label"] + [f"review number {i} {'good' if i % 2 else 'bad'},{'pos' if i % 2 else 'neg'}"
                             for i in range(1, rows)]  # fmt: skip


def test_unclosed_quote_that_swallows_rows_names_its_line(tmp_path):
    lines = labelled_csv()
    lines[51] = '"oops, a'  # line 52 of the file
    path = tmp_path / "quote.csv"
    path.write_text("\n".join(lines) + "\n")
    message = file_error(path)
    assert f"{path}, line 52" in message and "never closed" in message


def test_unclosed_quote_closed_by_a_later_quote_still_names_its_line(tmp_path):
    lines = labelled_csv()
    lines[51] = '"oops, a'
    lines[80] = '"a quoted, review",pos'
    path = tmp_path / "quote.csv"
    path.write_text("\n".join(lines) + "\n")
    message = file_error(path)
    assert f"{path}, line 52" in message and "double quote" in message


def test_quoted_cells_over_several_lines_are_still_read(tmp_path):
    lines = labelled_csv(41)
    lines[5] = '"a review\nover two lines, really",pos'
    path = tmp_path / "multi.csv"
    path.write_text("\n".join(lines) + "\n")
    assert load_file(path).num_classes == 2


@pytest.mark.parametrize(
    "cell",
    ['"Great film, truly.\nBad ending, though.\nStill, worth it.",pos', '"\n,\n,",pos'],
    ids=["review-lines-with-commas", "found-by-hypothesis"],
)
def test_quoted_cells_whose_lines_look_like_rows_are_read(tmp_path, cell):
    lines = labelled_csv(41)
    lines[5] = cell
    path = tmp_path / "rowlike.csv"
    path.write_text("\n".join(lines) + "\n")
    assert load_file(path).num_classes == 2


def test_a_long_cell_without_quotes_is_read_not_blamed_on_a_quote(tmp_path):
    lines = labelled_csv(41)
    lines[3] = "word " * 36_000 + ",pos"  # 180 KB, no quote anywhere
    path = tmp_path / "long.csv"
    path.write_text("\n".join(lines) + "\n")
    assert load_file(path).num_classes == 2


@pytest.mark.parametrize("cell", ["inf", "-inf", "1e39"])
def test_infinite_or_overflowing_series_value_names_line_and_column(tmp_path, cell):
    rows = ["time,temp,wind"] + [f"2020-01-01 {i % 24:02d}:00,{i % 7}.5,{i % 5}" for i in range(300)]
    rows[120] = f"2020-01-02 00:00,{cell},3"
    path = tmp_path / "series.csv"
    path.write_text("\n".join(rows) + "\n")
    message = file_error(path, lookback=12, delay=2)
    assert f"{path}, line 121" in message and "'temp'" in message and cell in message


def test_all_missing_column_gets_a_note(tmp_path):
    rows = ["time,temp,broken"] + [
        f"2020-01-{1 + i // 24:02d} {i % 24:02d}:00,{i % 7}.5,nan" for i in range(300)
    ]
    path = tmp_path / "series.csv"
    path.write_text("\n".join(rows) + "\n")
    ds = load_file(path, lookback=12, delay=2)
    assert any("'broken'" in note and "no values" in note for note in ds.notes), ds.notes


def test_dev_zero_is_refused_at_once():
    started = time.monotonic()
    with pytest.raises(DataError, match="not a regular file"):
        load_file("/dev/zero")
    assert time.monotonic() - started < 2


def test_pipe_is_read_with_a_bound(tmp_path, monkeypatch):
    import os

    from seqtui.datasets import text_files

    monkeypatch.setattr(text_files, "MAX_FILE_BYTES", 1000)
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    import threading

    def feed() -> None:
        with open(fifo, "wb") as fh, contextlib.suppress(BrokenPipeError):
            fh.write(b"word " * 10_000)

    writer = threading.Thread(target=feed)
    writer.start()
    with pytest.raises(DataError, match="reads files up to"):
        text_files.read_bytes(fifo)
    writer.join(timeout=5)


def test_table_with_100k_columns_fails_fast(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{i}" for i in range(100_000)) + "\n" + ",".join(["1"] * 100_000) + "\n")
    started = time.monotonic()
    message = file_error(path)
    assert "100,000 columns" in message and time.monotonic() - started < 5


def test_limit_applies_while_reading_a_long_text(tmp_path):
    path = tmp_path / "book.txt"
    path.write_text("".join(f"line {i} of a long book with some words in it\n" for i in range(200_000)))
    started = time.monotonic()
    ds = load_dataset(DataConfig("file", data_path=str(path), maxlen=5, sample_limit=100))
    assert len(ds.x_train) == 100
    assert any("--limit 100" in note for note in ds.notes), ds.notes
    assert time.monotonic() - started < 5
