"""The baseline to beat: a classic model fitted on the run's own split, so a deep model's test metric means
something. A deep model that doesn't beat a simple one teaches the wrong lesson.

- text classification: TF-IDF over the run's token ids + logistic regression (and the majority class);
- images: logistic regression on the pixels (and the majority class);
- series: "tomorrow equals now" (computed by the dataset itself, on the same windows);
- generation: the most frequent next token.

`BaselineJob` fits it in a background thread started with training, so it never delays the first batch, and
gives up after a time budget; each fit also uses at most `MAX_FIT_SAMPLES` training samples.
"""

from __future__ import annotations

import threading
import time
import warnings
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from seqtui.common.errors import error_text
from seqtui.core.config.metrics import higher_is_better

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

    @property
    def higher_is_better(self) -> bool:
        return higher_is_better(self.metric)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

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


def verdict(metric: str, model: float, baseline: Baseline) -> str:
    """A plain sentence: does the model beat the baseline, and by how much?"""
    b = baseline.test
    if baseline.higher_is_better:
        points = (model - b) * 100
        if points >= 0.05:
            return f"beats the baseline ({baseline.name}, {metric} {b:.4f}) by {points:.1f} points"
        if points > -0.05:
            return f"does not beat the baseline ({baseline.name}, {metric} {b:.4f}): level with it"
        return f"does not beat the baseline ({baseline.name}, {metric} {b:.4f}): {-points:.1f} points below"
    if model < b and b > 0:
        return f"beats the baseline ({baseline.name}, {metric} {b:.4f}): {(b - model) / b:.0%} lower error"
    return f"does not beat the baseline ({baseline.name}, {metric} {b:.4f}): {metric} {model:.4f}"


def beats(model: float, baseline: Baseline) -> bool:
    return model - baseline.test >= 0.0005 if baseline.higher_is_better else model < baseline.test


def _labels(y: np.ndarray) -> np.ndarray:
    import numpy as np  # here, not at the top: the console imports this module for `beats` at start-up

    return np.asarray(y).reshape(len(y), -1)[:, 0].astype(int)


def majority(data: Dataset) -> Baseline | None:
    """The most frequent training label (or next token), always predicted: instant, every classifier."""
    if data.task == "regression" or not len(data.y_train) or not len(data.y_test):
        return None
    import numpy as np

    y_train, y_test = _labels(data.y_train), _labels(data.y_test)
    top = int(np.bincount(y_train).argmax())
    accuracy = float(np.mean(y_test == top))
    if data.task == "generation":
        name = f"most frequent next token ({_class_name(data, top)!r})"
    else:
        name = f"majority class ({_class_name(data, top)})"
    return Baseline(
        name, "accuracy", accuracy, {"test_accuracy": accuracy, "majority_test_accuracy": accuracy}
    )


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
    """TF-IDF + logistic regression for token classification, logistic regression on pixels for images."""
    if data.task not in ("binary", "multiclass") or data.input_kind == "series":
        return None
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    started = time.perf_counter()
    cap = max_samples if data.input_kind == "tokens" else min(max_samples, MAX_IMAGE_SAMPLES)
    n = min(len(data.x_train), cap)
    y_train, y_test = _labels(data.y_train[:n]), _labels(data.y_test)
    if len(np.unique(y_train)) < 2 or not len(y_test):
        return None
    if data.input_kind == "tokens":
        from sklearn.feature_extraction.text import TfidfTransformer

        width = int(max(data.x_train[:n].max(initial=0), data.x_test.max(initial=0))) + 1
        tfidf = TfidfTransformer(sublinear_tf=True)
        x_train = tfidf.fit_transform(_bag_of_ids(data.x_train[:n], width))
        x_test = tfidf.transform(_bag_of_ids(data.x_test, width))
        name = "TF-IDF + logistic regression"
    else:
        x_train = np.asarray(data.x_train[:n]).reshape(n, -1)
        x_test = np.asarray(data.x_test).reshape(len(data.x_test), -1)
        name = "logistic regression on pixels"
    from sklearn.exceptions import ConvergenceWarning

    model = LogisticRegression(max_iter=100, tol=1e-3)  # a reference, not a contest: a loose, quick fit
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(x_train, y_train)
    accuracy = float(np.mean(model.predict(x_test) == y_test))
    note = f"fitted on {n:,} of {len(data.x_train):,} training samples" if n < len(data.x_train) else ""
    metrics = {"test_accuracy": accuracy, "logreg_test_accuracy": accuracy}
    return Baseline(name, "accuracy", accuracy, metrics, note, time.perf_counter() - started)


def series_baseline(data: Dataset) -> Baseline | None:
    """'Tomorrow equals now', which the series loader computed on the same windows."""
    if data.task != "regression" or "test_mae" not in data.baseline:
        return None
    return Baseline("tomorrow equals now", "mae", float(data.baseline["test_mae"]), dict(data.baseline))


def _combine(simple: Baseline | None, fitted: Baseline | None, note: str = "") -> Baseline | None:
    """The stronger of the fitted model and the majority class, carrying both numbers."""
    if fitted is None:
        return simple if not note or simple is None else Baseline(**{**simple.to_dict(), "note": note})
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
    )


def compute(data: Dataset, max_samples: int = MAX_FIT_SAMPLES) -> Baseline | None:
    """The baseline to beat for this dataset, or None when its task has none (or its test set is empty)."""
    if data.task == "regression":
        return series_baseline(data)
    return _combine(majority(data), logistic_regression(data, max_samples))


class BaselineJob:
    """Fits the baseline in a daemon thread; `result()` waits at most `budget_s` for it.

    The majority class is computed at once, so a classifier always has a baseline: when the fitted model
    takes longer than its budget (a huge dataset on a slow machine), the run ends with the majority class
    and a note saying so.
    """

    def __init__(self, data: Dataset, budget_s: float = MAX_SECONDS, max_samples: int = MAX_FIT_SAMPLES):
        self.data = data
        self.budget_s = budget_s
        self.max_samples = max_samples
        self._simple = series_baseline(data) if data.task == "regression" else majority(data)
        self._fitted: Baseline | None = None
        self._error = ""
        self._thread: threading.Thread | None = None
        if data.task in ("binary", "multiclass"):
            self._thread = threading.Thread(target=self._run, name="seqtui-baseline", daemon=True)
            self._started = time.perf_counter()
            self._thread.start()

    def _run(self) -> None:
        try:
            self._fitted = logistic_regression(self.data, self.max_samples)
        except Exception as exc:  # noqa: BLE001 - a baseline must never fail a run; the note says why
            self._error = f"the logistic regression baseline failed ({error_text(exc)})"

    def result(self) -> Baseline | None:
        if self._thread is None:
            return self._simple
        left = self.budget_s - (time.perf_counter() - self._started)
        self._thread.join(max(left, 0.0))
        if self._thread.is_alive():
            note = f"the logistic regression baseline took longer than {self.budget_s:g} s and was skipped"
            return _combine(self._simple, None, note)
        return _combine(self._simple, self._fitted, self._error)
