"""Baselines a practitioner would fit (tuned on validation, word-level whatever the run's tokenizer, a ridge
autoregression for series) and verdicts that state their uncertainty."""

from __future__ import annotations

import numpy as np
import pytest

from seqtui.core.config.run_config import DataConfig
from seqtui.core.model import baselines, classic_fits, verdicts
from seqtui.core.model.baselines import Baseline, compute, run_verdict
from seqtui.core.model.verdicts import Units, verdict
from seqtui.datasets.series import series_dataset
from seqtui.datasets.text_tables import text_classification_dataset

FILLERS = [
    "the",
    "food",
    "was",
    "and",
    "service",
    "place",
    "we",
    "came",
    "back",
    "again",
    "staff",
    "table",
    "dinner",
    "order",
    "really",
    "very",
]


def phrase_reviews(n: int = 400, seed: int = 0) -> tuple[list[str], list[str]]:
    """Reviews that hold the same words in both classes: only the pair decides ("not bad" vs "not good")."""
    rng = np.random.default_rng(seed)
    texts, labels = [], []
    for i in range(n):
        positive = i % 2 == 0
        phrase = "good not bad" if positive else "bad not good"
        words = list(rng.choice(FILLERS, size=6))
        words.insert(int(rng.integers(0, 7)), phrase)
        texts.append(" ".join(words))
        labels.append("pos" if positive else "neg")
    return texts, labels


def test_the_tuned_baseline_picks_word_pairs_when_only_a_pair_separates_the_classes():
    texts, labels = phrase_reviews()
    data = text_classification_dataset("reviews", texts, labels, DataConfig(dataset="file"))
    result = compute(data)
    assert result.name == "TF-IDF + logistic regression"
    assert result.metrics["logreg_ngram_max"] == 2 and result.test > 0.95
    assert result.metrics["logreg_c"] in classic_fits.C_GRID  # the chosen C is recorded
    assert result.metrics["logreg_val_accuracy"] > 0.95
    # words alone cannot tell the classes apart: the same fit restricted to unigrams stays near chance
    one = classic_fits.NGRAMS
    try:
        classic_fits.NGRAMS = ((1, 1),)
        assert compute(data).metrics["logreg_test_accuracy"] < 0.7
    finally:
        classic_fits.NGRAMS = one


def test_the_text_baseline_is_the_same_for_characters_and_words_and_any_vocabulary():
    texts, labels = phrase_reviews(300, seed=1)
    runs = [
        DataConfig(dataset="file", split="whitespace", vocab_size=10_000, maxlen=20),
        DataConfig(dataset="file", split="character", vocab_size=30, maxlen=8),
        DataConfig(dataset="file", split="whitespace", vocab_size=5, maxlen=3),
    ]
    results = [compute(text_classification_dataset("r", texts, labels, c)) for c in runs]
    assert len({r.test for r in results}) == 1 and results[0].test > 0.95
    assert results[0].metrics == results[1].metrics == results[2].metrics
    assert np.array_equal(results[0].rows, results[1].rows)


def test_the_raw_words_follow_the_rows_through_a_limit():
    texts, labels = phrase_reviews(300, seed=2)
    data = text_classification_dataset("r", texts, labels, DataConfig(dataset="file")).limit(50)
    assert len(data.words["train"]) == len(data.x_train) == 50
    assert len(data.words["test"]) == len(data.x_test) and len(data.words["val"]) == len(data.x_val)
    for text, label in zip(data.words["test"], data.y_test, strict=True):
        assert ("good not bad" in text) == (data.class_names[label] == "pos")


def ar2_series(n: int = 3000, seed: int = 0) -> np.ndarray:
    """x_t = 1.6 x_{t-1} - 0.8 x_{t-2} + noise: a damped oscillation that repeating the last value misses."""
    rng = np.random.default_rng(seed)
    x = np.zeros(n)
    for t in range(2, n):
        x[t] = 1.6 * x[t - 1] - 0.8 * x[t - 2] + rng.standard_normal()
    return (20 + 3 * x)[:, None].astype("float32")


