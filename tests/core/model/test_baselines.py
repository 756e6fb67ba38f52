"""The baseline to beat: the right classic model per task, its numbers, its verdict, its time budget."""

from __future__ import annotations

import json
import threading

import numpy as np
import pytest

from seqtui.core.config.run_config import DataConfig
from seqtui.core.model import baselines, verdicts
from seqtui.core.model.baselines import Baseline, BaselineJob, compute
from seqtui.core.model.verdicts import verdict
from seqtui.datasets.base import Dataset, TextEncoder
from seqtui.datasets.registry import load_dataset
from seqtui.datasets.tokenizer import Tokenizer


def token_dataset(n: int = 1500, seed: int = 0, task: str = "binary", word: int = 7) -> Dataset:
    """Random token rows where the label is whether `word` occurs: a bag of words solves it, chance doesn't."""
    rng = np.random.default_rng(seed)
    x = rng.integers(8, 50, size=(n, 12))
    y = (rng.random(n) < 0.3).astype("int32")  # 30% positives: majority accuracy about 0.7
    x[y == 1, 5] = word
    x[: n // 2, :3] = 0  # padding, as pad() leaves it
    third = n // 3
    enc = TextEncoder(Tokenizer(), 12)
    return Dataset(
        "toy", task, "tokens", x[:third], y[:third], x[third : 2 * third], y[third : 2 * third],
        x[2 * third :], y[2 * third :], enc, ["no", "yes"],
    )  # fmt: skip


def test_tfidf_logistic_regression_reads_the_token_ids_and_beats_the_majority():
    import time

    data = token_dataset()
    started = time.perf_counter()
    result = compute(data)
    assert 0 < result.seconds <= time.perf_counter() - started  # the fit's own time
    y_test = data.y_test
    majority = float(np.mean(y_test == 0))
    assert result.name == "TF-IDF + logistic regression" and result.metric == "accuracy"
    assert result.metrics["majority_test_accuracy"] == pytest.approx(majority)
    assert (
        result.test
        == result.metrics["test_accuracy"]
        == result.metrics["logreg_test_accuracy"]
        > 0.9
        > majority
    )


def test_the_out_of_vocabulary_id_1_is_a_word_to_the_baseline_only_0_is_padding():
    data = token_dataset(word=1)  # the label: whether a row holds a word the vocabulary lacks
    result = compute(data)
    assert result.name == "TF-IDF + logistic regression"
    assert result.metrics["logreg_test_accuracy"] > 0.9 > result.metrics["majority_test_accuracy"]


def test_the_bag_of_words_counts_each_word_and_leaves_padding_out():
    rows = np.array([[0, 0, 3, 3, 5], [4, 0, 0, 0, 0], [0, 0, 0, 0, 0]])
    bag = baselines._bag_of_ids(rows, 6).toarray()
    assert bag.tolist() == [[0, 0, 0, 2, 0, 1], [0, 0, 0, 0, 1, 0], [0, 0, 0, 0, 0, 0]]


def test_the_highest_token_id_is_a_word_to_the_baseline_too():
    """The bag of words is as wide as the largest id seen: the last word of the vocabulary counts."""
    data = token_dataset(word=60)  # the deciding word's id is above every other id (8..49)
    assert int(max(data.x_train.max(), data.x_test.max())) == 60
    assert compute(data).metrics["logreg_test_accuracy"] > 0.9


def test_the_majority_class_wins_when_the_fitted_model_is_worse():
    data = token_dataset()
    rng = np.random.default_rng(1)
    data.y_train = rng.permutation(data.y_train)  # labels unrelated to the words: nothing to learn
    result = compute(data)
    candidates = (result.metrics["logreg_test_accuracy"], result.metrics["majority_test_accuracy"])
    assert result.test == result.metrics["test_accuracy"] == max(candidates)


def test_the_most_frequent_next_token_for_generation():
    tok = Tokenizer.fit(["the cat sat on the mat the end"])
    data = token_dataset(task="generation")
    the = tok.word_index["the"]
    data.encoder = TextEncoder(tok, 12)
    data.y_train = np.array([the] * 5 + [3, 4, 5])
    data.y_test = np.array([the, 3, the, the])
    result = compute(data)
    assert result.test == 0.75 and "'the'" in result.name and result.metric == "accuracy"


def test_logistic_regression_on_real_digit_pixels():
    data = load_dataset(DataConfig(dataset="digits", sample_limit=600))
    result = compute(data)
    assert result.name == "logistic regression on pixels"
    assert 0.75 < result.test <= 1.0  # a linear model on MNIST-like digits: far above the 0.1 of chance


def test_series_reuse_tomorrow_equals_now():
    """The loader's 'tomorrow equals now' is reused as it is; on a sine wave (exactly a linear recurrence of its
    last two values) the ridge on the window beats it, and the run's baseline carries both numbers."""
    data = load_dataset(DataConfig(dataset="sequence", lookback=3, delay=1))
    naive = baselines.series_baseline(data)
    assert naive.name == "tomorrow equals now" and not naive.higher_is_better
    assert naive.test == data.baseline["test_mae"]
    assert float(np.mean(naive.rows)) == pytest.approx(data.baseline["test_mae"], rel=1e-6)  # the same rows
    result = compute(data)
    assert result.metrics["naive_test_mae"] == data.baseline["test_mae"]
    assert result.name.startswith("ridge regression") and result.test < data.baseline["test_mae"] / 10


def test_the_sample_budget_caps_the_fit_and_says_so():
    data = token_dataset(900)
    result = compute(data, max_samples=100)
    assert result.note == f"fitted on 100 of {len(data.x_train)} training samples"


def test_a_fit_past_its_time_budget_leaves_the_majority_class_with_a_note(monkeypatch):
    release = threading.Event()

    def slow(data, max_samples):
        release.wait(10)
        return None

    monkeypatch.setattr(baselines, "logistic_regression", slow)
    job = BaselineJob(token_dataset(), budget_s=0.05)
    result = job.result()
    release.set()
    assert result.name.startswith("majority class") and "longer than 0.05 s" in result.note


def test_the_budget_counts_from_the_start_of_the_fit_not_from_when_the_result_is_asked(monkeypatch):
    """The fit runs while the model trains; asked for afterwards, a fit past its budget is not waited for."""
    import time

    release = threading.Event()
    monkeypatch.setattr(baselines, "logistic_regression", lambda data, max_samples: release.wait(10))
    job = BaselineJob(token_dataset(), budget_s=0.5)
    time.sleep(0.6)  # the model trains meanwhile
    asked = time.perf_counter()
    result = job.result()
    waited = time.perf_counter() - asked
    release.set()
    assert "longer than 0.5 s" in result.note and waited < 0.3  # not another 0.5 s or more


def test_a_failing_fit_never_fails_the_run(monkeypatch):
    def broken(data, max_samples):
        raise MemoryError("too big")

    monkeypatch.setattr(baselines, "logistic_regression", broken)
    result = BaselineJob(token_dataset()).result()
    assert result.name.startswith("majority class") and "MemoryError: too big" in result.note


@pytest.mark.parametrize(
    ("metric", "model", "base", "expected"),
    [
        ("accuracy", 0.873, 0.842, "beats the baseline (b, accuracy 0.8420) by 3.1 points"),
        ("accuracy", 0.80, 0.842, "does not beat the baseline (b, accuracy 0.8420): 4.2 points below"),
        ("accuracy", 0.8420, 0.842, "does not beat the baseline (b, accuracy 0.8420): level with it"),
        ("mae", 0.30, 0.40, "beats the baseline (b, mae 0.4000): 25% lower error"),
        ("mae", 0.45, 0.40, "does not beat the baseline (b, mae 0.4000): mae 0.4500"),
    ],
)
def test_the_verdict_in_plain_words(metric, model, base, expected):
    assert verdict(metric, model, Baseline("b", metric, base)) == expected
    assert verdicts.beats(model, Baseline("b", metric, base)) == expected.startswith("beats")


def test_a_damaged_recorded_baseline_reads_as_none():
    assert Baseline.from_dict({"name": "x"}) is None and Baseline.from_dict("x") is None
    good = Baseline("b", "accuracy", 0.5, {"test_accuracy": 0.5}, "n", 1.0)
    assert Baseline.from_dict(json.loads(json.dumps(good.to_dict()))) == good


def test_a_baseline_recorded_without_its_fit_time_reads_with_0_seconds():
    raw = {"name": "b", "metric": "accuracy", "test": 0.5, "metrics": {"test_accuracy": 0.5}}
    assert Baseline.from_dict(raw) == Baseline("b", "accuracy", 0.5, {"test_accuracy": 0.5}, "", 0.0)


def test_every_run_records_its_baseline_and_verdict(runs_dir):
    """A real tiny text run: run_end, run.json, metrics.json and `seqtui runs` all carry the same baseline."""
    from typer.testing import CliRunner

    from seqtui.cli.main import app
    from seqtui.core.runs.folder import RunFolder

    args = ["train", "--preset", "topics-en-lstm", "--limit", "200", "--epochs", "1", "--units", "4",
            "--embedding-dim", "4", "--maxlen", "8", "--json"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    end = json.loads(result.stdout.splitlines()[-1])
    folder = RunFolder(end["run_dir"])
    state, metrics = folder.read_json("run.json"), folder.read_json("metrics.json")
    recorded = Baseline.from_dict(state["baseline"])
    assert recorded.name == end["baseline_name"] and recorded.metrics == end["baseline"]
    assert metrics["baseline_test_accuracy"] == recorded.metrics["test_accuracy"]
    # the same split: refitting on the run's own data gives the same number
    data = load_dataset(DataConfig(dataset="topics-en", vocab_size=4000, maxlen=8, sample_limit=200))
    refit = compute(data)
    assert refit.test == pytest.approx(recorded.test)
    # the verdict pairs the kept model's test rows with the baseline's: the same interval, recomputed here
    from seqtui.core.hardware.backend import import_keras
    from seqtui.core.runs.folder import BEST

    predicted = folder.load_model(BEST, import_keras()).predict(data.x_test, verbose=0).argmax(axis=1)
    interval = verdicts.paired_interval(baselines.model_rows(data, predicted), refit.rows)
    expected = verdict("accuracy", metrics["accuracy"], recorded, interval)
    assert end["verdict"] == state["verdict"] == expected and "95% interval" in expected
    listing = CliRunner().invoke(app, ["runs"], env={"COLUMNS": "80"})
    word = "beats" if expected.startswith("beats") else "below"
    assert f"base {recorded.test:.4f} {word}" in listing.output


def test_the_majority_baseline_names_its_class():
    data = token_dataset()
    data.class_names = ["ham", "spam"]
    assert baselines.majority(data).name == "majority class (ham)"  # 70% of the labels are 0


def test_the_majority_class_is_the_training_parts_not_the_test_parts():
    """The baseline may learn only from training labels: here "no" leads in training and "yes" in the test part,
    so always answering "no" scores the test part's share of "no" (a baseline that peeked would score more)."""
    data = token_dataset()
    data.y_train = np.array([0] * 70 + [1] * 30, dtype="int32")
    data.y_test = np.array([0] * 20 + [1] * 80, dtype="int32")
    data.x_train, data.x_test = data.x_train[:100], data.x_test[:100]
    result = baselines.majority(data)
    assert result is not None
    assert result.name == "majority class (no)"
    assert result.metrics["majority_test_accuracy"] == pytest.approx(0.2)


def test_regression_takes_the_better_of_tomorrow_equals_now_and_the_mean():
    """Noise around 5: repeating the last value errs twice as much as always answering the mean."""
    from seqtui.datasets.base import SeriesEncoder

    rng = np.random.default_rng(0)
    y = (5 + rng.standard_normal(3000)).astype("float32")
    x = np.zeros((3000, 3, 1), dtype="float32")
    enc = SeriesEncoder(["v"], "v", [0.0], [1.0], 3, 1, 1)
    naive_mae = float(np.mean(np.abs(np.diff(y[2000:]))))
    data = Dataset(
        "noise", "regression", "series", x[:1000], y[:1000], x[1000:2000], y[1000:2000], x[2000:], y[2000:],
        enc, [], [], {"test_mae": naive_mae},
    )  # fmt: skip
    result = compute(data)
    expected = float(np.mean(np.abs(y[2000:] - y[:1000].astype("float64").mean())))
    assert result.name.startswith("always the training mean") and result.test == pytest.approx(expected)
    assert result.metrics["mean_test_mae"] == pytest.approx(expected) and result.test < naive_mae
    assert BaselineJob(data).result().name == result.name  # the run's baseline is the same
