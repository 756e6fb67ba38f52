"""`seqtui compare` and `seqtui sweep`: thin Typer commands over `seqtui.comparing`, `seqtui.sweeping` and
`core.compare`/`core.sweep`, registered on the app of `seqtui.cli` (which imports this module last).
Nothing here imports Keras or Optuna at module level."""

from __future__ import annotations

from typing import Annotated

import typer

from seqtui import options as opt
from seqtui.cli import app, clear_errors, config_from_options, err, fail, given_runs_dir, out
from seqtui.common.errors import EXIT_FAILED, EXIT_INTERRUPTED

# -- compare ------------------------------------------------------------------------------------------
ListOption = Annotated[str | None, typer.Option(help="One value or a comma list.")]


@app.command()
def compare(
    ctx: typer.Context,
    preset: Annotated[
        str | None, typer.Option(help="Presets of one dataset, e.g. imdb-lstm,imdb-gru.")
    ] = None,
    dataset: opt.Dataset = None,
    data: opt.Data = None,
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
    runs_dir: opt.RunsDir = None,
    backend: opt.Backend = None,
    as_json: Annotated[
        bool, typer.Option("--json", help='train\'s JSON lines, each with its "run", then the leaderboard.')
    ] = False,
    devices: Annotated[
        str | None,
        typer.Option(
            help="Runs at once, not data parallel: at most N runs side by side (or `all`: one per GPU that "
            "nvidia-smi lists), each in its own process on one GPU, or N at once sharing the CPU without one. "
            "Default: one after another. Each run trains on one device (`train --devices` splits one run)."
        ),
    ] = None,
) -> None:
    """Train settings side by side (any setting a comma list) on one split and seed; show a leaderboard."""
    from seqtui.comparing import run_compare
    from seqtui.core.compare import plan

    given = dict(
        arch=arch, epochs=epochs, batch_size=batch_size, maxlen=maxlen, vocab_size=vocab_size,
        embedding_dim=embedding_dim, units=units, layers=layers, dropout=dropout, learning_rate=learning_rate,
        optimizer=optimizer, patience=patience, seed=seed, sample_limit=limit, lookback=lookback,
        conv_filters=conv_filters, conv_kernel=conv_kernel,
    )  # fmt: skip
    if not (preset or data or dataset):
        fail("say what to compare on: --preset A,B, or --dataset NAME / --data FILE with --arch A,B")
    with clear_errors():
        side_by_side = None
        if devices is not None:
            from seqtui.core.devices import nvidia_gpus
            from seqtui.core.side_by_side import device_slots

            gpus = len(nvidia_gpus())
            side_by_side = (device_slots(devices, gpus), gpus)
        entries = plan(preset, given, lambda p, combo: config_from_options(p, data, dataset, dict(combo)))
        comparison = run_compare(
            entries, given_runs_dir(ctx, runs_dir), backend, as_json, out, err, side_by_side
        )
    statuses = {s.status for s in comparison.standings}
    if "interrupted" in statuses or "pending" in statuses:
        raise typer.Exit(EXIT_INTERRUPTED)
    if statuses != {"completed"}:
        raise typer.Exit(EXIT_FAILED)


# -- sweep --------------------------------------------------------------------------------------------
@app.command()
def sweep(
    ctx: typer.Context,
    preset: opt.Preset = None,
    dataset: opt.Dataset = None,
    data: opt.Data = None,
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
) -> None:
    """Search settings with Optuna (TPE, pruning); every trial a run; the study shared by many processes."""
    from seqtui.core.runs import runs_root
    from seqtui.core.sweep import plan_sweep
    from seqtui.sweeping import run_sweep

    if not (preset or data or dataset):
        fail("say what to search: --preset NAME, or --dataset NAME / --data FILE with --arch")
    with clear_errors():
        config = config_from_options(
            preset, data, dataset, dict(arch=arch, epochs=epochs, sample_limit=limit, seed=seed)
        )
        root = runs_root(given_runs_dir(ctx, runs_dir))
        plan = plan_sweep(config, search, study, storage, root)
        stopped = run_sweep(plan, trials, backend, out, err)
    if stopped:
        err.print("[yellow]interrupted:[/] the finished trials are kept; run the same command to go on")
        raise typer.Exit(EXIT_INTERRUPTED)
