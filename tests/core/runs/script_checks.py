"""What every script-export test does: a run's config for a dataset, the generated train.py imported as a
module, and a real run trained, exported and run again as its own process, compared with the run.

Tolerance: on one CPU with the same Keras and seed the metric matches to the digit printed (measured: reviews
CSV, GRU, 2 epochs, accuracy 0.4211 and loss 0.6919 both); 0.002 allows a different thread count's summation
order.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from seqtui.cli.main import app
from seqtui.core.config.run_config import RunConfig
from seqtui.core.runs.export_script import script_text
from seqtui.datasets.config import DataConfig

TOLERANCE = 0.002


def run_config(data: DataConfig, ds) -> dict:
    """config.json of a run that read `ds` with `data` (the default model and training settings)."""
    config = RunConfig().to_dict()
    config["data"] = dataclasses.asdict(data)
    return {**config, "task": ds.task, "input_kind": ds.input_kind, "class_names": ds.class_names}


def script_module(config: dict, ds, folder: Path):
    """The generated train.py, written beside the run's encoder.json, imported as a module."""
    folder.mkdir()
    (folder / "train.py").write_text(script_text(config, "a run"), encoding="utf-8")
    (folder / "encoder.json").write_text(
        json.dumps(ds.encoder.to_dict(), ensure_ascii=False), encoding="utf-8"
    )
    spec = importlib.util.spec_from_file_location("exported_train", folder / "train.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def trained_exported_and_rerun(
    tmp_path: Path, train: list[str], script: list[str], between=lambda: None
) -> tuple[Path, str]:
    """Train a real run, export it as a script, call `between`, run the script as its own process; (the run
    folder, what the script printed)."""
    result = CliRunner().invoke(app, ["train", *train, "--json", "--runs-dir", str(tmp_path / "runs"),
                                      "--no-tensorboard"], env={"COLUMNS": "200"})  # fmt: skip
    assert result.exit_code == 0, result.output
    run = Path(json.loads(result.stdout.splitlines()[-1])["run_dir"])
    exp = tmp_path / "exp"
    result = CliRunner().invoke(app, ["export", str(run), "--format", "script", "--out", str(exp)])
    assert result.exit_code == 0, result.output
    between()
    ran = subprocess.run(
        [sys.executable, str(exp / "train.py"), *script],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "CUDA_VISIBLE_DEVICES": "", "TF_CPP_MIN_LOG_LEVEL": "2",
             "KERAS_BACKEND": "tensorflow"},
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr[-2000:]
    return run, ran.stdout


def same_model_and_metrics(run: Path, output: str, metrics: tuple[str, ...] = ("accuracy", "loss")) -> int:
    """The script's parameter count (the run's) and test `metrics` (within TOLERANCE of the run's)."""
    started = json.loads((run / "events.jsonl").read_text().splitlines()[0])
    recorded = json.loads((run / "metrics.json").read_text())
    params = int(re.search(r"total params: (\d+)", output).group(1))
    assert params == started["total_params"]
    for metric in metrics:
        printed = float(re.search(rf"test {metric}: ([\d.]+)", output).group(1))
        assert printed == pytest.approx(recorded[metric], abs=TOLERANCE)
    return params


def same_arrays(parts, ds) -> None:
    """The script's (train, validation, test) arrays are the dataset's, value for value and of its dtypes."""
    for (x, y), part in zip(parts, ("train", "val", "test"), strict=True):
        np.testing.assert_array_equal(x, getattr(ds, f"x_{part}"))
        np.testing.assert_array_equal(y, getattr(ds, f"y_{part}"))
        assert (x.dtype, y.dtype) == (getattr(ds, f"x_{part}").dtype, getattr(ds, f"y_{part}").dtype)
