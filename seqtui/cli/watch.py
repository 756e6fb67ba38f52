"""`seqtui watch RUN`: follow a run that another process trains (nohup, a SLURM job, another tmux window)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from seqtui.cli import options as opt
from seqtui.cli.common import clear_errors, err, given_runs_dir
from seqtui.common.errors import exit_code


def on_terminal() -> bool:
    """Whether stdout is a terminal the app can draw on (not a pipe, a file, or closed)."""
    return sys.stdout is not None and sys.stdout.isatty()


def watch(
    ctx: typer.Context,
    run: Annotated[Path, typer.Argument(help="A run folder (path, or name under the runs folder).")],
    as_json: Annotated[
        bool, typer.Option("--json", help="The JSON lines `seqtui train --json` prints, one per event.")
    ] = False,
    plain: Annotated[
        bool,
        typer.Option(
            "--plain", help="The lines `seqtui train` prints in a log, not the app (so when not a terminal)."
        ),
    ] = False,
    runs_dir: opt.RunsDir = None,
) -> None:
    """Follow a run another process trains, from its start until it ends (read only: the trainer never
    waits). On a terminal: the app's Train view of it (live charts, progress, the trainer's CPU and memory;
    s asks the trainer to stop as Ctrl+C would). With --plain or --json, or not on a terminal: its events as
    lines, then the run's exit code: 0 completed, 130 interrupted, 1 otherwise (crashed when its trainer was
    killed)."""
    from seqtui.headless.watch import watch_run, watchable

    if not as_json and not plain and on_terminal():
        from seqtui.tui.launch import launch

        with clear_errors():
            folder = watchable(run, given_runs_dir(ctx, runs_dir))
        launch(runs_dir=given_runs_dir(ctx, runs_dir), watch=folder.path)
        return
    with clear_errors():
        status, _ = watch_run(run, given_runs_dir(ctx, runs_dir), as_json, err)
    code = exit_code(status)
    if code:
        raise typer.Exit(code)
