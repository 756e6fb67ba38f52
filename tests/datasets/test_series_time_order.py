"""A series CSV whose rows are shuffled is sorted by its timestamps with a note; a moment given twice with
different values is refused with both lines (issue 27, item 8)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from seqtui.datasets.config import DataConfig
from seqtui.datasets.errors import DataError
from seqtui.datasets.series import load_series_csv
from seqtui.datasets.time_order import in_time_order, time_keys


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


def test_each_timestamp_form_gives_its_exact_key():
    assert time_keys(
        ["2009-01-31 13:05:07.25", " 2009-02-01T00:00Z ", "2009/02/01 00:00:01,1234567891+09:00"]
    ) == [
        (2009, 1, 31, 13, 5, 7, 250_000_000),
        (2009, 2, 1, 0, 0, 0, 0),
        (2009, 2, 1, 0, 0, 1, 123_456_789),  # nanoseconds: the rest of the fraction is cut
    ]
    assert time_keys(["31.01.2009 01:02:03", "01.02.2009"]) == [
        (2009, 1, 31, 1, 2, 3, 0),
        (2009, 2, 1, 0, 0, 0, 0),
    ]
    assert time_keys(["01/31/2009", "02/01/2009"]) == [(2009, 1, 31, 0, 0, 0, 0), (2009, 2, 1, 0, 0, 0, 0)]
    # neither field above 12 anywhere: day first; a first field above 12 somewhere: day first too
    assert time_keys(["01.02.2009", "03.04.2009"]) == [(2009, 2, 1, 0, 0, 0, 0), (2009, 4, 3, 0, 0, 0, 0)]
    assert time_keys(["13/01/2009", "01/13/2009"]) == [(2009, 1, 13, 0, 0, 0, 0), (2009, 13, 1, 0, 0, 0, 0)]
    assert time_keys(["13:05", "13:06:07"]) == [(0, 0, 0, 13, 5, 0, 0), (0, 0, 0, 13, 6, 7, 0)]
    assert time_keys(["2009-01-01", ""]) is None and time_keys(["2009-01-01", "12:5"]) is None


_NAMES = ["10.01.2009", "09.01.2009", "11.01.2009", "01.01.2009"]


def test_rows_out_of_time_order_are_sorted_with_a_note_counting_them(tmp_path):
    values = np.array([[10.0], [9.0], [11.0], [1.0]])
    # sorted, the rows are 3, 1, 0, 2: row 1 keeps its place, the other 3 move
    out, notes, resorted = in_time_order(tmp_path / "s.csv", "Date", _NAMES, [2, 3, 4, 5], values)
    assert out.tolist() == [[1.0], [9.0], [10.0], [11.0]] and resorted
    assert notes == [
        "s.csv: rows were not in time order (3 out of place); sorted by column 'Date' before splitting, so "
        "validation and test come after training in time"
    ]
    ordered = values[[3, 1, 0, 2]]
    assert in_time_order(
        tmp_path / "s.csv", "Date", sorted(_NAMES, key=lambda s: s[:2]), [2, 3, 4, 5], ordered
    )[1:] == ([], False)
    one = np.array([[1.0]])
    kept = in_time_order(tmp_path / "s.csv", "Date", ["x"], [2], one)
    assert kept[0] is one and kept[1:] == ([], False)


def test_a_whole_repeat_is_left_out_and_nan_equals_nan(tmp_path):
    values = np.array([[1.0, np.nan], [2.0, 0.0], [1.0, np.nan], [3.0, 0.0], [3.0, 0.0]])
    stamps = ["01.01.2009", "02.01.2009", "01.01.2009", "03.01.2009", "03.01.2009"]
    out, notes, resorted = in_time_order(tmp_path / "p.csv", "Date", stamps, [2, 3, 4, 5, 6], values)
    np.testing.assert_array_equal(out, np.array([[1.0, np.nan], [2.0, 0.0], [3.0, 0.0]]))
    assert notes == ["p.csv: 2 rows repeating an earlier row whole left out"] and not resorted


def test_moments_given_twice_are_named_by_their_lines_five_at_most(tmp_path):
    stamps = [
        f"  {d:02d}.01.2009 00:00:00.123456789012345678901234567890  " for d in range(1, 8) for _ in (0, 1)
    ]
    values = np.arange(14.0).reshape(14, 1)
    lines = list(range(10, 24))
    with pytest.raises(DataError) as refused:
        in_time_order(tmp_path / "d.csv", "Date", stamps[:-1] + ["08.01.2009"], lines, values)
    assert str(refused.value) == (
        f"{tmp_path / 'd.csv'}: column 'Date' gives 6 moments twice with different values, e.g. "
        "'01.01.2009 00:00:00.12345678901234567890' on lines 10 and 11, 12 and 13, 14 and 15, 16 and 17, 18 and 19 "
        "(and 1 more); a series needs one row per moment. Remove or average the repeated rows"
    )
    with pytest.raises(DataError, match=r"gives 1 moment twice .* on lines 11 and 12; a series"):
        in_time_order(
            tmp_path / "d.csv", "Date", ["01.01.2009", "02.01.2009", "02.01.2009"], [10, 11, 12], values[:3]
        )


def test_the_order_of_a_date_is_read_from_fields_above_12_at_their_edge():
    day = (2009, 12, 1, 0, 0, 0, 0)
    assert time_keys(["01.12.2009", "02.12.2009"])[0] == day  # 12 in the second field: still day first
    assert time_keys(["01/13/2009"]) == [(2009, 1, 13, 0, 0, 0, 0)]  # 13: month first
    assert time_keys(["12/13/2009"]) == [(2009, 12, 13, 0, 0, 0, 0)]  # a first field of 12 is a month


def test_two_rows_are_sorted_and_notes_come_repeats_first(tmp_path):
    two = np.array([[2.0], [1.0]])
    out, notes, resorted = in_time_order(
        tmp_path / "t.csv", "Date", ["02.01.2009", "01.01.2009"], [2, 3], two
    )
    assert out.tolist() == [[1.0], [2.0]] and resorted and len(notes) == 1
    assert in_time_order(tmp_path / "t.csv", "Date", ["x", "y"], [2, 3], two) == (two, [], False)
    values = np.array([[2.0], [1.0], [2.0]])
    out, notes, _ = in_time_order(
        tmp_path / "t.csv", "Date", ["02.01.2009", "01.01.2009", "02.01.2009"], [2, 3, 4], values
    )
    assert out.tolist() == [[1.0], [2.0]]
    assert (
        notes[0] == "t.csv: 1 row repeating an earlier row whole left out" and "not in time order" in notes[1]
    )


def test_five_clashes_are_all_shown_and_named_by_the_first_rows_text(tmp_path):
    stamps = [s for d in range(1, 6) for s in (f"{d:02d}.01.2009 00:00", f"{d:02d}.01.2009 00:00:00")]
    with pytest.raises(DataError) as refused:
        in_time_order(tmp_path / "d.csv", "Date", stamps, list(range(2, 12)), np.arange(10.0).reshape(10, 1))
    assert "gives 5 moments twice" in str(refused.value)
    assert "e.g. '01.01.2009 00:00' on lines 2 and 3, 4 and 5, 6 and 7, 8 and 9, 10 and 11; a series" in str(
        refused.value
    )
