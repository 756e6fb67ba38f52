"""A run as a standalone `train.py`: the same data read the same way, the same layers, seed and `fit`
settings, in plain Keras as the lessons write it (Keras, NumPy and the standard library only).

The script is generated as readable code from the run's config.json, never a pickle. It reproduces
seqtui's data preparation step by step (Keras' own loaders with the same `num_words` and seed, the same
seeded NumPy splits, `--limit`'s sampling), so the same seed trains the same model; what it can't read the
same way yet is refused with an ExportError that says so.
"""

from __future__ import annotations

from typing import Any

from seqtui.common.errors import SeqtuiError
from seqtui.common.text import inert
from seqtui.core.config.run_config import RunConfig
from seqtui.core.config.validation import validate
from seqtui.core.model.architectures import HEAD_LOSS, HEAD_METRIC
from seqtui.core.runs.export_script_climate import CLIMATE_READER
from seqtui.core.runs.export_script_generation import GENERATION_READER, generation_main
from seqtui.core.runs.export_script_images import IMAGES_READER
from seqtui.core.runs.export_script_keras import KERAS_READER
from seqtui.core.runs.export_script_npz import NPZ_READER
from seqtui.core.runs.export_script_series import SERIES_READER
from seqtui.core.runs.export_script_text import TEXT_READER
from seqtui.core.runs.export_script_toys import TOYS_READER
from seqtui.core.runs.export_script_vectors import (
    VECTORS_IN_MAIN,
    VECTORS_OPTION,
    embedding_row,
    uses_vectors,
    vectors_imports,
    vectors_problem,
    vectors_section,
)
from seqtui.core.runs.script_data_check import CHECK_IN_MAIN, data_check
from seqtui.core.runs.script_parts import DataReader
from seqtui.core.runs.script_parts import quoted as _q

SCRIPT_FILE = "train.py"
READERS = (
    KERAS_READER,
    TEXT_READER,
    SERIES_READER,
    CLIMATE_READER,
    TOYS_READER,
    GENERATION_READER,
    IMAGES_READER,
    NPZ_READER,
)
"""Each kind of data a script reads the way seqtui did; the first that claims a run writes its `load_data`."""
OPTIMIZER_CLASSES = {"adam": "Adam", "rmsprop": "RMSprop", "sgd": "SGD", "adamw": "AdamW", "nadam": "Nadam"}


class ScriptError(SeqtuiError):
    """A run a script can't reproduce (yet), with what to export instead."""

    title = "Could not export the run as a script"


def check_scriptable(config: dict[str, Any]) -> DataReader:
    """The reader of the run's data; ScriptError for a run whose data or model a script can't reproduce the
    way seqtui trained it."""
    data = config.get("data", {})
    fallback = "; export the model with --format keras instead"
    reader = next((r for r in READERS if r.claims(config)), None)
    if reader is None:
        where = (
            f"--data {data.get('data_path')}" if data.get("data_path") else f"dataset {data.get('dataset')!r}"
        )
        raise ScriptError(
            f"a script can reproduce runs on {'; on '.join(r.what for r in READERS)}; not yet on {where}{fallback}"
        )
    problems = [str(p) for p in validate(RunConfig.from_dict(config))]
    if config.get("task") not in HEAD_LOSS or config.get("input_kind") not in ("tokens", "image", "series"):
        problems.append(f"task {config.get('task')!r} and input {config.get('input_kind')!r}")
    if not isinstance(config.get("class_names", []), list):
        problems.append("class_names is not a list")
    if problems:  # every value below is written into Python code: only checked ones may be
        raise ScriptError(f"the run's config.json is damaged ({'; '.join(problems)[:300]}){fallback}")
    problem = reader.problem(config) or vectors_problem(config)  # --embeddings: the same file, still there
    if problem:
        raise ScriptError(f"{problem}{fallback}")
    return reader


def script_text(config: dict[str, Any], run_name: str) -> str:
    """The train.py that reproduces the run of `config` (a run's config.json)."""
    reader = check_scriptable(config)
    data, train = config["data"], config["train"]
    task = config.get("task", "multiclass")
    section = reader.section(config)
    check = data_check(config, section) if reader.takes_file(config) else ""
    imports = (*reader.imports(config), *(("hashlib",) if check else ()), *vectors_imports(config))
    sections = [
        _header(config, run_name, imports),
        section,
        check,
        _limit(data.get("sample_limit")),
        vectors_section(config),
        _model(config, task),
        _main(
            train,
            task,
            bool(data.get("sample_limit")),
            reader.takes_file(config),
            bool(check),
            uses_vectors(config),
        ),
    ]
    return "\n\n\n".join(s.strip("\n") for s in sections if s) + "\n"


