"""The door: thin Typer commands over `core` and `datasets`. Nothing here imports Keras at module level."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console

from seqtui import __version__
from seqtui import console as views
from seqtui.core.config import RunConfig, with_overrides
from seqtui.headless import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_INTERRUPTED, RESUME_OPTIONS, run_training

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
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@contextlib.contextmanager
def clear_errors() -> Iterator[None]:
    """Known errors become one message and exit code 2, a Ctrl+C exit code 130, anything unexpected one
    line and exit code 1 (SEQTUI_DEBUG=1 shows the traceback): never a traceback by default."""
    from seqtui.core.backend import BackendError
    from seqtui.core.config import UnknownName
    from seqtui.core.runner import Cancelled, ConfigError
    from seqtui.core.runs import RunFolderError
    from seqtui.core.settings import SettingsError
    from seqtui.datasets.base import DataError

    try:
        yield
    except (typer.Exit, typer.Abort, typer.TyperException):
        raise
    except ConfigError as exc:
        fail(
            "invalid settings:\n"
            + "\n".join(f"  --{p.field.replace('_', '-')}: {p.message}" for p in exc.problems)
        )
    except (DataError, RunFolderError, BackendError, SettingsError, UnknownName) as exc:
        fail(str(exc.args[0]) if exc.args else str(exc))
    except (KeyboardInterrupt, Cancelled) as exc:
        fail(str(exc) or "interrupted", EXIT_INTERRUPTED)
    except Exception as exc:
        if os.environ.get("SEQTUI_DEBUG"):
            raise
        fail(f"unexpected {type(exc).__name__}: {exc} (SEQTUI_DEBUG=1 shows the traceback)", EXIT_FAILED)


def version_callback(value: bool) -> None:
    if value:
        out.print(f"seqtui {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def main_callback(
    ctx: typer.Context,
    version: Annotated[bool, typer.Option("--version", callback=version_callback, is_eager=True)] = False,
    runs_dir: Annotated[Path | None, typer.Option(help="Where run folders live (SEQTUI_RUNS_DIR).")] = None,
) -> None:
    """With no command, open the app."""
    ctx.obj = {"runs_dir": runs_dir}
    if ctx.invoked_subcommand is None:
        from seqtui.tui.launch import launch

        launch(runs_dir=runs_dir)


def given_runs_dir(ctx: typer.Context, runs_dir: Path | None) -> Path | None:
    """The command's --runs-dir, else the one given before the command (`seqtui --runs-dir DIR runs`)."""
    return runs_dir or (ctx.obj or {}).get("runs_dir")


# -- train --------------------------------------------------------------------------------------------
def build_config(
    preset: str | None, data: Path | None, dataset: str | None, overrides: dict[str, Any]
) -> RunConfig:
    from seqtui.core.presets import get_preset

    config = get_preset(preset).config if preset else RunConfig()
    if data is not None:
        overrides["data_path"] = str(data.expanduser())  # --data=~/x.csv: no shell expands that ~
        if not preset and not dataset:
            overrides["dataset"] = "file"
    if dataset:
        overrides["dataset"] = dataset
    return with_overrides(config, **overrides)


