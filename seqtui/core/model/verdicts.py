"""The verdict of a run against its baseline, in one plain sentence.

The verdict pairs the model's test rows with the baseline's (`paired_interval`): "beats" only when the 95%
interval of the difference excludes 0, "level with" when it holds it. Forecast errors are shown in the series'
units (`units`). Nothing here loads numpy at import time: the console imports `beats` at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from seqtui.core.model.baselines import Baseline
    from seqtui.datasets.base import Dataset

UNKNOWN_UNIT = "in the series' units"
"""What an error in the series' units says when the series doesn't name its unit."""
RESAMPLES = 2000
"""Bootstrap resamples of the test rows behind a verdict's 95% interval."""


@dataclass(frozen=True)
class Units:
    """How a forecast's error reads in the series' own units: the target's std and its unit, when known."""

    scale: float = 1.0
    name: str = ""

    def error(self, value: float) -> str:
        """'MAE 0.176 °F', or 'MAE 0.176 in the series' units' when the unit is unknown."""
        return f"MAE {value * self.scale:.3f} {self.name or UNKNOWN_UNIT}"

    def amount(self, value: float) -> str:
        return f"{value * self.scale:.3f}{' ' + self.name if self.name else ''}"


def units(data: Dataset) -> Units:
    """The series' units of a forecaster's data (the target's training std); plain units otherwise."""
    from seqtui.datasets.base import SeriesEncoder

    encoder = data.encoder
    if not isinstance(encoder, SeriesEncoder):
        return Units()
    return Units(float(encoder.std[encoder.target_index]), getattr(encoder, "unit", "") or "")


def paired_interval(model_rows: Any, baseline_rows: Any, resamples: int = RESAMPLES) -> tuple[float, float]:
    """The 95% paired bootstrap interval of mean(model row - baseline row) over the test rows: the same rows
    resampled for both (seeded, so a run's verdict is reproducible)."""
    import numpy as np

    diff = np.asarray(model_rows, dtype="float64") - np.asarray(baseline_rows, dtype="float64")
    rng = np.random.default_rng(0)
    means = np.empty(resamples)
    chunk = max(1, 2_000_000 // max(len(diff), 1))  # resamples per batch: about 16 MB of indices at most
    for start in range(0, resamples, chunk):
        stop = min(resamples, start + chunk)
        means[start:stop] = diff[rng.integers(0, len(diff), size=(stop - start, len(diff)))].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(low), float(high)


def verdict(
    metric: str,
    model: float,
    baseline: Baseline,
    interval: tuple[float, float] | None = None,
    unit: Units | None = None,
) -> str:
    """A plain sentence: does the model beat the baseline, and by how much? With `interval` (the paired 95%
    interval of model minus baseline, `paired_interval`) it says "level with" when the interval holds 0."""
    if interval is not None:
        if baseline.higher_is_better:
            return _accuracy_verdict(metric, model, baseline, interval)
        return _error_verdict(model, baseline, interval, unit or Units())
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


def _accuracy_verdict(metric: str, model: float, baseline: Baseline, interval: tuple[float, float]) -> str:
    points, low, high = (model - baseline.test) * 100, interval[0] * 100, interval[1] * 100
    what = f"the baseline ({baseline.name}, {metric} {baseline.test:.4f})"
    span = f"95% interval {low:.1f} to {high:.1f}"
    if low > 0:
        return f"beats {what} by {points:.1f} points ({span})"
    if high < 0:
        return f"does not beat {what}: {-points:.1f} points below ({span})"
    return f"is level with {what}: {points:+.1f} points, {span}"


def _error_verdict(model: float, baseline: Baseline, interval: tuple[float, float], unit: Units) -> str:
    """Lower is better: the interval of model minus baseline errors, read as how much lower the model's is."""
    lower, low, high = baseline.test - model, -interval[1], -interval[0]
    what = f"the baseline ({baseline.name}, {unit.error(baseline.test)})"
    span = f"95% interval {low * unit.scale:.3f} to {high * unit.scale:.3f}"
    if low > 0:
        return f"beats {what}: {unit.error(model)}, {unit.amount(lower)} lower ({span})"
    if high < 0:  # the interval read as how much higher, as the sentence says
        span = f"95% interval {-high * unit.scale:.3f} to {-low * unit.scale:.3f}"
        return f"does not beat {what}: {unit.error(model)}, {unit.amount(-lower)} higher ({span})"
    return f"is level with {what}: {unit.error(model)} ({lower * unit.scale:+.3f} lower), {span}"


def beats(model: float, baseline: Baseline) -> bool:
    return model - baseline.test >= 0.0005 if baseline.higher_is_better else model < baseline.test
