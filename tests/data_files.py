"""Small files written in the exact layouts of the real ones: Kaggle's spam.csv, NSMC's ratings_*.txt,
aclImdb's folders, the Jena climate CSV, Keras' imdb/reuters/mnist .npz, word-index JSON and idx .gz."""

from __future__ import annotations

import datetime
import gzip
import json
import math
import struct
from pathlib import Path

import numpy as np

SPAM_HAM = [
    "Go until jurong point, crazy.. Available only in bugis n great world la e buffet... Cine there got amore wat...",
    "Ok lar... Joking wif u oni...",
    "U dun say so early hor... U c already then say...",
    "Nah I don't think he goes to usf, he lives around here though",
    "Even my brother is not like to speak with me. They treat me like aids patent.",
    "As per your request 'Melle Melle (Oru Minnaminunginte Nurungu Vettam)' has been set as your callertune",
    "I'm gonna be home soon and i don't want to talk about this stuff anymore tonight, k?",
    "I've been searching for the right words to thank you for this breather.",
    "I HAVE A DATE ON SUNDAY WITH WILL!!",
    "Oh k...i'm watching here:)",
    "Eh u remember how 2 spell his name... Yes i did. He v naughty make until i v wet.",
    "Fine if that\x92s the way u feel. That\x92s the way its gota b",
    "Is that seriously how you spell his name?",
    "I\x89Û÷m going to try for 2 months ha ha only joking",
    "So ü pay first lar... Then when is da stock comin...",
]
SPAM_SPAM = [
    "Free entry in 2 a wkly comp to win FA Cup final tkts 21st May 2005. Text FA to 87121 to receive entry",
    "FreeMsg Hey there darling it's been 3 week's now and no word back! I'd like some fun you up for it still?",
    "WINNER!! As a valued network customer you have been selected to receivea £900 prize reward!",
    "Had your mobile 11 months or more? U R entitled to Update to the latest colour mobiles with camera for Free!",
    "SIX chances to win CASH! From 100 to 20,000 pounds txt> CSH11 and send to 87575.",
    "URGENT! You have won a 1 week FREE membership in our £100,000 Prize Jackpot!",
]


def write_spam_csv(path: Path, copies: int = 2) -> Path:
    """Kaggle's spam.csv: latin-1, CRLF, header `v1,v2,,,`, quoted texts with commas, duplicates, and the
    odd row whose text spilled into the unnamed columns."""
    lines = ["v1,v2,,,"]
    for k in range(copies):  # every later copy is an exact duplicate, as in the real file
        lines += [f'ham,"{t}",,,' if "," in t or '"' in t else f"ham,{t},,," for t in SPAM_HAM]
        lines += [f'spam,"{t}",,,' if "," in t else f"spam,{t},,," for t in SPAM_SPAM]
        if k == 0:
            lines.append('ham,"Hi, wkend ok?"," this is spill-over text",,')
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("latin-1"))
    return path


NSMC_POS = [
    "너무재밓었다그래서보는것을추천한다",
    "사이몬페그의 익살스런 연기가 돋보였던 영화!",
    "최고의 영화 진짜 감동",
    "배우들 연기 정말 좋았어요 ㅎㅎ",
]
NSMC_NEG = [
    "아 더빙.. 진짜 짜증나네요 목소리",
    "흠...포스터보고 초딩영화줄....오버연기조차 가볍지 않구나",
    "교도소 이야기구먼 ..솔직히 재미는 없다",
    "별로 재미없음",
]


def write_nsmc(path: Path, rows: int = 40, start_id: int = 9976970) -> Path:
    """ratings_train.txt: UTF-8, `id<TAB>document<TAB>label`, LF, some empty documents, a leading quote."""
    lines = ["id\tdocument\tlabel"]
    for i in range(rows):
        label = i % 2
        text = (NSMC_POS if label else NSMC_NEG)[i % 4] + f" {i}"
        lines.append(f"{start_id + i}\t{text}\t{label}")
    lines.append(f"{start_id + rows}\t\t0")  # NSMC has a few rows with no document
    lines.append(f'{start_id + rows + 1}\t"재밌다" 는 말이 딱\t1')  # an unclosed quote: TSV has no quoting
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


ACL_POS = [
    "A wonderful film with great acting.<br /><br />Loved it.",
    "Brilliant, moving and funny. A must see.",
]
ACL_NEG = ["Terrible plot and awful acting.<br />Avoid.", "Boring, slow and far too long. A waste of time."]


def write_acl_imdb(root: Path, per_class: int = 8) -> Path:
    """aclImdb/{train,test}/{pos,neg}/ID_RATING.txt plus train/unsup/ and the stray files of the real tree."""
    for split in ("train", "test"):
        for label, texts, ratings in (("pos", ACL_POS, (7, 10)), ("neg", ACL_NEG, (1, 4))):
            folder = root / split / label
            folder.mkdir(parents=True)
            for i in range(per_class):
                text = texts[i % len(texts)] + f" Review {split} {i}."
                (folder / f"{i}_{ratings[i % 2]}.txt").write_text(text, encoding="utf-8")
        (root / split / "labeledBow.feat").write_text("0:9 1:1\n")
        (root / split / "urls_pos.txt").write_text("http://www.imdb.com/title/tt0453418/usercomments\n")
    unsup = root / "train" / "unsup"
    unsup.mkdir()
    (unsup / "0_0.txt").write_text("An unlabelled review.", encoding="utf-8")
    (root / "imdb.vocab").write_text("the\nand\n")
    return root


