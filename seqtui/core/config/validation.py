"""The one validation every door uses: every problem with a run's config at once, with the field it is in.

Nothing here imports Keras: validation must answer before TensorFlow is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from seqtui.common.names import clean_name, suggest
from seqtui.core.config.metrics import MONITORS
from seqtui.core.config.run_config import (
    ARCHITECTURES,
    LOSSES,
    OPTIMIZERS,
    PADDING,
    PRECISIONS,
    SPLITS,
    STANDARDIZE,
    ModelConfig,
    RunConfig,
    TrainConfig,
)
from seqtui.datasets.config import DataConfig


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a config: the flat field name and a message saying how to fix it."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"

    @property
    def option(self) -> str:
        """The command-line option that sets this field."""
        return "--" + OPTION_NAMES.get(self.field, self.field).replace("_", "-")


OPTION_NAMES = {"sample_limit": "limit", "label": "name", "probes": "probe", "probe_images": "probe_image"}
"""Fields whose command-line option has another name."""


UPPER_LIMITS: dict[str, int] = {
    "vocab_size": 10_000_000,
    "maxlen": 100_000,
    "lookback": 1_000_000,
    "embedding_dim": 65_536,
    "units": 65_536,
    "layers": 64,
    "conv_filters": 65_536,
    "dense_units": 65_536,
    "epochs": 100_000,
    "batch_size": 1_000_000,
}
"""Sizes beyond these are typos (an extra zero or two), not experiments: they would exhaust memory."""
MAX_SEED = 2**31 - 1


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def time_steps_after_conv(maxlen: int, kernel: int, pool: int) -> int:
    """Time steps left after a 'valid' Conv1D(kernel) and MaxPooling1D(pool)."""
    return (maxlen - kernel + 1) // pool


IMAGE_ROWS = 28
"""Images are 28x28; recurrent models read their rows as time steps."""


def time_steps(config: RunConfig, input_kind: str | None) -> int | None:
    """How many time steps the model reads for this kind of input; None when unknown before loading."""
    d = config.data
    if input_kind == "tokens":
        return d.maxlen if _is_int(d.maxlen) else None
    if input_kind == "series":
        ok = all(_is_int(v) and v > 0 for v in (d.lookback, d.step))
        return d.lookback // d.step if ok else None
    if input_kind == "image":
        return IMAGE_ROWS
    return None


def time_step_problems(config: RunConfig, steps: int | None, what: str = "maxlen") -> list[Problem]:
    """Conv1D/MaxPooling1D must leave at least one time step of the `steps` the input has."""
    m = config.model
    if steps is None or m.arch not in ("conv1d", "cnn_lstm"):
        return []
    if not all(_is_int(v) and v > 0 for v in (m.conv_kernel, m.pool_size)):
        return []  # reported by validate()
    if steps < m.conv_kernel:
        return [
            Problem(
                "conv_kernel",
                f"Conv1D kernel {m.conv_kernel} is longer than the {steps} time steps ({what}); "
                f"lower --conv-kernel or raise {what}",
            )
        ]
    if m.arch == "cnn_lstm" and time_steps_after_conv(steps, m.conv_kernel, m.pool_size) < 1:
        return [
            Problem(
                "pool_size",
                f"Conv1D({m.conv_kernel}) then MaxPooling1D({m.pool_size}) leave no time steps of the "
                f"{steps} ({what}); raise {what} or lower --conv-kernel/--pool-size",
            )
        ]
    return []


def dataset_input_kind(dataset: object) -> str | None:
    """tokens, series or image for a registered dataset; None for the user's own files (known once read)."""
    from seqtui.datasets.registry import DATASETS

    info = DATASETS.get(dataset) if isinstance(dataset, str) else None
    return info.input_kind if info is not None and info.input_kind != "auto" else None


def validate(
    config: RunConfig, dataset_names: tuple[str, ...] | None = None, input_kind: str | None = "dataset"
) -> list[Problem]:
    """Every problem with a config, at once, with field names. Empty list means valid.

    Never raises, whatever the field values are. `input_kind` (tokens, series, image; None when not known
    before loading; by default the registered dataset's) says which length the Conv1D checks measure:
    maxlen, lookback/step or image rows.
    """
    if input_kind == "dataset":
        input_kind = dataset_input_kind(config.data.dataset)
    problems = _data_size_problems(config.data, dataset_names, input_kind)
    problems += _text_problems(config.data)
    problems += _source_problems(config.data)
    problems += _model_problems(config, input_kind)
    problems += _train_problems(config.train)
    problems += _probe_problems(config.train)
    if config.label is not None and not clean_name(config.label):
        problems.append(Problem("label", f"needs at least one visible character (got {config.label!r})"))
    return problems


