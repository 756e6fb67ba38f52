"""`seqtui watch RUN`: follow a run that another process trains (nohup, a SLURM job, another tmux window)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from seqtui.cli import options as opt
from seqtui.cli.common import clear_errors, err, given_runs_dir
from seqtui.common.errors import exit_code


def watch(
    ctx: typer.Context,
    run: Annotated[Path, typer.Argument(help="A run folder (path, or name under the runs folder).")],
    as_json: Annotated[
        bool, typer.Option("--json", help="The JSON lines `seqtui train --json` prints, one per event.")
    ] = False,
    runs_dir: opt.RunsDir = None,
) -> None:
    """Follow a run another process trains: its events from the start until it ends (read only: the trainer
    never waits). Exits with the run's exit code: 0 completed, 130 interrupted, 1 otherwise (crashed when its
    trainer was killed)."""
    from seqtui.headless.watch import watch_run

    with clear_errors():
        status, _ = watch_run(run, given_runs_dir(ctx, runs_dir), as_json, err)
    code = exit_code(status)
    if code:
        raise typer.Exit(code)
