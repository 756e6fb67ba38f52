"""Property tests of the readers and run folders: what a CSV or JSON-lines writer wrote reads back exactly; an
unclosed quote is always an error naming its line; a series never carries an infinite value into training;
whatever a run folder's files hold, listing runs never raises and resuming raises only clear errors."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from seqtui.core.config.errors import ConfigError
from seqtui.core.config.run_config import DataConfig
from seqtui.core.runs.folder import RunFolder, RunFolderError
from seqtui.core.runs.listing import list_runs
from seqtui.core.training.resume import plan_resume
from seqtui.datasets.errors import DataError
from seqtui.datasets.files import labelled_rows
from seqtui.datasets.series import numeric_columns
from seqtui.datasets.tables import open_table

FUZZ = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
words = st.text(alphabet=st.sampled_from(list("ab 가é,;\"'\n-[]/")), min_size=1, max_size=15)
labels = st.sampled_from(["pos", "neg", "[b]x[/b]", "한국"])
rows_strategy = st.lists(st.tuples(words, labels), min_size=1, max_size=25)


def expected(rows):
    seen, out = set(), []
    for text, label in rows:
        key = (text.strip(), label)
        if key[0] and key not in seen:
            seen.add(key)
            out.append(key)
    return out


@FUZZ
@given(rows=rows_strategy)
def test_csv_written_by_a_csv_writer_reads_back_exactly(tmp_path, rows):
    assume(any(t.strip() for t, _ in rows))
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["text", "label"])
    writer.writerows(rows)
    path = tmp_path / "rows.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    texts, got_labels, _ = labelled_rows(open_table(path), DataConfig("file"))
    assert list(zip(texts, got_labels, strict=True)) == expected(rows)


@FUZZ
@given(rows=rows_strategy)
def test_json_lines_read_back_exactly(tmp_path, rows):
    assume(any(t.strip() for t, _ in rows))
    path = tmp_path / "rows.jsonl"
    path.write_text(
        "".join(json.dumps({"text": t, "label": lab}, ensure_ascii=False) + "\n" for t, lab in rows)
    )
    texts, got_labels, _ = labelled_rows(open_table(path), DataConfig("file"))
    assert list(zip(texts, got_labels, strict=True)) == expected(rows)


@FUZZ
@given(n=st.integers(3, 40), at=st.integers(0, 39), cell=st.sampled_from(["oops, a", "oops", "x y"]))
def test_an_unclosed_quote_is_always_an_error_naming_its_line(tmp_path, n, at, cell):
    at = at % n
    lines = ["text,label"] + [f"plain review {i},{'pos' if i % 2 else 'neg'}" for i in range(n)]
    lines[at + 1] = f'"{cell},pos' if "," not in cell else f'"{cell}'
    path = tmp_path / "quote.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match=f"line {at + 2}: a double quote"):
        labelled_rows(open_table(path), DataConfig("file"))


numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.sampled_from(["", "nan", "NA", "1e39", "-1e39", "inf", "3.4e38"]),
)


@FUZZ
@given(cells=st.lists(st.tuples(numbers, numbers), min_size=2, max_size=40))
def test_series_values_are_finite_or_an_error(tmp_path, cells):
    path = tmp_path / "series.csv"
    path.write_text("a,b\n" + "".join(f"{x},{y}\n" for x, y in cells))
    try:
        _, values, _ = numeric_columns(open_table(path))
    except DataError:
        return
    assert values.dtype == "float32" and bool((abs(values) < math.inf).all())


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 10**12) | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
run_files = st.fixed_dictionaries(
    {
        "run.json": json_values | st.dictionaries(st.sampled_from(["status", "epochs", "epochs_done", "pid",
                                                                   "host", "started", "ended"]), json_values),
        "config.json": json_values | st.fixed_dictionaries({"data": json_values, "train": json_values,
                                                            "model": json_values, "preset": json_values}),
        "metrics.json": json_values,
        "history.csv": st.text(alphabet=st.sampled_from(list("epoch,los1.5\nx")), max_size=40),
    }
)  # fmt: skip


@FUZZ
@given(files=run_files)
def test_any_run_folder_content_lists_and_resumes_only_with_clear_errors(tmp_path, files):
    root = tmp_path / "runs"
    root.mkdir(exist_ok=True)
    for old in root.iterdir():
        for f in old.iterdir():
            f.unlink()
        old.rmdir()
    folder = RunFolder.create(root, "fuzz")
    for name, content in files.items():
        text = content if isinstance(content, str) and name.endswith(".csv") else json.dumps(content)
        folder.file(name).write_text(text, encoding="utf-8")
    [row] = list_runs(root)
    assert row.path == folder.path
    assert isinstance(row.status, str) and isinstance(row.epochs, int) and isinstance(row.name, str)
    assert row.status != "damaged" or row.reason
    with contextlib.suppress(RunFolderError, ConfigError, DataError):  # anything else fails the test
        plan_resume(folder.path, epochs=10**5)
