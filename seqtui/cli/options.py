"""Every command-line option, declared once (Typer `Annotated` aliases) and shared by every command that
takes it. A run-setting option's parameter name is the config field it sets (see `config_overrides`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

# -- what to train on ---------------------------------------------------------------------------------
Preset = Annotated[str | None, typer.Option(help="A preset from `seqtui presets`.")]
Data = Annotated[
    Path | None,
    typer.Option(help="Your file or folder (CSV/TSV/JSONL, text folders, series, .txt, Keras .npz)."),
]
Dataset = Annotated[str | None, typer.Option(help="A dataset from `seqtui datasets`.")]

# -- run settings: each parameter is named after the config field it sets -------------------------------
Arch = Annotated[
    str | None,
    typer.Option(help="mlp, simple_rnn, lstm, gru, bilstm, stacked_lstm, conv1d, cnn_lstm, cnn2d."),
]
Epochs = Annotated[int | None, typer.Option(help="Passes over the training data.")]
BatchSize = Annotated[int | None, typer.Option(help="Samples per gradient step.")]
Maxlen = Annotated[int | None, typer.Option(help="Sequence length after padding/truncating ('pre').")]
VocabSize = Annotated[int | None, typer.Option(help="Keep the most frequent words (Keras' num_words).")]
EmbeddingDim = Annotated[int | None, typer.Option(help="Embedding vector size.")]
Embeddings = Annotated[
    str | None,
    typer.Option(
        metavar="FILE",
        help="Start the Embedding layer from pretrained word vectors: GloVe .txt, word2vec text or fastText "
        ".vec (the file sets --embedding-dim; the coverage of the vocabulary is reported).",
    ),
]
FreezeEmbeddings = Annotated[
    bool | None,
    typer.Option(
        "--freeze-embeddings/--train-embeddings",
        help="Keep the pretrained vectors as they are, or fine-tune them (default).",
    ),
]
Units = Annotated[int | None, typer.Option(help="Recurrent units (hidden units for mlp).")]
Layers = Annotated[int | None, typer.Option(help="Stacked recurrent layers.")]
Bidirectional = Annotated[
    bool | None, typer.Option("--bidirectional/--unidirectional", help="Read sequences both ways.")
]
Dropout = Annotated[float | None, typer.Option(help="Dropout rate in [0, 1).")]
ConvFilters = Annotated[int | None, typer.Option(help="Conv1D/Conv2D filters.")]
ConvKernel = Annotated[int | None, typer.Option(help="Conv1D kernel size.")]
PoolSize = Annotated[int | None, typer.Option(help="MaxPooling1D size (cnn_lstm).")]
DenseUnits = Annotated[int | None, typer.Option(help="Hidden Dense units of cnn2d.")]
Padding = Annotated[str | None, typer.Option(help="Pad sequences 'pre' (default) or 'post'.")]
Truncating = Annotated[str | None, typer.Option(help="Cut long sequences 'pre' (default) or 'post'.")]
ValidationSplit = Annotated[float | None, typer.Option(help="Share of training data for validation.")]
TestSplit = Annotated[
    float | None, typer.Option(help="Share held out for testing (data without a test set).")
]
LearningRate = Annotated[float | None, typer.Option(help="Optimizer learning rate (default: Keras').")]
Optimizer = Annotated[str | None, typer.Option(help="adam, rmsprop, sgd, adamw, nadam.")]
Patience = Annotated[int | None, typer.Option(help="Early-stopping patience on --monitor (0: off).")]
Monitor = Annotated[
    str | None,
    typer.Option(
        help="What picks the kept (tested) epoch and drives early stopping: val_loss (lowest) or val_accuracy "
        "(highest, classifiers)."
    ),
]
Seed = Annotated[int | None, typer.Option(help="Random seed for weights and splits.")]
TextColumn = Annotated[str | None, typer.Option(help="Your table's text column.")]
LabelColumn = Annotated[str | None, typer.Option(help="Your table's label column.")]
Encoding = Annotated[
    str | None, typer.Option(help="Your file's encoding (default: UTF-8, then CP949, then latin-1).")
]
TargetColumn = Annotated[str | None, typer.Option(help="Time series: the column to forecast.")]
Lookback = Annotated[int | None, typer.Option(help="Time series: rows the model sees.")]
Step = Annotated[int | None, typer.Option(help="Time series: keep every step-th row of the lookback.")]
Delay = Annotated[int | None, typer.Option(help="Time series: rows ahead to forecast.")]
Split = Annotated[
    str | None, typer.Option(help="Tokenise by 'whitespace', 'character' or 'morpheme'.", hidden=True)
]
Tokenizer = Annotated[
    str | None,
    typer.Option(
        help="words, characters or morphemes (Korean, with kiwipiepy: particles and endings split off)."
    ),
]
Stopwords = Annotated[
    str | None,
    typer.Option(help="ko (the lesson's Korean list; the default for morphemes), none, or a file of words."),
]
ContentMorphemes = Annotated[
    bool | None,
    typer.Option(
        "--content-morphemes/--all-morphemes",
        help="Morphemes: keep content morphemes only (no particles, endings, affixes).",
    ),
]
SampleLimit = Annotated[int | None, typer.Option("--limit", help="Use at most this many training samples.")]
RunName = Annotated[
    str | None,
    typer.Option(
        "--name",
        help="Name the run (Korean and spaces welcome); default: the preset and what changed, e.g. "
        "'topics-ko-lstm arch=gru'. Compare and sweep add what tells their runs apart.",
    ),
]

# -- where and how --------------------------------------------------------------------------------------
RunsDir = Annotated[Path | None, typer.Option(help="Where run folders live (SEQTUI_RUNS_DIR).")]
Backend = Annotated[
    str | None,
    typer.Option(
        help="Keras backend: auto (default: one that sees the GPU, else tensorflow), jax, torch, tensorflow."
    ),
]
Devices = Annotated[
    str | None,
    typer.Option(
        help="Data parallel: this one run on N devices (or on `all` that the backend sees; default 1), each batch split "
        "among them; --batch-size is per device, so the global batch is batch x N. (`compare --devices` "
        "instead trains several runs at once.)"
    ),
]
Precision = Annotated[
    str | None,
    typer.Option(help="mixed_bfloat16, mixed_float16 or float32 (default: per device; float32 on CPU)."),
]

# -- where runs also go ---------------------------------------------------------------------------------
Tensorboard = Annotated[
    bool | None,
    typer.Option(
        "--tensorboard/--no-tensorboard",
        help="Write TensorBoard event files into the run folder (default on; SEQTUI_TENSORBOARD=0).",
    ),
]
MLflowUri = Annotated[
    str | None,
    typer.Option(
        "--mlflow",
        metavar="URI",
        help="Also log the run to this MLflow tracking server (default: MLFLOW_TRACKING_URI; needs seqtui\\[mlflow]).",
    ),
]
Notify = Annotated[
    str | None,
    typer.Option(
        "--notify",
        metavar="CMD|URL",
        help="When it ends, run this command in your shell (outcome in $SEQTUI_STATUS, $SEQTUI_VERDICT, "
        "$SEQTUI_METRIC, $SEQTUI_RUN_DIR...) or POST it as JSON to this http(s) webhook (ntfy, Slack, "
        "Discord). Default: SEQTUI_NOTIFY; '' turns it off.",
    ),
]

# -- many processes, many workers -------------------------------------------------------------------------
Processes = Annotated[
    int | None,
    typer.Option(
        min=1,
        help="Train this one run in N processes on this machine (JAX; one GPU each, or one CPU device each), "
        "as srun does on a cluster: process 0 writes the run folder and reports.",
    ),
]
Workers = Annotated[
    int | None,
    typer.Option(
        min=1,
        help="Run N sweep workers on this machine, all on one study (one GPU each where there are GPUs); "
        "--trials is per worker.",
    ),
]

# -- watching it learn -----------------------------------------------------------------------------------
Probes = Annotated[
    list[str] | None,
    typer.Option(
        "--probe",
        metavar="TEXT",
        help="A sentence whose class probabilities are recorded after every epoch (repeat for more, at most "
        "8; kept by --resume): in the epoch_end event, probes.jsonl and TensorBoard, drawn on Train.",
    ),
]
ProbeImages = Annotated[
    list[str] | None,
    typer.Option(
        "--probe-image",
        metavar="FILE",
        help="An image file probed alike, for image models (digits, mnist, fashion).",
    ),
]
GradFlow = Annotated[
    bool | None,
    typer.Option(
        "--grad-flow/--no-grad-flow",
        help="Record every trainable layer's gradient norm on one fixed training batch after each epoch "
        "(default on; it costs well under 2% of an epoch, see docs/performance.md).",
    ),
]


# -- instead of training --------------------------------------------------------------------------------
FindLR = Annotated[
    bool,
    typer.Option(
        "--find-lr",
        help="Instead of training, run a learning-rate range test (a few hundred batches, the rate growing "
        "from 1e-6 to 1), draw loss against rate and suggest one; writes no run folder, changes no setting.",
    ),
]


# -- train's own ---------------------------------------------------------------------------------------
Resume = Annotated[
    Path | None,
    typer.Option(
        help="Continue this run folder from its last epoch (only --epochs, --learning-rate, --patience may "
        "change; --data where the run's data moved).",
        rich_help_panel="Training",
    ),
]
JsonLines = Annotated[
    bool,
    typer.Option("--json", help="One JSON object per line on stdout.", metavar="", rich_help_panel="Output"),
]


# -- how `--help` shows them ----------------------------------------------------------------------------
def _lenient(kind: type[int] | type[float]) -> Callable[[str], int | float | str]:
    """A number as typed, or the text itself: the config's check then names every bad setting at once
    (`--units abc --epochs -1` gives two lines, not Click's first error alone)."""

    def parse(value: str) -> int | float | str:
        try:
            return kind(value)
        except (TypeError, ValueError):
            return value

    return parse


WHOLE_NUMBERS = (
    Epochs, BatchSize, Maxlen, VocabSize, EmbeddingDim, Units, Layers, ConvFilters, ConvKernel, PoolSize,
    DenseUnits, Patience, Seed, Lookback, Step, Delay, SampleLimit,
)  # fmt: skip
FRACTIONS = (Dropout, ValidationSplit, TestSplit, LearningRate)
PANELS: dict[str, tuple[object, ...]] = {
    "Data": (
        Preset, Dataset, Data, TextColumn, LabelColumn, Encoding, TargetColumn, Lookback, Step, Delay,
        Tokenizer, Stopwords, ContentMorphemes, Maxlen, VocabSize, Padding, Truncating, Split,
        ValidationSplit, TestSplit, SampleLimit,
    ),
    "Model": (
        Arch, Units, Layers, Bidirectional, Dropout, EmbeddingDim, Embeddings, FreezeEmbeddings, ConvFilters,
        ConvKernel, PoolSize, DenseUnits,
    ),
    "Training": (
        Epochs, BatchSize, LearningRate, Optimizer, Patience, Monitor, Seed, FindLR, Probes, ProbeImages,
        GradFlow,
    ),
    "Output": (RunName, RunsDir, Tensorboard, MLflowUri, Notify),
    "Hardware": (Backend, Devices, Precision, Processes, Workers),
}  # fmt: skip
"""Each option's panel in `--help` (options not listed here stay under "Options")."""
FLAGS = (FreezeEmbeddings, Bidirectional, ContentMorphemes, Tensorboard, FindLR, GradFlow)
"""--x/--no-x pairs: their names say it all (no `<bool>` type shown)."""


def _info(alias: object) -> typer.models.OptionInfo:
    return alias.__metadata__[0]  # type: ignore[attr-defined]


def _defaults() -> dict[int, str]:
    """Each run setting's default without a preset, by alias (a preset sets its own)."""
    from seqtui.core.config.run_config import FIELD_SECTION, RunConfig

    base = RunConfig()
    names = {Epochs: "epochs", BatchSize: "batch_size", Maxlen: "maxlen", VocabSize: "vocab_size",
             EmbeddingDim: "embedding_dim", Units: "units", Layers: "layers", Dropout: "dropout",
             ConvFilters: "conv_filters", ConvKernel: "conv_kernel", PoolSize: "pool_size",
             DenseUnits: "dense_units", ValidationSplit: "validation_split", TestSplit: "test_split",
             Optimizer: "optimizer", Patience: "patience", Monitor: "monitor", Seed: "seed",
             Lookback: "lookback", Step: "step", Delay: "delay", Arch: "arch"}  # fmt: skip
    return {id(a): str(getattr(getattr(base, FIELD_SECTION[f]), f)) for a, f in names.items()}


def _arrange() -> None:
    defaults = _defaults()
    for panel, aliases in PANELS.items():
        for alias in aliases:
            info = _info(alias)
            info.rich_help_panel = panel
            if id(alias) in defaults:  # `\[`: the help is Rich markup
                info.help = f"{info.help} \\[default: {defaults[id(alias)]}, or the preset's]"
    for alias in WHOLE_NUMBERS + FRACTIONS:
        info = _info(alias)
        info.parser = _lenient(int if alias in WHOLE_NUMBERS else float)
        info.metavar = "<int>" if alias in WHOLE_NUMBERS else "<float>"
    for alias in FLAGS:
        _info(alias).metavar = ""


_arrange()
