"""The baseline to beat on the offline samples: what it scores, what it chose, how long it took (issue 28).

For each case the dataset is loaded as a run would load it (`load_dataset`) and `baselines.compute` fits the
baseline on that split: word-level TF-IDF + logistic regression tuned on validation (text; the same whatever
the run's tokenizer or vocabulary, which the word and character cases of one dataset show), logistic
regression on pixels (digits), or the best of "tomorrow equals now", the mean and a ridge on the window
(Seattle temperatures; errors also in °F).

Usage: python bench/baselines.py
"""

from __future__ import annotations

import time

from seqtui.core.config.run_config import DataConfig
from seqtui.core.model.baselines import compute
from seqtui.datasets.registry import load_dataset

CASES = [
    ("topics-en words, vocab 10000", DataConfig(dataset="topics-en")),
    ("topics-en words, vocab 300", DataConfig(dataset="topics-en", vocab_size=300)),
    ("topics-en characters", DataConfig(dataset="topics-en", split="character")),
    ("topics-ko words", DataConfig(dataset="topics-ko", standardize="hangul")),
    ("topics-ko characters", DataConfig(dataset="topics-ko", split="character", standardize="hangul")),
    ("digits", DataConfig(dataset="digits")),
    ("seattle-temps, lookback 24, delay 1", DataConfig(dataset="seattle-temps", lookback=24, delay=1)),
    ("seattle-temps, lookback 72, delay 24", DataConfig(dataset="seattle-temps")),
]


def main() -> None:
    for label, config in CASES:
        data = load_dataset(config)
        started = time.perf_counter()
        result = compute(data)
        seconds = time.perf_counter() - started
        if result is None:
            print(f"{label}: no baseline")
            continue
        numbers = ", ".join(f"{k} {v:.4g}" for k, v in result.metrics.items())
        print(
            f"{label}: {len(data.y_test):,} test rows; {result.name}: {result.metric} {result.test:.4f} "
            f"({seconds:.1f} s); {numbers}{'; ' + result.note if result.note else ''}",
            flush=True,
        )


if __name__ == "__main__":
    main()
