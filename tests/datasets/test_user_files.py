"""The user's own files in the real layouts: Kaggle spam.csv, NSMC ratings_*.txt, aclImdb folders, the Jena
CSV, JSON lines, plain text; column guessing; and `train --data reviews.csv` then `predict` by the CLI."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from typer.testing import CliRunner

from seqtui.core.config.run_config import DataConfig
from seqtui.datasets.errors import DataError
from seqtui.datasets.registry import get_dataset
from seqtui.datasets.tables import open_table
from seqtui.datasets.text_files import decode_bytes
from tests.data_files import (
    SPAM_HAM,
    SPAM_SPAM,
    write_acl_imdb,
    write_jena,
    write_nsmc,
    write_reviews_csv,
    write_spam_csv,
)


def load(dataset: str, path, **settings):
    settings = {"maxlen": 20, **settings}
    return get_dataset(dataset).load(DataConfig(dataset, data_path=str(path), **settings))


def every_text(ds) -> list[str]:
    tok = ds.encoder.tokenizer
    rows = np.concatenate([ds.x_train, ds.x_val, ds.x_test])
    return [" ".join(tok.decode(r)) for r in rows]


# -- Kaggle SMS spam -----------------------------------------------------------------------------------
@pytest.mark.parametrize("dataset", ["sms-spam", "file"])
def test_spam_csv_latin1_with_trailing_columns_and_duplicates(tmp_path, dataset):
    path = write_spam_csv(tmp_path / "spam.csv")
    ds = load(dataset, path)
    assert ds.task == "binary"
    assert ds.class_names == ["ham", "spam"]
    unique = len(SPAM_HAM) + len(SPAM_SPAM) + 1
    assert len(ds.x_train) + len(ds.x_val) + len(ds.x_test) == unique
    notes = " ".join(ds.notes)
    assert "'v2'" in notes and "'v1'" in notes and "latin-1" in notes
    assert f"{unique - 1} rows duplicating another" in notes
    assert any("wkend" in t for t in every_text(ds))  # the row that spilled into unnamed columns is kept
    assert sum(ds.y_train) + sum(ds.y_val) + sum(ds.y_test) == len(SPAM_SPAM)


def test_spam_text_keeps_latin1_characters(tmp_path):
    ds = load("sms-spam", write_spam_csv(tmp_path / "spam.csv"), vocab_size=500)
    assert "ü" in ds.encoder.tokenizer.word_index or "ü" in " ".join(ds.encoder.tokenizer.word_index)


def test_spam_read_with_the_encoding_given_keeps_its_apostrophes(tmp_path):
    """The real file's 0x92 bytes are Windows-1252 apostrophes: --encoding cp1252 reads them as such."""
    ds = load("sms-spam", write_spam_csv(tmp_path / "spam.csv"), encoding="cp1252", standardize="none")
    words = ds.encoder.tokenizer.word_index
    assert "That\u2019s" in words and not any("\x92" in w for w in words)
    assert ds.notes[0] == "spam.csv: text from column 'v2', labels from 'v1' (cp1252)"


def test_spam_needs_its_file():
    with pytest.raises(DataError, match="--data spam.csv"):
        get_dataset("sms-spam").load(DataConfig("sms-spam"))


# -- Naver movie reviews -------------------------------------------------------------------------------
def test_nsmc_tsv_with_empty_documents_and_named_classes(tmp_path):
    ds = load("nsmc", write_nsmc(tmp_path / "ratings_train.txt"))
    assert ds.class_names == ["negative", "positive"]
    assert len(ds.x_train) + len(ds.x_val) + len(ds.x_test) == 41
    notes = " ".join(ds.notes)
    assert "1 row with an empty text left out (line 42)" in notes
    assert any("재밌다" in t for t in every_text(ds))


def test_nsmc_uses_ratings_test_beside_it(tmp_path):
    train = write_nsmc(tmp_path / "ratings_train.txt", rows=40)
    write_nsmc(tmp_path / "ratings_test.txt", rows=12, start_id=6270596)
    ds = load("nsmc", train)
    assert len(ds.x_test) == 13  # 12 + the quoted row; the empty document is left out
    assert len(ds.x_train) + len(ds.x_val) == 41
    assert any("ratings_test.txt" in n for n in ds.notes)
    assert load("nsmc", tmp_path).x_test.shape == (13, 20)  # the folder holding both works too


