"""A backend-independent tokeniser saved with each run: the same object encodes training text and the
sentence a user types later.

Ids follow Keras' conventions: 0 is padding, then (optionally) a start marker and the OOV id, then words
by frequency rank (most frequent first). `num_words` keeps ids below it, like Keras' `num_words`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

Standardize = Literal["lower_punct", "lower_punct_apostrophes", "hangul", "none"]
Split = Literal["whitespace", "character", "morpheme"]

_HANGUL_ONLY = re.compile(r"[^\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3\s]")
_INNER_APOSTROPHE = re.compile(r"(?<=\w)['\u2019](?=\w)")
_KEPT_APOSTROPHE = "\uf8ff"
"""A private-use character that stands in for a kept apostrophe while punctuation is stripped."""


def standardize_text(text: str, mode: Standardize = "lower_punct") -> str:
    """Lowercase and strip punctuation/symbols, keeping letters, marks and digits of every script.

    `lower_punct_apostrophes` also keeps an apostrophe inside a word ("don't", "everyone's"): Keras' IMDB
    word index has such words, so a sentence typed later must keep them to find them.
    """
    text = unicodedata.normalize("NFC", text)
    if mode == "none":
        return text
    if mode == "hangul":
        return " ".join(_HANGUL_ONLY.sub(" ", text).split())
    text = text.lower()
    if mode == "lower_punct_apostrophes":
        text = _INNER_APOSTROPHE.sub(_KEPT_APOSTROPHE, text.replace(_KEPT_APOSTROPHE, " "))
        kept = (ch if ch == _KEPT_APOSTROPHE or unicodedata.category(ch)[0] in "LMN" else " " for ch in text)
        return " ".join("".join(kept).split()).replace(_KEPT_APOSTROPHE, "'")
    kept = (ch if unicodedata.category(ch)[0] in "LMN" else " " for ch in text)
    return " ".join("".join(kept).split())


@dataclass(frozen=True)
class TokenView:
    """One token as the model sees it: its text, its id and whether it is known."""

    text: str
    id: int
    known: bool


@dataclass
class Tokenizer:
    """Words (or characters) to ids and back."""

    word_index: dict[str, int] = field(default_factory=dict)
    num_words: int | None = None
    oov_id: int = 1
    start_id: int | None = None
    standardize: Standardize = "lower_punct"
    split: Split = "whitespace"
    stopwords: tuple[str, ...] = ()
    content_only: bool = False
    """Morphemes: keep content morphemes only (no particles, endings, affixes)."""
    analyser: str | None = None
    """Morphemes: the analyser and version that made the vocabulary ("kiwipiepy 0.24.1")."""

    def __post_init__(self) -> None:
        if self.split == "morpheme" and self.analyser is None:
            from seqtui.datasets.morphemes import analyser_name

            self.analyser = analyser_name()

    @classmethod
    def fit(
        cls,
        texts: Iterable[str],
        num_words: int | None = None,
        standardize: Standardize = "lower_punct",
        split: Split = "whitespace",
        stopwords: Sequence[str] = (),
        content_only: bool = False,
    ) -> Tokenizer:
        """Build a vocabulary by frequency: id 1 is OOV, ids 2.. the most frequent words first.

        Ties keep first-seen order, so the same texts always give the same vocabulary.
        """
        tok = cls(
            standardize=standardize, split=split, stopwords=tuple(stopwords), num_words=num_words,
            content_only=content_only,
        )  # fmt: skip
        tok.count_pieces(tok.split_texts(list(texts)))
        return tok

    def count_pieces(self, pieces: Iterable[Sequence[str]]) -> None:
        """Set the vocabulary from already split texts (what `split_text` returns), by frequency."""
        counts: Counter[str] = Counter()
        for words in pieces:
            counts.update(words)
        ranked = sorted(counts.items(), key=lambda kv: -kv[1])  # stable: ties keep first-seen order
        self.word_index = {word: rank + self.first_word_id for rank, (word, _) in enumerate(ranked)}
        self.__dict__.pop("_index_word", None)

    @classmethod
    def from_keras_word_index(cls, ranks: dict[str, int], num_words: int | None) -> Tokenizer:
        """Keras' IMDB/Reuters encoding: start_char=1, oov_char=2, index_from=3.

        Words with an apostrophe in the index ("don't" in IMDB's) keep theirs when a new text is split.
        """
        apostrophes = any("'" in word for word in ranks)
        return cls(
            word_index={word: rank + 3 for word, rank in ranks.items()},
            num_words=num_words,
            oov_id=2,
            start_id=1,
            standardize="lower_punct_apostrophes" if apostrophes else "lower_punct",
        )

    @property
    def first_word_id(self) -> int:
        return self.oov_id + 1

    @property
    def vocab_size(self) -> int:
        """Ids in use, padding included: what an Embedding layer's input_dim must cover."""
        full = max(self.word_index.values(), default=self.oov_id) + 1
        return min(full, self.num_words) if self.num_words else full

    def split_text(self, text: str) -> list[str]:
        """Words, morphemes, or characters with one " " token between words (as Keras' character split keeps
        spaces, so generated text keeps its spacing)."""
        return self.split_texts([text])[0]

    def split_texts(self, texts: Sequence[str]) -> list[list[str]]:
        """`split_text` for many texts; morphemes are analysed in batches (progress: `morphemes.on_progress`)."""
        if self.split != "morpheme":
            return [self._split_plain(t) for t in texts]
        from seqtui.datasets.morphemes import analyse

        clean = [standardize_text(t, self.standardize) for t in texts]
        return analyse(clean, self.content_only, self.stopwords, letters_only=self.standardize != "none")

    def _split_plain(self, text: str) -> list[str]:
        clean = standardize_text(text, self.standardize)
        pieces = list(" ".join(clean.split())) if self.split == "character" else clean.split()
        if self.stopwords:
            stop = set(self.stopwords)
            pieces = [p for p in pieces if p not in stop]
        return pieces

    def token_id(self, word: str) -> int:
        idx = self.word_index.get(word)
        if idx is None or (self.num_words and idx >= self.num_words):
            return self.oov_id
        return idx

    def view(self, text: str) -> list[TokenView]:
        """The tokens of a text as the model sees them, start marker included."""
        tokens = [
            TokenView(w, self.token_id(w), self.token_id(w) != self.oov_id) for w in self.split_text(text)
        ]
        if self.start_id is not None:
            tokens.insert(0, TokenView("<start>", self.start_id, True))
        return tokens

    def encode(self, text: str) -> list[int]:
        return self.ids(self.split_text(text))

    def ids(self, words: Sequence[str]) -> list[int]:
        """Ids of already split words, start marker included: `encode` without splitting again."""
        out = [self.token_id(w) for w in words]
        return [self.start_id, *out] if self.start_id is not None else out

    def decode(self, ids: Iterable[int]) -> list[str]:
        index_word = self.index_word
        out = []
        for i in ids:
            i = int(i)
            if i == 0:
                continue
            if i == self.start_id:
                out.append("<start>")
            elif i == self.oov_id:
                out.append("<oov>")
            else:
                out.append(index_word.get(i, "<oov>"))
        return out

    @property
    def index_word(self) -> dict[int, str]:
        cached = self.__dict__.get("_index_word")
        if cached is None or len(cached) != len(self.word_index):
            cached = {i: w for w, i in self.word_index.items()}
            self.__dict__["_index_word"] = cached
        return cached

    def to_dict(self) -> dict[str, Any]:
        return {
            "word_index": self.word_index,
            "num_words": self.num_words,
            "oov_id": self.oov_id,
            "start_id": self.start_id,
            "standardize": self.standardize,
            "split": self.split,
            "stopwords": list(self.stopwords),
            "content_only": self.content_only,
            "analyser": self.analyser,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Tokenizer:
        return cls(
            word_index={str(k): int(v) for k, v in raw["word_index"].items()},
            num_words=raw.get("num_words"),
            oov_id=int(raw.get("oov_id", 1)),
            start_id=raw.get("start_id"),
            standardize=raw.get("standardize", "lower_punct"),
            split=raw.get("split", "whitespace"),
            stopwords=tuple(raw.get("stopwords", ())),
            content_only=bool(raw.get("content_only", False)),
            analyser=raw.get("analyser") or (None if raw.get("split") != "morpheme" else "kiwipiepy"),
        )


def pad(
    sequences: Sequence[Sequence[int]],
    maxlen: int,
    padding: str = "pre",
    truncating: str = "pre",
) -> np.ndarray:
    """Keras' pad_sequences without Keras: pad with 0 and truncate, both at the front by default."""
    out = np.zeros((len(sequences), maxlen), dtype="int32")
    for row, seq in enumerate(sequences):
        seq = list(seq)
        if not seq:
            continue
        kept = seq[-maxlen:] if truncating == "pre" else seq[:maxlen]
        if padding == "pre":
            out[row, maxlen - len(kept) :] = kept
        else:
            out[row, : len(kept)] = kept
    return out


def clip_ids(sequences: Iterable[Sequence[int]], num_words: int, oov_id: int) -> list[list[int]]:
    """Map ids at or above num_words to the OOV id (Keras' num_words rule)."""
    return [[i if i < num_words else oov_id for i in seq] for seq in sequences]
