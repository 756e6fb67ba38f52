"""What every command shares: the consoles, one clear message for every failure, the runs folder given
before the command, and the run settings declared once for `train` and `summary`."""

from __future__ import annotations

import contextlib
import inspect
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.text import Text

from seqtui.cli import options as opt
from seqtui.common.errors import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_INTERRUPTED, SeqtuiError, describe_error
from seqtui.core.config.run_config import FIELD_SECTION, RunConfig, with_overrides
from seqtui.render.safe_console import SafeConsole

out = SafeConsole()
err = SafeConsole(stderr=True)
"""Every command prints through these: text from data or files shows its escape characters, never acts."""


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


def given_runs_dir(ctx: typer.Context, runs_dir: Path | None) -> Path | None:
    """The command's --runs-dir, else the one given before the command (`seqtui --runs-dir DIR runs`)."""
    return runs_dir or (ctx.obj or {}).get("runs_dir")


def config_overrides(ctx: typer.Context) -> dict[str, Any]:
    """The run settings given on the command line, by config field (a parameter is named after its field)."""
    given = {k: v for k, v in ctx.params.items() if k in FIELD_SECTION and k != "dataset" and v is not None}
    # a repeatable option (--probe) as a tuple, left out when not given (Click gives an empty tuple or list)
    return {k: tuple(v) if isinstance(v, list) else v for k, v in given.items() if v not in ([], ())}


def config_from_options(
    preset: str | None,
    data: Path | None,
    dataset: str | None,
    overrides: dict[str, Any],
    tokenizer: str | None = None,
) -> RunConfig:
    """The run config the command line describes: a preset (or the defaults), then the data, then overrides.

    --tokenizer and --stopwords (ko, none or a file) are read as the app's Setup reads them."""
    from seqtui.core.config.presets import get_preset
    from seqtui.core.config.tokenizing import tokenizer_overrides
    from seqtui.core.model.pretrained import embedding_overrides

    config = get_preset(preset).config if preset else RunConfig()
    overrides = dict(overrides)
    overrides.update(tokenizer_overrides(config.data, tokenizer, overrides.pop("stopwords", None)))
    if data is not None:
        overrides["data_path"] = str(data.expanduser())  # --data=~/x.csv: no shell expands that ~
        if not preset and not dataset:
            overrides["dataset"] = "file"
    if dataset:
        overrides["dataset"] = dataset
    if overrides.get("embeddings"):
        overrides["embeddings"] = os.path.expanduser(overrides["embeddings"])
    return with_overrides(config, **embedding_overrides(overrides))  # the vector file sets embedding_dim


def _run_settings(
    data: opt.Data = None,
    dataset: opt.Dataset = None,
    arch: opt.Arch = None,
    epochs: opt.Epochs = None,
    batch_size: opt.BatchSize = None,
    maxlen: opt.Maxlen = None,
    vocab_size: opt.VocabSize = None,
    embedding_dim: opt.EmbeddingDim = None,
    embeddings: opt.Embeddings = None,
    freeze_embeddings: opt.FreezeEmbeddings = None,
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
    monitor: opt.Monitor = None,
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
    probes: opt.Probes = None,
    probe_images: opt.ProbeImages = None,
    grad_flow: opt.GradFlow = None,
) -> None:
    """The run settings `train` and `summary` both take (see `with_run_settings`), each named after its config
    field: `config_overrides` reads them back from the context."""


def with_settings(shared: Callable[..., None]) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Give a command the options of `shared`, declared once: Typer reads the signature set here, which puts
    them after the command's own positional-or-keyword parameters and before its keyword-only ones; the
    command receives them in its `**settings`."""

    def give(command: Callable[..., None]) -> Callable[..., None]:
        own = inspect.signature(command, eval_str=True).parameters.values()
        added = inspect.signature(shared, eval_str=True).parameters.values()
        params = [
            *(p for p in own if p.kind is p.POSITIONAL_OR_KEYWORD),
            *(p.replace(kind=p.KEYWORD_ONLY) for p in added),
            *(p for p in own if p.kind is p.KEYWORD_ONLY),
        ]
        command.__signature__ = inspect.Signature(params, return_annotation=None)  # type: ignore[attr-defined]
        return command

    return give


with_run_settings = with_settings(_run_settings)
"""The options of `_run_settings`, for `train` and `summary`."""


# -- many processes ---------------------------------------------------------------------------------------
def command_line(ctx: typer.Context, leave_out: tuple[str, ...] = ()) -> list[str]:
    """The arguments that gave `ctx` (the app's options, the command's name, its options as typed), without
    the parameters in `leave_out`: what a launcher starts each of its processes with."""
    args: list[str] = []
    levels = [ctx.parent, ctx] if ctx.parent is not None else [ctx]
    for level in levels:
        if level is ctx:
            args.append(str(ctx.info_name))
        for param in level.command.params:
            name = param.name or ""
            source = level.get_parameter_source(name)
            if name in leave_out or source is None or source.name != "COMMANDLINE":
                continue
            args += _as_args(param, level.params[name])
    return args


def _as_args(param: Any, value: Any) -> list[str]:
    """One parameter as it is typed (Typer's own Click: duck-typed)."""
    if param.param_type_name != "option":
        return [str(value)]
    if param.is_flag:
        if param.secondary_opts:
            return [param.opts[0] if value else param.secondary_opts[0]]
        return [param.opts[0]] if value else []
    values = value if param.multiple else [value]
    return [text for v in values for text in (param.opts[0], str(v))]
