"""The part of a `train.py` for a run that started from pretrained word vectors (`--embeddings FILE`): the
script reads the same vector file the way `seqtui.datasets.word_vectors` reads it (GloVe, or word2vec /
fastText text after their `COUNT DIM` line; a word's first line counts; words NFC-normalised), builds the
same matrix for the run's vocabulary (encoder.json's word_index, ids below the Embedding's rows: found words
get their vectors, padding zeros, the rest seeded random with the spread of the found vectors), and sets it
into the Embedding after `build_model`, as seqtui does; the layer stays trainable unless the run froze it.

At export the file must still be there and be the one the run read (the SHA-256 config.json recorded); the
script computes the SHA-256 again while reading, and says so when --vectors gives another file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from seqtui.common.names import clean_text
from seqtui.core.runs.script_parts import Config
from seqtui.core.runs.script_parts import quoted as _q
from seqtui.datasets.fingerprint import data_fingerprint

FORMATS = {"GloVe": False, "word2vec/fastText text": True}
"""The formats config.json records (`PretrainedVectors.record`), and whether the file starts with a header."""
_SHA256 = re.compile(r"[0-9a-f]{64}")


def uses_vectors(config: Config) -> bool:
    """Whether the run started its Embedding from pretrained word vectors."""
    return bool(config.get("model", {}).get("embeddings"))


def _record(config: Config) -> dict[str, Any] | None:
    """config.json's `pretrained_vectors`, when it says what a script needs (SHA-256, format, dimension)."""
    record = config.get("pretrained_vectors")
    if not isinstance(record, dict):
        return None
    dim, sha = record.get("dim"), record.get("sha256")
    known = record.get("format") in FORMATS and isinstance(sha, str) and bool(_SHA256.fullmatch(sha))
    fits = isinstance(dim, int) and not isinstance(dim, bool) and dim == config["model"].get("embedding_dim")
    return record if known and fits else None


def vector_file(config: Config) -> Path:
    """The run's --embeddings file, as an absolute path."""
    return Path(str(config["model"]["embeddings"])).expanduser().resolve()


def vectors_problem(config: Config) -> str | None:
    """Why a script can't start from the run's word vectors the way seqtui did, or None (also for a run
    without them). Reads the whole file once, for its SHA-256."""
    if not uses_vectors(config):
        return None
    if config.get("input_kind") != "tokens":
        return f"pretrained word vectors are for text, and this run's input is {config.get('input_kind')!r}"
    record = _record(config)
    if record is None:
        return (
            "the run's config.json does not record the pretrained word vectors it started from (--embeddings)"
        )
    path = vector_file(config)
    shown = repr(clean_text(path, 200))
    if not path.is_file():
        return f"the run's pretrained word vectors {shown} are no longer there to read"
    if data_fingerprint(path) != record["sha256"]:
        return (
            f"{shown} is not the word-vector file the run started from (its SHA-256 differs from the one in "
            "config.json); restore the original file"
        )
    return None


def vectors_imports(config: Config) -> tuple[str, ...]:
    """The standard library modules the vectors part uses."""
    return ("hashlib", "json", "unicodedata") if uses_vectors(config) else ()


def embedding_row(model: dict[str, Any], vocab: int) -> str:
    """The Embedding layer as seqtui builds it: frozen only for pretrained vectors kept as they are."""
    if model.get("embeddings") and model.get("freeze_embeddings") is True:
        return f"layers.Embedding({vocab}, {model['embedding_dim']}, trainable=False)  # vectors kept as they are"
    return f"layers.Embedding({vocab}, {model['embedding_dim']})"


VECTORS_OPTION = """    parser.add_argument("--vectors", type=Path, default=VECTORS, help="the word-vector file (default: the run's)")
"""
"""The option of `main` that reads the vector file from elsewhere."""
VECTORS_IN_MAIN = """    try:
        matrix = pretrained_matrix(args.vectors)
    except (OSError, ValueError) as exc:  # a wrong --vectors: one line and exit code 2, no traceback
        parser.error(f"--vectors {args.vectors}: {exc}")
    model.layers[0].set_weights([matrix])  # the Embedding starts from the vectors
"""
"""The line of `main` after `build_model`: seqtui sets the matrix after building, as this does."""


