"""Labelled text to a classification dataset: split, fit the tokeniser on training text, pad."""

from __future__ import annotations

import dataclasses

import numpy as np

from seqtui.datasets.base import Dataset, TextEncoder, label_ids
from seqtui.datasets.config import DataConfig
from seqtui.datasets.errors import DataError
from seqtui.datasets.lengths import text_stats
from seqtui.datasets.tokenizer import Tokenizer, pad

MIN_ROWS = 10
MIN_TRAIN_ROWS = 2
_TOKENS = {"whitespace": "words", "character": "characters", "morpheme": "morphemes"}


def text_classification_dataset(
    name: str,
    texts: list[str],
    labels: list[str],
    config: DataConfig,
    test: tuple[list[str], list[str]] | None = None,
) -> Dataset:
    """Texts with string labels -> padded id arrays; the tokeniser sees training text only.

    `test` is the data's own test set (aclImdb's test/ folder, NSMC's ratings_test.txt); without one,
    `config.test_split` of the rows are held out. Rows left with no words after standardising are dropped.
    """
    if len(texts) != len(labels):
        raise DataError(f"{name}: {len(texts)} texts but {len(labels)} labels")
    test_texts, test_labels = test or ([], [])
    y_all, classes = _class_ids(name, labels + test_labels)
    tokenizer = Tokenizer(
        num_words=config.vocab_size,
        standardize=config.standardize,
        split=config.split,
        stopwords=tuple(config.stopwords),
        content_only=config.content_morphemes,
    )
    pieces = tokenizer.split_texts(texts + test_texts)
    keep = np.array([bool(p) for p in pieces], dtype=bool)
    notes = _wordless_notes(int((~keep).sum()), config)
    train_idx, val_idx, test_idx = _split_rows(name, keep, len(texts), config, own_test=test is not None)
    if len(set(y_all[train_idx].tolist())) < 2:
        raise DataError(f"{name}: the training part holds a single class; add rows of the other classes")
    tokenizer.count_pieces(pieces[i] for i in train_idx)
    encoder = TextEncoder(tokenizer, config.maxlen, config.padding, config.truncating)
    x_tr, y_tr = _encode(tokenizer, pieces, y_all, train_idx, config)
    x_val, y_val = _encode(tokenizer, pieces, y_all, val_idx, config)
    x_te, y_te = _encode(tokenizer, pieces, y_all, test_idx, config)
    task = "binary" if len(classes) == 2 else "multiclass"
    notes += _vocab_notes(tokenizer, config) + _length_notes(pieces, train_idx, config)
    uncut = dataclasses.replace(tokenizer, num_words=None)  # counts that serve any vocabulary size
    stats = text_stats(
        [uncut.ids(pieces[i]) for i in train_idx], config.maxlen, config.vocab_size, uncut.oov_id
    )
    notes += [stats.maxlen_line(), stats.vocab_line()] if stats else []
    raw = np.array(texts + test_texts, dtype=object)  # for the word-level baseline, whatever the tokenizer
    words = {"train": raw[train_idx], "val": raw[val_idx], "test": raw[test_idx]}
    return Dataset(
        name, task, "tokens", x_tr, y_tr, x_val, y_val, x_te, y_te, encoder, classes, notes, words=words,
        text_stats=stats,
    )  # fmt: skip


def _class_ids(name: str, labels: list[str]) -> tuple[np.ndarray, list[str]]:
    """Label ids and class names; DataError when there are no labels or all are one class."""
    if not labels:
        raise DataError(f"{name}: no text to learn from (every file or row read is empty); add texts")
    y, classes = label_ids(labels)
    if len(classes) < 2:
        raise DataError(
            f"{name}: every row has the same label ({classes[0]!r}); a classifier needs at least two classes"
        )
    return y, classes


def _wordless_notes(wordless: int, config: DataConfig) -> list[str]:
    """A note on the rows dropped for having no tokens left, if any were."""
    if not wordless:
        return []
    return [
        f"{wordless} rows had no {_TOKENS.get(config.split, 'words')} left after standardising "
        f"({config.standardize}){' and dropping stopwords' if config.stopwords else ''} and were dropped"
    ]


def _split_rows(
    name: str, keep: np.ndarray, n_own: int, config: DataConfig, own_test: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Train, validation and test row indices among the rows with words (`keep`).

    The first `n_own` rows are shuffled (seeded by `split_seed`) and split; the rest are the data's own test
    set when `own_test`.
    """
    own = np.flatnonzero(keep[:n_own])
    if len(own) < MIN_ROWS:
        raise DataError(
            f"{name}: only {len(own)} labelled rows with words; a classifier needs at least {MIN_ROWS}"
        )
    order = own[np.random.default_rng(config.split_seed).permutation(len(own))]
    if not own_test:
        n_test = max(1, int(round(len(order) * config.test_split)))
        test_idx, order = order[:n_test], order[n_test:]
    else:
        test_idx = n_own + np.flatnonzero(keep[n_own:])
        if len(test_idx) == 0:
            raise DataError(f"{name}: the test set has no rows with words")
        test_idx = np.random.default_rng(config.split_seed + 1).permutation(test_idx)  # file order: by class
    n_val = max(1, int(round(len(order) * config.validation_split)))
    val_idx, train_idx = order[:n_val], order[n_val:]
    if len(train_idx) < MIN_TRAIN_ROWS:
        raise DataError(
            f"{name}: --validation-split {config.validation_split:g} and --test-split {config.test_split:g} "
            f"leave {len(train_idx)} of {len(own)} rows for training; lower them (e.g. 0.2)"
        )
    return train_idx, val_idx, test_idx


def _encode(
    tokenizer: Tokenizer, pieces: list[list[str]], y_all: np.ndarray, idx: np.ndarray, config: DataConfig
) -> tuple[np.ndarray, np.ndarray]:
    """The padded ids and the labels of the rows `idx`."""
    ids = [tokenizer.ids(pieces[i]) for i in idx]
    return pad(ids, config.maxlen, config.padding, config.truncating), y_all[idx]


def _vocab_notes(tokenizer: Tokenizer, config: DataConfig) -> list[str]:
    """A note when the vocab size is above the ids the training text has."""
    words = len(tokenizer.word_index) + tokenizer.first_word_id
    if config.vocab_size > words:
        return [
            f"vocab size {config.vocab_size} is above the {words} ids the training text has; "
            f"--vocab-size {words} gives the same model with fewer parameters"
        ]
    return []


def _length_notes(pieces: list[list[str]], train_idx: np.ndarray, config: DataConfig) -> list[str]:
    """A note when over a quarter of the training texts are longer than maxlen."""
    lengths = np.array([len(pieces[i]) for i in train_idx])
    cut = float(np.mean(lengths > config.maxlen))
    if cut > 0.25:
        return [
            f"{cut:.0%} of the training texts are longer than maxlen {config.maxlen} and get cut "
            f"(90th percentile: {int(np.percentile(lengths, 90))} tokens); consider a larger --maxlen"
        ]
    return []
