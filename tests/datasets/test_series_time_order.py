"""A series CSV whose rows are shuffled is sorted by its timestamps with a note; a moment given twice with
different values is refused with both lines (issue 27, item 8)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from seqtui.datasets.config import DataConfig
from seqtui.datasets.errors import DataError
from seqtui.datasets.series import load_series_csv
from seqtui.datasets.time_order import time_keys


def _rows(n: int = 600) -> list[tuple[str, float]]:
    """Hourly day-first timestamps (the Jena file's form, which text order gets wrong) and a rising value."""
    return [
        (f"{(i // 24) % 28 + 1:02d}.{i // (24 * 28) + 1:02d}.2009 {i % 24:02d}:00:00", float(i))
        for i in range(n)
    ]


def _write(path, rows):
    path.write_text("Date Time,T (degC)\n" + "".join(f"{t},{v}\n" for t, v in rows), encoding="utf-8")
    return path


def test_day_first_dates_sort_by_date_not_by_text():
    keys = time_keys(["02.01.2009 00:00", "31.12.2008 23:50", "01.01.2009 00:00"])
    assert sorted(range(3), key=keys.__getitem__) == [1, 2, 0]
    us = time_keys(["12/31/2008", "01/02/2009", "01/13/2009"])  # a second field above 12: month first
    assert us[0] < us[1] < us[2]
    assert time_keys(["2009-01-01T00:10:00", "yesterday"]) is None


def test_shuffled_series_trains_on_the_same_windows_as_the_sorted_file(tmp_path):
    rows = _rows()
    ordered = load_series_csv(_write(tmp_path / "sorted.csv", rows), DataConfig())
    shuffled = rows[:]
    random.Random(0).shuffle(shuffled)
    ds = load_series_csv(_write(tmp_path / "shuffled.csv", shuffled), DataConfig())
    np.testing.assert_array_equal(ds.x_train, ordered.x_train)
    np.testing.assert_array_equal(ds.y_test, ordered.y_test)
    assert any("not in time order" in n and "'Date Time'" in n for n in ds.notes)
    assert not any("time order" in n for n in ordered.notes)


def test_limit_on_a_shuffled_series_keeps_the_earliest_rows(tmp_path):
    rows = _rows()
    shuffled = rows[:]
    random.Random(1).shuffle(shuffled)
    limited = load_series_csv(_write(tmp_path / "s.csv", shuffled), DataConfig(sample_limit=50))
    whole = load_series_csv(_write(tmp_path / "o.csv", rows), DataConfig(sample_limit=50))
    np.testing.assert_array_equal(limited.x_train, whole.x_train)
    assert any("read the whole file" in n for n in limited.notes)


def test_a_moment_given_twice_with_other_values_names_both_lines(tmp_path):
    rows = _rows()
    rows.insert(100, (rows[50][0], 7.0))  # file line 102 repeats the moment of line 52
    with pytest.raises(DataError, match=r"twice with different values.*lines 52 and 102"):
        load_series_csv(_write(tmp_path / "d.csv", rows), DataConfig())


def test_a_row_pasted_twice_is_left_out_with_a_note(tmp_path):
    rows = _rows()
    rows.insert(100, rows[50])
    ds = load_series_csv(_write(tmp_path / "p.csv", rows), DataConfig())
    clean = load_series_csv(_write(tmp_path / "c.csv", _rows()), DataConfig())
    np.testing.assert_array_equal(ds.x_train, clean.x_train)
    assert any("1 row repeating an earlier row whole left out" in n for n in ds.notes)