def _nsmc_pair(folder, encoding: str):
    """ratings_train.txt and ratings_test.txt, each review ending in ㅋㅋㅋ (jamo, not syllables)."""
    folder.mkdir()
    for name, rows, start in (("ratings_train.txt", 40, 9976970), ("ratings_test.txt", 12, 6270596)):
        path = write_nsmc(folder / name, rows=rows, start_id=start)
        cells = [row.split("\t") for row in path.read_text(encoding="utf-8").splitlines()]
        cells[1:] = [[i, f"{doc} ㅋㅋㅋㅋㅋㅋㅋㅋ" if doc else doc, label] for i, doc, label in cells[1:]]
        path.write_bytes("".join("\t".join(row) + "\n" for row in cells).encode(encoding))
    return folder / "ratings_train.txt", folder / "ratings_test.txt"


def test_nsmc_reads_both_files_with_the_encoding_given(tmp_path):
    """Re-saved in Korean Windows' cp949, the pair reads with --encoding cp949 as the UTF-8 pair does."""
    utf8_train, _ = _nsmc_pair(tmp_path / "utf8", "utf-8")
    train, test = _nsmc_pair(tmp_path / "cp949", "cp949")
    assert decode_bytes(test.read_bytes(), test)[1] == "latin-1"  # too few syllables to guess cp949
    want, got = load("nsmc", utf8_train), load("nsmc", train, encoding="cp949")
    assert len(got.x_test) == 13 and (got.x_test == want.x_test).all()
    assert got.encoder.tokenizer.word_index == want.encoder.tokenizer.word_index
    assert "ratings_test.txt: text from column 'document', labels from 'label' (cp949)" in got.notes


def test_nsmc_hangul_only_preset_settings(tmp_path):
    ds = load(
        "nsmc", write_nsmc(tmp_path / "ratings_train.txt"), standardize="hangul", stopwords=("의", "가")
    )
    words = ds.encoder.tokenizer.word_index
    assert words and all(re.fullmatch(r"[\uac00-\ud7a3\u3131-\u318e]+", w) for w in words)


def test_tab_separated_txt_is_sniffed_as_a_table(tmp_path):
    ds = load("file", write_nsmc(tmp_path / "ratings_train.txt"))
    assert ds.task == "binary" and ds.class_names == ["0", "1"]


# -- aclImdb folders -----------------------------------------------------------------------------------
def test_acl_imdb_train_folder_classes_from_subfolders(tmp_path):
    root = write_acl_imdb(tmp_path / "aclImdb", per_class=8)
    ds = load("file", root / "train")
    assert ds.class_names == ["neg", "pos"]
    assert len(ds.x_train) + len(ds.x_val) + len(ds.x_test) == 16
    assert any("unsup" in n for n in ds.notes)
    assert "br" not in ds.encoder.tokenizer.word_index  # <br /> line breaks are not words


def test_acl_imdb_root_keeps_its_own_test_set(tmp_path):
    root = write_acl_imdb(tmp_path / "aclImdb", per_class=8)
    ds = load("file", root)
    assert len(ds.x_test) == 16
    assert len(ds.x_train) + len(ds.x_val) == 16


def test_a_limit_keeps_every_class_of_a_test_set_read_class_by_class(tmp_path):
    """aclImdb's test/ is read neg then pos: --limit must not keep a test prefix of one class."""
    from seqtui.datasets.registry import load_dataset

    root = write_acl_imdb(tmp_path / "aclImdb", per_class=40)
    ds = load_dataset(DataConfig("file", data_path=str(root), maxlen=20, sample_limit=20))
    assert len(ds.x_train) == 20 and len(ds.x_test) == 25  # 20 of 64 training rows: 25 of 80 test rows
    assert set(ds.y_test.tolist()) == {0, 1} and set(ds.y_val.tolist()) == {0, 1}


