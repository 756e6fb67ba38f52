"""The Typer app: its options before any command, and every command registered from its module, in the order
`seqtui --help` lists them. The app imports the command modules, never the reverse."""

from __future__ import annotations

import contextlib
import sys
from typing import Annotated

import typer

from seqtui import __version__
from seqtui.cli import datasets, experiments, runs, train
from seqtui.cli import options as opt
from seqtui.cli.common import out

app = typer.Typer(
    help="seqtui: train RNN, LSTM, GRU and CNN models on text, digits and time series, in the terminal.",
    no_args_is_help=False,
    add_completion=False,
    rich_markup_mode="rich",
)
datasets_app = typer.Typer(
    help="List datasets, or fetch Keras datasets into the cache.", invoke_without_command=True
)
for command in (train.train, train.presets, train.summary):
    app.command()(command)
app.add_typer(datasets_app, name="datasets")
datasets_app.callback()(datasets.datasets_list)
datasets_app.command("fetch")(datasets.datasets_fetch)
for command in (runs.runs, runs.predict, runs.export, runs.serve, experiments.compare, experiments.sweep):
    app.command()(command)


def version_callback(value: bool) -> None:
    if value:
        out.print(f"seqtui {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def main_callback(
    ctx: typer.Context,
    version: Annotated[bool, typer.Option("--version", callback=version_callback, is_eager=True)] = False,
    runs_dir: opt.RunsDir = None,
) -> None:
    """With no command, open the app."""
    for stream in (sys.stdout, sys.stderr):  # a file name that is not valid UTF-8 prints as \xe9, never fails
        with contextlib.suppress(AttributeError, ValueError, OSError):
            stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
    ctx.obj = {"runs_dir": runs_dir}
    if ctx.invoked_subcommand is None:
        from seqtui.tui.launch import launch

        launch(runs_dir=runs_dir)


def main() -> None:
    from seqtui.common.exit import leave_now

    try:
        app()
    except SystemExit as exc:  # Typer's normal way out: leave without TensorFlow's slow teardown
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        leave_now(code)
        raise
