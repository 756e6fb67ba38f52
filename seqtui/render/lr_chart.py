"""What a terminal shows of a learning-rate range test: loss against rate on a log axis, and the suggestion
in words with the command line that uses it."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from rich.text import Text

if TYPE_CHECKING:
    from seqtui.core.training.lr_finder import LRFinding


def lr_chart(finding: LRFinding, width: int = 70, height: int = 16, color: bool = False) -> str:
    """Each batch's loss and the smoothed loss against the learning rate (log x-axis), the suggested rate
    marked by a vertical line; plotext text (ANSI colours only when `color`)."""
    import plotext as plt

    t = finding.test
    plt.clear_figure()
    plt.plotsize(width, height)
    plt.theme("clear" if not color else "pro")
    if t.rates:
        plt.plot(t.rates, t.losses, marker="dot")  # the legend is in the title: never over a curve
        plt.plot(t.rates, t.smoothed, marker="braille")
        plt.xscale("log")
        low, high = math.floor(math.log10(t.rates[0])), math.ceil(math.log10(t.rates[-1]))
        ticks = [10.0**e for e in range(low, high + 1)]
        plt.xticks(ticks, [f"1e{e}" for e in range(low, high + 1)])
        if t.suggestion is not None:
            plt.vline(t.suggestion)
    plt.title("loss against learning rate: •• loss  ⢕⢕ smoothed  | the suggestion")
    plt.xlabel("learning rate (log scale)")
    return plt.build()


def rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.2g}"


def lr_summary(finding: LRFinding, command: str) -> Text:
    """The suggestion and why, where the test ended, the rate left unchanged, the command line to use it."""
    t = finding.test
    current = rate(finding.current_rate) if finding.current_rate else f"the {finding.optimizer} default"
    lines = [
        Text.assemble(
            ("range test: ", "bold"),
            f"{len(t.rates)} batches of {finding.batch_size}, rate {rate(t.start)} to {rate(t.stop)} "
            f"({finding.optimizer}); {t.ended}"
            + (f" at {rate(t.failed_rate)}" if t.failed_rate else "")
            + f"; last good rate {rate(t.last_good_rate)}",
        )
    ]
    if t.suggestion is None:
        lines.append(
            Text.assemble(
                ("no suggestion: ", "bold red"),
                f"the loss was not a number from the first batch at {rate(t.start)}; check the data for "
                "missing or huge values, or try a smaller rate",
            )
        )
    else:
        lines.append(
            Text.assemble(
                ("suggested learning rate: ", "bold"),
                (rate(t.suggestion), "bold green"),
                f"  (a tenth of {rate(t.lowest_rate)}, where the smoothed loss is lowest; steepest descent at "
                f"{rate(t.steepest_rate)})",
            )
        )
        lines.append(Text(f"your settings are unchanged (learning rate: {current}); to use it:"))
        lines.append(Text("  " + command, style="cyan"))
    return Text("\n").join(lines)
