"""JSON lines whose label is a boolean, a fraction or a mix of strings and numbers, or whose text is a list
or an object, are refused on their line; lines that are arrays are named from line 1 (issue 27, item 9).
Whole-number labels (0/1, as many exports write them) are class names when every label is one."""

from __future__ import annotations

import json

import pytest

from seqtui.datasets.config import DataConfig
from seqtui.datasets.errors import DataError
from seqtui.datasets.files import load_table
from seqtui.datasets.tables import open_table


def _load(path, rows):
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return load_table(open_table(path), DataConfig())


def _rows(label, n=40):
    return [{"text": f"좋은 영화 word{i} other{i % 3}", "label": label(i)} for i in range(n)]


def test_whole_number_labels_are_class_names(tmp_path):
    ds = _load(tmp_path / "ints.jsonl", _rows(lambda i: i % 2))
    assert ds.class_names == ["0", "1"]


@pytest.mark.parametrize(
    ("label", "said"),
    [
        (lambda i: i % 2 == 0, r"line 1: the label \('label'\) is true \(a JSON boolean\)"),
        (lambda i: 0.5 if i == 1 else "pos", r"line 2: the label \('label'\) is the number 0.5"),
        (lambda i: ["a"] if i == 3 else "pos", r"line 4: the label \('label'\) is a list"),
        (
            lambda i: 1 if i == 6 else "pos",
            r"line 7: the label \('label'\) is the number 1, but line 1 gives a string",
        ),
    ],
)
def test_labels_that_are_no_class_names_are_refused_on_their_line(tmp_path, label, said):
    with pytest.raises(DataError, match=said):
        _load(tmp_path / "bad.jsonl", _rows(label))


def test_text_given_as_a_list_or_an_object_is_refused(tmp_path):
    rows = _rows(lambda i: "pos" if i % 2 else "neg")
    rows[2]["text"] = {"title": "hi"}
    with pytest.raises(DataError, match=r"bad.jsonl, line 3: the text \('text'\) is an object, not a string"):
        _load(tmp_path / "bad.jsonl", rows)


def test_lines_that_are_arrays_are_named_from_line_1(tmp_path):
    path = tmp_path / "arrays.jsonl"
    path.write_text('["great film", "pos"]\n["dull", "neg"]\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"arrays.jsonl, line 1: a JSON array, not an object"):
        open_table(path)
