"""Setup's settings about the run rather than the model: which epoch it keeps (`train --monitor`), its name
(`train --name`) and who is told when it ends (`--notify CMD|URL`), remembered between launches like the
other settings.

A webhook URL's secrets (a password, `token=`...) are never shown: the box masks a URL that holds one and
the line beside it shows the URL with the secrets as ***.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from textual.widgets import Input, Select

from seqtui.common.redact import secrets_of
from seqtui.core.config.metrics import MONITORS
from seqtui.core.config.validation import Problem, validate
from seqtui.core.runs.notify import NotifyError, check_target, describe, is_webhook
from seqtui.tui.setup_form import unused_reason
from seqtui.tui.widgets.field_row import ChoiceRow, FieldRow

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from seqtui.core.config.run_config import RunConfig

RUN_FIELDS = ("label", "notify")
"""The inputs' ids: `label` is the config's field the run name sets, `notify` the remembered target."""
LABEL_TIP = "optional, as train --name: what Runs calls this run (blank: the preset and what changed)"
NOTIFY_TIP = "optional, as train --notify: a command or a webhook URL told when the run ends; remembered"
MONITOR_TIP = (
    "as train --monitor: the epoch kept and tested, and early stopping, by the lowest validation loss or "
    "the highest validation accuracy (classifiers; a forecast has no accuracy)"
)
MONITOR_ASIDE = {"val_loss": "lowest kept", "val_accuracy": "highest kept"}
"""Beside the choice, in the 11 columns an 80-column Setup leaves it (the tip says it in full)."""


class RunFields:
    """Mixed into the Setup screen: the run-name and notify rows, their checks and how they reach the run."""

    query_one: Any

    def compose_run_fields(self, monitor: str) -> ComposeResult:
        yield ChoiceRow("monitor", "monitor", MONITORS, monitor, MONITOR_TIP)
        yield FieldRow("label", "run name", "", LABEL_TIP)
        yield FieldRow("notify", "notify", "", NOTIFY_TIP)

    @property
    def notify_target(self) -> str:
        return str(self.query_one("#notify", Input).value).strip()

    def named(self, config: RunConfig) -> RunConfig:
        """`config` with the run name typed in the form (None when blank: the run is named after what it is)."""
        label = str(self.query_one("#label", Input).value).strip() or None
        return dataclasses.replace(config, label=label)

    def run_field_problems(self, config: RunConfig) -> list[Problem]:
        """The run name as `train --name` checks it, and the notify target as `--notify` checks it."""
        problems = [p for p in validate(self.named(config), None) if p.field == "label"]
        box = self.query_one("#notify", Input)
        box.password = bool(is_webhook(self.notify_target) and secrets_of(self.notify_target))
        try:
            check_target(self.notify_target)
        except NotifyError as exc:  # its message shows the URL redacted
            problems.append(Problem("notify", exc.message.removeprefix("--notify ")))
        return problems

    def run_field_aside(self, name: str) -> str | None:
        """What the notify row says beside a target that works: who is told, secrets as ***."""
        if name != "notify" or not self.notify_target:
            return None
        return f"→ {describe(self.notify_target)}"

    @property
    def monitor(self) -> str:
        return str(self.query_one("#monitor", Select).value)

    def show_monitor(self, arch: str, input_kind: str, problems: list[Problem]) -> None:
        """The monitor row: fixed to val_loss with the reason where the data has no accuracy (a series),
        else its problem (val_accuracy for a file that turns out a series is caught at Start) or meaning."""
        reason = unused_reason("monitor", arch, input_kind)
        choice = self.query_one("#monitor", Select)
        if reason and choice.value != "val_loss":
            choice.value = "val_loss"
        choice.disabled = reason is not None
        problem = next((p.message for p in problems if p.field == "monitor"), None)
        self.query_one("#row-monitor", ChoiceRow).set_problem(
            problem, reason or MONITOR_ASIDE.get(self.monitor)
        )
