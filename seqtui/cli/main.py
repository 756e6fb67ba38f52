"""The Typer app: its options before any command, and every command registered from its module, in the order
`seqtui --help` lists them. The app imports the command modules, never the reverse."""

from __future__ import annotations

import contextlib
import sys
from typing import Annotated

import click
import typer
from typer.core import TyperGroup

from seqtui import __version__
from seqtui.cli import datasets, experiments, inspect, runs, train, watch
from seqtui.cli import options as opt
from seqtui.cli.common import err, out
from seqtui.common.errors import EXIT_INTERRUPTED
from seqtui.common.exit import leave_now, quiet_interrupts, usual_interrupts
from seqtui.common.streams import guard_std_streams

HELP_ORDER = ("train", "presets", "summary", "runs")
"""Commands `seqtui --help` lists first, in this order (Typer would put the groups, such as `runs`, last);
the others follow in the order they are registered."""


class _HelpOrder(TyperGroup):
    def list_commands(self, ctx: click.Context) -> list[str]:
        names = list(self.commands)
        return sorted(names, key=lambda n: HELP_ORDER.index(n) if n in HELP_ORDER else len(HELP_ORDER))


app = typer.Typer(
    cls=_HelpOrder,
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
runs_app = typer.Typer(help="List runs; rename, note or delete one.", invoke_without_command=True)
app.add_typer(runs_app, name="runs")
runs_app.callback()(runs.runs)
runs_app.command("rename")(runs.runs_rename)
runs_app.command("note")(runs.runs_note)
runs_app.command("delete")(runs.runs_delete)
for command in (
    runs.predict,
    inspect.inspect,
    runs.export,
    runs.serve,
    experiments.compare,
    experiments.sweep,
):
    app.command()(command)
app.command()(watch.watch)
usual_interrupts()  # imported by a test or a program: its Ctrl+C as usual (`main` quiets it again)


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
    usual_interrupts()  # a command is about to run: it catches Ctrl+C itself from here on
    for stream in (sys.stdout, sys.stderr):  # a file name that is not valid UTF-8 prints as \xe9, never fails
        with contextlib.suppress(AttributeError, ValueError, OSError):
            stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
    ctx.obj = {"runs_dir": runs_dir}
    if ctx.invoked_subcommand is None:
        from seqtui.cli.common import clear_errors
        from seqtui.core.runs.folder import check_runs_dir, runs_root
        from seqtui.tui.launch import launch

        with clear_errors():
            check_runs_dir(runs_root(runs_dir))  # a file as the runs folder: said here, not "no runs yet"
        launch(runs_dir=runs_dir)


def main() -> None:
    try:
        quiet_interrupts()  # while Typer builds the commands and reads the options: no traceback
        guard_std_streams()  # a closed or vanished stdout never fails a run
        app()
    except KeyboardInterrupt:  # while Typer builds the commands (each command handles its own): no traceback
        err.print("[bold red]error:[/] interrupted", highlight=False)
        leave_now(EXIT_INTERRUPTED)
        raise SystemExit(EXIT_INTERRUPTED) from None
    except SystemExit as exc:  # Typer's normal way out: leave without TensorFlow's slow teardown
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        leave_now(code)
        raise
