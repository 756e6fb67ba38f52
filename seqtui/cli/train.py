"""`seqtui train`, `summary` and `presets`: one run headless, a model's layers, the presets. Nothing here
imports Keras at module level."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.text import Text

from seqtui.cli import options as opt
from seqtui.cli.common import (
    clear_errors,
    command_line,
    config_from_options,
    config_overrides,
    err,
    fail,
    given_runs_dir,
    out,
    with_run_settings,
)
from seqtui.common.errors import exit_code
from seqtui.core.config.run_config import RunConfig
from seqtui.core.config.validation import Problem
from seqtui.headless.train import RESUME_OPTIONS, run_training
from seqtui.render import tables as tables_views

if TYPE_CHECKING:
    from seqtui.core.training.events import RunEnded


@with_run_settings
def train(
    ctx: typer.Context,
    preset: opt.Preset = None,
    *,
    runs_dir: opt.RunsDir = None,
    backend: opt.Backend = None,
    devices: opt.Devices = None,
    precision: opt.Precision = None,
    resume: opt.Resume = None,
    as_json: opt.JsonLines = False,
    tensorboard: opt.Tensorboard = None,
    mlflow: opt.MLflowUri = None,
    notify: opt.Notify = None,
    name: opt.RunName = None,
    find_lr: opt.FindLR = False,
    processes: opt.Processes = None,
    **settings: Any,
) -> None:
    """Train a model headless; writes a run folder."""
    from seqtui.core.config.settings import BACKEND_CHOICES

    if backend and backend not in BACKEND_CHOICES:
        fail(f"unknown backend {backend!r}; choose one of {', '.join(BACKEND_CHOICES)}")
    runs_dir = given_runs_dir(ctx, runs_dir)
    with clear_errors():
        config, changes = _what_to_train(ctx, preset, resume, settings)
        if name is not None:
            if config is None:
                fail("--name names a new run; rename this one with: seqtui runs rename RUN NAME")
            config = dataclasses.replace(config, label=name)
        if processes is not None and processes > 1:
            _launch(ctx, processes, backend, find_lr)
            return
        if find_lr:
            _find_lr(ctx, config, backend, as_json)
            return
        end = run_training(
            config,
            resume,
            changes,
            runs_dir,
            backend,
            as_json,
            out,
            err,
            tensorboard,
            mlflow,
            devices,
            notify,
        )
    _exit_for(end)


def _launch(ctx: typer.Context, processes: int, backend: str | None, find_lr: bool) -> None:
    """--processes N: the same command in N processes of one run on this machine, watched; its exit code."""
    from seqtui.core.hardware.launch import Launcher, plan_local_cluster

    if find_lr:
        fail("--find-lr tests learning rates in one process; drop --processes")
    cluster = plan_local_cluster(processes, backend)

    def say(line: str) -> None:
        err.print(line, markup=False, highlight=False, soft_wrap=True)

    code = Launcher(cluster, say).run(command_line(ctx, leave_out=("processes",)))
    if code:
        raise typer.Exit(code)


def _find_lr(ctx: typer.Context, config: RunConfig | None, backend: str | None, as_json: bool) -> None:
    """--find-lr: the learning-rate range test instead of a run; no run folder, the settings as given."""
    from seqtui.headless.lr_finder import LEFT_OUT, run_lr_finder

    if config is None:
        fail("--find-lr tests the settings of a new run; drop --resume (a resume may set --learning-rate)")
    finding = run_lr_finder(config, command_line(ctx, LEFT_OUT), backend, as_json, out, err)
    if finding.test.suggestion is None:
        raise typer.Exit(exit_code("failed"))


def _exit_for(end: RunEnded) -> None:
    """A run that did not complete: its status and why on stderr, and the status's exit code."""
    code = exit_code(end.status)
    if code:
        style = "yellow" if end.status == "interrupted" else "bold red"
        err.print(Text.assemble((f"{end.status}:", style), " ", end.message), soft_wrap=True)
        raise typer.Exit(code)


def _what_to_train(
    ctx: typer.Context, preset: str | None, resume: Path | None, settings: dict[str, Any]
) -> tuple[RunConfig | None, dict[str, Any]]:
    """The config the options describe, or for --resume none and the changes it makes. The engine checks
    both once, before TensorFlow loads."""
    data, dataset, tokenizer = settings["data"], settings["dataset"], settings["tokenizer"]
    overrides = config_overrides(ctx)
    changes = {name: overrides.get(name) for name in RESUME_OPTIONS}
    if resume is not None:
        _check_resume_options(
            resume, preset=preset, data=data, dataset=dataset, tokenizer=tokenizer, **overrides
        )
        if data is not None:
            changes["data"] = data.expanduser()
        return None, changes
    if not (preset or data or dataset):
        _nothing_to_train(overrides)
    return config_from_options(preset, data, dataset, overrides, tokenizer), changes


def _nothing_to_train(overrides: dict[str, Any]) -> NoReturn:
    """No preset, dataset or file: say so, with every bad setting given beside it in the same list."""
    from seqtui.core.config.errors import ConfigError
    from seqtui.core.config.run_config import with_overrides
    from seqtui.core.config.validation import validate

    problems = validate(with_overrides(RunConfig(), **overrides), None)
    if not problems:
        fail("say what to train: --preset NAME (see `seqtui presets`), --dataset NAME or --data FILE")
    what = "say what to train: a preset (see `seqtui presets`), or --dataset NAME / --data FILE"
    raise ConfigError([Problem("preset", what), *problems])


def _check_resume_options(resume: Path, **given: Any) -> None:
    """--resume keeps the run's settings: other options are an error (the folder and the changeable ones are
    checked by the resume itself, before TensorFlow loads)."""
    fixed = [
        name for name, value in given.items() if value is not None and name not in (*RESUME_OPTIONS, "data")
    ]
    if fixed:
        names = ", ".join(Problem(n, "").option for n in fixed)
        fail(
            f"--resume continues {resume} with its own settings; drop {names} "
            "(only --epochs, --learning-rate and --patience can change, and --data for data that moved), "
            "or start a new run without --resume"
        )


# -- presets, summary ---------------------------------------------------------------------------------
def presets() -> None:
    """List the presets: every model of the lessons, its parameter count and whether it trains here."""
    from seqtui.core.config.presets import PRESETS

    out.print(tables_views.presets_table(PRESETS.values(), out.width))


@with_run_settings
def summary(
    ctx: typer.Context,
    preset: Annotated[str | None, typer.Argument(help="A preset name (or give --dataset/--data).")] = None,
    *,
    as_json: Annotated[bool, typer.Option("--json", help="Print {total_params, layers} as JSON.")] = False,
    **settings: Any,
) -> None:
    """Print a model's layers with output shapes and parameter counts (no data needed when the dataset fixes
    every size; computed without Keras wherever the table covers the model)."""
    data, dataset, tokenizer = settings["data"], settings["dataset"], settings["tokenizer"]
    with clear_errors():
        from seqtui.core.model.summary import summarize

        if not (preset or data or dataset):
            fail("say which model: a preset (see `seqtui presets`), --dataset NAME or --data FILE")
        config = config_from_options(preset, data, dataset, config_overrides(ctx), tokenizer)
        answer = summarize(config)
    if answer.keras_note:
        err.print(
            Text.assemble(("note:", "bold yellow"), " ", answer.keras_note), highlight=False, soft_wrap=True
        )
    if as_json:
        print(json.dumps(answer.table))
        return
    out.print(tables_views.layers_table(config.name, answer.table))
