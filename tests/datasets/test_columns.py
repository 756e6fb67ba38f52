"""Column guessing on tables sorted by label (issue 13): exports sorted by class hold one class in their first
rows, so the columns are profiled from rows spread over the whole file, not from its first rows only."""

from __future__ import annotations

import csv
import json

import pytest

from seqtui.datasets import columns, tables
from seqtui.datasets.columns import PROFILE_ROWS, profile_columns, text_and_label
from seqtui.datasets.config import DataConfig
from seqtui.datasets.registry import load_dataset
from seqtui.datasets.tables import open_table


def load_file(path, **settings):
    """As `--data PATH` loads it, --limit included."""
    return load_dataset(DataConfig("file", data_path=str(path), **{"maxlen": 10, **settings}))


PER_CLASS = PROFILE_ROWS + 100
"""More rows of the first class than the first rows profiled: they alone hold one label."""


def sorted_rows(classes: tuple[str, ...], words: tuple[str, ...]) -> list[tuple[int, str, str]]:
    """(id, text, label), every row of the first class, then the next: as `ORDER BY label` exports them."""
    rows = []
    for c, label in enumerate(classes):
        for i in range(PER_CLASS):
            text = f"{words[c]} {words[(i + c) % len(words)]}, {words[i % 7]} {i}"
            rows.append((c * PER_CLASS + i, text, label))
    return rows


def write_excel_csv(path, header: tuple[str, str, str], rows, encoding: str = "utf-8-sig"):
    """As a spreadsheet saves CSV: a BOM, CRLF line ends, cells with commas in double quotes."""
    with path.open("w", encoding=encoding, newline="") as f:
        csv.writer(f, lineterminator="\r\n").writerows([header, *rows])
    return path


WORDS = ("dull", "fine", "great", "plot", "acting", "story", "music", "pace")


@pytest.mark.parametrize("limit", [None, 20])
def test_a_csv_sorted_by_an_unnamed_label_column_is_guessed(tmp_path, limit):
    rows = sorted_rows(("1", "3", "5"), WORDS)
    path = write_excel_csv(tmp_path / "export.csv", ("review_id", "review_text", "stars"), rows)
    ds = load_file(path, sample_limit=limit)
    assert ds.class_names == ["1", "3", "5"]
    assert "export.csv: text from column 'review_text', labels from 'stars' (utf-8-sig)" in ds.notes
    assert len(ds.x_train) == (limit or len(ds.x_train))


def test_a_korean_csv_sorted_by_its_label_is_guessed(tmp_path):
    words = ("지루한", "훌륭한", "연기", "줄거리", "음악", "배우", "감동")
    rows = sorted_rows(("부정", "긍정"), words)
    path = write_excel_csv(tmp_path / "리뷰.csv", ("번호", "리뷰", "평점"), rows)
    ds = load_file(path, sample_limit=50)
    assert sorted(ds.class_names) == ["긍정", "부정"]
    assert "리뷰.csv: text from column '리뷰', labels from '평점' (utf-8-sig)" in ds.notes


def test_a_tsv_sorted_by_its_label_is_guessed(tmp_path):
    rows = sorted_rows(("негатив", "нейтрально", "позитив"), WORDS)
    path = tmp_path / "отзывы.tsv"
    lines = ["номер\tтекст\tкатегория"] + [f"{i}\t{text}\t{label}" for i, text, label in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ds = load_file(path)
    assert ds.class_names == ["негатив", "нейтрально", "позитив"]


def test_a_json_lines_file_sorted_by_its_label_is_guessed(tmp_path):
    path = tmp_path / "sorted.jsonl"
    objects = [
        {"id": i, "review_text": text, "rating": label} for i, text, label in sorted_rows(("a", "b"), WORDS)
    ]
    path.write_text("".join(json.dumps(o) + "\n" for o in objects), encoding="utf-8")
    ds = load_file(path, sample_limit=30)
    assert ds.class_names == ["a", "b"]
    assert any("labels from 'rating'" in n for n in ds.notes)


def test_the_profile_is_spread_over_the_file_and_the_same_each_time(tmp_path):
    rows = sorted_rows(("1", "2", "3", "4"), WORDS)
    path = write_excel_csv(tmp_path / "export.csv", ("id", "text", "stars"), rows)
    source = open_table(path)
    first, second = profile_columns(source), profile_columns(open_table(path))
    assert first == second
    stars = first[2]
    assert stars.filled == PROFILE_ROWS and stars.distinct == 4  # the first rows hold one value
    ids = first[0]
    assert ids.distinct == PROFILE_ROWS  # each row seen once


def test_a_table_no_longer_than_the_profile_is_profiled_whole(tmp_path):
    rows = sorted_rows(("x", "y"), WORDS)[PER_CLASS - 300 : PER_CLASS + 300]
    path = write_excel_csv(tmp_path / "short.csv", ("id", "text", "label"), rows)
    stars = profile_columns(open_table(path))[2]
    assert stars.filled == 600 and stars.distinct == 2


def test_a_series_is_profiled_from_its_first_rows_only(tmp_path, monkeypatch):
    path = tmp_path / "series.csv"
    lines = ["date,value"] + [f"2020-01-01 {i % 24:02d}:00,{i}" for i in range(3 * PROFILE_ROWS)]
    path.write_text("\n".join(lines) + "\n")
    pulled: list[int] = []
    rows = tables.TableSource.rows

    def counting(self):
        pulled.append(0)
        for row in rows(self):
            pulled[-1] += 1
            yield row

    monkeypatch.setattr(tables.TableSource, "rows", counting)
    profile_columns(open_table(path))
    assert sum(pulled) <= PROFILE_ROWS + 1, pulled


def test_an_unsorted_long_table_is_guessed_as_its_first_rows_guessed_it(tmp_path):
    rows = sorted_rows(("1", "2", "3", "4", "5"), WORDS)
    shuffled = [rows[(i * 7919) % len(rows)] for i in range(len(rows))]  # a fixed shuffle
    path = write_excel_csv(tmp_path / "mixed.csv", ("id", "opinion", "stars"), shuffled)
    source = open_table(path)
    spread, first = profile_columns(source), columns._profile(source.header, source.sample(PROFILE_ROWS))
    assert text_and_label(source, spread, None, None) == text_and_label(source, first, None, None) == (1, 2)
    assert [p.distinct for p in spread] == [PROFILE_ROWS, PROFILE_ROWS, 5] == [p.distinct for p in first]