def vectors_section(config: Config) -> str:
    """The constants and functions that read the vector file and build the Embedding's first weights; ""
    for a run without pretrained vectors."""
    if not uses_vectors(config):
        return ""
    record = config["pretrained_vectors"]
    header = FORMATS[record["format"]]
    found, words = record.get("found"), record.get("words")
    coverage = (
        f"  # the run found {found:,} of {words:,} words"
        if isinstance(found, int) and isinstance(words, int)
        else ""
    )
    return f'''VECTORS = Path({_q(str(vector_file(config)))})  # the run's --embeddings file ({record["format"]})
VECTORS_SHA256 = "{record["sha256"]}"{coverage}
VECTORS_DIM = {record["dim"]!r}
VECTORS_HEADER = {header!r}  # word2vec text / fastText .vec start with a line "COUNT DIM"
EMBEDDING_ROWS = {config["data"]["vocab_size"]!r}  # ids of the Embedding layer
VOCABULARY = json.loads(Path(__file__).with_name("encoder.json").read_text(encoding="utf-8"))["tokenizer"]
VECTOR_WORDS = {{word: i for word, i in VOCABULARY["word_index"].items() if i < EMBEDDING_ROWS}}
"""The run's vocabulary words that have a row of the Embedding (padding and OOV have ids below them)."""


{_READ_VECTORS}


{_MATRIX}'''


_READ_VECTORS = '''def is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def vector_line(text):
    """(word, its numbers) of one line; a word may hold spaces (GloVe 840B has a few): the numbers are the last
    VECTORS_DIM fields."""
    if text.count(" ") == VECTORS_DIM:
        word, _, rest = text.partition(" ")
        numbers = rest.split()
    else:
        fields = text.split()
        if len(fields) > VECTORS_DIM + 1 and not is_number(fields[-VECTORS_DIM - 1]):
            word, numbers = " ".join(fields[:-VECTORS_DIM]), fields[-VECTORS_DIM:]
        else:
            word, numbers = fields[0], fields[1:]
    return unicodedata.normalize("NFC", word), numbers


def read_vectors(path):
    """The vectors of the vocabulary's words in the file (the first line of a word that repeats), in the
    file's order, and the file's SHA-256."""
    digest, found = hashlib.sha256(), {}
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh, 1):
            digest.update(raw)
            text = raw.decode("utf-8").rstrip()
            if (number == 1 and VECTORS_HEADER) or not text:
                continue
            word, numbers = vector_line(text)
            if word in VECTOR_WORDS and word not in found:
                if len(numbers) != VECTORS_DIM:
                    raise SystemExit(f"line {number} of {path} has {len(numbers)} numbers, not {VECTORS_DIM}")
                found[word] = np.asarray(numbers, dtype=np.float32)
    return found, digest.hexdigest()'''


_MATRIX = '''def pretrained_matrix(path):
    """The Embedding's first weights: the vectors of the words found, zeros for padding (id 0), and for the
    rest (OOV, words the file lacks) random numbers, seeded, with the spread of the vectors found."""
    if not path.is_file():
        raise SystemExit(f"no word-vector file {path}: give it with --vectors PATH")
    found, sha256 = read_vectors(path)
    if sha256 != VECTORS_SHA256:
        print(f"note: {path} is not the word-vector file the run read (its SHA-256 differs): expect other numbers")
    if not found:
        raise SystemExit(f"none of the vocabulary's words is in {path}")
    spread = float(np.stack(list(found.values())).std()) or 0.05
    matrix = np.random.default_rng(SEED).normal(0.0, spread, (EMBEDDING_ROWS, VECTORS_DIM)).astype(np.float32)
    matrix[0] = 0.0  # padding
    for word, vector in found.items():
        matrix[VECTOR_WORDS[word]] = vector
    print(f"pretrained vectors: {len(found):,} of {len(VECTOR_WORDS):,} words found; the rest start random")
    return matrix'''