# -- Jena climate and other series ---------------------------------------------------------------------
def test_jena_csv_windows_target_and_normalisation(tmp_path):
    path = write_jena(tmp_path / "jena_climate_2009_2016.csv", rows=600)
    ds = load("file", path, target_column="T (degC)", lookback=60, step=6, delay=12)
    assert ds.task == "regression" and ds.input_kind == "series"
    assert ds.input_shape == (10, 14)
    enc = ds.encoder
    assert enc.target == "T (degC)" and "Date Time" not in enc.columns
    n_test, n_val = int(600 * 0.2), int((600 - int(600 * 0.2)) * 0.2)
    n_train = 600 - n_test - n_val
    _, values = _jena_values(path)
    assert np.allclose(enc.mean, values[:n_train].mean(axis=0), atol=1e-3)  # training rows only
    assert len(ds.x_train) == n_train - 60 + 1 - 12
    assert len(ds.x_val) == n_val - 12 and len(ds.x_test) == n_test - 12  # targets stay inside their part
    assert {"val_mae", "test_mae", "test_mae_in_units"} <= set(ds.baseline)


@pytest.mark.parametrize("lookback, step", [(60, 6), (10, 3), (3, 1), (5, 2)])
def test_windows_end_on_the_row_the_baseline_calls_now(lookback, step):
    """With step > 1 the newest row of a window is still the last observed one: the baseline's "now"
    (and Jena's lookback 1440, step 6) must not use a row the model never sees."""
    from seqtui.datasets.series import make_windows

    values = np.arange(200, dtype="float32")[:, None]
    x, y, now = make_windows(values, 0, lookback, step, 4, 0, 200)
    assert x.shape[1] == lookback // step
    assert (x[:, -1, 0] == now).all() and (y == now + 4).all()
    assert (np.diff(x[:, :, 0], axis=1) == step).all() and (now - x[:, 0, 0] < lookback).all()


def _jena_values(path):
    from seqtui.datasets.series import read_numeric_table

    return read_numeric_table(path)


def test_jena_loader_reads_the_users_copy(tmp_path):
    path = write_jena(tmp_path / "jena_climate_2009_2016.csv")
    ds = load("jena-climate", path, lookback=30, step=3, delay=6)
    assert ds.name == "jena-climate" and ds.encoder.target == "T (degC)"


def test_numbers_only_table_is_a_series_with_gaps_filled(tmp_path):
    path = tmp_path / "sensor.csv"
    rows = ["time;value;other"] + [
        f"2024-01-01 {i // 60:02d}:{i % 60:02d};{i % 7};{'' if i == 5 else i}" for i in range(300)
    ]
    path.write_text("\n".join(rows))
    ds = load("file", path, lookback=10, delay=2)
    assert ds.task == "regression" and ds.encoder.columns == ["value", "other"]
    assert any("--target-column" in n for n in ds.notes)


# -- JSON lines, plain text ----------------------------------------------------------------------------
def test_json_lines_and_json_array(tmp_path):
    items = [
        {"text": f"{'good fun' if i % 2 else 'sad bore'} {i}", "label": i % 2, "extra": None}
        for i in range(30)
    ]
    jsonl = tmp_path / "rows.jsonl"
    jsonl.write_text("\n".join(json.dumps(o, ensure_ascii=False) for o in items) + "\n\n")
    array = tmp_path / "rows.json"
    array.write_text(json.dumps(items))
    for path in (jsonl, array):
        ds = load("file", path)
        assert ds.class_names == ["0", "1"] and ds.task == "binary"


@pytest.mark.parametrize("split", ["whitespace", "character"])
def test_plain_text_for_generation(tmp_path, split):
    path = tmp_path / "lines.txt"
    path.write_text("경마장에 있는 말이 뛰고 있다\n\n그의 말이 법이다\n가는 말이 고와야 오는 말이 곱다\n" * 3)
    ds = load("file", path, split=split, maxlen=5)
    assert ds.task == "generation" and ds.input_shape == (5,)
    tok = ds.encoder.tokenizer
    assert ("말이" in tok.word_index) == (split == "whitespace")
    assert ("말" in tok.word_index) == (split == "character")


# -- column guessing -----------------------------------------------------------------------------------
def test_columns_guessed_from_common_names(tmp_path):
    ds = load("file", write_reviews_csv(tmp_path / "reviews.csv"))
    assert ds.class_names == ["bad", "good"]
    assert any("'review'" in n and "'verdict'" in n for n in ds.notes)


def test_columns_guessed_from_their_shape(tmp_path):
    path = tmp_path / "mails.csv"
    lines = ["sender_id,kind,words"] + [
        f"{i},{'x' if i % 3 else 'y'},some fairly long words number {i}" for i in range(30)
    ]
    path.write_text("\n".join(lines))
    ds = load("file", path)
    assert ds.class_names == ["x", "y"]
    assert any("'words'" in n and "'kind'" in n for n in ds.notes)


