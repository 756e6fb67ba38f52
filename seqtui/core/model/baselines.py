"""The baseline to beat: a classic model fitted on the run's own split, so a deep model's test metric means
something. A deep model that doesn't beat a simple one teaches the wrong lesson.

- text classification: word-level TF-IDF over the raw texts of the run's own rows + logistic regression, n-grams
  and C tuned on validation (`classic_fits.py`; the same whatever the run's tokenizer), and the majority class;
- images: logistic regression on the pixels, C tuned on validation (and the majority class);
- series: "tomorrow equals now", always answering the training mean, and a ridge regression on the same window
  (alpha tuned on validation), whichever is best; the adding problem, with no past of its target, has the mean;
- generation: the most frequent next token.

`BaselineJob` fits it in a background thread started with training, so it never delays the first batch, and
gives up after a time budget; each fit also uses at most `MAX_FIT_SAMPLES` training samples.

`run_verdict` pairs the model's test rows with the baseline's; the sentence and its interval are in
`verdicts.py`.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from seqtui.common.errors import error_text
from seqtui.core.config.metrics import higher_is_better
from seqtui.core.model import classic_fits
from seqtui.core.model.verdicts import paired_interval, units, verdict

if TYPE_CHECKING:
    import numpy as np

    from seqtui.datasets.base import Dataset

MAX_FIT_SAMPLES = 20_000
"""Training samples the classic model sees at most (the first ones: training rows are shuffled)."""
MAX_IMAGE_SAMPLES = 10_000
"""Images have 784 dense features each: fewer of them fit in the same time."""
MAX_SECONDS = 60.0
"""How long the end of a run waits for the baseline, at most, once training is done."""


@dataclass(frozen=True)
class Baseline:
    """A simple model's test result in the run's headline metric."""

    name: str
    """What the simple model is, in words ("TF-IDF + logistic regression")."""
    metric: str
    """The task's headline metric: 'accuracy' (higher is better) or 'mae' (lower is better)."""
    test: float
    """The baseline's value of `metric` on the run's test set."""
    metrics: dict[str, float] = field(default_factory=dict)
    """Every reference number, as metrics.json and the run_end event carry them: `test_<metric>` is the value
    to beat; `majority_test_accuracy` and `logreg_test_accuracy` the two candidates for classifiers."""
    note: str = ""
    """What was capped or left out, when something was."""
    seconds: float = 0.0
    rows: Any = field(default=None, compare=False, repr=False)
    """Per test row, in test order: 1.0/0.0 correct, or the absolute error; what the verdict pairs with the
    model's rows. Not recorded (a run.json holds the numbers, not the rows)."""

    @property
    def higher_is_better(self) -> bool:
        return higher_is_better(self.metric)

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "rows"} | {
            "metrics": dict(self.metrics)
        }

    @classmethod
    def from_dict(cls, raw: Any) -> Baseline | None:
        """The baseline a run.json recorded, or None when it holds none (older runs) or a damaged one."""
        if not isinstance(raw, dict):
            return None
        try:
            return cls(
                str(raw["name"]),
                str(raw["metric"]),
                float(raw["test"]),
                {str(k): float(v) for k, v in (raw.get("metrics") or {}).items()},
                str(raw.get("note", "")),
                float(raw.get("seconds", 0.0)),
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            return None


def model_rows(data: Dataset, predictions: Any) -> Any:
    """The model's per-test-row scores, as the baseline's: 1.0/0.0 correct (predicted labels), or the absolute
    error (predicted values)."""
    import numpy as np

    if data.task == "regression":
        real = np.asarray(data.y_test, "float64").reshape(-1)
        return np.abs(np.asarray(predictions, "float64").reshape(-1) - real)
    return (np.asarray(predictions).reshape(-1) == classic_fits.class_labels(data.y_test)).astype("float64")


def run_verdict(data: Dataset, metric: str, model: float, baseline: Baseline, predictions: Any) -> str:
    """The verdict of a run: paired with the baseline's test rows when both have them, in the series' units."""
    rows = model_rows(data, predictions) if predictions is not None else None
    if rows is None or baseline.rows is None or len(rows) != len(baseline.rows) or not len(rows):
        return verdict(metric, model, baseline)
    return verdict(metric, model, baseline, paired_interval(rows, baseline.rows), units(data))


def majority(data: Dataset) -> Baseline | None:
    """The most frequent training label (or next token), always predicted: instant, every classifier."""
    if data.task == "regression" or not len(data.y_train) or not len(data.y_test):
        return None
    import numpy as np

    y_train, y_test = classic_fits.class_labels(data.y_train), classic_fits.class_labels(data.y_test)
    top = int(np.bincount(y_train).argmax())
    rows = (y_test == top).astype("float64")
    accuracy = float(np.mean(rows))
    if data.task == "generation":
        name = f"most frequent next token ({_class_name(data, top)!r})"
    else:
        name = f"majority class ({_class_name(data, top)})"
    metrics = {"test_accuracy": accuracy, "majority_test_accuracy": accuracy}
    return Baseline(name, "accuracy", accuracy, metrics, rows=rows)


def _class_name(data: Dataset, index: int) -> str:
    if data.task == "generation":
        return " ".join(data.encoder.tokenizer.decode([index]))  # a generator's encoder is a TextEncoder
    return data.class_names[index] if index < len(data.class_names) else str(index)


def _bag_of_ids(x: np.ndarray, width: int) -> Any:
    """Padded token-id rows -> a sparse count matrix (id 0 is padding and left out)."""
    import numpy as np
    from scipy.sparse import csr_matrix

    rows = np.repeat(np.arange(len(x)), x.shape[1])
    cols = np.asarray(x).reshape(-1).astype(np.int64)
    keep = (cols > 0) & (cols < width)
    counts = np.ones(int(keep.sum()), dtype=np.float32)
    return csr_matrix((counts, (rows[keep], cols[keep])), shape=(len(x), width))


def logistic_regression(data: Dataset, max_samples: int = MAX_FIT_SAMPLES) -> Baseline | None:
    """Word-level TF-IDF + logistic regression for text, logistic regression on pixels for images, each tuned
    on the validation part (`classic_fits`)."""
    if data.task not in ("binary", "multiclass") or data.input_kind == "series":
        return None
    import numpy as np

    started = time.perf_counter()
    cap = max_samples if data.input_kind == "tokens" else min(max_samples, MAX_IMAGE_SAMPLES)
    n = min(len(data.x_train), cap)
    if (
        len(np.unique(classic_fits.class_labels(data.y_train[:n]))) < 2
        or not len(data.y_test)
        or not len(data.y_val)
    ):
        return None
    if data.input_kind == "tokens":
        fit, name = classic_fits.tuned_tfidf(data, n, MAX_SECONDS / 2), "TF-IDF + logistic regression"
    else:
        fit, name = classic_fits.tuned_pixels(data, n, MAX_SECONDS / 2), "logistic regression on pixels"
    notes = [f"fitted on {n:,} of {len(data.x_train):,} training samples"] if n < len(data.x_train) else []
    metrics = {"test_accuracy": fit.test, "logreg_test_accuracy": fit.test, **fit.chosen}
    note = "; ".join(notes + ([fit.note] if fit.note else []))
    return Baseline(name, "accuracy", fit.test, metrics, note, time.perf_counter() - started, fit.rows)


def _persistence_rows(data: Dataset) -> Any:
    """Each test window's error when its last observed value is the forecast: the same windows end on it."""
    import numpy as np

    from seqtui.datasets.base import SeriesEncoder

    if not isinstance(data.encoder, SeriesEncoder) or not len(data.x_test):
        return None
    now = np.asarray(data.x_test)[:, -1, data.encoder.target_index]
    return np.abs(np.asarray(data.y_test).reshape(-1) - now).astype("float64")


def series_baseline(data: Dataset) -> Baseline | None:
    """'Tomorrow equals now', which the series loader computed on the same windows."""
    if data.task != "regression" or "test_mae" not in data.baseline:
        return None
    metrics = {**data.baseline, "naive_test_mae": float(data.baseline["test_mae"])}
    test = float(data.baseline["test_mae"])
    return Baseline("tomorrow equals now", "mae", test, metrics, rows=_persistence_rows(data))


def mean_baseline(data: Dataset) -> Baseline | None:
    """Always answering the training targets' mean: the reference of any regression (the adding problem's
    natural one: its target, a sum of two uniform values, averages 1)."""
    if data.task != "regression" or not len(data.y_train) or not len(data.y_test):
        return None
    import numpy as np

    mean = float(np.mean(np.asarray(data.y_train, dtype="float64")))
    error = np.asarray(data.y_test, dtype="float64").reshape(-1) - mean
    mae, mse = float(np.mean(np.abs(error))), float(np.mean(error**2))
    metrics = {"test_mae": mae, "mean_test_mae": mae, "mean_test_mse": mse}
    return Baseline(f"always the training mean ({mean:.3g})", "mae", mae, metrics, rows=np.abs(error))


def ridge_baseline(data: Dataset, max_samples: int = MAX_FIT_SAMPLES) -> Baseline | None:
    """A linear autoregression: ridge on the model's own window, alpha tuned on validation. Only for a series
    that forecasts one of its own columns (the adding problem's target has no past to regress on)."""
    if data.task != "regression" or "test_mae" not in data.baseline or not len(data.x_val):
        return None
    started = time.perf_counter()
    fit = classic_fits.tuned_ridge(data, max_samples)
    steps = data.x_train.shape[1] if data.x_train.ndim > 1 else 1
    metrics = {"test_mae": fit.test, "ridge_test_mae": fit.test, **fit.chosen}
    name = f"ridge regression on the same {steps}-step window"
    return Baseline(name, "mae", fit.test, metrics, fit.note, time.perf_counter() - started, fit.rows)


def regression_baseline(data: Dataset, fitted: Baseline | None = None) -> Baseline | None:
    """The best of 'tomorrow equals now' (series that computed it), always answering the mean and the fitted
    ridge when there is one, with every number. A fitted model must beat the simple ones by more than
    rounding."""
    candidates = [b for b in (series_baseline(data), mean_baseline(data)) if b is not None]
    if not candidates:
        return fitted
    best = min(candidates, key=lambda b: b.test)
    if fitted is not None and fitted.test < best.test * (1 - 1e-6):
        best = fitted
    metrics = {k: v for b in (*candidates, fitted) if b is not None for k, v in b.metrics.items()}
    note = fitted.note if fitted is not None else ""
    seconds = fitted.seconds if fitted is not None else 0.0
    metrics.update(test_mae=best.test, test_mae_in_units=best.test * units(data).scale)  # the best one's
    return Baseline(best.name, "mae", best.test, metrics, note, seconds, best.rows)


def _combine(simple: Baseline | None, fitted: Baseline | None, note: str = "") -> Baseline | None:
    """The stronger of the fitted model and the majority class, carrying both numbers."""
    if fitted is None:
        if not note or simple is None:
            return simple
        return Baseline(**{**simple.to_dict(), "note": note}, rows=simple.rows)
    if simple is None:
        return fitted
    best = fitted if fitted.test >= simple.test else simple
    notes = "; ".join(n for n in (fitted.note, note) if n)
    return Baseline(
        best.name,
        best.metric,
        best.test,
        {**fitted.metrics, **simple.metrics, "test_accuracy": best.test},
        notes,
        fitted.seconds,
        best.rows,
    )


def compute(data: Dataset, max_samples: int = MAX_FIT_SAMPLES) -> Baseline | None:
    """The baseline to beat for this dataset, or None when its task has none (or its test set is empty)."""
    if data.task == "regression":
        return regression_baseline(data, ridge_baseline(data, max_samples))
    return _combine(majority(data), logistic_regression(data, max_samples))


class BaselineJob:
    """Fits the baseline in a daemon thread; `result()` waits at most `budget_s` for it.

    The simple baselines (the majority class; 'tomorrow equals now' and the mean) are computed at once, so a
    run always has one: when the fitted model takes longer than its budget (a huge dataset on a slow
    machine), the run ends with the simple one and a note saying so.
    """

    def __init__(self, data: Dataset, budget_s: float = MAX_SECONDS, max_samples: int = MAX_FIT_SAMPLES):
        self.data = data
        self.budget_s = budget_s
        self.max_samples = max_samples
        regression = data.task == "regression"
        self._simple = regression_baseline(data) if regression else majority(data)
        self._what = "ridge regression" if regression else "logistic regression"
        self._fitted: Baseline | None = None
        self._error = ""
        self._thread: threading.Thread | None = None
        if data.task in ("binary", "multiclass") or (regression and "test_mae" in data.baseline):
            self._thread = threading.Thread(target=self._run, name="seqtui-baseline", daemon=True)
            self._started = time.perf_counter()
            self._thread.start()

    def _run(self) -> None:
        try:
            if self.data.task == "regression":
                self._fitted = ridge_baseline(self.data, self.max_samples)
            else:
                self._fitted = logistic_regression(self.data, self.max_samples)
        except Exception as exc:  # noqa: BLE001 - a baseline must never fail a run; the note says why
            self._error = f"the {self._what} baseline failed ({error_text(exc)})"

    def result(self) -> Baseline | None:
        if self._thread is None:
            return self._simple
        left = self.budget_s - (time.perf_counter() - self._started)
        self._thread.join(max(left, 0.0))
        if self._thread.is_alive():
            note = f"the {self._what} baseline took longer than {self.budget_s:g} s and was skipped"
            return self._merged(None, note)
        return self._merged(self._fitted, self._error)

    def _merged(self, fitted: Baseline | None, note: str) -> Baseline | None:
        if self.data.task != "regression":
            return _combine(self._simple, fitted, note)
        merged = regression_baseline(self.data, fitted)
        if merged is None or not note:
            return merged
        return Baseline(**{**merged.to_dict(), "note": note}, rows=merged.rows)
