"""Why a model answered, in a terminal: tokens coloured by importance, the table with the prefix curve, and a
digit's heat map."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from seqtui.core.inference.explain import TextExplanation


# -- explanations -------------------------------------------------------------------------------------
def importance_colour(value: float, scale: float) -> str | None:
    """Green for what supports the class, red for what goes against it, brighter for larger effects; None
    when it barely matters (under 5% of the strongest). The CLI and the app's strip and heat map share it."""
    strength = min(1.0, abs(value) / scale) if scale > 0 else 0.0
    if strength < 0.05:
        return None
    shade = int(80 + 175 * strength)
    return f"rgb(0,{shade},0)" if value > 0 else f"rgb({shade},0,0)"


def _importance_style(value: float, scale: float) -> str:
    colour = importance_colour(value, scale)
    return f"black on {colour}" if colour else ""


def explanation_strip(tokens: list[str], importance: list[float]) -> Text:
    """The sentence with each token coloured by its importance (sign also shown as ^ / v for no colour)."""
    scale = max((abs(v) for v in importance), default=0.0)
    out = Text()
    for word, value in zip(tokens, importance, strict=True):
        colour = importance_colour(value, scale)
        mark = "" if colour is None else "^" if value > 0 else "v"
        out.append(f"{word}{mark}", style=f"black on {colour}" if colour else "")
        out.append(" ")
    return out


def text_explanation_table(expl: TextExplanation) -> Table:
    """Per token: importance (the drop in the class's log-odds when it is hidden) and the class probability
    after that prefix."""
    table = Table(
        title=Text(
            f"why {expl.class_name} ({expl.probability:.3f}): hide a token ({expl.method}) -> drop in log-odds"
        ),
        title_justify="left",
    )
    table.add_column("token")
    table.add_column("importance", justify="right")
    table.add_column("")
    table.add_column(Text(f"p({expl.class_name}) after it"), justify="right")
    scale = max((abs(v) for v in expl.importance), default=0.0)
    for tok, value, p in zip(expl.tokens, expl.importance, expl.prefix, strict=True):
        bar = ("+" if value >= 0 else "-") * round(abs(value) / scale * 12) if scale > 0 else ""
        table.add_row(
            Text(tok.text), f"{value:+.3f}", Text(bar, style=_importance_style(value, scale)), f"{p:.3f}"
        )
    return table


def heat_map_text(heat: Any) -> Text:
    """A 28x28 heat map in 14 rows of half-cells: shade = importance, red where hiding ink helps the class."""
    import numpy as np

    heat = np.asarray(heat, dtype="float64")
    pairs = heat.reshape(heat.shape[0] // 2, 2, heat.shape[1]).mean(axis=1)
    scale = float(np.abs(pairs).max()) or 1.0
    shades = " ░▒▓█"
    out = Text()
    for row in pairs:
        for value in row:
            level = min(4, int(round(abs(value) / scale * 4)))
            out.append(shades[level], style="green" if value > 0 else "red" if value < 0 else "")
        out.append("\n")
    out.rstrip()
    return out