def _need(problems: list[Problem], ok: bool, name: str, message: str) -> None:
    """Add `message` about `name` to `problems` unless `ok`."""
    if not ok:
        problems.append(Problem(name, message))


def _positive(problems: list[Problem], name: str, value: Any) -> None:
    """`value` must be a whole number above 0, and at most its UPPER_LIMITS entry where it has one."""
    top = UPPER_LIMITS.get(name)
    if _is_int(value) and top is not None and value > top:
        problems.append(Problem(name, f"must be at most {top:,} (got {value:,})"))
    else:
        _need(problems, _is_int(value) and value > 0, name, f"must be a whole number above 0 (got {value!r})")


def _data_size_problems(
    d: DataConfig, dataset_names: tuple[str, ...] | None, input_kind: str | None
) -> list[Problem]:
    """The dataset's name and the data's sizes: vocabulary, lengths, the series' step."""
    problems: list[Problem] = []
    if dataset_names is not None and d.dataset not in dataset_names:
        problems.append(
            Problem("dataset", f"unknown dataset {d.dataset!r}." + suggest(d.dataset, dataset_names))
        )
    for name in ("vocab_size", "maxlen", "lookback", "step", "delay"):
        _positive(problems, name, getattr(d, name))
    if input_kind == "series" and all(_is_int(v) and v > 0 for v in (d.lookback, d.step)):
        _need(
            problems,
            d.step <= d.lookback,
            "step",
            f"must not exceed lookback {d.lookback} (got {d.step}): no rows left",
        )
    if _is_int(d.vocab_size) and d.vocab_size > 0:
        _need(
            problems,
            d.vocab_size >= 3,
            "vocab_size",
            "must be at least 3 (padding, out-of-vocabulary and one word)",
        )
    return problems


def _text_problems(d: DataConfig) -> list[Problem]:
    """How text becomes tokens: padding, truncating, splitting and standardising."""
    problems: list[Problem] = []
    _need(problems, d.padding in PADDING, "padding", f"must be 'pre' or 'post' (got {d.padding!r})")
    _need(problems, d.truncating in PADDING, "truncating", f"must be 'pre' or 'post' (got {d.truncating!r})")
    _need(problems, d.split in SPLITS, "split", f"must be one of {', '.join(SPLITS)} (got {d.split!r})")
    _need(
        problems,
        isinstance(d.content_morphemes, bool),
        "content_morphemes",
        f"must be true or false (got {d.content_morphemes!r})",
    )
    _need(
        problems,
        d.standardize in STANDARDIZE,
        "standardize",
        f"must be one of {', '.join(STANDARDIZE)} (got {d.standardize!r})",
    )
    return problems


def _source_problems(d: DataConfig) -> list[Problem]:
    """Which rows are read and held out: the split fractions, the row limit, file and column names, stopwords."""
    problems: list[Problem] = []
    for name in ("validation_split", "test_split"):
        value = getattr(d, name)
        _need(
            problems,
            _is_number(value) and 0.0 < value < 1.0,
            name,
            f"must be a fraction between 0 and 1, exclusive (got {value!r})",
        )
    if d.sample_limit is not None:
        _positive(problems, "sample_limit", d.sample_limit)
    _need(
        problems,
        _is_int(d.split_seed) and 0 <= d.split_seed <= MAX_SEED,
        "split_seed",
        f"must be a whole number from 0 to {MAX_SEED} (got {d.split_seed!r})",
    )
    for name in ("data_path", "text_column", "label_column", "encoding", "target_column"):
        value = getattr(d, name)
        _need(
            problems,
            value is None or (isinstance(value, str) and value != ""),
            name,
            f"must be a name or path (got {value!r})",
        )
    _need(
        problems,
        isinstance(d.stopwords, (tuple, list)) and all(isinstance(w, str) for w in d.stopwords),
        "stopwords",
        "must be a list of words",
    )
    return problems


