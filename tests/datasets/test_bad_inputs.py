"""Bad input gets one clear DataError naming the file (and the line where there is one), exit code 2 from the
CLI with no traceback; the readers raise nothing but DataError whatever bytes they are given."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from seqtui.core.config.run_config import DataConfig
from seqtui.datasets.errors import DataError
from seqtui.datasets.registry import get_dataset
from seqtui.datasets.series import read_numeric_table
from seqtui.datasets.tables import open_table
from tests.data_files import (
    file_error,
    load_file,
    write_fashion_folder,
    write_jena,
    write_reviews_csv,
    write_spam_csv,
)


def test_missing_file(tmp_path):
    message = file_error(tmp_path / "nope.csv")
    assert "nope.csv does not exist" in message


def test_missing_data_option():
    with pytest.raises(DataError, match="pass --data"):
        get_dataset("file").load(DataConfig("file"))


def test_empty_file(tmp_path):
    (tmp_path / "empty.csv").write_text("\n  \n")
    assert "empty.csv is empty" in file_error(tmp_path / "empty.csv")


def test_header_without_rows(tmp_path):
    (tmp_path / "head.csv").write_text("text,label\n")
    assert "header line" in file_error(tmp_path / "head.csv") and "no rows" in file_error(
        tmp_path / "head.csv"
    )


def test_missing_named_column_lists_the_columns(tmp_path):
    path = write_reviews_csv(tmp_path / "reviews.csv")
    message = file_error(path, text_column="comment")
    assert str(path) in message and "'comment'" in message and "id, review, verdict" in message
    assert "--text-column" in message


def test_single_class(tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("text,label\n" + "".join(f"row number {i},pos\n" for i in range(20)))
    assert "same label ('pos')" in file_error(path, text_column="text", label_column="label")


def test_too_few_rows(tmp_path):
    path = tmp_path / "few.csv"
    path.write_text("text,label\na b,x\nc d,y\ne f,x\n")
    assert "at least 10" in file_error(path)


def test_non_numeric_series_value_names_file_line_and_column(tmp_path):
    path = write_jena(tmp_path / "jena.csv", rows=300)
    lines = path.read_text().splitlines()
    cells = lines[250].split(",")
    cells[2] = "n/a?"
    lines[250] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")
    message = file_error(path, target_column="T (degC)")
    assert f"{path}, line 251" in message and "'T (degC)'" in message and "'n/a?'" in message


def test_text_target_column_is_not_numeric(tmp_path):
    path = write_reviews_csv(tmp_path / "reviews.csv")
    message = file_error(path, target_column="review")
    assert f"{path}, line 2" in message and "not a number" in message


def test_table_without_numbers_or_labels(tmp_path):
    path = tmp_path / "words.csv"
    path.write_text("a\n" + "".join(f"word {i}\n" for i in range(20)))
    message = file_error(path)
    assert str(path) in message and "--text-column" in message


def test_wrong_encoding_names_the_line(tmp_path):
    path = write_spam_csv(tmp_path / "spam.csv")
    message = file_error(path, encoding="utf-8")
    assert f"{path}, line " in message and "not valid utf-8" in message and "--encoding" in message


def test_unknown_encoding(tmp_path):
    assert "unknown encoding 'klingon'" in file_error(
        write_spam_csv(tmp_path / "spam.csv"), encoding="klingon"
    )


def invoke(*args: str):
    from seqtui.cli.main import app

    return CliRunner().invoke(app, list(args), env={"COLUMNS": "250"})


def test_an_encoding_without_positions_is_one_clear_message(tmp_path):
    result = invoke("train", "--data", str(write_reviews_csv(tmp_path / "r.csv")), "--encoding", "punycode",
                    "--runs-dir", str(tmp_path / "runs"))  # fmt: skip
    assert result.exit_code == 2 and "not valid punycode" in result.output, result.output


def test_binary_file(tmp_path):
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert "binary file" in file_error(path)


def test_row_with_more_fields_than_the_header(tmp_path):
    path = tmp_path / "commas.csv"
    path.write_text("review,verdict\ngood film,pos\nI liked it, a lot,pos\n")
    message = file_error(path)
    assert f"{path}, line 3" in message and "double quotes" in message


def test_unclosed_quote(tmp_path):
    path = tmp_path / "quote.csv"
    path.write_text('text,label\n"never closed,a\n' + "x" * 200_000 + "\n")
    assert f"{path}, line 2" in file_error(path)


def test_invalid_json_line(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_text('{"text": "fine", "label": 1}\n{"text": broken}\n')
    assert f"{path}, line 2: not valid JSON" in file_error(path)
    path.write_text('{"text": "fine", "label": 1}\n["not", "an", "object"]\n')
    assert f"{path}, line 2: expected a JSON object" in file_error(path)


def test_plain_text_with_column_options(tmp_path):
    path = tmp_path / "story.txt"
    path.write_text("just some prose\nand more prose\n")
    assert "plain text, not a table" in file_error(path, text_column="text")


def test_too_little_text_for_generation(tmp_path):
    path = tmp_path / "short.txt"
    path.write_text("two words\n")
    assert "too little text" in file_error(path)


def test_folder_without_class_subfolders(tmp_path):
    (tmp_path / "loose").mkdir()
    (tmp_path / "loose" / "a.txt").write_text("some review")
    message = file_error(tmp_path / "loose")
    assert "one sub-folder per class" in message


def test_folder_with_a_single_class(tmp_path):
    (tmp_path / "one" / "pos").mkdir(parents=True)
    (tmp_path / "one" / "pos" / "1_9.txt").write_text("great")
    assert "least two" in file_error(tmp_path / "one")


def test_npz_without_a_known_name(tmp_path):
    path = tmp_path / "arrays.npz"
    path.write_bytes(b"PK\x05\x06" + bytes(18))
    message = file_error(path)
    assert "--dataset imdb, reuters or mnist" in message


def test_one_idx_file(tmp_path):
    folder = write_fashion_folder(tmp_path / "fashion")
    assert "--dataset fashion-mnist" in file_error(folder / "train-images-idx3-ubyte.gz")


def test_series_step_longer_than_lookback(tmp_path):
    path = write_jena(tmp_path / "jena.csv", rows=300)
    assert "lower --step" in file_error(path, lookback=3, step=6)


def test_series_too_short_for_the_windows(tmp_path):
    path = write_jena(tmp_path / "jena.csv", rows=100)
    assert "too few" in file_error(path, lookback=72, delay=24)


# -- the CLI: exit code 2, one message, no traceback ---------------------------------------------------
@pytest.mark.parametrize(
    "setup",
    [
        lambda d: d / "missing.csv",
        lambda d: (d / "bin.csv").write_bytes(b"\x00\x01\x02binary\x00") and d / "bin.csv",
        lambda d: write_reviews_csv(d / "r.csv"),
    ],
)
def test_cli_bad_input_exit_code_2(tmp_path, setup):
    from seqtui.cli.main import app

    path = setup(tmp_path)
    args = ["train", "--data", str(path), "--label-column", "nope", "--runs-dir", str(tmp_path / "runs")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "error:" in result.output and "Traceback" not in result.output
    assert path.name in result.output.replace("\n", "")
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


# -- whatever the bytes: only DataError ----------------------------------------------------------------
def _only_data_errors(call) -> None:
    with contextlib.suppress(DataError):
        call()


cells = st.text(
    alphabet=st.sampled_from(list("ab1.5 ,;\t\"'\n\r-e") + ["가", "é", "\x00", "\ufeff"]), max_size=12
)
tables = st.lists(st.lists(cells, min_size=1, max_size=5), min_size=0, max_size=30)
suffixes = st.sampled_from([".csv", ".tsv", ".txt", ".jsonl", ".json", ".dat"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=400), suffix=suffixes)
def test_any_bytes_raise_only_data_error(tmp_path, raw, suffix):
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(raw)
    _only_data_errors(lambda: load_file(path, lookback=3, delay=1))
    _only_data_errors(lambda: open_table(path))
    _only_data_errors(lambda: read_numeric_table(path))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=tables,
    delimiter=st.sampled_from([",", "\t", ";"]),
    suffix=suffixes,
    encoding=st.sampled_from(["utf-8", "latin-1", "cp949", None]),
)
def test_any_table_text_raises_only_data_error(tmp_path, rows, delimiter, suffix, encoding):
    path = tmp_path / f"fuzz{suffix}"
    path.write_text("\n".join(delimiter.join(r) for r in rows), encoding="utf-8", errors="surrogatepass")
    _only_data_errors(lambda: load_file(path, lookback=2, delay=1, encoding=encoding))
    _only_data_errors(lambda: load_file(path, lookback=2, delay=1, text_column="a", label_column="b"))
    _only_data_errors(lambda: load_file(path, lookback=2, delay=1, target_column="1"))
    _only_data_errors(lambda: read_numeric_table(path, encoding))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(labels=st.lists(st.sampled_from(["a", "b", "", " c", "1", "1.0"]), min_size=0, max_size=40))
def test_labelled_tables_of_any_shape(tmp_path, labels):
    path = tmp_path / "labels.csv"
    path.write_text("text,label\n" + "".join(f"words {i % 7},{lab}\n" for i, lab in enumerate(labels)))
    try:
        ds = load_file(path)
    except DataError:
        return
    assert ds.num_classes >= 2 and len(ds.x_train) > 0 and len(ds.x_test) > 0
