"""What the Embedding learned: the nearest words of a word by cosine similarity of their vectors.

A word is looked up as the run's tokenizer reads it: in a morpheme run, "주가가" is analysed into its
morphemes (주가 / 가) and each known one gets its neighbours; an unknown word gets close matches.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from seqtui.common.names import UnknownName
from seqtui.datasets.tokenizer import Tokenizer


@dataclass(frozen=True)
class Neighbours:
    """One vocabulary word and its nearest words, most similar first."""

    word: str
    id: int
    nearest: list[tuple[str, float]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "word": self.word,
            "id": self.id,
            "nearest": [{"word": w, "cosine": round(c, 6)} for w, c in self.nearest],
        }


def vocabulary(tokenizer: Tokenizer, rows: int) -> dict[str, int]:
    """The words that have their own embedding row (below num_words and the matrix's rows), by word."""
    limit = min(rows, tokenizer.vocab_size)
    return {w: i for w, i in tokenizer.word_index.items() if tokenizer.first_word_id <= i < limit}


def _unknown(word: str, words: dict[str, int]) -> UnknownName:
    close = difflib.get_close_matches(word, list(words), n=5, cutoff=0.6)
    if close:
        hint = f" Did you mean {' or '.join(repr(c) for c in close)}?"
    else:
        frequent = sorted(words, key=words.__getitem__)[:8]
        hint = f" The vocabulary has {len(words):,} words; the most frequent are {', '.join(frequent)}."
    return UnknownName(f"{word!r} is not in this model's vocabulary.{hint}")


def nearest_words(matrix: np.ndarray, tokenizer: Tokenizer, word: str, count: int = 10) -> list[Neighbours]:
    """The `count` nearest words of `word` (of each of its known pieces, as the tokenizer splits it) by
    cosine similarity of embedding rows; padding, OOV and the start marker are never neighbours."""
    words = vocabulary(tokenizer, len(matrix))
    pieces = [word] if word in words else tokenizer.split_text(word)
    known = list(dict.fromkeys(p for p in pieces if p in words))
    if not known:
        raise _unknown(word, words)
    ids = np.fromiter(words.values(), dtype="int64", count=len(words))
    names = list(words)
    vectors = np.asarray(matrix, dtype="float64")[ids]
    lengths = np.linalg.norm(vectors, axis=1)
    unit = np.divide(vectors, lengths[:, None], out=np.zeros_like(vectors), where=lengths[:, None] > 0)
    out = []
    for piece in known:
        row = names.index(piece)
        cosine = unit @ unit[row]
        cosine[row] = -np.inf
        order = np.lexsort((ids, -cosine))[: min(count, len(ids) - 1)]
        out.append(Neighbours(piece, words[piece], [(names[i], float(cosine[i])) for i in order]))
    return out
