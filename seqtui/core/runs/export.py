"""Export a run's model for use without seqtui: a plain `.keras` file, a TensorFlow SavedModel or ONNX, with
the encoder, the class names and a README that shows how to load it in plain Keras and predict.

The export is written to a temporary folder beside the target and renamed into place, so a failure leaves
nothing half-written.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from seqtui.common.errors import SeqtuiError
from seqtui.common.text import inert
from seqtui.core.config.metrics import MONITORS, kept_row
from seqtui.core.hardware.backend import import_keras
from seqtui.core.runs.export_readme import MODEL_FILE, readme_text, script_readme
from seqtui.core.runs.export_script import SCRIPT_FILE, script_text
from seqtui.core.runs.folder import BEST, CONFIG, ENCODER, METRICS, RUN, RunFolder

FORMATS = ("keras", "savedmodel", "onnx", "script")
ONNX_NEEDS = {
    "tensorflow": ("tf2onnx", "onnx"),
    "jax": ("jax2onnx", "onnx"),
    "torch": ("torch", "onnxscript"),
}
"""The modules Keras' ONNX export uses on each backend."""


class ExportError(SeqtuiError):
    """An export that can't be made, with what to do instead."""

    title = "Could not export the model"


def default_target(folder: RunFolder, fmt: str) -> Path:
    return folder.path / "export" / fmt


def _check_format(fmt: str, backend: str) -> None:
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if fmt == "savedmodel" and importlib.util.find_spec("tensorflow") is None:
        raise ExportError(
            "a SavedModel needs TensorFlow (pip install tensorflow); use --format keras, which loads anywhere"
        )
    if fmt == "onnx":
        missing = [m for m in ONNX_NEEDS.get(backend, ()) if importlib.util.find_spec(m) is None]
        if missing:
            raise ExportError(
                f"ONNX export on the {backend} backend needs {' and '.join(missing)} (pip install "
                f"{' '.join(missing)}), which is not installed; use --format keras or savedmodel, or --backend "
                "torch with torch and onnxscript installed"
            )


def export_run(
    run: str | Path,
    fmt: str = "keras",
    target: Path | None = None,
    runs_dir: str | Path | None = None,
    backend: str | None = None,
) -> Path:
    """Write the run's best model (else its last) in `fmt` with encoder.json, config.json and README.md;
    `script`: a train.py that trains it again in plain Keras, instead of the model."""
    folder = RunFolder.open(run, runs_dir)
    checkpoint, encoder = folder.model_and_encoder()
    target = Path(target) if target is not None else default_target(folder, fmt)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ExportError(f"{target} already exists and is not empty; remove it or pick another with --out")
    config = folder.read_json(CONFIG)
    script = script_text(config, folder.display_name()) if fmt == "script" else None  # refused before staging
    if script is None and fmt not in FORMATS:
        _check_format(fmt, backend or "tensorflow")
    try:  # before Keras loads (half a minute with TensorFlow): a read-only --out is refused at once
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    except OSError as exc:
        raise ExportError(f"can't write under {target.parent}: {exc.strerror or exc}") from exc
    try:
        keras = None if script is not None else import_keras(backend)
        if script is not None:
            _write_script(folder, config, script, staging)
        else:
            _check_format(fmt, keras.backend.backend())
            _write_model(keras, folder, checkpoint, fmt, staging)
            (staging / "README.md").write_text(
                readme_text(fmt, config, encoder, folder.path.name, _epoch_line(folder, checkpoint, config)),
                encoding="utf-8",
            )
        shutil.copyfile(folder.file(ENCODER), staging / ENCODER)
        (staging / CONFIG).write_text(
            json.dumps(config, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        if target.exists():
            target.rmdir()
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def _write_script(folder: RunFolder, config: dict[str, Any], script: str, staging: Path) -> None:
    """train.py and its README (what the run's test metrics were, to compare with what the script prints)."""
    name = folder.display_name()
    (staging / SCRIPT_FILE).write_text(script, encoding="utf-8")
    metrics = folder.read_json(METRICS) if folder.file(METRICS).exists() else {}
    (staging / "README.md").write_text(script_readme(config, name, metrics, script), encoding="utf-8")


def _epoch_line(folder: RunFolder, checkpoint: Path, config: dict[str, Any]) -> str:
    """Which epoch the exported model is, on a line of its own under the model's: '  (epoch 7, kept by
    val_loss: val_loss 0.4123, val_accuracy 0.7304), the epoch that was tested'."""
    history = folder.read_history()
    if checkpoint.name != BEST:
        return f"\n  (here the last epoch, {len(history)}: the run kept no best checkpoint)"
    train = config.get("train", {})
    monitor = train.get("monitor", "val_loss") if isinstance(train, dict) else "val_loss"
    monitor = monitor if monitor in MONITORS else "val_loss"
    row = kept_row(history, monitor, folder.read_json(RUN).get("best_epoch"))
    if row is None:
        return ""
    values = ", ".join(f"{inert(k, keep='')} {v:.4f}" for k, v in row.items() if k.startswith("val_"))
    return f"\n  (epoch {int(row.get('epoch', 0))}, kept by {monitor}: {values or '-'}; the epoch that was tested)"


def _write_model(keras: Any, folder: RunFolder, checkpoint: Path, fmt: str, staging: Path) -> None:
    if fmt == "keras":
        folder.load_model(checkpoint.name, keras)  # only a model that loads safely is exported
        shutil.copyfile(checkpoint, staging / MODEL_FILE[fmt])
        return
    model = folder.load_model(checkpoint.name, keras)
    path = staging / MODEL_FILE[fmt]
    try:
        if fmt == "onnx":  # Keras converts only a model that has been called, and a loaded one has not
            spec = model.inputs[0]
            model(keras.ops.zeros((1, *spec.shape[1:]), dtype=spec.dtype))
        model.export(str(path), format="tf_saved_model" if fmt == "savedmodel" else "onnx", verbose=False)
    except Exception as exc:  # noqa: BLE001 - Keras raises many kinds for what a backend can't export
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ExportError(
            f"Keras could not export this model as {fmt} on the {keras.backend.backend()} backend ({first}); "
            "use --format keras"
        ) from exc
