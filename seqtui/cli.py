"""The door: thin Typer commands over `core` and `datasets`. Nothing here imports Keras at module level."""

from __future__ import annotations

import contextlib
import inspect
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.text import Text

from seqtui import __version__
from seqtui import console as views
from seqtui import options as opt
from seqtui.common.errors import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_INTERRUPTED, SeqtuiError, describe_error
from seqtui.core.config import FIELD_SECTION, Problem, RunConfig, with_overrides
from seqtui.headless import RESUME_OPTIONS, run_training

app = typer.Typer(
    help="seqtui: train RNN, LSTM, GRU and CNN models on text, digits and time series, in the terminal.",
    no_args_is_help=False,
    add_completion=False,
    rich_markup_mode="rich",
)
datasets_app = typer.Typer(
    help="List datasets, or fetch Keras datasets into the cache.", invoke_without_command=True
)
app.add_typer(datasets_app, name="datasets")

out = Console()
err = Console(stderr=True)


def fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    err.print(Text.assemble(("error:", "bold red"), " ", message), highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@contextlib.contextmanager
def clear_errors() -> Iterator[None]:
    """A SeqtuiError becomes its one message and its exit code (2 bad input, 130 stopped), a Ctrl+C exit
    code 130, anything else one line saying it is a bug and exit code 1 (SEQTUI_DEBUG=1 shows the
    traceback): never a traceback by default."""
    try:
        yield
    except (typer.Exit, typer.Abort, typer.TyperException):
        raise
    except SeqtuiError as exc:
        fail(exc.cli_message, exc.exit_code)
    except KeyboardInterrupt as exc:
        fail(str(exc) or "interrupted", EXIT_INTERRUPTED)
    except Exception as exc:
        if os.environ.get("SEQTUI_DEBUG"):
            raise
        title, message = describe_error(exc)
        fail(f"{message} ({title.lower()}; SEQTUI_DEBUG=1 shows the traceback)", EXIT_FAILED)


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


def given_runs_dir(ctx: typer.Context, runs_dir: Path | None) -> Path | None:
    """The command's --runs-dir, else the one given before the command (`seqtui --runs-dir DIR runs`)."""
    return runs_dir or (ctx.obj or {}).get("runs_dir")


# -- train --------------------------------------------------------------------------------------------
def config_overrides(ctx: typer.Context) -> dict[str, Any]:
    """The run settings given on the command line, by config field (a parameter is named after its field)."""
    return {k: v for k, v in ctx.params.items() if k in FIELD_SECTION and k != "dataset" and v is not None}


def config_from_options(
    preset: str | None,
    data: Path | None,
    dataset: str | None,
    overrides: dict[str, Any],
    tokenizer: str | None = None,
) -> RunConfig:
    """The run config the command line describes: a preset (or the defaults), then the data, then overrides.

    --tokenizer and --stopwords (ko, none or a file) are read as the app's Setup reads them."""
    from seqtui.core.presets import get_preset
    from seqtui.core.tokenizing import tokenizer_overrides

    config = get_preset(preset).config if preset else RunConfig()
    overrides = dict(overrides)
    overrides.update(tokenizer_overrides(config.data, tokenizer, overrides.pop("stopwords", None)))
    if data is not None:
        overrides["data_path"] = str(data.expanduser())  # --data=~/x.csv: no shell expands that ~
        if not preset and not dataset:
            overrides["dataset"] = "file"
    if dataset:
        overrides["dataset"] = dataset
    return with_overrides(config, **overrides)


def _run_settings(
    data: opt.Data = None,
    dataset: opt.Dataset = None,
    arch: opt.Arch = None,
    epochs: opt.Epochs = None,
    batch_size: opt.BatchSize = None,
    maxlen: opt.Maxlen = None,
    vocab_size: opt.VocabSize = None,
    embedding_dim: opt.EmbeddingDim = None,
    units: opt.Units = None,
    layers: opt.Layers = None,
    bidirectional: opt.Bidirectional = None,
    dropout: opt.Dropout = None,
    conv_filters: opt.ConvFilters = None,
    conv_kernel: opt.ConvKernel = None,
    pool_size: opt.PoolSize = None,
    dense_units: opt.DenseUnits = None,
    padding: opt.Padding = None,
    truncating: opt.Truncating = None,
    validation_split: opt.ValidationSplit = None,
    test_split: opt.TestSplit = None,
    learning_rate: opt.LearningRate = None,
    optimizer: opt.Optimizer = None,
    patience: opt.Patience = None,
    seed: opt.Seed = None,
    text_column: opt.TextColumn = None,
    label_column: opt.LabelColumn = None,
    encoding: opt.Encoding = None,
    target_column: opt.TargetColumn = None,
    lookback: opt.Lookback = None,
    step: opt.Step = None,
    delay: opt.Delay = None,
    split: opt.Split = None,
    tokenizer: opt.Tokenizer = None,
    stopwords: opt.Stopwords = None,
    content_morphemes: opt.ContentMorphemes = None,
    sample_limit: opt.SampleLimit = None,
) -> None:
    """The run settings `train` and `summary` both take (see `with_run_settings`), each named after its config
    field: `config_overrides` reads them back from the context."""


def with_run_settings(command: Callable[..., None]) -> Callable[..., None]:
    """Give a command the options of `_run_settings`, declared once: Typer reads the signature set here, which
    puts them after the command's own positional-or-keyword parameters and before its keyword-only ones; the
    command receives them in its `**settings`."""
    own = inspect.signature(command, eval_str=True).parameters.values()
    shared = inspect.signature(_run_settings, eval_str=True).parameters.values()
    params = [
        *(p for p in own if p.kind is p.POSITIONAL_OR_KEYWORD),
        *(p.replace(kind=p.KEYWORD_ONLY) for p in shared),
        *(p for p in own if p.kind is p.KEYWORD_ONLY),
    ]
    command.__signature__ = inspect.Signature(params, return_annotation=None)  # type: ignore[attr-defined]
    return command


@app.command()
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
    data, dataset, tokenizer = settings["data"], settings["dataset"], settings["tokenizer"]
    from seqtui.core.settings import BACKEND_CHOICES

    if backend and backend not in BACKEND_CHOICES:
        fail(f"unknown backend {backend!r}; choose one of {', '.join(BACKEND_CHOICES)}")
    overrides = config_overrides(ctx)
    runs_dir = given_runs_dir(ctx, runs_dir)
    with clear_errors():
        if resume is not None:
            _check_resume_options(
                resume, runs_dir, preset=preset, data=data, dataset=dataset, tokenizer=tokenizer, **overrides
            )
            config = None
        elif not (preset or data or dataset):
            fail("say what to train: --preset NAME (see `seqtui presets`), --dataset NAME or --data FILE")
        else:
            from seqtui.core.checks import check_config

            config = config_from_options(preset, data, dataset, overrides, tokenizer)
            check_config(config)
        changes = {name: overrides.get(name) for name in RESUME_OPTIONS}
        if resume is not None and data is not None:
            changes["data"] = data.expanduser()
        end = run_training(
            config, resume, changes, runs_dir, backend, as_json, out, err, tensorboard, mlflow, devices
        )
        if end.status in ("failed", "diverged"):
            err.print(Text.assemble((f"{end.status}:", "bold red"), " ", end.message), soft_wrap=True)
            raise typer.Exit(EXIT_FAILED)
        if end.status == "interrupted":
            err.print(Text.assemble(("interrupted:", "yellow"), " ", end.message), soft_wrap=True)
            raise typer.Exit(EXIT_INTERRUPTED)


def _check_resume_options(resume: Path, runs_dir: Path | None, **given: Any) -> None:
    """--resume keeps the run's settings: other options are an error; the folder and the changeable ones are
    checked here, before TensorFlow loads."""
    from seqtui.core.resume import plan_resume

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
    plan_resume(resume, *(given.get(n) for n in RESUME_OPTIONS), runs_dir=runs_dir, data=given.get("data"))


# -- presets, summary ---------------------------------------------------------------------------------
@app.command()
def presets() -> None:
    """List the presets: every model of the lessons, with its parameter count."""
    from seqtui.core.presets import PRESETS

    out.print(views.presets_table(PRESETS.values()))


@app.command()
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
        from seqtui.core.modeling import model_summary

        if not (preset or data or dataset):
            fail("say which model: a preset (see `seqtui presets`), --dataset NAME or --data FILE")
        config = config_from_options(preset, data, dataset, config_overrides(ctx), tokenizer)
        table = model_summary(config)
    if as_json:
        print(json.dumps(table))
        return
    out.print(views.layers_table(config.name, table))


# -- datasets -----------------------------------------------------------------------------------------
@datasets_app.callback()
def datasets_list(ctx: typer.Context) -> None:
    """List every dataset with its task, size, classes, source and status."""
    if ctx.invoked_subcommand is not None:
        return
    from seqtui.datasets.registry import DATASETS

    out.print(views.datasets_table(DATASETS.values(), out.width))


@datasets_app.command("fetch")
def datasets_fetch(names: Annotated[list[str], typer.Argument(help="Keras datasets to download.")]) -> None:
    """Download Keras datasets into the cache (KERAS_HOME) and verify them: fetch on a login node, train offline."""
    with clear_errors():
        from seqtui.datasets.keras_sets import fetch
        from seqtui.datasets.registry import get_dataset

        infos = [get_dataset(n) for n in names]
        for info in infos:
            with err.status(f"fetching {info.name}..."):
                files = fetch(info)
            out.print(Text.assemble((info.name, "green"), ": " + ", ".join(str(f) for f in files)))


def main() -> None:
    from seqtui.common.exit import leave_now

    try:
        app()
    except SystemExit as exc:  # Typer's normal way out: leave without TensorFlow's slow teardown
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        leave_now(code)
        raise


# Registered in this order, the order `seqtui --help` lists them in: runs, predict, export, serve; compare, sweep.
from seqtui import cli_runs  # noqa: E402, F401, I001
from seqtui import cli_experiments  # noqa: E402, F401
