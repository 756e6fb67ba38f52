"""Pretrained word vectors (`--embeddings FILE`) in the text formats GloVe, word2vec and fastText publish.

GloVe: one `word v1 v2 ... vD` per line, no header. word2vec text and fastText .vec: the same lines after a
first line `COUNT DIM`. The file is read once, line by line, keeping only the words of the run's vocabulary,
so a 1 GB file costs one pass and the memory of the vocabulary's vectors; its SHA-256 is taken in the same
pass. Tokens are looked up as the tokenizer made them (lowercased words, characters, Korean morphemes).

The matrix has one row per id of the Embedding layer: found words get their vectors, the rest (OOV, words
the file lacks) start random with the spread of the found vectors, padding (id 0) starts at zero.
"""

from __future__ import annotations

import codecs
import hashlib
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from seqtui.common.files import UnreadableFile, open_regular
from seqtui.common.names import clean_text
from seqtui.datasets.errors import DataError
from seqtui.datasets.tokenizer import Tokenizer

MAX_LINE = 1 << 20
"""The longest line read (1 MiB, a word and ~100,000 numbers): a longer one is not a text vector file."""
HEAD = 4096
"""Bytes looked at to tell a binary file from a text one."""
PROGRESS_EVERY = 1 << 16
"""Lines read between two calls of the progress callback (which may raise to stop the reading)."""


@dataclass(frozen=True)
class VectorFile:
    """What the first lines of a vector file say: its format and the dimension of its vectors."""

    path: Path
    dim: int
    header: bool
    """word2vec text / fastText .vec: a first line `COUNT DIM`."""

    @property
    def format(self) -> str:
        return "word2vec/fastText text" if self.header else "GloVe"

    @property
    def name(self) -> str:
        """The file's name, fit for a terminal."""
        return repr(clean_text(self.path.name, 80))


@dataclass(frozen=True)
class PretrainedVectors:
    """The Embedding layer's initial weights for one vocabulary, and how much of it the file covered."""

    matrix: np.ndarray
    """rows x dim, float32."""
    found: int
    words: int
    """Vocabulary words the layer has rows for (padding and OOV not counted)."""
    file: VectorFile
    sha256: str
    missing: tuple[str, ...] = ()
    """The most frequent vocabulary words the file lacks (at most 10)."""

    @property
    def percent(self) -> float:
        return 100.0 * self.found / self.words if self.words else 0.0

    def line(self) -> str:
        """One line for the run's log: 'GloVe 100d: 8,412 of 9,998 words (84.1%) found; the rest start random'."""
        f = self.file
        return (
            f"pretrained vectors {f.name} ({f.format} {f.dim}d): {self.found:,} of {self.words:,} words "
            f"({self.percent:.1f}%) found; the rest start random"
        )

    def record(self) -> dict[str, object]:
        """What config.json keeps: the file, its SHA-256 and the coverage (a resume checks the file)."""
        return {
            "path": str(self.file.path),
            "sha256": self.sha256,
            "format": self.file.format,
            "dim": self.file.dim,
            "found": self.found,
            "words": self.words,
            "coverage": round(self.percent / 100, 4),
        }


def _open(path: Path) -> BinaryIO:
    """The file opened for reading, or one DataError saying why not."""
    shown = repr(clean_text(path, 200))
    try:
        return open_regular(path)
    except FileNotFoundError:
        raise DataError(f"no word-vector file {shown}: check the path given with --embeddings") from None
    except UnreadableFile as exc:
        raise DataError(f"the word-vector file {shown} {exc}") from None
    except OSError as exc:
        raise DataError(f"the word-vector file {shown} can't be read: {exc.strerror or exc}") from None


def _header(line: bytes) -> tuple[int, int] | None:
    """(COUNT, DIM) when the line is a word2vec/fastText header."""
    parts = line.split()
    if len(parts) == 2 and all(p.isdigit() for p in parts):
        return int(parts[0]), int(parts[1])
    return None


def _binary_message(name: str, path: Path, header: bool) -> str:
    if header:
        return (
            f"{name} is in word2vec's binary format; seqtui reads the text formats (GloVe, word2vec text, "
            f'fastText .vec). Convert it once with gensim: python -c "from gensim.models import KeyedVectors; '
            f"KeyedVectors.load_word2vec_format('{path.name}', binary=True)"
            f".save_word2vec_format('{path.stem}.txt', binary=False)\""
        )
    return (
        f"{name} is a binary file, not word vectors as text (GloVe .txt, word2vec text, fastText .vec); "
        "for a fastText model (.bin) use the .vec file published beside it"
    )


def _check_head(head: bytes, name: str, path: Path) -> None:
    """Refuse compressed archives and binary files before reading a line of them."""
    if not head:
        raise DataError(f"{name} is empty: a word-vector file has one 'word v1 v2 ...' line per word")
    if head.startswith(b"\x1f\x8b"):
        raise DataError(f"{name} is gzip-compressed; decompress it first (gunzip) and give the .txt/.vec")
    if head.startswith(b"PK\x03\x04"):
        raise DataError(f"{name} is a zip archive; unzip it first and give one of its .txt files")
    first, _, rest = head.partition(b"\n")
    header = _header(first) is not None
    try:
        codecs.getincrementaldecoder("utf-8")().decode(rest if header else head, final=False)
        undecodable = False
    except UnicodeDecodeError:
        undecodable = True  # without a header, a text file in another encoding: said with its line number
    if b"\x00" in head or (header and undecodable):
        raise DataError(_binary_message(name, path, header))


