"""`seqtui inspect`: a thin Typer command over `seqtui.headless.inspect`, registered by `seqtui.cli.main`.
Nothing here imports Keras at module level."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from seqtui.cli import options as opt
from seqtui.cli.common import clear_errors, err, given_runs_dir, out


def inspect(
    ctx: typer.Context,
    run: Annotated[Path, typer.Argument(help="A run folder (path, or name under the runs folder).")],
    text: Annotated[str | None, typer.Argument(help="A sentence to look inside the model with.")] = None,
    view: Annotated[
        list[str] | None,
        typer.Option(
            help="states, gates, gradient or filters (repeat for more; default: every one the model has). "
            "filters without a sentence reads the validation set.",
        ),
    ] = None,
    mistakes: Annotated[
        bool, typer.Option("--mistakes", help="The test examples the model gets wrong, by (true, predicted).")
    ] = False,
    neighbours: Annotated[
        str | None, typer.Option(metavar="WORD", help="The words nearest to WORD in the embedding (cosine).")
    ] = None,
    top: Annotated[int, typer.Option(min=1, help="Hidden units shown: those that move most.")] = 8,
    unit: Annotated[
        str | None,
        typer.Option(
            metavar="LAYER:UNIT",
            help="One hidden unit (e.g. lstm:3, bidirectional/backward:0): its value and gates per token, "
            "and the validation fragments where it is highest.",
        ),
    ] = None,
    projection: Annotated[
        bool,
        typer.Option(
            "--projection", help="The most frequent words on the embedding's 2-D PCA, marked by class."
        ),
    ] = False,
    words: Annotated[int, typer.Option(min=2, help="Words in --projection: the most frequent.")] = 60,
    image: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="An image: the feature maps after each Conv2D and pooling layer."),
    ] = None,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="One JSON object: tokens, padded ids, per layer `hidden` and `gates` per step (padding "
            "flagged), `gradient`, `filters`, `mistakes`, `neighbours`.",
        ),
    ] = False,
    runs_dir: opt.RunsDir = None,
    backend: opt.Backend = None,
) -> None:
    """See inside a trained model: hidden states and gates token by token, the gradient's reach, filters,
    embedding neighbours, and the test examples it gets wrong."""
    from seqtui.headless.inspect import InspectRequest, run_inspect

    request = InspectRequest(
        run, text, list(view or []), mistakes, neighbours, top, as_json, unit, projection, words, image
    )
    with clear_errors():
        run_inspect(request, given_runs_dir(ctx, runs_dir), backend, out, err)
