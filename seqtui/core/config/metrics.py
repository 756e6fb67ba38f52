"""What a task's headline metric means: which way is better; and which epoch a run's checkpoint holds."""

from __future__ import annotations

import math
from typing import Any

MONITORS = ("val_loss", "val_accuracy")
"""What a run's checkpoint (model.keras) and early stopping follow: the lowest validation loss (the default,
every task) or the highest validation accuracy (classifiers)."""


def higher_is_better(metric: str) -> bool:
    """Whether a larger value of a task's headline metric is better: accuracy yes, mae (an error) no."""
    return metric != "mae" and not metric.endswith("loss")


def monitored(row: dict[str, Any], monitor: str) -> float:
    """The row's value of `monitor`: its training counterpart when the run has no validation part (a
    `val_loss` monitor reads `loss`), NaN when absent."""
    value = row.get(monitor, row.get(monitor.removeprefix("val_"), math.nan))
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else math.nan


def improves(value: float, best: float | None, monitor: str) -> bool:
    """Whether `value` is a strictly better `monitor` than `best` (None: no best yet); NaN never is."""
    if not math.isfinite(value):
        return False
    if best is None or not math.isfinite(best):
        return True
    return value > best if higher_is_better(monitor) else value < best


def best_row(history: list[dict[str, Any]], monitor: str = "val_loss") -> dict[str, Any] | None:
    """The history row of the epoch a run's checkpoint holds: the first with the best finite `monitor`
    (as the recorder keeps it: only a strict improvement replaces model.keras). None without one."""
    chosen: dict[str, Any] | None = None
    for row in history:
        if improves(monitored(row, monitor), None if chosen is None else monitored(chosen, monitor), monitor):
            chosen = row
    return chosen


def kept_row(
    history: list[dict[str, Any]], monitor: str = "val_loss", epoch: Any = None
) -> dict[str, Any] | None:
    """The row of the epoch model.keras holds: the recorded `epoch` (run.json's `best_epoch`) when the history
    has it, else derived from the history by `monitor` (a run made before the epoch was recorded)."""
    if isinstance(epoch, int) and not isinstance(epoch, bool):
        row = next((r for r in history if r.get("epoch") == epoch), None)
        if row is not None:
            return row
    return best_row(history, monitor)


def best_epoch_fields(history: list[dict[str, Any]], monitor: str = "val_loss") -> dict[str, Any]:
    """`best_epoch`, `monitor` and `best_val` (that epoch's validation metrics) of a run's end: what every
    view shows as the run's best, the epoch that was tested."""
    row = best_row(history, monitor)
    if row is None:
        return {"monitor": monitor}
    values = {k: float(v) for k, v in row.items() if k.startswith("val_") and isinstance(v, (int, float))}
    epoch = row.get("epoch", history.index(row) + 1)
    return {"best_epoch": int(epoch), "monitor": monitor, "best_val": values}