def test_named_columns_win_and_case_is_forgiven(tmp_path):
    path = tmp_path / "t.tsv"
    path.write_text(
        "Title\tBody\tTopic\tMood\n" + "".join(f"t{i}\tbody text {i}\t{i % 3}\t{i % 2}\n" for i in range(30))
    )
    ds = load("file", path, text_column="title", label_column="MOOD")
    assert ds.class_names == ["0", "1"]


def test_ambiguous_columns_list_them_and_the_options(tmp_path):
    path = tmp_path / "two.csv"
    lines = ["a,b,c,d"] + [f"first text {i},second text {i},{i % 2},{i % 3}" for i in range(30)]
    path.write_text("\n".join(lines))
    with pytest.raises(DataError) as info:
        load("file", path)
    message = str(info.value)
    assert str(path) in message and "'a'" in message and "'d'" in message
    assert "--text-column" in message and "--label-column" in message


def test_open_table_reports_lines_of_multiline_rows(tmp_path):
    path = tmp_path / "multi.csv"
    path.write_text('text,label\n"two\nlines",a\none,b\n')
    rows = list(open_table(path).rows())
    assert rows == [(2, ["two\nlines", "a"]), (4, ["one", "b"])]


# -- the CLI end to end --------------------------------------------------------------------------------
def test_cli_train_on_reviews_csv_then_predict_by_name(tmp_path):
    from seqtui.cli.main import app

    data = write_reviews_csv(tmp_path / "reviews.csv", rows=40)
    runs = tmp_path / "cli-runs"
    runner = CliRunner()
    args = ["train", "--data", str(data), "--text-column", "review", "--label-column", "verdict",
            "--arch", "lstm", "--epochs", "1", "--maxlen", "20", "--units", "4", "--embedding-dim", "4",
            "--vocab-size", "200", "--runs-dir", str(runs)]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    (run,) = [p for p in runs.iterdir() if p.is_dir()]
    config = json.loads((run / "config.json").read_text())
    assert config["class_names"] == ["bad", "good"]
    result = runner.invoke(app, ["predict", str(run), "a new sentence"])
    assert result.exit_code == 0, result.output
    assert "a new sentence" in result.output
    assert "good" in result.output and "bad" in result.output


def test_generation_keeps_each_line_in_one_split():
    """No prefix of a test line was seen in training: lines, not pairs, are split."""

    from seqtui.core.config.run_config import DataConfig
    from seqtui.datasets.generation import generation_dataset

    lines = [f"w{i} a{i} b{i} c{i} d{i}" for i in range(60)]  # every line has its own words
    ds = generation_dataset("lines", lines, DataConfig("file", vocab_size=1000, maxlen=4))
    words = ds.encoder.tokenizer.index_word

    def line_ids(x: np.ndarray) -> set[str]:
        return {words[int(row[row > 0][0])][1:] for row in x}  # the line number of each prefix's first word

    train, val, test = line_ids(ds.x_train), line_ids(ds.x_val), line_ids(ds.x_test)
    assert train and val and test
    assert not (train & test) and not (train & val) and not (val & test)


def test_generation_of_a_text_with_few_lines_splits_in_blocks():
    from seqtui.core.config.run_config import DataConfig
    from seqtui.datasets.generation import generation_dataset

    text = " ".join(f"word{i % 50}" for i in range(2000))  # one long line
    ds = generation_dataset("one-line", [text], DataConfig("file", vocab_size=100, maxlen=5))
    assert len(ds.x_train) > len(ds.x_val) > 0 and len(ds.x_test) > 0
    assert len(ds.x_train) + len(ds.x_val) + len(ds.x_test) == 1999


def test_cli_refuses_a_2d_cnn_on_your_own_text_once_it_is_read(tmp_path):
    """A file's kind is known only after reading it: the check runs again with the data's real kind."""
    from seqtui.cli.main import app

    data = write_reviews_csv(tmp_path / "reviews.csv", rows=40)
    args = ["train", "--data", str(data), "--text-column", "review", "--label-column", "verdict", "--arch",
            "cnn2d", "--epochs", "1", "--runs-dir", str(tmp_path / "runs")]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "cnn2d needs images; file is tokens. Try lstm or conv1d." in " ".join(result.output.split())
    assert not [p for p in (tmp_path / "runs").rglob("*") if p.is_dir()]  # no run folder
