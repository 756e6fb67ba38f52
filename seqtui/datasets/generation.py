"""Next-token generation data: every prefix of every line predicts the token that follows it.

Lines (or, for a text with few lines, runs of consecutive pairs) are split between train, validation and
test as a whole, so no prefix of a test line was seen in training.
"""

from __future__ import annotations

import math

import numpy as np

from seqtui.datasets.base import Dataset, TextEncoder
from seqtui.datasets.config import DataConfig
from seqtui.datasets.errors import DataError
from seqtui.datasets.tokenizer import Tokenizer, pad

PAIR_BUDGET_BYTES = 1 << 30
"""Prefixes are materialised; longer texts keep every k-th (prefix, next token) pair to stay under this."""
MIN_LINES_TO_SPLIT_BY_LINE = 20
PAIRS_PER_BLOCK = 64
"""A text with few lines is split in blocks of up to this many consecutive pairs instead."""


def split_by_group(
    groups: np.ndarray, test_split: float, validation_split: float, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Boolean masks (train, val, test) that keep every group (line or block) inside one part."""
    unique = np.random.default_rng(seed).permutation(np.unique(groups))
    n_test = max(1, round(len(unique) * test_split))
    n_val = max(1, round((len(unique) - n_test) * validation_split))
    if len(unique) - n_test - n_val < 1:
        raise DataError(
            f"only {len(unique)} lines/blocks of text: too few to split into train, validation and test with "
            f"--validation-split {validation_split:g} and --test-split {test_split:g}; lower them or add text"
        )
    test, val = unique[:n_test], unique[n_test : n_test + n_val]
    in_test, in_val = np.isin(groups, test), np.isin(groups, val)
    return ~(in_test | in_val), in_val, in_test


def generation_dataset(name: str, lines: list[str], config: DataConfig) -> Dataset:
    """(prefix -> next token) pairs; `maxlen` is the context length the model sees."""
    tokenizer = Tokenizer(
        num_words=config.vocab_size, standardize=config.standardize, split=config.split,
        stopwords=tuple(config.stopwords), content_only=config.content_morphemes,
    )  # fmt: skip
    pieces = tokenizer.split_texts(lines)
    tokenizer.count_pieces(pieces)
    encoded = [tokenizer.ids(words) for words in pieces]
    pairs = sum(max(0, len(ids) - 1) for ids in encoded)
    stride = max(1, math.ceil(pairs * config.maxlen * 4 / PAIR_BUDGET_BYTES))
    prefixes: list[list[int]] = []
    targets: list[int] = []
    lines_of_pairs: list[int] = []
    n = 0
    for line_no, ids in enumerate(encoded):
        for k in range(1, len(ids)):
            n += 1
            if n % stride:
                continue
            prefixes.append(ids[max(0, k - config.maxlen) : k])
            targets.append(ids[k])
            lines_of_pairs.append(line_no)
    if len(prefixes) < 10:
        raise DataError(
            f"{name}: too little text to learn from ({len(prefixes)} next-token examples); add lines"
        )
    x = pad(prefixes, config.maxlen, "pre", "pre")
    y = np.asarray(targets, dtype="int32")
    by_line = len(set(lines_of_pairs)) >= MIN_LINES_TO_SPLIT_BY_LINE
    block = max(1, min(PAIRS_PER_BLOCK, len(y) // MIN_LINES_TO_SPLIT_BY_LINE))  # tiny texts: single pairs
    groups = np.asarray(lines_of_pairs) if by_line else np.arange(len(y)) // block
    train, val, test = split_by_group(groups, config.test_split, config.validation_split)
    order = np.random.default_rng(1).permutation(int(train.sum()))
    x_tr, y_tr = x[train][order], y[train][order]
    x_val, y_val, x_test, y_test = x[val], y[val], x[test], y[test]
    notes = [f"long text: every {stride}th next-token example kept to fit memory"] if stride > 1 else []
    if tokenizer.vocab_size < config.vocab_size:
        notes.append(f"vocab size {config.vocab_size} is above the {tokenizer.vocab_size} ids the text has")
    encoder = TextEncoder(tokenizer, config.maxlen, "pre", "pre")
    return Dataset(
        name,
        "generation",
        "tokens",
        x_tr,
        y_tr,
        x_val,
        y_val,
        x_test,
        y_test,
        encoder,
        [],
        notes,
    )
