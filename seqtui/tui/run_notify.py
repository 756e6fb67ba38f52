"""Tell the notify target Setup remembers (`--notify CMD|URL` in the app) that a run the app trained ended.

The notifier runs in a thread worker (it may take up to its timeout); a failure is one warning toast, with
a webhook's secrets as ***, never an error dialog.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from seqtui.core.runs.notify import NotifyError, Outcome, check_target, notify
from seqtui.tui import memory

if TYPE_CHECKING:
    from textual.app import App

    from seqtui.core.training.events import RunEnded


def run_outcome(end: RunEnded) -> Outcome:
    """What the notifier is told of one run (as `seqtui train --notify` tells it)."""
    from seqtui.common.errors import exit_code

    scored = [k for k in end.test_metrics if k != "loss"] or list(end.test_metrics)
    metric = scored[0] if scored else ""
    return Outcome(
        kind="run", name=Path(end.run_dir).name if end.run_dir else "", status=end.status,
        exit_code=exit_code(end.status), run_dir=end.run_dir, verdict=end.verdict or end.message,
        metric=end.test_metrics.get(metric), metric_name=f"test_{metric}" if metric else "",
    )  # fmt: skip


def remembered_target() -> str | None:
    """The notify target Setup saved when the run started; None when there is none (or it can't work)."""
    target = memory.recall().get("notify")
    try:
        return check_target(target) if isinstance(target, str) else None
    except NotifyError:
        return None


def tell_run_ended(app: App[Any], end: RunEnded) -> None:
    """Notify the remembered target in a thread worker; a warning toast when that failed."""
    target = remembered_target()
    if target is None:
        return
    outcome = run_outcome(end)

    def send() -> None:
        warning = notify(target, outcome)
        if warning:
            app.call_from_thread(app.notify, warning, severity="warning", markup=False)

    app.run_worker(send, thread=True, group="notify", name="notify", exit_on_error=False)
