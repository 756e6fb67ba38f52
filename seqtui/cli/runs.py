"""`seqtui runs`, `predict`, `export` and `serve`: thin Typer commands over a runs folder and its run folders,
registered by `seqtui.cli.main`. Nothing here imports Keras at module level."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from seqtui.cli import options as opt
from seqtui.cli.common import clear_errors, err, fail, given_runs_dir, out
from seqtui.render import tables as tables_views

if TYPE_CHECKING:
    from seqtui.core.runs.folder import RunFolder


# -- runs, predict ------------------------------------------------------------------------------------
def runs(
    ctx: typer.Context,
    runs_dir: opt.RunsDir = None,
) -> None:
    """List run folders: name, architecture, status, epochs, best validation and test metrics, duration.
    `rename`, `note` and `delete` keep the list tidy."""
    if ctx.invoked_subcommand is not None:  # `seqtui runs --runs-dir DIR rename ...`: the folder passes on
        if runs_dir is not None:
            ctx.obj = {**(ctx.obj or {}), "runs_dir": runs_dir}
        return
    from seqtui.core.runs.folder import check_runs_dir, runs_root
    from seqtui.core.runs.listing import list_runs

    with clear_errors():
        root = runs_root(given_runs_dir(ctx, runs_dir))
        check_runs_dir(root)  # a file named by SEQTUI_RUNS_DIR is an error, not "no runs yet"
        rows = list_runs(root)
    if not rows:
        out.print(Text(f"no runs under {root} yet; start one with `seqtui train --preset NAME`"))
        return
    out.print(tables_views.runs_table(root, rows, out.width))


RunArg = Annotated[
    str, typer.Argument(help="A run folder (path, or name under the runs folder).", show_default=False)
]


def _open_run(ctx: typer.Context, run: str, runs_dir: Path | None) -> tuple[Path, RunFolder]:
    from seqtui.core.runs.folder import RunFolder, runs_root

    root = runs_root(given_runs_dir(ctx, runs_dir))
    return root, RunFolder.open(run, root)


def runs_rename(
    ctx: typer.Context,
    run: RunArg,
    name: Annotated[
        str, typer.Argument(help="The new name (Korean and spaces welcome; quote it).", show_default=False)
    ],
    runs_dir: opt.RunsDir = None,
) -> None:
    """Rename a run as the list shows it (its folder keeps its name, so saved paths go on working)."""
    from seqtui.core.runs.manage import rename_run

    with clear_errors():
        _, folder = _open_run(ctx, run, runs_dir)
        shown = rename_run(folder, name)
    out.print(Text.assemble(folder.path.name, " is now ", (shown, "bold")))


def runs_note(
    ctx: typer.Context,
    run: RunArg,
    text: Annotated[str, typer.Argument(help='The note ("" removes it).', show_default=False)],
    runs_dir: opt.RunsDir = None,
) -> None:
    """Write a note on a run (what you tried, why it matters); the Runs screen's filter finds it."""
    from seqtui.core.runs.manage import note_run

    with clear_errors():
        _, folder = _open_run(ctx, run, runs_dir)
        stored = note_run(folder, text)
    out.print(
        Text(f"note on {folder.path.name}: {stored}" if stored else f"note on {folder.path.name} removed")
    )


def runs_delete(
    ctx: typer.Context,
    run: RunArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Delete without asking.")] = False,
    runs_dir: opt.RunsDir = None,
) -> None:
    """Delete a run folder for good (never one that trains now, never anything outside the runs folder)."""
    from seqtui.core.runs.manage import delete_run

    with clear_errors():
        root, folder = _open_run(ctx, run, runs_dir)
        shown = folder.display_name()
    if not yes:
        question = Text.assemble("delete ", (shown, "bold"), f" ({folder.path}) and every file in it?")
        out.print(question, end=" ")
        try:
            if not typer.confirm("", default=False, prompt_suffix=""):
                out.print("nothing deleted", highlight=False)
                return
        except typer.Abort:
            fail("no answer, nothing deleted; pass --yes to delete without asking")
    with clear_errors():
        delete_run(folder, root)
    out.print(Text(f"deleted {folder.path}"))


Sentences = Annotated[
    list[str] | None,
    typer.Argument(help="Sentences to classify (or a seed text to continue); a lone - reads standard input."),
]
InputFile = Annotated[
    str | None,
    typer.Option(
        "--input",
        "-i",
        metavar="FILE",
        help="Answer each line of FILE (- for standard input), one sentence (or seed) a line, printed as "
        "answered: one line each (one JSON object with --json). The model loads once.",
        show_default=False,
    ),
]


