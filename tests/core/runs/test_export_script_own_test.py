"""`seqtui export --format script` on text classification runs whose data carries its own test set: NSMC's
ratings_train.txt with ratings_test.txt beside it, and folders of text files (aclImdb's train/ and test/, or
one folder of class sub-folders). The script reads both parts the way seqtui does (the test file or folder
in the training part's `--limit` share, files decoded with the same fallbacks, <br /> tags and empty files
handled alike), so its arrays are seqtui's exactly; run as its own process it trains the same model to the
same test metric.

The shared steps (and the tolerance) are in script_checks.py.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from seqtui.core.runs.export_script import ScriptError, check_scriptable
from seqtui.datasets.config import DataConfig
from seqtui.datasets.registry import load_dataset
from seqtui.datasets.text_files import decode_bytes
from tests.core.runs.script_checks import (
    run_config,
    same_arrays,
    same_model_and_metrics,
    script_module,
    trained_exported_and_rerun,
)
from tests.data_files import NSMC_NEG, NSMC_POS, write_acl_imdb, write_nsmc


def write_nsmc_files(
    folder: Path, train_rows: int = 300, test_rows: int = 100, test: bool = True, encoding: str = "utf-8"
) -> Path:
    """ratings_train.txt (write_nsmc's rows, plus a duplicate, a row with no label and one with no Hangul) in
    `encoding` and, with `test`, ratings_test.txt beside it in UTF-8, sorted by label as a file cut by class
    would be."""
    folder.mkdir(parents=True, exist_ok=True)
    train = write_nsmc(folder / "ratings_train.txt", rows=train_rows)
    with train.open("a", encoding="utf-8") as fh:
        fh.write(f"1\t{NSMC_POS[2]} 0\t1\n2\t아무 말 없음\t\n3\t... 10/10 !!!\t1\n4\t\t1\n")  # fmt: skip
    train.write_bytes(train.read_text(encoding="utf-8").encode(encoding))
    if test:
        lines = ["id\tdocument\tlabel"]
        lines += [f"{8000 + i}\t{NSMC_NEG[i % 4]} 시험 {i}\t0" for i in range(test_rows // 2)]
        lines += [f"{9000 + i}\t{NSMC_POS[i % 4]} 시험 {i}\t1" for i in range(test_rows - test_rows // 2)]
        lines += ["9999\t\t1", "9998\t?!\t0"]
        (folder / "ratings_test.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def write_acl_like(root: Path, per_class: int = 70) -> Path:
    """write_acl_imdb's tree (unsup/ and the stray files included) plus the files a real folder holds: a
    cp949 Korean review, empty and blank files, a UTF-8 BOM, a UTF-16 and a latin-1 file, one a level deeper,
    a hidden folder, and <br /> tags in several spellings."""
    write_acl_imdb(root, per_class=per_class)
    pos, neg, test_pos, test_neg = (root / s / c for s in ("train", "test") for c in ("pos", "neg"))
    (pos / "900_9.txt").write_bytes("정말 재미있는 영화였어요<br />배우도 좋고 음악도 좋아요".encode("cp949"))
    (neg / "901_2.txt").write_bytes(b"")
    (neg / "902_1.txt").write_bytes(b"  \n \r\n")
    (neg / "903_3.txt").write_bytes("\ufeffA dull film with a BOM.<BR>Skip it.".encode())
    (neg / "904_1.txt").write_bytes("Awful, a UTF-16 review.".encode("utf-16"))
    (pos / "905_8.txt").write_bytes("The caf\xe9 scene was lovely<br/>truly na\xefve".encode("latin-1"))
    (pos / "deeper").mkdir()
    (pos / "deeper" / "906_7.txt").write_text("A nested but lovely review.", encoding="utf-8")
    (root / "train" / ".cache").mkdir()
    (root / "train" / ".cache" / "x.txt").write_text("never a class")
    (test_pos / "907_10.txt").write_bytes("한국 관객도 좋아할 영화".encode("cp949"))
    (test_neg / "908_2.txt").write_text("<br /><br />", encoding="utf-8")  # only tags: empty, left out
    return root


def write_topic_folders(root: Path, per_class: int = 40) -> Path:
    """One folder of Korean class sub-folders (no train/ or test/), a file a level deeper, and an unsup/."""
    topics = {
        "날씨": "오늘 날씨가 맑고 바람이 분다",
        "음식": "김치찌개가 정말 맛있어요",
        "영화": "새 영화를 극장에서 봤어요",
    }
    for topic, text in topics.items():
        folder = root / topic / "more"
        folder.mkdir(parents=True)
        for i in range(per_class):
            where = folder if i % 7 == 0 else folder.parent
            (where / f"{i}.txt").write_text(f"{text} {i}번째 이야기<br>끝", encoding="utf-8")
    (root / "unsup").mkdir()
    (root / "unsup" / "0.txt").write_text("분류 없는 글", encoding="utf-8")
    return root


def _nsmc(tmp: Path, **kw) -> str:
    return str(write_nsmc_files(tmp / "nsmc", **kw))


CASES = {  # dataset, where its data is, settings, whether it has its own test set
    "nsmc-folder": ("nsmc", lambda t: _nsmc(t), {"split_seed": 3}, True),
    "nsmc-limit": ("nsmc", lambda t: _nsmc(t) + "/ratings_train.txt", {"sample_limit": 30, "standardize": "hangul"},
                   True),
    "nsmc-long-test": ("nsmc", lambda t: _nsmc(t, train_rows=150, test_rows=600), {"sample_limit": 20}, True),
    "nsmc-morphemes": ("nsmc", lambda t: _nsmc(t), {"split": "morpheme", "sample_limit": 30, "split_seed": 1},
                       True),
    "nsmc-cp949": ("nsmc", lambda t: _nsmc(t, encoding="cp949"), {"standardize": "hangul"}, True),
    "nsmc-no-test": ("nsmc", lambda t: _nsmc(t, test=False), {"sample_limit": 30}, False),
    "acl": ("file", lambda t: str(write_acl_like(t / "aclImdb", per_class=20)), {"standardize": "lower_punct"},
            True),
    "acl-limit": ("file", lambda t: str(write_acl_like(t / "aclImdb")), {"sample_limit": 12, "split_seed": 2}, True),
    "acl-encoding": ("file", lambda t: str(write_acl_like(t / "aclImdb", per_class=20)), {"encoding": "latin-1"},
                     True),
    "acl-train-only": ("file", lambda t: str(write_acl_like(t / "aclImdb", per_class=20) / "train"), {}, False),
    "korean-folders": ("file", lambda t: str(write_topic_folders(t / "topics")), {"sample_limit": 20,
                       "standardize": "hangul", "validation_split": 0.1}, False),
}  # fmt: skip


@pytest.mark.parametrize(
    "case", [pytest.param(c, marks=pytest.mark.slow) if "morphemes" in c else c for c in CASES]
)  # morphemes: kiwipiepy's model loads in ~10 s, twice
def test_the_script_reads_the_data_and_its_test_set_into_seqtuis_arrays(tmp_path, case):
    dataset, writer, settings, own_test = CASES[case]
    data = DataConfig(dataset, data_path=writer(tmp_path), **{"maxlen": 12, **settings})
    ds = load_dataset(data)
    module = script_module(run_config(data, ds), ds, tmp_path / "exp")
    parts = module.load_data(module.DATA)
    if data.sample_limit:
        parts = module.limited(parts)
    same_arrays(parts, ds)
    assert len(ds.x_train) > 10 and ds.x_train.max() > 1 and len(set(ds.y_test.tolist())) > 1
    assert ("the data's own test set is tested on" in Path(module.__file__).read_text()) == own_test
    if case == "nsmc-cp949":
        assert (module.ENCODING, module.TEST_ENCODING) == ("cp949", "utf-8")


def test_nsmcs_own_test_file_is_its_test_set_with_its_classes_named(tmp_path):
    """Every ratings_test.txt row with words is tested on (none of the training file's), shuffled with
    split_seed + 1 out of its sorted order; the classes are NSMC's names."""
    folder = write_nsmc_files(tmp_path / "nsmc", train_rows=80, test_rows=50)
    data = DataConfig("nsmc", data_path=str(folder), maxlen=12)
    ds = load_dataset(data)
    module = script_module(run_config(data, ds), ds, tmp_path / "exp")
    (_, _), (_, _), (x_test, y_test) = module.load_data(module.DATA)
    assert module.CLASSES == ds.class_names == ["negative", "positive"]
    assert folder / "ratings_train.txt" == module.DATA
    assert len(x_test) == 50  # the empty row left out, "?!" dropped: no words after standardising
    assert sorted(y_test.tolist()) == [0] * 25 + [1] * 25 and y_test[:25].tolist() != [0] * 25
    np.testing.assert_array_equal(y_test, ds.y_test)


def test_the_scripts_decoding_is_seqtuis(tmp_path):
    """Each file's bytes decoded as seqtui decodes them: BOMs, UTF-8, CP949 for Korean, else latin-1."""
    folder = write_acl_like(tmp_path / "aclImdb", per_class=4)
    data = DataConfig("file", data_path=str(folder), maxlen=12)
    ds = load_dataset(data)
    module = script_module(run_config(data, ds), ds, tmp_path / "exp")
    samples = [
        "한국어 리뷰".encode("cp949"),
        b"ABC \xe9\xe9",  # decodes as CP949, but to a Hanja, not Hangul: latin-1
        "가".encode("cp949") + b"\xe9\xe9",  # half Hangul: still latin-1 (seqtui wants over 90%)
        "\ufeffBOM".encode(),
        "UTF-16 글".encode("utf-16"),
        "plain UTF-8 글".encode(),
        "caf\xe9".encode("latin-1"),
    ]
    for raw in samples:
        assert module.decoded(raw, Path("x.txt")) == decode_bytes(raw, Path("x.txt"))[0]
    assert module.decoded("한국어".encode("cp949"), Path("x.txt")) == "한국어"
    with pytest.raises(SystemExit, match="binary"):
        module.decoded(b"\x00\x01binary", Path("x.bin"))


def test_the_script_finds_the_test_file_beside_the_data_it_is_given(tmp_path):
    folder = write_nsmc_files(tmp_path / "nsmc", train_rows=60, test_rows=20)
    data = DataConfig("nsmc", data_path=str(folder / "ratings_train.txt"), maxlen=12)
    ds = load_dataset(data)
    module = script_module(run_config(data, ds), ds, tmp_path / "exp")
    moved = shutil.copytree(folder, tmp_path / "elsewhere")
    (x_train, _), _, (x_test, _) = module.load_data(moved)  # the folder, as seqtui takes it too
    np.testing.assert_array_equal(x_train, ds.x_train)
    np.testing.assert_array_equal(x_test, ds.x_test)
    (moved / "ratings_test.txt").unlink()
    with pytest.raises(SystemExit, match="ratings_test.txt beside ratings_train.txt"):
        module.load_data(moved / "ratings_train.txt")
    (tmp_path / "acl").mkdir()
    folders = write_acl_like(tmp_path / "acl" / "aclImdb", per_class=10)
    data = DataConfig("file", data_path=str(folders), maxlen=12)
    ds = load_dataset(data)
    module = script_module(run_config(data, ds), ds, tmp_path / "exp2")
    shutil.rmtree(folders / "test")
    with pytest.raises(SystemExit, match="test is not a folder"):
        module.load_data(folders)


def test_what_a_script_cant_read_of_own_test_data_is_one_clear_error(tmp_path):
    folder = write_nsmc_files(tmp_path / "nsmc", train_rows=60, test_rows=20)
    ds = load_dataset(DataConfig("nsmc", data_path=str(folder), maxlen=12))
    text = folder / "ratings_test.txt"
    text.write_text(text.read_text(encoding="utf-8").replace("document", "review", 1), encoding="utf-8")
    with pytest.raises(ScriptError, match=r"seqtui can't read nsmc now \(.*ratings_test.txt.*'document'"):
        check_scriptable(run_config(DataConfig("nsmc", data_path=str(folder)), ds))
    mixed = write_nsmc_files(tmp_path / "mixed", train_rows=60, test=False) / "ratings_train.txt"
    with mixed.open("a", encoding="utf-8") as fh:
        fh.writelines(f"{7000 + i}\t별로 재미없음 {i}\tnegative\n" for i in range(5))
    data = DataConfig("nsmc", data_path=str(mixed), maxlen=12)
    mixed_ds = load_dataset(data)
    assert mixed_ds.class_names == ["negative", "positive", "negative"]  # "0", "1" and "negative"
    with pytest.raises(ScriptError, match="two labels of ratings_train.txt became one class name"):
        check_scriptable(run_config(data, mixed_ds))
    acl = write_acl_like(tmp_path / "aclImdb", per_class=6)
    acl_ds = load_dataset(DataConfig("file", data_path=str(acl / "train"), maxlen=12))
    shutil.rmtree(acl / "train" / "neg")
    cases = [
        (acl / "train", "the folder train no longer holds one sub-folder of .txt files per class"),
        (tmp_path / "gone", "no longer there"),
    ]
    for path, message in cases:
        data = DataConfig("file", data_path=str(path))
        with pytest.raises(ScriptError, match=re.escape(message)):
            check_scriptable(run_config(data, acl_ds))


def test_the_exported_script_trains_the_nsmc_run_again(tmp_path):
    """NSMC (its folder, --limit, its own test file), a GRU for 2 epochs, run again by the script from the
    folder where the files are now."""
    folder = write_nsmc_files(tmp_path / "nsmc", train_rows=300, test_rows=100)
    moved = tmp_path / "moved"
    train = ["--dataset", "nsmc", "--data", str(folder), "--arch", "gru", "--units", "8", "--embedding-dim", "8",
             "--maxlen", "12", "--vocab-size", "200", "--epochs", "2", "--limit", "60", "--seed", "5"]  # fmt: skip
    run, output = trained_exported_and_rerun(
        tmp_path, train, ["--epochs", "2", "--data", str(moved)], lambda: folder.rename(moved)
    )
    assert same_model_and_metrics(run, output) == 200 * 8 + 3 * (8 * 8 + 8 * 8 + 2 * 8) + 8 + 1


@pytest.mark.slow
def test_the_exported_script_trains_the_text_folder_run_again(tmp_path):
    """aclImdb's layout (train/ and test/, with unsup/, Korean CP949, empty and UTF-16 files), a Conv1D for 2
    epochs (measured: 24 s on the shared 2-core machine at load average 6; the module tests cover the rest)."""
    folder = write_acl_like(tmp_path / "aclImdb", per_class=40)
    train = ["--data", str(folder), "--arch", "conv1d", "--embedding-dim", "8", "--maxlen", "16",
             "--vocab-size", "150", "--epochs", "2", "--seed", "2"]  # fmt: skip
    run, output = trained_exported_and_rerun(tmp_path, train, ["--epochs", "2"])
    assert same_model_and_metrics(run, output) == 150 * 8 + (5 * 8 * 64 + 64) + 64 + 1