def test_the_series_ridge_beats_tomorrow_equals_now_on_an_ar2_series():
    data = series_dataset(
        "ar2", ["level (degC)"], ar2_series(), DataConfig(dataset="file", lookback=4, delay=1)
    )
    result = compute(data)
    assert result.name == "ridge regression on the same 4-step window"
    assert result.metrics["ridge_test_mae"] < 0.7 * result.metrics["naive_test_mae"]
    assert result.metrics["ridge_alpha"] in classic_fits.ALPHA_GRID
    assert result.test == pytest.approx(float(np.mean(result.rows)))
    assert baselines.BaselineJob(data).result().test == result.test  # the run's baseline is the same
    assert verdicts.units(data) == Units(data.encoder.std[0], "°C")  # the unit from the column's name


def test_the_interval_holds_0_for_a_model_equal_to_the_baseline_and_excludes_it_for_a_better_one():
    texts, labels = phrase_reviews(400, seed=3)
    data = text_classification_dataset("r", texts, labels, DataConfig(dataset="file"))
    majority = baselines.majority(data)  # a weak baseline: about half the rows right
    same = np.full(len(data.y_test), int(np.bincount(data.y_train).argmax()))  # the majority's own answers
    low, high = verdicts.paired_interval(baselines.model_rows(data, same), majority.rows)
    assert low <= 0 <= high
    assert run_verdict(data, "accuracy", majority.test, majority, same).startswith(
        "is level with the baseline"
    )
    perfect = data.y_test.copy()
    low, high = verdicts.paired_interval(baselines.model_rows(data, perfect), majority.rows)
    assert 0 < low < (1 - majority.test) < high
    assert run_verdict(data, "accuracy", 1.0, majority, perfect).startswith("beats the baseline")


def test_the_forecast_verdict_is_in_the_series_units():
    data = series_dataset(
        "ar2", ["level (degC)"], ar2_series(), DataConfig(dataset="file", lookback=4, delay=1)
    )
    base = compute(data)
    real = np.asarray(data.y_test, "float64")
    scale = data.encoder.std[0]
    said = run_verdict(data, "mae", 0.0, base, real)  # a perfect forecaster
    assert said.startswith(f"beats the baseline ({base.name}, MAE {base.test * scale:.3f} °C): MAE 0.000 °C")


@pytest.mark.parametrize(
    ("model", "interval", "expected"),
    [
        (0.854, (0.003, 0.021), "beats the baseline (b, accuracy 0.8420) by 1.2 points (95% interval 0.3 to 2.1)"),
        (0.845, (-0.014, 0.020), "is level with the baseline (b, accuracy 0.8420): +0.3 points, 95% interval -1.4 to 2.0"),
        (0.822, (-0.031, -0.009), "does not beat the baseline (b, accuracy 0.8420): 2.0 points below (95% interval -3.1 to -0.9)"),
    ],
)  # fmt: skip
def test_the_verdict_says_level_with_when_the_interval_holds_0(model, interval, expected):
    assert verdict("accuracy", model, Baseline("b", "accuracy", 0.842), interval) == expected


def test_a_forecast_verdict_names_its_unit_or_says_the_series_units():
    base = Baseline("b", "mae", 0.02)
    said = verdict("mae", 0.0176, base, (-0.0040, -0.0008), Units(10.0, "°F"))
    assert said == (
        "beats the baseline (b, MAE 0.200 °F): MAE 0.176 °F, 0.024 °F lower (95% interval 0.008 to 0.040)"
    )
    said = verdict("mae", 0.0293, base, (0.0081, 0.0102), Units(10.0, "°F"))
    assert said == (
        "does not beat the baseline (b, MAE 0.200 °F): MAE 0.293 °F, 0.093 °F higher (95% interval 0.081 to 0.102)"
    )
    said = verdict("mae", 0.0196, base, (-0.0010, 0.0002), Units(10.0))
    assert said == (
        "is level with the baseline (b, MAE 0.200 in the series' units): MAE 0.196 in the series' units "
        "(+0.004 lower), 95% interval -0.002 to 0.010"
    )
