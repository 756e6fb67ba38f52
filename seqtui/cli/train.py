"""`seqtui train`, `summary` and `presets`: one run headless, a model's layers, the presets. Nothing here
imports Keras at module level."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.text import Text

from seqtui.cli import options as opt
from seqtui.cli.common import (
    clear_errors,
    config_from_options,
    config_overrides,
    err,
    fail,
    given_runs_dir,
    out,
    with_run_settings,
)
from seqtui.common.errors import exit_code
from seqtui.core.config.run_config import Problem, RunConfig
from seqtui.headless.train import RESUME_OPTIONS, run_training
from seqtui.render import console as views

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
    resume: Annotated[
        Path | None,
        typer.Option(
            help="Continue this run folder from its last epoch (only --epochs, --learning-rate, --patience may "
            "change; --data where the run's data moved)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line on stdout.")] = False,
    tensorboard: opt.Tensorboard = None,
    mlflow: opt.MLflowUri = None,
    **settings: Any,
) -> None:
    """Train a model headless; writes a run folder."""
    from seqtui.core.config.settings import BACKEND_CHOICES

    if backend and backend not in BACKEND_CHOICES:
        fail(f"unknown backend {backend!r}; choose one of {', '.join(BACKEND_CHOICES)}")
    runs_dir = given_runs_dir(ctx, runs_dir)
    with clear_errors():
        config, changes = _what_to_train(ctx, preset, resume, settings)
        end = run_training(
            config, resume, changes, runs_dir, backend, as_json, out, err, tensorboard, mlflow, devices
        )
    _exit_for(end)


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
        fail("say what to train: --preset NAME (see `seqtui presets`), --dataset NAME or --data FILE")
    return config_from_options(preset, data, dataset, overrides, tokenizer), changes


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
    """List the presets: every model of the lessons, with its parameter count."""
    from seqtui.core.config.presets import PRESETS

    out.print(views.presets_table(PRESETS.values()))


@with_run_settings
def summary(
    ctx: typer.Context,
    preset: Annotated[str | None, typer.Argument(help="A preset name (or give --dataset/--data).")] = None,
    *,
    as_json: Annotated[bool, typer.Option("--json", help="Print {total_params, layers} as JSON.")] = False,
    **settings: Any,
) -> None:
    """Print a model's layers with output shapes and parameter counts (no data needed when the dataset fixes
    every size)."""
    data, dataset, tokenizer = settings["data"], settings["dataset"], settings["tokenizer"]
    with clear_errors():
        from seqtui.core.model.summary import model_summary

        if not (preset or data or dataset):
            fail("say which model: a preset (see `seqtui presets`), --dataset NAME or --data FILE")
        config = config_from_options(preset, data, dataset, config_overrides(ctx), tokenizer)
        table = model_summary(config)
    if as_json:
        print(json.dumps(table))
        return
    out.print(views.layers_table(config.name, table))