JENA_HEADER = (
    '"Date Time","p (mbar)","T (degC)","Tpot (K)","Tdew (degC)","rh (%)","VPmax (mbar)","VPact (mbar)",'
    '"VPdef (mbar)","sh (g/kg)","H2OC (mmol/mol)","rho (g/m**3)","wv (m/s)","max. wv (m/s)","wd (deg)"'
)


def write_jena(path: Path, rows: int = 600) -> Path:
    """jena_climate_2009_2016.csv: quoted header, `dd.mm.yyyy HH:MM:SS` timestamps every 10 minutes."""
    start = datetime.datetime(2009, 1, 1, 0, 10)
    lines = [JENA_HEADER]
    for i in range(rows):
        t = -8.02 + 5 * math.sin(i / 24)
        values = [996.52 + math.sin(i / 50), t, t + 273.42, t - 0.88, 93.3, 3.33, 3.11, 0.22, 1.94, 3.12,
                  1307.75, 1.03, 1.75, 152.3]  # fmt: skip
        stamp = (start + datetime.timedelta(minutes=10 * i)).strftime("%d.%m.%Y %H:%M:%S")
        lines.append(stamp + "," + ",".join(f"{v:.2f}" for v in values))
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def ragged(seqs: list[list[int]]) -> np.ndarray:
    """An object array of Python int lists: how Keras stores IMDB and Reuters."""
    out = np.empty(len(seqs), dtype=object)
    for i, seq in enumerate(seqs):
        out[i] = [int(w) for w in seq]
    return out


def _reviews(n: int, seed: int, vocab: int = 40) -> tuple[list[list[int]], np.ndarray]:
    rng = np.random.default_rng(seed)
    seqs = [rng.integers(1, vocab, size=int(rng.integers(3, 30))).tolist() for _ in range(n)]
    return seqs, rng.integers(0, 2, size=n).astype("int64")


def write_imdb_npz(path: Path, n: int = 30) -> Path:
    (x_tr, y_tr), (x_te, y_te) = _reviews(n, 0), _reviews(n, 1)
    np.savez(path, x_train=ragged(x_tr), y_train=y_tr, x_test=ragged(x_te), y_test=y_te)
    return path


def write_reuters_npz(path: Path, n: int = 50) -> Path:
    """reuters.npz holds `x` and `y` only; Keras splits them with test_split."""
    seqs, _ = _reviews(n, 2)
    np.savez(path, x=ragged(seqs), y=(np.arange(n) % 46).astype("int64"))
    return path


WORDS = ["the", "and", "a", "of", "to", "is", "br", "in", "it", "i", "this", "film", "movie", "great", "bad"]


def write_word_index(path: Path) -> Path:
    """{word: rank}, rank 1 the most frequent, as Keras' *_word_index.json."""
    path.write_text(json.dumps({w: i + 1 for i, w in enumerate(WORDS)}), encoding="utf-8")
    return path


def write_mnist_npz(path: Path, n: int = 40) -> Path:
    rng = np.random.default_rng(3)
    images = lambda k: rng.integers(0, 256, size=(k, 28, 28)).astype("uint8")  # noqa: E731
    labels = lambda k: (np.arange(k) % 10).astype("uint8")  # noqa: E731
    np.savez(path, x_train=images(n), y_train=labels(n), x_test=images(n // 2), y_test=labels(n // 2))
    return path


def write_idx(path: Path, array: np.ndarray) -> Path:
    """An idx file, gzipped: magic 2049 for labels (n,), 2051 for images (n, 28, 28), big-endian sizes."""
    if array.ndim == 1:
        header = struct.pack(">II", 2049, len(array))
    else:
        header = struct.pack(">IIII", 2051, *array.shape)
    with gzip.open(path, "wb") as fh:
        fh.write(header + array.astype("uint8").tobytes())
    return path


def write_fashion_folder(folder: Path, n: int = 30) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(4)
    for split, k in (("train", n), ("t10k", n // 2)):
        write_idx(folder / f"{split}-labels-idx1-ubyte.gz", (np.arange(k) % 10).astype("uint8"))
        write_idx(folder / f"{split}-images-idx3-ubyte.gz", rng.integers(0, 256, size=(k, 28, 28)))
    return folder


def write_reviews_csv(path: Path, rows: int = 40) -> Path:
    """A user's own table with non-standard column names: review, verdict."""
    good = ["a great and moving film", "loved every minute, wonderful", "brilliant acting and a fine story"]
    bad = ["a dull and boring film", "hated it, awful from the start", "terrible acting and a silly plot"]
    lines = ["id,review,verdict"]
    for i in range(rows):
        verdict = "good" if i % 2 else "bad"
        text = (good if i % 2 else bad)[i % 3]
        lines.append(f'{i},"{text} {i}",{verdict}')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def load_file(path, **settings):
    """A user file through the `file` dataset, as `--data PATH` reads it (maxlen 10 unless given)."""
    from seqtui.datasets.config import DataConfig
    from seqtui.datasets.files import load_user_file
    from seqtui.datasets.registry import get_dataset

    settings = {"maxlen": 10, **settings}
    return load_user_file(DataConfig("file", data_path=str(path), **settings), get_dataset("file"))


def file_error(path, **settings) -> str:
    """The DataError message `load_file` raises for `path`."""
    import pytest

    from seqtui.datasets.errors import DataError

    with pytest.raises(DataError) as info:
        load_file(path, **settings)
    return str(info.value)