def _header(config: dict[str, Any], run_name: str, imports: tuple[str, ...]) -> str:
    t, d = config["train"], config["data"]
    modules = "\n".join(f"import {m}" for m in sorted({"argparse", *imports}))
    name = inert(run_name, keep="").replace("\\", "/").replace('"', "'")  # it stands in the docstring
    return f'''"""Reproduces the seqtui run "{name}" in plain Keras: the same data, layers, seed and fit settings.

    python train.py              # {t["epochs"]} epochs, as the run
    python train.py --epochs 1   # a quick check

Needs Keras (with a backend: TensorFlow, JAX or PyTorch) and NumPy. Written by `seqtui export --format script`.
"""

{modules}
from pathlib import Path

import keras
import numpy as np
from keras import layers

SEED = {t["seed"]!r}
EPOCHS = {t["epochs"]!r}
BATCH_SIZE = {t["batch_size"]!r}
PATIENCE = {t["patience"]!r}  # early stopping on MONITOR (0: off); the best epoch's weights are kept
MONITOR = {_q(t.get("monitor", "val_loss"))}  # what picks the kept epoch: val_loss (lowest) or val_accuracy
VALIDATION_SPLIT = {d["validation_split"]!r}
TEST_SPLIT = {d["test_split"]!r}
BEST = Path(__file__).with_name("best.keras")


def shuffled_split(x, y, fraction, seed):
    """Shuffle with a seed, then hold out `fraction` of the rows: (x_keep, y_keep, x_out, y_out)."""
    order = np.random.default_rng(seed).permutation(len(x))
    x, y = x[order], y[order]
    n_out = max(1, int(round(len(x) * fraction)))
    return x[:-n_out], y[:-n_out], x[-n_out:], y[-n_out:]'''


def _limit(limit: int | None) -> str:
    if not limit:
        return ""
    return f'''LIMIT = {limit!r}  # seqtui's --limit


def limited(parts):
    """The first LIMIT training rows, and the same share of validation and test rows (a seeded sample, in
    order), as seqtui's --limit takes them."""
    (x_train, y_train), *others = parts
    if LIMIT >= len(x_train):
        return parts
    ratio = LIMIT / len(x_train)
    kept = [(x_train[:LIMIT], y_train[:LIMIT])]
    for x, y in others:
        keep = min(len(x), max(1, int(len(x) * ratio)))
        rows = np.sort(np.random.default_rng(0).choice(len(x), keep, replace=False))
        kept.append((x[rows], y[rows]))
    return kept'''


def _recurrent(model: dict[str, Any]) -> list[str]:
    """The recurrent stack, as seqtui.core.model.architectures builds it."""
    kind = {"simple_rnn": "SimpleRNN", "gru": "GRU"}.get(model["arch"], "LSTM")
    depth = max(model["layers"], 2) if model["arch"] == "stacked_lstm" else model["layers"]
    both = model["bidirectional"] or model["arch"] == "bilstm"
    lines = []
    for i in range(depth):
        more = ", return_sequences=True" if i < depth - 1 else ""
        layer = f"layers.{kind}({model['units']}{more})"
        lines.append(f"layers.Bidirectional({layer})" if both else layer)
    return lines


def _body(model: dict[str, Any], input_kind: str, vocab: int) -> list[str]:
    arch, lines = model["arch"], []
    if input_kind == "tokens":
        lines.append(embedding_row(model, vocab))
    elif input_kind == "image" and arch not in ("mlp", "cnn2d"):
        lines.append("layers.Reshape((28, 28))  # image rows become time steps")
    if arch == "mlp":
        lines += ["layers.Flatten()", f'layers.Dense({model["units"]}, activation="relu")']
    elif arch == "cnn2d":
        lines += [
            f'layers.Conv2D({max(1, model["conv_filters"] // 2)}, 3, activation="relu")',
            f'layers.Conv2D({model["conv_filters"]}, 3, activation="relu")',
            "layers.MaxPooling2D(2)",
            f"layers.Dropout({model['dropout'] / 2!r})",
            "layers.Flatten()",
            f'layers.Dense({model["dense_units"]}, activation="relu")',
        ]
    elif arch == "conv1d":
        lines += [
            f'layers.Conv1D({model["conv_filters"]}, {model["conv_kernel"]}, activation="relu")',
            "layers.GlobalMaxPooling1D()",
        ]
    elif arch == "cnn_lstm":
        lines += [f"layers.Dropout({model['dropout']!r})"] if model["dropout"] else []
        conv = f'layers.Conv1D({model["conv_filters"]}, {model["conv_kernel"]}, padding="valid", activation="relu")'
        return [*lines, conv, f"layers.MaxPooling1D({model['pool_size']})", *_recurrent(model)]
    else:
        lines += _recurrent(model)
    if model["dropout"]:
        lines.append(f"layers.Dropout({model['dropout']!r})")
    return lines


