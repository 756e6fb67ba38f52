"""`seqtui compare` and `seqtui sweep`: thin Typer commands over `seqtui.headless.compare`, `seqtui.headless.sweep` and
`core.compare`/`core.sweep`, registered by `seqtui.cli.main`.
Nothing here imports Keras or Optuna at module level."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

import typer

from seqtui.cli import options as opt
from seqtui.cli.common import (
    clear_errors,
    command_line,
    config_from_options,
    err,
    fail,
    given_runs_dir,
    out,
    with_settings,
)
from seqtui.common.errors import EXIT_INTERRUPTED, exit_code

# -- compare ------------------------------------------------------------------------------------------
ListOption = Annotated[str | None, typer.Option(help="One value or a comma list.")]

GIVEN = (
    "arch", "epochs", "batch_size", "maxlen", "vocab_size", "embedding_dim", "units", "layers", "dropout",
    "learning_rate", "optimizer", "patience", "seed", "sample_limit", "lookback", "conv_filters", "conv_kernel",
)  # fmt: skip
"""The settings a comparison varies, in the order its runs are named by."""


def _compare_settings(
    arch: Annotated[str | None, typer.Option(help="e.g. simple_rnn,lstm,gru,cnn_lstm,conv1d")] = None,
    epochs: ListOption = None,
    batch_size: ListOption = None,
    maxlen: ListOption = None,
    vocab_size: ListOption = None,
    embedding_dim: ListOption = None,
    units: ListOption = None,
    layers: ListOption = None,
    dropout: ListOption = None,
    learning_rate: ListOption = None,
    optimizer: ListOption = None,
    patience: ListOption = None,
    seed: ListOption = None,
    lookback: ListOption = None,
    conv_filters: ListOption = None,
    conv_kernel: ListOption = None,
    limit: Annotated[str | None, typer.Option(help="Use at most this many training samples.")] = None,
) -> None:
    """The settings `compare` takes as comma lists (see `with_settings`); `limit` sets `sample_limit`."""


@with_settings(_compare_settings)
def compare(
    ctx: typer.Context,
    preset: Annotated[
        str | None, typer.Option(help="Presets of one dataset, e.g. imdb-lstm,imdb-gru.")
    ] = None,
    dataset: opt.Dataset = None,
    data: opt.Data = None,
    *,
    runs_dir: opt.RunsDir = None,
    backend: opt.Backend = None,
    as_json: Annotated[
        bool, typer.Option("--json", help='train\'s JSON lines, each with its "run", then the leaderboard.')
    ] = False,
    name: opt.RunName = None,
    notify: opt.Notify = None,
    devices: Annotated[
        str | None,
        typer.Option(
            help="Runs at once, not data parallel: at most N runs side by side (or `all`: one per GPU that "
            "nvidia-smi lists), each in its own process on one GPU, or N at once sharing the CPU without one. "
            "Default: one after another. Each run trains on one device (`train --devices` splits one run)."
        ),
    ] = None,
    max_runs: Annotated[
        int,
        typer.Option(min=1, help="The most runs the grid may hold; raise it to confirm a larger one."),
    ] = 100,
    **lists: str | None,
) -> None:
    """Train settings side by side (any setting a comma list) on one split and seed; show a leaderboard."""
    from seqtui.core.experiments.compare import named, plan
    from seqtui.headless.compare import run_compare, side_by_side_for

    if not (preset or data or dataset):
        fail("say what to compare on: --preset A,B, or --dataset NAME / --data FILE with --arch A,B")
    given = {name: lists["limit" if name == "sample_limit" else name] for name in GIVEN}
    with clear_errors():
        side_by_side = side_by_side_for(devices)
        entries = plan(
            preset, given, lambda p, combo: config_from_options(p, data, dataset, dict(combo)), max_runs
        )
        entries = named(entries, name) if name is not None else entries
        err.print(f"comparing {len(entries)} runs, one after another" if side_by_side is None else
                  f"comparing {len(entries)} runs, {side_by_side[0]} at a time", highlight=False)  # fmt: skip
        comparison = run_compare(
            entries, given_runs_dir(ctx, runs_dir), backend, as_json, out, err, side_by_side, notify
        )
    code = exit_code({s.status for s in comparison.standings})
    if code:
        raise typer.Exit(code)


# -- sweep --------------------------------------------------------------------------------------------
def sweep(
    ctx: typer.Context,
    preset: opt.Preset = None,
    dataset: opt.Dataset = None,
    data: opt.Data = None,
    text_column: opt.TextColumn = None,
    label_column: opt.LabelColumn = None,
    arch: Annotated[str | None, typer.Option(help="The architecture (fixed during the sweep).")] = None,
    trials: Annotated[
        int, typer.Option(min=1, help="Trials this process runs (the study keeps them all).")
    ] = 20,
    search: Annotated[
        str | None, typer.Option(help="Narrow the search: units=32..256,dropout=0..0.5 (one value fixes it).")
    ] = None,
    study: Annotated[str | None, typer.Option(help="Study name (default: the preset or dataset).")] = None,
    storage: Annotated[
        str | None, typer.Option(help="Study database URL (default: sqlite in the runs folder).")
    ] = None,
    epochs: opt.Epochs = None,
    limit: opt.SampleLimit = None,
    seed: opt.Seed = None,
    runs_dir: opt.RunsDir = None,
    backend: opt.Backend = None,
    name: opt.RunName = None,
    notify: opt.Notify = None,
    workers: opt.Workers = None,
) -> None:
    """Search settings with Optuna (TPE, pruning); every trial a run; the study shared by many processes."""
    from seqtui.core.experiments.sweep import plan_sweep
    from seqtui.core.runs.folder import runs_root
    from seqtui.headless.sweep import run_sweep

    if not (preset or data or dataset):
        fail("say what to search: --preset NAME, or --dataset NAME / --data FILE with --arch")
    with clear_errors():
        settings = dict(arch=arch, epochs=epochs, sample_limit=limit, seed=seed)
        settings.update(text_column=text_column, label_column=label_column)  # a table's columns, as train's
        config = config_from_options(preset, data, dataset, settings)
        config = dataclasses.replace(config, label=name) if name is not None else config
        root = runs_root(given_runs_dir(ctx, runs_dir))
        plan = plan_sweep(config, search, study, storage, root)
        if workers is not None and workers > 1:
            _sweep_workers(ctx, plan, workers)
            return
        stopped = run_sweep(plan, trials, backend, out, err, notify)
    if stopped:
        err.print("[yellow]interrupted:[/] the finished trials are kept; run the same command to go on")
        raise typer.Exit(EXIT_INTERRUPTED)


def _sweep_workers(ctx: typer.Context, plan: Any, workers: int) -> None:
    """--workers N: the same sweep in N processes on one study, watched; then the study's leaderboard."""
    from seqtui.core.hardware.launch import Launcher, plan_workers
    from seqtui.headless.sweep import show_study

    def say(line: str) -> None:
        err.print(line, markup=False, highlight=False, soft_wrap=True)

    code = Launcher(plan_workers(workers), say).run(command_line(ctx, leave_out=("workers",)))
    show_study(plan, out)
    if code:
        raise typer.Exit(code)