@app.command()
def train(
    ctx: typer.Context,
    preset: Annotated[str | None, typer.Option(help="A preset from `seqtui presets`.")] = None,
    data: Annotated[
        Path | None,
        typer.Option(help="Your file or folder (CSV/TSV/JSONL, text folders, series, .txt, Keras .npz)."),
    ] = None,
    dataset: Annotated[str | None, typer.Option(help="A dataset from `seqtui datasets`.")] = None,
    arch: Annotated[
        str | None,
        typer.Option(help="mlp, simple_rnn, lstm, gru, bilstm, stacked_lstm, conv1d, cnn_lstm, cnn2d."),
    ] = None,
    epochs: Annotated[int | None, typer.Option()] = None,
    batch_size: Annotated[int | None, typer.Option()] = None,
    maxlen: Annotated[
        int | None, typer.Option(help="Sequence length after padding/truncating ('pre').")
    ] = None,
    vocab_size: Annotated[
        int | None, typer.Option(help="Keep the most frequent words (Keras' num_words).")
    ] = None,
    embedding_dim: Annotated[int | None, typer.Option()] = None,
    units: Annotated[int | None, typer.Option(help="Recurrent units (hidden units for mlp).")] = None,
    layers: Annotated[int | None, typer.Option(help="Stacked recurrent layers.")] = None,
    bidirectional: Annotated[bool | None, typer.Option("--bidirectional/--unidirectional")] = None,
    dropout: Annotated[float | None, typer.Option()] = None,
    conv_filters: Annotated[int | None, typer.Option(help="Conv1D/Conv2D filters.")] = None,
    conv_kernel: Annotated[int | None, typer.Option(help="Conv1D kernel size.")] = None,
    pool_size: Annotated[int | None, typer.Option(help="MaxPooling1D size (cnn_lstm).")] = None,
    dense_units: Annotated[int | None, typer.Option(help="Hidden Dense units of cnn2d.")] = None,
    padding: Annotated[str | None, typer.Option(help="Pad sequences 'pre' (default) or 'post'.")] = None,
    truncating: Annotated[
        str | None, typer.Option(help="Cut long sequences 'pre' (default) or 'post'.")
    ] = None,
    validation_split: Annotated[
        float | None, typer.Option(help="Share of training data for validation.")
    ] = None,
    test_split: Annotated[
        float | None, typer.Option(help="Share held out for testing (data without a test set).")
    ] = None,
    learning_rate: Annotated[float | None, typer.Option()] = None,
    optimizer: Annotated[str | None, typer.Option(help="adam, rmsprop, sgd, adamw, nadam.")] = None,
    patience: Annotated[
        int | None, typer.Option(help="Early-stopping patience on val_loss (0: off).")
    ] = None,
    seed: Annotated[int | None, typer.Option()] = None,
    text_column: Annotated[str | None, typer.Option(help="Your table's text column.")] = None,
    label_column: Annotated[str | None, typer.Option(help="Your table's label column.")] = None,
    encoding: Annotated[
        str | None, typer.Option(help="Your file's encoding (default: UTF-8, then CP949, then latin-1).")
    ] = None,
    target_column: Annotated[str | None, typer.Option(help="Time series: the column to forecast.")] = None,
    lookback: Annotated[int | None, typer.Option(help="Time series: rows the model sees.")] = None,
    step: Annotated[
        int | None, typer.Option(help="Time series: keep every step-th row of the lookback.")
    ] = None,
    delay: Annotated[int | None, typer.Option(help="Time series: rows ahead to forecast.")] = None,
    split: Annotated[str | None, typer.Option(help="Tokenise by 'whitespace' or 'character'.")] = None,
    limit: Annotated[int | None, typer.Option(help="Use at most this many training samples.")] = None,
    runs_dir: Annotated[Path | None, typer.Option(help="Where run folders go (SEQTUI_RUNS_DIR).")] = None,
    backend: Annotated[
        str | None,
        typer.Option(
            help="Keras backend: auto (default: one that sees the GPU, else tensorflow), jax, torch, tensorflow."
        ),
    ] = None,
    devices: Annotated[
        str | None,
        typer.Option(
            help="Train data-parallel on `all` devices or N of them (default 1); the batch is per device."
        ),
    ] = None,
    precision: Annotated[
        str | None,
        typer.Option(help="mixed_bfloat16, mixed_float16 or float32 (default: per device; float32 on CPU)."),
    ] = None,
    resume: Annotated[
        Path | None,
        typer.Option(
            help="Continue this run folder from its last epoch (only --epochs, --learning-rate, --patience may change)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line on stdout.")] = False,
) -> None:
    """Train a model headless; writes a run folder."""
    from seqtui.core.settings import BACKEND_CHOICES

    if backend and backend not in BACKEND_CHOICES:
        fail(f"unknown backend {backend!r}; choose one of {', '.join(BACKEND_CHOICES)}")
    overrides = dict(
        arch=arch, epochs=epochs, batch_size=batch_size, maxlen=maxlen, vocab_size=vocab_size,
        embedding_dim=embedding_dim, units=units, layers=layers, bidirectional=bidirectional, dropout=dropout,
        learning_rate=learning_rate, optimizer=optimizer, patience=patience, seed=seed, text_column=text_column,
        label_column=label_column, encoding=encoding, target_column=target_column, lookback=lookback, step=step,
        delay=delay, split=split, sample_limit=limit, conv_filters=conv_filters, conv_kernel=conv_kernel,
        pool_size=pool_size, dense_units=dense_units, padding=padding, truncating=truncating,
        validation_split=validation_split, test_split=test_split, precision=precision,
    )  # fmt: skip
    runs_dir = given_runs_dir(ctx, runs_dir)
    with clear_errors():
        if resume is not None:
            _check_resume_options(resume, runs_dir, preset=preset, data=data, dataset=dataset, **overrides)
            config = None
        elif not (preset or data or dataset):
            fail("say what to train: --preset NAME (see `seqtui presets`), --dataset NAME or --data FILE")
        else:
            from seqtui.core.runner import check_config

            config = build_config(preset, data, dataset, overrides)
            check_config(config)
        changes = {name: overrides[name] for name in RESUME_OPTIONS}
        end = run_training(config, resume, changes, runs_dir, backend, as_json, out, err, devices)
        if end.status in ("failed", "diverged"):
            err.print(f"[bold red]{end.status}:[/] {end.message}", highlight=False, soft_wrap=True)
            raise typer.Exit(EXIT_FAILED)
        if end.status == "interrupted":
            err.print(f"[yellow]interrupted:[/] {end.message}", highlight=False, soft_wrap=True)
            raise typer.Exit(EXIT_INTERRUPTED)


