"""`seqtui train ... --find-lr` in a terminal: the range test with Ctrl+C handling, its chart, and the
suggestion with the command line that uses it. No run folder is created and the settings stay as given.

Nothing here imports Keras at module level.
"""

from __future__ import annotations

import json
import shlex
import sys
import threading
from typing import TYPE_CHECKING

from rich.console import Console
from rich.text import Text

from seqtui.common.names import clean_text

if TYPE_CHECKING:
    from seqtui.core.config.run_config import RunConfig
    from seqtui.core.training.lr_finder import LRFinding


LEFT_OUT = ("find_lr", "as_json", "resume", "learning_rate")
"""Options the command line that uses the suggestion does not repeat (the rate is the suggestion's)."""


def use_command(given: list[str], learning_rate: float) -> str:
    """The command line that trains with the suggestion: `given` (the `train` command's words as typed, the
    LEFT_OUT options removed: cli.common.command_line) with `--learning-rate` set to the suggestion."""
    words = ["seqtui", *given, "--learning-rate", f"{learning_rate:.2g}"]
    return clean_text(" ".join(shlex.quote(w) for w in words))


def run_lr_finder(
    config: RunConfig,
    given: list[str],
    backend: str | None,
    as_json: bool,
    out: Console,
    err: Console,
) -> LRFinding:
    """Run the range test on `config` and show it: a chart and the suggestion, or one JSON object."""
    from seqtui.core.training.lr_finder import BATCHES, START_RATE, STOP_RATE, find_lr
    from seqtui.headless.train import interrupt_handler
    from seqtui.render.lr_chart import lr_chart, lr_summary
    from seqtui.render.output import output_mode, stdout_kept_for

    cancel = threading.Event()
    err.print(
        f"finding a learning rate: {BATCHES} batches, the rate growing from {START_RATE:g} to {STOP_RATE:g} "
        "(no run folder is written; Ctrl+C stops)",
        highlight=False,
    )
    with stdout_kept_for(output_mode(as_json)), interrupt_handler(cancel, err):
        finding = find_lr(config, backend, cancel)
    suggestion = finding.test.suggestion
    command = use_command(given, suggestion) if suggestion is not None else ""
    if as_json:
        print(json.dumps({**finding.to_dict(), "command": command}), file=sys.stdout)
        return finding
    out.print(Text.from_ansi(lr_chart(finding, color=not out.no_color)))
    out.print(lr_summary(finding, command), soft_wrap=True)
    return finding
