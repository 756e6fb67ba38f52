"""`seqtui datasets` and `seqtui datasets fetch`: what data there is, and Keras' downloads ahead of time."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.text import Text

from seqtui.cli.common import clear_errors, err, out
from seqtui.render import tables as tables_views


def datasets_list(ctx: typer.Context) -> None:
    """List every dataset with its task, size, classes, source and status."""
    if ctx.invoked_subcommand is not None:
        return
    from seqtui.datasets.registry import DATASETS

    out.print(tables_views.datasets_table(DATASETS.values(), out.width))


def datasets_fetch(names: Annotated[list[str], typer.Argument(help="Keras datasets to download.")]) -> None:
    """Download Keras datasets into the cache (KERAS_HOME) and verify them: fetch on a login node, train offline."""
    with clear_errors():
        from seqtui.datasets.keras_sets import fetch
        from seqtui.datasets.registry import get_dataset

        infos = [get_dataset(n) for n in names]
        for info in infos:
            with err.status(f"fetching {info.name}..."):
                files = fetch(info)
            out.print(Text.assemble((info.name, "green"), ": " + ", ".join(str(f) for f in files)))
