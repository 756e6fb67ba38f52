"""`seqtui runs`, `predict`, `export` and `serve`: thin Typer commands over a runs folder and its run folders,
registered by `seqtui.cli.main`. Nothing here imports Keras at module level."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from seqtui.cli import options as opt
from seqtui.cli.common import clear_errors, err, fail, given_runs_dir, out
from seqtui.render import console as views


# -- runs, predict ------------------------------------------------------------------------------------
def runs(
    ctx: typer.Context,
    runs_dir: opt.RunsDir = None,
) -> None:
    """List run folders: status, epochs, best validation and test metrics, duration."""
    from seqtui.core.runs.folder import runs_root
    from seqtui.core.runs.listing import list_runs

    with clear_errors():
        root = runs_root(given_runs_dir(ctx, runs_dir))
        rows = list_runs(root)
    if not rows:
        out.print(Text(f"no runs under {root} yet; start one with `seqtui train --preset NAME`"))
        return
    out.print(views.runs_table(root, rows))


def predict(
    ctx: typer.Context,
    run: Annotated[Path, typer.Argument(help="A run folder (path, or name under the runs folder).")],
    text: Annotated[
        list[str] | None, typer.Argument(help="Sentences to classify (or a seed text to continue).")
    ] = None,
    image: Annotated[Path | None, typer.Option(help="A digit image (PNG, JPEG...) for digit models.")] = None,
    words: Annotated[
        int, typer.Option(min=1, help="Generation: tokens to add (characters for character-level models).")
    ] = 10,
    temperature: Annotated[
        float, typer.Option(min=0.0, help="Generation: sampling temperature (0 = greedy).")
    ] = 0.7,
    top: Annotated[int, typer.Option(min=1, help="Show this many classes.")] = 5,
    runs_dir: opt.RunsDir = None,
    backend: opt.Backend = None,
    explain: Annotated[
        bool,
        typer.Option(
            "--explain", help="Show why: each token's (or image region's) effect on the class, by occlusion."
        ),
    ] = False,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="One JSON object per sentence (its tokens) or image: every class with its probability, "
            "best first; --explain adds why.",
        ),
    ] = False,
) -> None:
    """Predict with a trained run: class probabilities for text or a digit image, or generated text."""
    from seqtui.headless.predict import run_predict

    if image is None and not text:
        fail('give text to classify (seqtui predict RUN "a sentence") or --image FILE.png')
    with clear_errors():
        run_predict(
            run, text or [], image, given_runs_dir(ctx, runs_dir), backend, words, temperature, top, explain,
            as_json, out, err,
        )  # fmt: skip


# -- export -------------------------------------------------------------------------------------------
def export(
    ctx: typer.Context,
    run: Annotated[Path, typer.Argument(help="A run folder (path, or name under the runs folder).")],
    format: Annotated[
        str, typer.Option("--format", "-f", help="keras (any backend), savedmodel (TensorFlow) or onnx.")
    ] = "keras",
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="The folder to create (default: RUN/export/FORMAT).")
    ] = None,
    runs_dir: opt.RunsDir = None,
    backend: opt.Backend = None,
) -> None:
    """Export a run's model with its encoder and a README showing how to load it in plain Keras."""
    from seqtui.core.runs.export import FORMATS, export_run

    if format not in FORMATS:
        fail(f"unknown export format {format!r}; choose one of {', '.join(FORMATS)}")
    with clear_errors():
        target = export_run(run, format, out_dir, given_runs_dir(ctx, runs_dir), backend)
    out.print(f"exported to {target} (see {target / 'README.md'})", highlight=False, markup=False)


# -- serve --------------------------------------------------------------------------------------------
def serve(
    ctx: typer.Context,
    host: Annotated[
        str, typer.Option(help="Address to listen on; 0.0.0.0 exposes the app to the network.")
    ] = ("127.0.0.1"),
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    runs_dir: opt.RunsDir = None,
) -> None:
    """Use the app from a web browser (textual-serve): one app process per tab, the same runs folder."""
    from seqtui.core.runs.folder import runs_root
    from seqtui.tui import serve as server

    root = runs_root(given_runs_dir(ctx, runs_dir))
    warning = server.exposure_warning(host)
    if warning:
        err.print(Text.assemble(("warning:", "bold yellow"), " ", warning), highlight=False, soft_wrap=True)
    with clear_errors():
        server.check_port(host, port)
        err.print(
            f"seqtui on http://{host}:{port} (runs in {root.resolve()}); Ctrl+C stops it",
            highlight=False,
            markup=False,
        )
        server.serve(host, port, root)
