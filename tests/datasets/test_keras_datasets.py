"""Keras' datasets from a file the user copied by hand (imdb.npz, reuters.npz, mnist.npz, the Fashion-MNIST
idx folder), the real Fashion-MNIST loader on the Debian files, and the offline message.

Keras checks IMDB/Reuters/MNIST cache files against sha256 hashes and deletes a mismatching one, so fake
files never go into a Keras cache here: they are read through --data or a patched get_file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import urllib.error
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from seqtui.core.config.run_config import DataConfig
from seqtui.datasets.errors import DataError
from seqtui.datasets.keras_sets import FASHION_CLASSES, FASHION_FILES, REUTERS_CLASSES, read_idx
from seqtui.datasets.registry import get_dataset
from tests.data_files import (
    ragged,
    write_fashion_folder,
    write_idx,
    write_imdb_npz,
    write_mnist_npz,
    write_reuters_npz,
    write_word_index,
)

DEBIAN_FASHION = Path("/usr/share/datasets/fashion-mnist")


def load(dataset: str, path: Path | None = None, **settings):
    settings = {"maxlen": 40, "vocab_size": 20, **settings}
    return get_dataset(dataset).load(DataConfig(dataset, data_path=str(path) if path else None, **settings))


@pytest.fixture
def keras_cache() -> Path:
    from seqtui.core.config.settings import keras_home
    from seqtui.core.hardware.backend import import_keras

    import_keras()
    return keras_home() / "datasets"


# -- IMDB and Reuters ----------------------------------------------------------------------------------
def test_imdb_npz_object_arrays_encoded_as_keras_does(tmp_path):
    path = write_imdb_npz(tmp_path / "imdb.npz", n=30)
    write_word_index(tmp_path / "imdb_word_index.json")
    ds = load("imdb", path, vocab_size=20)
    assert ds.class_names == ["negative", "positive"] and ds.task == "binary"
    assert len(ds.x_train) + len(ds.x_val) == 30 and len(ds.x_test) == 30
    with np.load(path, allow_pickle=False) as f:
        assert f["y_test"].dtype == np.int64  # labels are plain arrays; only x needs the restricted loader
    raw = np.load(path, allow_pickle=True)["x_test"]
    first = [1] + [w + 3 if w + 3 < 20 else 2 for w in raw[0]]  # start 1, index_from 3, OOV 2
    row = ds.x_test[0]
    assert row[row > 0].tolist() == first[-40:]
    assert ds.x_train.max() < 20
    tok = ds.encoder.tokenizer
    assert tok.encode("the film was great") == [1, 4, 15, 2, 17]  # 'the' rank 1 -> 4; 'was' unknown -> 2
    assert tok.decode([1, 4, 15]) == ["<start>", "the", "film"]
    assert ds.text_stats is not None  # the coverage lines only: no note of a missing word index
    assert ds.notes == [ds.text_stats.maxlen_line(), ds.text_stats.vocab_line()]


@pytest.mark.parametrize("truncating", ["pre", "post"])
def test_training_reviews_are_cut_to_maxlen_as_the_test_reviews_are(tmp_path, truncating):
    """An imdb.npz whose test part repeats its training part: cut to maxlen the same way, the rows match."""
    rng = np.random.default_rng(5)
    seqs = ragged([rng.integers(1, 15, size=int(rng.integers(3, 30))).tolist() for _ in range(20)])
    labels = (np.arange(20) % 2).astype("int64")
    path = tmp_path / "imdb.npz"
    np.savez(path, x_train=seqs, y_train=labels, x_test=seqs, y_test=labels)
    ds = load("imdb", path, maxlen=8, truncating=truncating)
    train_rows = sorted(map(tuple, np.concatenate([ds.x_train, ds.x_val]).tolist()))
    assert train_rows == sorted(map(tuple, ds.x_test.tolist()))
    assert max(len(s) for s in seqs) > 8 and (ds.x_test[:, 0] > 0).any()  # some reviews were cut


def test_imdb_npz_dispatched_by_name_from_file_dataset(tmp_path):
    path = write_imdb_npz(tmp_path / "imdb.npz")
    ds = load("file", path)
    assert ds.name == "imdb" and ds.class_names == ["negative", "positive"]
    assert any("word_index" in n for n in ds.notes)  # no word index beside it, none cached


def test_reuters_npz_x_y_split_like_keras(tmp_path):
    path = write_reuters_npz(tmp_path / "reuters.npz", n=50)
    write_word_index(tmp_path / "reuters_word_index.json")
    ds = load("reuters", path, test_split=0.2)
    assert len(ds.x_test) == 10 and len(ds.x_train) + len(ds.x_val) == 40
    assert ds.class_names == REUTERS_CLASSES and ds.task == "multiclass"


def test_keras_loader_through_a_patched_get_file(tmp_path, monkeypatch):
    """The Keras code path itself (seed 113 shuffle, num_words), fed our files instead of a download."""
    import keras.src.datasets.imdb as keras_imdb

    files = {
        "imdb.npz": write_imdb_npz(tmp_path / "imdb.npz"),
        "imdb_word_index.json": write_word_index(tmp_path / "wi.json"),
    }
    monkeypatch.setattr(keras_imdb, "get_file", lambda fname, **kw: str(files[fname]))
    ds = load("imdb", vocab_size=20)
    assert len(ds.x_test) == 30 and ds.x_test.max() < 20
    assert ds.encoder.tokenizer.word_index["the"] == 4
    assert ds.text_stats is not None  # the coverage lines only: no note of a missing word index
    assert ds.notes == [ds.text_stats.maxlen_line(), ds.text_stats.vocab_line()]


def test_word_index_that_is_not_one(tmp_path):
    path = write_imdb_npz(tmp_path / "imdb.npz")
    (tmp_path / "imdb_word_index.json").write_text('["the", "and"]')
    with pytest.raises(DataError, match="imdb_word_index.json is not a word index"):
        load("imdb", path)


@pytest.mark.parametrize(
    "arrays, match",
    [
        ({"x": ragged([[1, 2]]), "y": np.array([0])}, "lacks x_train"),
        ({"x_train": np.zeros((4, 28, 28), "uint8"), "y_train": np.zeros(4, "int64"),
          "x_test": np.zeros((2, 28, 28), "uint8"), "y_test": np.zeros(2, "int64")}, "pass --dataset mnist"),
        ({"x_train": ragged([[1, 2], [3]]), "y_train": np.array([0, 1, 1]),
          "x_test": ragged([[1]]), "y_test": np.array([0])}, "one whole-number label per text"),
        ({"x_train": ragged([[1, 2], [3]]), "y_train": np.array([0, 5]),
          "x_test": ragged([[1]]), "y_test": np.array([0])}, r"labels outside 0\.\.1"),
        ({"x_train": ragged([[1, 2], [3]]), "y_train": np.array([0.5, 1.0]),
          "x_test": ragged([[1]]), "y_test": np.array([0])}, "whole-number label"),
    ],
)  # fmt: skip
def test_imdb_npz_keys_shapes_and_dtypes_are_checked(tmp_path, arrays, match):
    path = tmp_path / "imdb.npz"
    np.savez(path, **arrays)
    with pytest.raises(DataError, match=match):
        load("imdb", path)


class _Gadget:
    def __reduce__(self):
        return (print, ("pwned",))


def test_object_arrays_go_only_through_the_restricted_loader(tmp_path, capsys):
    path = tmp_path / "imdb.npz"
    evil = np.empty(1, dtype=object)
    evil[0] = _Gadget()
    np.savez(path, x_train=evil, y_train=np.array([0]), x_test=evil, y_test=np.array([0]))
    with pytest.raises(DataError, match="not a readable Keras dataset file"):
        load("imdb", path)
    assert "pwned" not in capsys.readouterr().out


def test_not_an_npz(tmp_path):
    path = tmp_path / "imdb.npz"
    path.write_text("hello, I am text")
    with pytest.raises(DataError, match="not a readable"):
        load("imdb", path)


def test_keras_is_only_imported_with_tensorflow_quieted(tmp_path):
    """Reading an imdb.npz with object arrays imports Keras' loader: through the one door, so TensorFlow's
    C++ start-up lines (absl, cpu_feature_guard) are quieted before TensorFlow loads."""
    data = write_imdb_npz(tmp_path / "imdb.npz", n=30)
    probe = (
        "import os, sys; from pathlib import Path; from seqtui.datasets.keras_files import load_npz_file; "
        f"load_npz_file(Path({str(data)!r}), ('x_train',)); "
        "print('keras' in sys.modules, os.environ.get('TF_CPP_MIN_LOG_LEVEL'))"
    )
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=300)
    assert proc.stdout.split() == ["True", "2"], proc.stderr


# -- MNIST ---------------------------------------------------------------------------------------------
def test_mnist_npz(tmp_path):
    ds = load("mnist", write_mnist_npz(tmp_path / "mnist.npz", n=40))
    assert ds.input_shape == (28, 28, 1) and ds.x_train.dtype == np.float32
    assert ds.x_train.min() >= 0.0 and ds.x_train.max() <= 1.0
    assert len(ds.x_test) == 20 and ds.class_names == [str(i) for i in range(10)]
    assert load("file", tmp_path / "mnist.npz").name == "mnist"
    assert ds.encoder.preparation == "digit"  # a new digit gets MNIST's preparation


@pytest.mark.parametrize(
    "change, match",
    [
        (lambda a: a.update(x_train=a["x_train"].astype("float32")), "must be integers"),
        (lambda a: a.update(x_train=a["x_train"][:, :20]), "must be 28x28"),
        (lambda a: a.update(y_train=a["y_train"][:5]), "one per image"),
        (lambda a: a.update(y_test=a["y_test"] + 20), "classes 0-9"),
        (lambda a: a.update(x_test=a["x_test"].astype("int32") * 300), "0-255"),
    ],
)
def test_mnist_npz_is_validated(tmp_path, change, match):
    path = write_mnist_npz(tmp_path / "mnist.npz")
    with np.load(path) as f:
        arrays = {k: f[k] for k in f.files}
    change(arrays)
    np.savez(path, **arrays)
    with pytest.raises(DataError, match=match):
        load("mnist", path)


# -- Fashion-MNIST -------------------------------------------------------------------------------------
def test_fashion_idx_folder(tmp_path):
    folder = write_fashion_folder(tmp_path / "fashion", n=30)
    for dataset in ("fashion-mnist", "file"):
        ds = load(dataset, folder)
        assert ds.class_names == FASHION_CLASSES
        assert len(ds.x_train) + len(ds.x_val) == 30 and ds.x_test.shape == (15, 28, 28, 1)
        assert ds.encoder.preparation == "plain"  # pictures: prediction never inverts nor crops them


def test_idx_headers(tmp_path):
    labels = read_idx(write_idx(tmp_path / "l.gz", np.arange(7, dtype="uint8")))
    assert labels.tolist() == list(range(7))
    (tmp_path / "bad.gz").write_bytes(b"not gzip at all")
    with pytest.raises(DataError, match="not a readable idx file"):
        read_idx(tmp_path / "bad.gz")
    import gzip

    with gzip.open(tmp_path / "magic.gz", "wb") as fh:
        fh.write(b"\x00\x00\x08\x04" + bytes(12))
    with pytest.raises(DataError, match="magic number 2052"):
        read_idx(tmp_path / "magic.gz")


def test_fashion_folder_missing_a_file(tmp_path):
    folder = write_fashion_folder(tmp_path / "fashion")
    (folder / FASHION_FILES[0]).unlink()
    with pytest.raises(DataError, match="four Fashion-MNIST files"):
        load("fashion-mnist", folder)


@pytest.mark.skipif(
    not all((DEBIAN_FASHION / f).is_file() for f in FASHION_FILES), reason="no Debian fashion-mnist"
)
def test_real_fashion_mnist_through_keras_cache(keras_cache, monkeypatch):
    import keras.src.utils.file_utils as file_utils

    target = keras_cache / "fashion-mnist"
    target.mkdir(parents=True, exist_ok=True)
    for name in FASHION_FILES:
        shutil.copy(DEBIAN_FASHION / name, target / name)
    monkeypatch.setattr(file_utils, "urlretrieve", _no_network)
    info = get_dataset("fashion-mnist")
    assert info.status == "cached"
    ds = info.load(DataConfig("fashion-mnist", validation_split=0.2))
    assert (len(ds.x_train), len(ds.x_val), len(ds.x_test)) == (48_000, 12_000, 10_000)
    assert ds.class_names[9] == "Ankle boot"
    counts = np.bincount(ds.y_test, minlength=10)
    assert counts.tolist() == [1000] * 10


# -- offline -------------------------------------------------------------------------------------------
def _no_network(*args, **kwargs):
    raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")


@pytest.mark.parametrize(
    "name, missing", [("imdb", "imdb.npz"), ("mnist", "mnist.npz"), ("fashion-mnist", "t10k")]
)
def test_offline_message(keras_cache, monkeypatch, name, missing):
    import keras.src.utils.file_utils as file_utils

    monkeypatch.setattr(file_utils, "urlretrieve", _no_network)
    with pytest.raises(DataError) as info:
        load(name)
    message = str(info.value)
    assert missing in message and str(keras_cache) in message
    assert f"seqtui datasets fetch {name}" in message and "--data FILE" in message
    assert not any(p.is_file() for p in keras_cache.rglob("*"))  # nothing half-downloaded is left behind


def test_offline_cli_exit_code_2_without_traceback(keras_cache, monkeypatch, tmp_path):
    import keras.src.utils.file_utils as file_utils

    from seqtui.cli.main import app

    monkeypatch.setattr(file_utils, "urlretrieve", _no_network)
    result = CliRunner().invoke(app, ["train", "--preset", "reuters-lstm", "--runs-dir", str(tmp_path / "r")])
    assert result.exit_code == 2, result.output
    assert "reuters.npz" in result.output and "Traceback" not in result.output
    assert result.output.count("error:") == 1


def test_a_users_file_in_the_cache_is_never_deleted(keras_cache, monkeypatch):
    """Keras would delete a cached imdb.npz whose hash differs and download again; seqtui refuses first."""
    import keras.src.utils.file_utils as file_utils

    monkeypatch.setattr(file_utils, "urlretrieve", lambda *a, **k: pytest.fail("no download may start"))
    keras_cache.mkdir(parents=True, exist_ok=True)
    mine = write_imdb_npz(keras_cache / "imdb.npz")
    before = mine.read_bytes()
    with pytest.raises(DataError, match="left it untouched"):
        load("imdb")
    assert mine.read_bytes() == before


# -- Jena climate ---------------------------------------------------------------------------------------
def test_jena_unzip_never_leaves_half_a_csv_in_the_cache(tmp_path, monkeypatch):
    """A later run takes a cached CSV as whole: an unzip cut short (Ctrl+C, full disk) must leave none."""
    import types
    import zipfile

    from seqtui.datasets import keras_sets

    zipped = tmp_path / "jena_climate_2009_2016.csv.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        zf.writestr("jena_climate_2009_2016.csv", "Date Time,T (degC)\n" + "01.01.2009 00:10:00,-8.0\n" * 500)
    keras = types.SimpleNamespace(utils=types.SimpleNamespace(get_file=lambda *a, **k: str(zipped)))

    def copy_then_fail(src, dst, length=0):
        dst.write(src.read(100))
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch, pytest.raises(OSError):
        patch.setattr(keras_sets.shutil, "copyfileobj", copy_then_fail)
        keras_sets._jena_csv_path(keras)
    assert sorted(p.name for p in tmp_path.iterdir()) == [zipped.name]  # no CSV, no temporary file
    csv_path = keras_sets._jena_csv_path(keras)
    assert csv_path.read_text().count("\n") == 501
