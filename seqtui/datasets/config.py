"""How raw data becomes model input: the data section of a run's config.

It lives with the data (the loaders read it); `seqtui.core.config.run_config` puts it in a run's config.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Padding = Literal["pre", "post"]
KOREAN_STOPWORDS = ("의", "가", "이", "은", "들", "는", "좀", "잘", "걍", "과", "도", "를", "으로", "자", "에", "와", "한", "하다")  # fmt: skip
"""The Naver movie review lesson's stopwords: the Korean default for morphemes (`--stopwords ko`)."""


@dataclass(frozen=True)
class DataConfig:
    """What to train on and how raw data becomes model input."""

    dataset: str = "imdb"
    """Registered dataset name (see `seqtui datasets`), or "file" for --data."""
    data_path: str | None = None
    """A user file or folder (CSV/TSV/JSONL, text folders, time series, text, or a Keras-format file)."""
    vocab_size: int = 10000
    """Keras' num_words: token ids 0..vocab_size-1 are kept (0 = padding), rarer words become OOV."""
    maxlen: int = 200
    """Sequence length after padding/truncating."""
    padding: Padding = "pre"
    truncating: Padding = "pre"
    validation_split: float = 0.2
    """Fraction of the training data held out for validation."""
    test_split: float = 0.2
    """Fraction held out for testing when the data has no test set of its own."""
    text_column: str | None = None
    label_column: str | None = None
    encoding: str | None = None
    """Text encoding of the user's file; None tries UTF-8, then Korean CP949, then latin-1."""
    standardize: Literal["lower_punct", "hangul", "none"] = "lower_punct"
    """lower_punct: lowercase and strip punctuation (every script kept); hangul: keep Hangul only."""
    split: Literal["whitespace", "character", "morpheme"] = "whitespace"
    """How text becomes tokens (`--tokenizer`): words, characters, or Korean morphemes (kiwipiepy)."""
    stopwords: tuple[str, ...] = ()
    content_morphemes: bool = False
    """Morphemes: keep content morphemes only (nouns, stems, adverbs...), no particles or endings."""
    target_column: str | None = None
    """Time series: the column to forecast (default: the first numeric column)."""
    lookback: int = 72
    """Time series: how many past rows the model sees (before subsampling by step)."""
    step: int = 1
    """Time series: keep one row in `step` inside the lookback window."""
    delay: int = 24
    """Time series: how many rows ahead the target lies."""
    sample_limit: int | None = None
    """Use at most this many training samples (quick experiments and tests)."""
    split_seed: int = 0
    """Seed of a table's shuffled train/validation/test split (your CSV, TSV or JSONL). `--seed` sets it with
    the weights' seed; 0 is the split of runs made before it was a setting."""
