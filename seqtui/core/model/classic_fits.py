"""The classic models a practitioner would fit before a network, each tuned on the validation part.

- text: word-level TF-IDF + logistic regression over the raw texts of the run's own rows (`Dataset.words`),
  so the baseline is the same whatever the run's tokenizer, vocabulary or maxlen; words alone or words and
  word pairs, and the regularisation C, chosen on validation accuracy;
- images: logistic regression on the pixels, C chosen on validation accuracy;
- series: ridge regression on the model's own window (a linear autoregression), alpha chosen on validation MAE.

Every candidate is fitted on the training part only, as the network is, and the one chosen on validation is
scored on the test part: no test row decides anything. Each fit returns its per-test-row scores too, so the
verdict can pair them with the model's (`verdicts.paired_interval`).
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

    from seqtui.datasets.base import Dataset

C_GRID = (0.3, 1.0, 3.0, 10.0)
"""Logistic regression's C (inverse regularisation) for TF-IDF features, weakest regularisation last."""
PIXEL_C_GRID = (0.01, 0.1, 1.0)
"""C for 784 pixel features: strongly regularised fits converge fast and often read digits best."""
NGRAMS = ((1, 1), (1, 2))
"""Words alone, or words and word pairs ("not good")."""
ALPHA_GRID = (0.01, 0.1, 1.0, 10.0, 100.0)
"""Ridge's alpha on the normalised window."""
MAX_FEATURES = 200_000
"""The most frequent words and pairs kept: a bounded, deterministic vocabulary for large corpora."""
TOKEN_PATTERN = r"(?u)\b\w+\b"
"""Words of any script, one letter long included (Korean "안", "잘")."""


@dataclass
class Fit:
    """A tuned classic model's outcome on the test part."""

    test: float
    """Test accuracy, or test MAE for a regression (in the normalised units the model is trained in)."""
    rows: np.ndarray
    """Per test row: 1.0/0.0 correct, or the absolute error."""
    chosen: dict[str, float]
    """The settings picked on validation and the validation score, as reference metrics."""
    note: str = ""


def class_labels(y: np.ndarray) -> np.ndarray:
    """Labels as one int column, whatever shape the dataset keeps them in ((n,) or (n, 1))."""
    import numpy as np  # here, not at the top: numpy loads with the data, not when this module does

    return np.asarray(y).reshape(len(y), -1)[:, 0].astype(int)


def documents(data: Dataset, part: str, n: int | None = None) -> list[str]:
    """The raw texts of a part; a dataset built without them (token ids only) spells its ids as words, padding
    (id 0) left out."""
    if part in data.words:
        return [str(t) for t in data.words[part][:n]]
    x = getattr(data, f"x_{part}")[:n]
    return [" ".join(str(int(i)) for i in row if i > 0) for row in x]


def _logreg(c: float) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, max_iter=200, tol=1e-3)


def _fit_quietly(model: Any, x: Any, y: Any) -> Any:
    """Fit without convergence warnings, on one BLAS thread: the fit runs beside the training, and on a busy
    2-core machine BLAS threads fighting over the cores made a 0.6 s fit take 15 s."""
    from sklearn.exceptions import ConvergenceWarning
    from threadpoolctl import threadpool_limits

    with warnings.catch_warnings(), threadpool_limits(1):
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(x, y)


def _pick_c(
    parts: tuple[Any, Any, Any], ys: tuple[Any, Any], grid: tuple[float, ...], deadline: float
) -> tuple[float, float, Any, bool]:
    """(validation accuracy, C, model) of the best C on (x_train, x_val, _), and whether time cut the grid."""
    import numpy as np

    best: tuple[float, float, Any] | None = None
    for c in grid:
        if best is not None and time.perf_counter() > deadline:
            return (*best, True)
        model = _fit_quietly(_logreg(c), parts[0], ys[0])
        score = float(np.mean(model.predict(parts[1]) == ys[1]))
        if best is None or score > best[0]:
            best = (score, c, model)
    assert best is not None
    return (*best, False)


