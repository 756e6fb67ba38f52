"""Next-token generation data: every prefix of every line predicts the token that follows it."""

from __future__ import annotations

import math

import numpy as np

from seqtui.core.config import DataConfig
from seqtui.datasets.base import DataError, Dataset, TextEncoder, shuffled_split
from seqtui.datasets.tokenizer import Tokenizer, pad

PAIR_BUDGET_BYTES = 1 << 30
"""Prefixes are materialised; longer texts keep every k-th (prefix, next token) pair to stay under this."""


def generation_dataset(name: str, lines: list[str], config: DataConfig) -> Dataset:
    """(prefix -> next token) pairs; `maxlen` is the context length the model sees."""
    tokenizer = Tokenizer.fit(lines, config.vocab_size, config.standardize, config.split, config.stopwords)
    encoded = [tokenizer.encode(line) for line in lines]
    pairs = sum(max(0, len(ids) - 1) for ids in encoded)
    stride = max(1, math.ceil(pairs * config.maxlen * 4 / PAIR_BUDGET_BYTES))
    prefixes: list[list[int]] = []
    targets: list[int] = []
    n = 0
    for ids in encoded:
        for k in range(1, len(ids)):
            n += 1
            if n % stride:
                continue
            prefixes.append(ids[max(0, k - config.maxlen) : k])
            targets.append(ids[k])
    if len(prefixes) < 10:
        raise DataError(
            f"{name}: too little text to learn from ({len(prefixes)} next-token examples); add lines"
        )
    x = pad(prefixes, config.maxlen, "pre", "pre")
    y = np.asarray(targets, dtype="int32")
    x_rest, y_rest, x_test, y_test = shuffled_split(x, y, config.test_split, 1)
    x_tr, y_tr, x_val, y_val = shuffled_split(x_rest, y_rest, config.validation_split, 2)
    notes = [f"long text: every {stride}th next-token example kept to fit memory"] if stride > 1 else []
    if tokenizer.vocab_size < config.vocab_size:
        notes.append(f"vocab size {config.vocab_size} is above the {tokenizer.vocab_size} ids the text has")
    encoder = TextEncoder(tokenizer, config.maxlen, "pre", "pre")
    samples = [" ".join(line.split()[:2]) for line in lines[:5]]
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
        samples=samples,
    )