def _model_problems(config: RunConfig, input_kind: str | None) -> list[Problem]:
    """The architecture, its sizes, and whether its Conv1D leaves time steps of the input."""
    problems: list[Problem] = []
    m = config.model
    if m.arch not in ARCHITECTURES:
        problems.append(Problem("arch", f"unknown architecture {m.arch!r}." + suggest(m.arch, ARCHITECTURES)))
    for name in (
        "embedding_dim",
        "units",
        "layers",
        "conv_filters",
        "conv_kernel",
        "pool_size",
        "dense_units",
    ):
        _positive(problems, name, getattr(m, name))
    _need(
        problems,
        _is_number(m.dropout) and 0.0 <= m.dropout < 1.0,
        "dropout",
        f"must be in [0, 1), e.g. 0.2 (got {m.dropout!r})",
    )
    _need(
        problems,
        isinstance(m.bidirectional, bool),
        "bidirectional",
        f"must be true or false (got {m.bidirectional!r})",
    )
    what = "lookback/step" if input_kind == "series" else "image rows" if input_kind == "image" else "maxlen"
    problems += time_step_problems(config, time_steps(config, input_kind), what)
    return problems + _embedding_problems(m)


def _embedding_problems(m: ModelConfig) -> list[Problem]:
    """--embeddings is a path; --freeze-embeddings needs it (the file itself is checked in model.checks)."""
    problems: list[Problem] = []
    _need(
        problems,
        m.embeddings is None or (isinstance(m.embeddings, str) and m.embeddings.strip() != ""),
        "embeddings",
        f"must be the path of a word-vector file (got {m.embeddings!r})",
    )
    _need(
        problems,
        isinstance(m.freeze_embeddings, bool),
        "freeze_embeddings",
        f"must be true or false (got {m.freeze_embeddings!r})",
    )
    _need(
        problems,
        not (m.freeze_embeddings is True and not m.embeddings),
        "freeze_embeddings",
        "freezes pretrained vectors: give them with --embeddings FILE",
    )
    return problems


def _train_problems(t: TrainConfig) -> list[Problem]:
    """How to fit: epochs, batch size, optimizer, loss, learning rate, precision, patience, monitor, seed."""
    problems: list[Problem] = []
    for name in ("epochs", "batch_size"):
        _positive(problems, name, getattr(t, name))
    _need(
        problems,
        isinstance(t.optimizer, str) and t.optimizer in OPTIMIZERS,
        "optimizer",
        f"unknown optimizer {t.optimizer!r}." + suggest(t.optimizer, OPTIMIZERS),
    )
    if t.loss is not None:
        _need(problems, t.loss in LOSSES, "loss", f"unknown loss {t.loss!r}." + suggest(t.loss, LOSSES))
    if t.learning_rate is not None:
        _need(
            problems,
            _is_number(t.learning_rate) and 0.0 < t.learning_rate < 10.0,
            "learning_rate",
            f"must be above 0 and below 10, e.g. 0.001 (got {t.learning_rate!r})",
        )
    if t.precision is not None:
        _need(
            problems,
            t.precision in PRECISIONS,
            "precision",
            f"unknown precision {t.precision!r}." + suggest(t.precision, PRECISIONS),
        )
    _need(
        problems,
        _is_int(t.patience) and t.patience >= 0,
        "patience",
        f"must be 0 or more (got {t.patience!r})",
    )
    _need(
        problems,
        isinstance(t.monitor, str) and t.monitor in MONITORS,
        "monitor",
        f"unknown monitor {t.monitor!r}: val_loss or val_accuracy." + suggest(str(t.monitor), MONITORS),
    )
    _need(
        problems,
        _is_int(t.seed) and 0 <= t.seed <= MAX_SEED,
        "seed",
        f"must be a whole number from 0 to {MAX_SEED} (got {t.seed!r})",
    )
    return problems


MAX_PROBES = 8
"""Probes a run records (each one line on the Train screen)."""
MAX_PROBE_CHARS = 2000


def _probe_problems(t: TrainConfig) -> list[Problem]:
    """--probe sentences and --probe-image files: a few, each with something in it (whether the model can
    read them is checked once the data is known: `core/training/probing.py`)."""
    problems: list[Problem] = []
    _need(problems, isinstance(t.grad_flow, bool), "grad_flow", f"must be on or off (got {t.grad_flow!r})")
    for name in ("probes", "probe_images"):
        value = getattr(t, name)
        if not isinstance(value, (tuple, list)) or not all(isinstance(v, str) for v in value):
            problems.append(Problem(name, f"must be a list of texts (got {str(value)[:60]!r})"))
        elif any(not v.strip() or len(v) > MAX_PROBE_CHARS for v in value):
            problems.append(Problem(name, f"each must hold 1 to {MAX_PROBE_CHARS:,} characters"))
    if isinstance(t.probes, (tuple, list)) and isinstance(t.probe_images, (tuple, list)):
        count = len(t.probes) + len(t.probe_images)
        _need(problems, count <= MAX_PROBES, "probes", f"at most {MAX_PROBES} probes (got {count})")
    return problems