def predict(
    ctx: typer.Context,
    run: Annotated[Path, typer.Argument(help="A run folder (path, or name under the runs folder).")],
    text: Sentences = None,
    input_file: InputFile = None,
    image: Annotated[
        list[Path] | None,
        typer.Option(
            help="An image (PNG, JPEG...) for image models, or a folder of them; repeat for more. Each is "
            "prepared as the run's training images were (a digit as MNIST's, a picture only resized).",
        ),
    ] = None,
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
            help="One JSON object per sentence (its tokens) or image (how it was prepared): every class with "
            "its probability, best first; --explain adds why.",
        ),
    ] = False,
    forecast: Annotated[
        bool,
        typer.Option(
            "--forecast",
            help="A forecaster: its forecasts on the test windows against the real series, and their MAE "
            "beside the naive baseline's, in the series' units.",
        ),
    ] = False,
) -> None:
    """Predict with a trained run: class probabilities for text or images, or generated text. Many sentences
    in one process: `seqtui predict RUN --input FILE`, or `... | seqtui predict RUN -`."""
    from seqtui.headless.predict import run_forecast, run_predict

    if forecast:
        if text or input_file is not None or image:
            fail("--forecast reads the run's own test windows; give no text, --input or --image with it")
        with clear_errors():
            run_forecast(run, given_runs_dir(ctx, runs_dir), backend, as_json, out)
        return
    texts, source = _text_source(text or [], input_file, bool(image))
    with clear_errors():
        run_predict(
            run, texts, image or [], given_runs_dir(ctx, runs_dir), backend, words, temperature, top,
            explain, as_json, out, err, source,
        )  # fmt: skip


def _text_source(texts: list[str], input_file: str | None, images: bool) -> tuple[list[str], str | None]:
    """The sentences given as arguments, or the file (`-`: stdin) to read them from, one a line."""
    if texts == ["-"] and input_file is None and not images:
        return [], "-"
    if input_file is not None and (texts or images):
        fail("give sentences as arguments, --input FILE or --image, one of them")
    if "-" in texts:
        fail("a lone - reads sentences from standard input; give it alone (or use --input -)")
    if not images and not texts and input_file is None:
        fail(
            'give text to classify (seqtui predict RUN "a sentence"), --input FILE (- for standard input) '
            "or --image FILE.png (or a folder)"
        )
    return texts, input_file


# -- export -------------------------------------------------------------------------------------------
def export(
    ctx: typer.Context,
    run: Annotated[Path, typer.Argument(help="A run folder (path, or name under the runs folder).")],
    format: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="keras (any backend), savedmodel (TensorFlow), onnx, or script: a train.py that trains the "
            "same model again in plain Keras.",
        ),
    ] = "keras",
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="The folder to create (default: RUN/export/FORMAT).")
    ] = None,
    runs_dir: opt.RunsDir = None,
    backend: opt.Backend = None,
) -> None:
    """Export a run's model with its encoder and a README showing how to load it in plain Keras, or the run
    as a standalone Keras script (--format script)."""
    from seqtui.core.runs.export import FORMATS, export_run

    if format not in FORMATS:
        fail(f"unknown export format {format!r}; choose one of {', '.join(FORMATS)}")
    with clear_errors():
        target = export_run(run, format, out_dir, given_runs_dir(ctx, runs_dir), backend)
    out.print(f"exported to {target} (see {target / 'README.md'})", highlight=False, markup=False)
    if format == "script":
        out.print(f"train it again: python {target / 'train.py'} --epochs N", highlight=False, markup=False)


# -- serve --------------------------------------------------------------------------------------------
def serve(
    ctx: typer.Context,
    host: Annotated[
        str, typer.Option(help="Address to listen on; 0.0.0.0 exposes the app to the network.")
    ] = ("127.0.0.1"),
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    allow_origin: Annotated[
        list[str] | None,
        typer.Option(
            metavar="ORIGIN",
            help="Also answer a browser at this origin, scheme://NAME[:PORT]: a reverse proxy "
            "(https://seqtui.example.org) or an SSH tunnel on another port (http://localhost:9000). Repeatable.",
        ),
    ] = None,
    runs_dir: opt.RunsDir = None,
) -> None:
    """Use the app from a web browser (textual-serve): one app process per tab, the same runs folder. Only the
    printed URL opens it (a secret token per launch), and only pages of this server may drive it."""
    from seqtui.core.runs.folder import check_runs_dir, runs_root
    from seqtui.tui import serve as server
    from seqtui.tui.serve_access import access_for

    root = runs_root(given_runs_dir(ctx, runs_dir))
    with clear_errors():
        check_runs_dir(root, create=True)  # every tab's app would fail on it: refused before serving
    warning = server.exposure_warning(host)
    if warning:
        err.print(Text.assemble(("warning:", "bold yellow"), " ", warning), highlight=False, soft_wrap=True)
    with clear_errors():
        access = access_for(host, port, allow_origin or ())
        server.check_port(host, port)
        first, *others = access.urls
        err.print(
            f"seqtui on {first} (runs in {root.resolve()}); Ctrl+C stops it",
            highlight=False, markup=False, soft_wrap=True,  # the URL stays one line, to copy
        )  # fmt: skip
        for url in others:
            err.print(f"  also at {url}", highlight=False, markup=False, soft_wrap=True)
        server.serve(host, port, root, access)
