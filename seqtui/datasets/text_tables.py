"""Labelled text to a classification dataset: split, fit the tokeniser on training text, pad."""

from __future__ import annotations

import numpy as np

from seqtui.core.config import DataConfig
from seqtui.datasets.base import DataError, Dataset, TextEncoder, label_ids
from seqtui.datasets.tokenizer import Tokenizer


def text_classification_dataset(name: str, texts: list[str], labels: list[str], config: DataConfig) -> Dataset:
    """Texts with string labels -> padded id arrays; the tokeniser sees training text only."""
    if len(texts) != len(labels):
        raise DataError(f"{name}: {len(texts)} texts but {len(labels)} labels")
    y, classes = label_ids(labels)
    if len(classes) < 2:
        only = classes[0] if classes else "none"
        raise DataError(f"{name}: every row has the same label ({only!r}); a classifier needs at least two classes")
    if len(texts) < 10:
        raise DataError(f"{name}: only {len(texts)} labelled rows; a classifier needs at least 10")
    order = np.random.default_rng(0).permutation(len(texts))
    n_test = max(1, int(round(len(texts) * config.test_split)))
    n_val = max(1, int(round((len(texts) - n_test) * config.validation_split)))
    test_idx, val_idx, train_idx = order[:n_test], order[n_test : n_test + n_val], order[n_test + n_val :]
    tokenizer = Tokenizer.fit(
        (texts[i] for i in train_idx), config.vocab_size, config.standardize, config.split, config.stopwords
    )
    encoder = TextEncoder(tokenizer, config.maxlen, config.padding, config.truncating)

    def part(idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return encoder.encode([texts[i] for i in idx]), y[idx]

    (x_tr, y_tr), (x_val, y_val), (x_te, y_te) = part(train_idx), part(val_idx), part(test_idx)
    task = "binary" if len(classes) == 2 else "multiclass"
    notes = []
    words = len(tokenizer.word_index) + tokenizer.first_word_id
    if config.vocab_size > words:
        notes.append(
            f"vocab size {config.vocab_size} is above the {words} ids the training text has; "
            f"--vocab-size {words} gives the same model with fewer parameters"
        )
    samples = [texts[i] for i in test_idx[:5]]
    return Dataset(name, task, "tokens", x_tr, y_tr, x_val, y_val, x_te, y_te, encoder, classes, notes,
                   samples=samples)