def probe(path: str | Path) -> VectorFile:
    """The file's format and dimension from its first lines (a header, else the first vector's length).
    Raises DataError for a missing, empty, compressed, binary or malformed file."""
    path = Path(path).expanduser()
    name = repr(clean_text(path.name, 80))
    with _open(path) as fh:
        _check_head(fh.read(HEAD), name, path)
        fh.seek(0)
        first = fh.readline(MAX_LINE)
        header = _header(first)
        line, number = (fh.readline(MAX_LINE), 2) if header else (first, 1)
    if not line.strip():
        raise DataError(f"{name} has a header line ({first.strip().decode()}) but no vectors")
    text = _decoded(line, number, name)
    word, values = _fields(text)
    if not values:
        raise DataError(f"line {number} of {name} has a word and no numbers; lines are 'word v1 v2 ...'")
    _numbers(values, number, name)
    if header and len(values) != header[1]:
        raise DataError(
            f"line {number} of {name} has {len(values)} numbers, but the header says {header[1]} "
            "(wrong dimension)"
        )
    return VectorFile(path, len(values), header is not None)


def _decoded(line: bytes, number: int, name: str) -> str:
    if len(line) >= MAX_LINE and not line.endswith(b"\n"):
        raise DataError(f"line {number} of {name} is longer than 1 MiB: not a text word-vector file")
    try:
        return line.decode("utf-8").rstrip()
    except UnicodeDecodeError as exc:
        raise DataError(
            f"line {number} of {name} is not UTF-8 (byte {exc.start + 1}); save the file as UTF-8"
        ) from None


def _fields(text: str) -> tuple[str, list[str]]:
    parts = text.split()
    return (parts[0], parts[1:]) if parts else ("", [])


def _numbers(values: list[str], number: int, name: str) -> np.ndarray:
    try:
        vector = np.asarray(values, dtype=np.float32)
    except ValueError:
        bad = next(v for v in values if not _is_number(v))
        raise DataError(
            f"line {number} of {name}: {clean_text(bad, 40)!r} is not a number; lines are 'word v1 v2 ...'"
        ) from None
    if not np.isfinite(vector).all():
        raise DataError(f"line {number} of {name} has a value that is not a finite number (nan or inf)")
    return vector


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _split_line(text: str, dim: int, number: int, name: str) -> tuple[str, str]:
    """(word, its numbers as text) of one line, checked to hold `dim` numbers. A line with more fields whose
    extra ones are not numbers is a word with spaces in it (GloVe 840B has a few)."""
    spaces = text.count(" ")
    if spaces == dim:
        word, _, rest = text.partition(" ")
        return word, rest
    fields = text.split()
    if len(fields) > dim + 1 and not _is_number(fields[-dim - 1]):
        return " ".join(fields[:-dim]), " ".join(fields[-dim:])
    if len(fields) != dim + 1:
        raise DataError(
            f"line {number} of {name} has {len(fields) - 1} numbers after its word, not {dim} as the first "
            "line has (wrong dimension)"
        )
    return fields[0], " ".join(fields[1:])


Progress = Callable[[int], None]
"""Called with the lines read so far every PROGRESS_EVERY lines; it may raise to stop (a cancelled run)."""


def read_vectors(
    file: VectorFile, wanted: set[str], progress: Progress | None = None
) -> tuple[dict[str, np.ndarray], str]:
    """The vectors of the `wanted` words (the first line of a word that repeats) and the file's SHA-256,
    in one pass that keeps nothing else. Every line is checked: UTF-8, `dim` numbers."""
    digest, found = hashlib.sha256(), {}
    name = file.name
    with _open(file.path) as fh:
        number = 0
        while raw := fh.readline(MAX_LINE):
            digest.update(raw)
            number += 1
            if progress is not None and number % PROGRESS_EVERY == 0:
                progress(number)
            text = _decoded(raw, number, name)
            if (number == 1 and file.header) or not text:
                continue
            word, rest = _split_line(text, file.dim, number, name)
            if not word.isascii():
                word = unicodedata.normalize("NFC", word)  # the tokenizer's form (a Mac file may be NFD)
            if word in wanted and word not in found:
                found[word] = _numbers(rest.split(), number, name)
    return found, digest.hexdigest()


def vocabulary(tokenizer: Tokenizer, rows: int) -> dict[str, int]:
    """The words that have a row of an Embedding layer of `rows` ids (padding, OOV and a start marker have
    ids below every word's)."""
    return {w: i for w, i in tokenizer.word_index.items() if i < rows}


def build_matrix(
    path: str | Path, tokenizer: Tokenizer, rows: int, seed: int, progress: Progress | None = None
) -> PretrainedVectors:
    """The Embedding matrix for the tokenizer's vocabulary from the vector file at `path`. DataError when
    the file is bad or holds none of the vocabulary's words."""
    file = probe(path)
    words = vocabulary(tokenizer, rows)
    found, sha256 = read_vectors(file, set(words), progress)
    if not found:
        examples = ", ".join(repr(clean_text(w, 20)) for w in sorted(words, key=words.__getitem__)[:5])
        raise DataError(
            f"none of the {len(words):,} vocabulary words ({examples}, ...) is in {file.name}; is it for "
            "this language and tokenizer (GloVe words are lowercase; Korean needs vectors of morphemes "
            "for --tokenizer morphemes)?"
        )
    stacked = np.stack(list(found.values()))
    spread = float(stacked.std()) or 0.05
    matrix = np.random.default_rng(seed).normal(0.0, spread, (rows, file.dim)).astype(np.float32)
    matrix[0] = 0.0  # padding
    for word, vector in found.items():
        matrix[words[word]] = vector
    missing = tuple(sorted((w for w in words if w not in found), key=words.__getitem__)[:10])
    return PretrainedVectors(matrix, len(found), len(words), file, sha256, missing)