def _check_resume_options(resume: Path, runs_dir: Path | None, **given: Any) -> None:
    """--resume keeps the run's settings: other options are an error; the folder and the changeable ones are
    checked here, before TensorFlow loads."""
    from seqtui.core.runner import plan_resume

    fixed = [name for name, value in given.items() if value is not None and name not in RESUME_OPTIONS]
    if fixed:
        names = ", ".join("--" + ("limit" if n == "sample_limit" else n).replace("_", "-") for n in fixed)
        fail(
            f"--resume continues {resume} with its own settings; drop {names} "
            "(only --epochs, --learning-rate and --patience can change), or start a new run without --resume"
        )
    plan_resume(resume, *(given[n] for n in RESUME_OPTIONS), runs_dir=runs_dir)


# -- presets, summary ---------------------------------------------------------------------------------
@app.command()
def presets() -> None:
    """List the presets: every model of the lessons, with its parameter count."""
    from seqtui.core.presets import PRESETS

    out.print(views.presets_table(PRESETS.values()))


@app.command()
def summary(
    preset: Annotated[str, typer.Argument(help="A preset name.")],
    maxlen: Annotated[int | None, typer.Option()] = None,
    vocab_size: Annotated[int | None, typer.Option()] = None,
    embedding_dim: Annotated[int | None, typer.Option()] = None,
    units: Annotated[int | None, typer.Option()] = None,
    layers: Annotated[int | None, typer.Option()] = None,
    arch: Annotated[str | None, typer.Option()] = None,
    dropout: Annotated[float | None, typer.Option()] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print {total_params, layers} as JSON.")] = False,
) -> None:
    """Print a preset's layers with output shapes and parameter counts."""
    with clear_errors():
        from seqtui.core.modeling import model_summary
        from seqtui.core.runner import check_config

        config = build_config(
            preset,
            None,
            None,
            dict(
                maxlen=maxlen,
                vocab_size=vocab_size,
                embedding_dim=embedding_dim,
                units=units,
                layers=layers,
                arch=arch,
                dropout=dropout,
            ),
        )
        check_config(config)
        table = model_summary(config)
    if as_json:
        print(json.dumps(table))
        return
    out.print(views.layers_table(preset, table))


# -- runs, predict ------------------------------------------------------------------------------------
@app.command()
def runs(
    ctx: typer.Context,
    runs_dir: Annotated[Path | None, typer.Option(help="Where run folders live (SEQTUI_RUNS_DIR).")] = None,
) -> None:
    """List run folders: status, epochs, best validation and test metrics, duration."""
    from seqtui.core.runs import list_runs, runs_root

    with clear_errors():
        root = runs_root(given_runs_dir(ctx, runs_dir))
        rows = list_runs(root)
    if not rows:
        out.print(f"no runs under {root} yet; start one with `seqtui train --preset NAME`")
        return
    out.print(views.runs_table(root, rows))


@app.command()
def predict(
    ctx: typer.Context,
    run: Annotated[Path, typer.Argument(help="A run folder (path, or name under the runs folder).")],
    text: Annotated[
        list[str] | None, typer.Argument(help="Sentences to classify (or a seed text to continue).")
    ] = None,
    image: Annotated[Path | None, typer.Option(help="A digit image (PNG, JPEG...) for digit models.")] = None,
    words: Annotated[
        int, typer.Option(min=1, help="Generation: tokens to add (characters for character-level models).")
    ] = 10,
    temperature: Annotated[
        float, typer.Option(min=0.0, help="Generation: sampling temperature (0 = greedy).")
    ] = 0.7,
    top: Annotated[int, typer.Option(min=1, help="Show this many classes.")] = 5,
    runs_dir: Annotated[
        Path | None, typer.Option(help="Where run folders live, to find RUN by name (SEQTUI_RUNS_DIR).")
    ] = None,
    backend: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Predict with a trained run: class probabilities for text or a digit image, or generated text."""
    with clear_errors():
        from seqtui.core.predict import Predictor

        if image is None and not text:
            fail('give text to classify (seqtui predict RUN "a sentence") or --image FILE.png')
        predictor = Predictor.load(run, backend, given_runs_dir(ctx, runs_dir))
        if image is not None:
            from seqtui.datasets.images import read_image

            out.print(views.ranked_table(str(image), predictor.classify_image(read_image(image)), top))
        elif predictor.task == "generation":
            joiner = "" if predictor.encoder.tokenizer.split == "character" else " "
            for seed_text in text or []:
                continuation = predictor.generate(seed_text, words, temperature)
                out.print(f"{seed_text}{joiner}[bold]{continuation}[/]", highlight=False)
        else:
            for sentence, ranked in zip(text or [], predictor.classify_texts(list(text or [])), strict=True):
                out.print(views.ranked_table(sentence, ranked, top))


# -- datasets -----------------------------------------------------------------------------------------
@datasets_app.callback()
def datasets_list(ctx: typer.Context) -> None:
    """List every dataset with its task, size, classes, source and status."""
    if ctx.invoked_subcommand is not None:
        return
    from seqtui.datasets.registry import DATASETS

    out.print(views.datasets_table(DATASETS.values()))


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
            out.print(f"[green]{info.name}[/]: " + ", ".join(str(f) for f in files))


def main() -> None:
    app()