def tuned_tfidf(data: Dataset, n: int, seconds: float) -> Fit:
    """Word-level TF-IDF + logistic regression: n-grams and C chosen on validation, fitted on the first `n`
    training rows; the grid stops early (best so far kept, and said) past `seconds`."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    deadline = time.perf_counter() + seconds
    train, val, test = documents(data, "train", n), documents(data, "val"), documents(data, "test")
    y_train, y_val, y_test = (
        class_labels(data.y_train[:n]),
        class_labels(data.y_val),
        class_labels(data.y_test),
    )
    best: tuple[float, float, tuple[int, int], Any, Any] | None = None
    cut = False
    for ngrams in NGRAMS:
        if best is not None and time.perf_counter() > deadline:
            cut = True
            break
        vectorizer = TfidfVectorizer(
            token_pattern=TOKEN_PATTERN, ngram_range=ngrams, sublinear_tf=True, max_features=MAX_FEATURES
        )
        x_train = vectorizer.fit_transform(train)
        score, c, model, cut = _pick_c(
            (x_train, vectorizer.transform(val), None), (y_train, y_val), C_GRID, deadline
        )
        if best is None or score > best[0]:
            best = (score, c, ngrams, vectorizer, model)
        if cut:
            break
    assert best is not None
    score, c, ngrams, vectorizer, model = best
    rows = (model.predict(vectorizer.transform(test)) == y_test).astype("float64")
    chosen = {"logreg_c": c, "logreg_ngram_max": float(ngrams[1]), "logreg_val_accuracy": score}
    return Fit(float(np.mean(rows)), rows, chosen, _cut_note(cut, seconds))


def tuned_pixels(data: Dataset, n: int, seconds: float) -> Fit:
    """Logistic regression on the pixels, C chosen on validation, fitted on the first `n` training images."""
    import numpy as np

    deadline = time.perf_counter() + seconds
    flat = {
        p: np.asarray(getattr(data, f"x_{p}")).reshape(len(getattr(data, f"x_{p}")), -1)
        for p in ("val", "test")
    }
    x_train = np.asarray(data.x_train[:n]).reshape(n, -1)
    y_train, y_val, y_test = (
        class_labels(data.y_train[:n]),
        class_labels(data.y_val),
        class_labels(data.y_test),
    )
    score, c, model, cut = _pick_c((x_train, flat["val"], None), (y_train, y_val), PIXEL_C_GRID, deadline)
    rows = (model.predict(flat["test"]) == y_test).astype("float64")
    chosen = {"logreg_c": c, "logreg_val_accuracy": score}
    return Fit(float(np.mean(rows)), rows, chosen, _cut_note(cut, seconds))


def _cut_note(cut: bool, seconds: float) -> str:
    return f"the tuning grid was cut short after {seconds:g} s (the best setting so far kept)" if cut else ""


def tuned_ridge(data: Dataset, n: int) -> Fit:
    """Ridge regression on the flattened window (every feature of every step), alpha chosen on validation MAE;
    fitted on `n` training windows spread evenly over the training part (windows are chronological)."""
    import numpy as np
    from sklearn.linear_model import Ridge

    def flat(x: np.ndarray) -> np.ndarray:
        return np.asarray(x, dtype="float64").reshape(len(x), -1)

    every = max(1, -(-len(data.x_train) // n))
    x_train, y_train = flat(data.x_train[::every]), np.asarray(data.y_train[::every], "float64").reshape(-1)
    x_val, y_val = flat(data.x_val), np.asarray(data.y_val, "float64").reshape(-1)
    best: tuple[float, float, Any] | None = None
    for alpha in ALPHA_GRID:
        model = _fit_quietly(Ridge(alpha=alpha), x_train, y_train)
        mae = float(np.mean(np.abs(model.predict(x_val) - y_val)))
        if best is None or mae < best[0]:
            best = (mae, alpha, model)
    assert best is not None
    mae, alpha, model = best
    rows = np.abs(model.predict(flat(data.x_test)) - np.asarray(data.y_test, "float64").reshape(-1))
    note = f"fitted on every {every}th of the {len(data.x_train):,} training windows" if every > 1 else ""
    return Fit(float(np.mean(rows)), rows, {"ridge_alpha": alpha, "ridge_val_mae": mae}, note)