def _head(task: str, outputs: int) -> str:
    if task == "binary":
        return 'layers.Dense(1, activation="sigmoid")'
    if task == "regression":
        return "layers.Dense(1)"
    return f'layers.Dense({outputs}, activation="softmax")'


def _listed(row: str) -> str:
    """A layer as an item of the Sequential list: its comma before its comment, if it has one."""
    code, hash_, comment = row.partition("  # ")
    return f"{code},{hash_}{comment}"


def _model(config: dict[str, Any], task: str) -> str:
    data, model = config["data"], config["model"]
    kind = config.get("input_kind")
    shape, dtype = (f"({data['maxlen']},)", ', dtype="int32"') if kind == "tokens" else ("(28, 28, 1)", "")
    if kind == "series":  # the window's rows, each with every column of the series
        shape = "(LOOKBACK // STEP, len(COLUMNS))"
    outputs = data["vocab_size"] if task == "generation" else max(len(config.get("class_names") or []), 1)
    name = config.get("preset") or data["dataset"]
    safe = "".join(c if c.isalnum() or c == "_" else "_" for c in name)
    rows = [
        f"keras.Input(shape={shape}{dtype})",
        *_body(model, kind, data["vocab_size"]),
    ]
    rows.append(_head(task, outputs))
    listed = "\n".join(f"            {_listed(row)}" for row in rows)
    return f"""def build_model():
    return keras.Sequential(
        [
{listed}
        ],
        name={_q(safe)},
    )"""


_DATA_OPTION = """    parser.add_argument("--data", type=Path, default=DATA, help="the data to read (default: the run's)")
"""
_READ_GIVEN_DATA = """    try:
        parts = load_data(args.data)
    except (OSError, ValueError, TypeError) as exc:  # a wrong --data: one line and exit code 2, no traceback
        parser.error(f"--data {args.data}: {exc}")"""


def _main(
    train: dict[str, Any],
    task: str,
    limit: bool,
    data_file: bool = False,
    checked: bool = False,
    vectors: bool = False,
) -> str:
    optimizer = OPTIMIZER_CLASSES.get(train["optimizer"], "Adam")
    rate = f"learning_rate={train['learning_rate']!r}" if train.get("learning_rate") else ""
    loss, metric = train.get("loss") or HEAD_LOSS[task], HEAD_METRIC[task]
    options, after = generation_main(data_file) if task == "generation" else ("", "")
    return f"""def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=EPOCHS, help="epochs to train (default: the run's)")
{_DATA_OPTION if data_file else ""}{VECTORS_OPTION if vectors else ""}{options}    args = parser.parse_args()
{CHECK_IN_MAIN if checked else ""}
{_READ_GIVEN_DATA if data_file else "    parts = load_data()"}
    (x_train, y_train), (x_val, y_val), (x_test, y_test) = {"limited(parts)" if limit else "parts"}
    keras.utils.set_random_seed(SEED)
    model = build_model()
{VECTORS_IN_MAIN if vectors else ""}    model.compile(optimizer=keras.optimizers.{optimizer}({rate}), loss={_q(loss)}, metrics=[{_q(metric)}])
    model.summary()

    callbacks = [keras.callbacks.ModelCheckpoint(BEST, monitor=MONITOR, save_best_only=True)]
    if PATIENCE:
        callbacks.append(keras.callbacks.EarlyStopping(monitor=MONITOR, patience=PATIENCE))
    model.fit(
        x_train,
        y_train,
        validation_data=(x_val, y_val),
        epochs=args.epochs,
        batch_size=BATCH_SIZE,
        shuffle=True,
        callbacks=callbacks,
    )
    model = keras.models.load_model(BEST)  # the epoch MONITOR kept, as seqtui tests it
    loss, {metric} = model.evaluate(x_test, y_test, batch_size=BATCH_SIZE, verbose=0)
    print(f"total params: {{model.count_params()}}")
    print(f"test loss: {{loss:.4f}}")
    print(f"test {metric}: {{{metric}:.4f}}")
{after}

if __name__ == "__main__":
    main()"""
