"""Every command-line option, declared once (Typer `Annotated` aliases) and shared by every command that
takes it. A run-setting option's parameter name is the config field it sets (see `config_overrides`)."""

from __future__ import annotations

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
Patience = Annotated[int | None, typer.Option(help="Early-stopping patience on val_loss (0: off).")]
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
        help="Also log the run to this MLflow tracking server (default: MLFLOW_TRACKING_URI; needs seqtui[mlflow]).",
    ),
]
