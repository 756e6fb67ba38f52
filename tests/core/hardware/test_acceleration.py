"""The speed levers in real runs on the CPU: fused steps keep batch events, Stop and the history exact; the
device line reaches run.json, the headers and `seqtui runs`; the recurrent layers meet the cuDNN conditions
of the backend's own code; data parallelism over 2 forced JAX host devices converges like one device.

`make test` runs this file on TensorFlow and again on JAX (KERAS_BACKEND=jax)."""

from __future__ import annotations

import importlib
import io
import json
import math
import os
import subprocess
import sys
import textwrap
import threading

import pytest

from seqtui.core.config.run_config import RECURRENT_ARCHITECTURES, ModelConfig
from seqtui.core.hardware.backend import import_keras
from seqtui.core.hardware.devices import describe_devices
from seqtui.core.runs.folder import RunFolder
from seqtui.core.runs.listing import overview_of
from seqtui.core.training.events import BatchEnded, EpochEnded, RunStarted
from seqtui.core.training.resume import resume
from seqtui.core.training.runner import train
from seqtui.render.reporters import JsonReporter, PlainReporter
from tests.core.training.test_runner import SEQ, STEPS, Recorder, epochs_in

FUSED = 4


@pytest.fixture
def fused(monkeypatch):
    monkeypatch.setenv("SEQTUI_STEPS_PER_EXECUTION", str(FUSED))


def test_fused_steps_keep_every_epoch_and_report_each_group(runs_dir, fused):
    events = Recorder()
    end = train(SEQ, events, runs_dir=runs_dir)
    folder = RunFolder(end.run_dir)
    assert end.status == "completed" and epochs_in(folder) == [1, 2]  # no epoch mistaken for a partial one
    start = events.of(RunStarted)[0]
    assert start.steps_per_execution == FUSED and start.batch_size == SEQ.train.batch_size
    steps = [e.step for e in events.of(BatchEnded) if e.epoch == 1]
    assert set(steps) <= set(range(FUSED, STEPS + 1, FUSED))  # events come per group of fused batches...
    assert steps[-1] == STEPS  # ...and the epoch's last batch is always reported
    state = folder.read_json("run.json")
    assert state["steps_per_execution"] == FUSED and state["device_count"] == 1


def test_stop_with_fused_steps_ends_after_the_current_group(runs_dir, fused):
    cancel = threading.Event()

    def stop_after_epoch_1(event) -> None:  # epoch ends are synchronous: the same on every backend
        if isinstance(event, EpochEnded):
            cancel.set()

    events = Recorder(stop_after_epoch_1)
    end = train(SEQ, events, cancel, runs_dir=runs_dir)
    assert end.status == "interrupted", end.message
    folder = RunFolder(end.run_dir)
    assert epochs_in(folder) == [1]  # the cut epoch is not recorded...
    assert [e.step for e in events.of(BatchEnded) if e.epoch == 2] == [FUSED]  # ...after one fused group
    again = resume(end.run_dir, Recorder(), runs_dir=runs_dir)
    assert again.status == "completed" and epochs_in(folder) == [1, 2]


def test_the_device_line_reaches_run_json_headers_and_runs(runs_dir):
    seen = str(describe_devices(import_keras()))
    plain, lines = io.StringIO(), io.StringIO()
    reporters = [PlainReporter(plain), JsonReporter(lines)]
    end = train(SEQ, lambda e: [r(e) for r in reporters], runs_dir=runs_dir)
    folder = RunFolder(end.run_dir)
    assert folder.read_json("run.json")["devices"] == seen
    assert folder.read_json("run.json")["precision"] == "float32"  # the CPU default
    assert overview_of(folder).devices == seen
    assert f"{seen}, batch {SEQ.train.batch_size}, float32" in plain.getvalue().splitlines()[1]
    start = json.loads(lines.getvalue().splitlines()[0])
    assert start["event"] == "run_start" and start["devices"] == seen and start["device_count"] == 1


def _cudnn_check(backend: str):
    """The backend's own cuDNN eligibility test (keras.src.backend.<b>.rnn.cudnn_ok), GPU presence aside."""
    rnn = importlib.import_module(f"keras.src.backend.{backend}.rnn")
    gpu_probe = "_is_cuda_cudnn_available" if backend == "torch" else "_is_gpu_available"
    return rnn, gpu_probe


@pytest.mark.parametrize("precision", ["float32", "mixed_bfloat16"])
@pytest.mark.parametrize("arch", [a for a in RECURRENT_ARCHITECTURES if a != "simple_rnn"])
def test_recurrent_layers_meet_the_backends_cudnn_conditions(arch, precision, monkeypatch):
    keras = import_keras()
    from seqtui.core.model.architectures import InputSpec, build_model

    backend = keras.backend.backend()
    rnn, gpu_probe = _cudnn_check(backend)
    monkeypatch.setattr(rnn, gpu_probe, lambda: True)
    previous = keras.config.dtype_policy().name
    keras.config.set_dtype_policy(precision)
    try:
        model = build_model(
            ModelConfig(arch, embedding_dim=4, units=4), InputSpec("tokens", (12,), 30), "binary", 1
        )
    finally:
        keras.config.set_dtype_policy(previous)
    cells = [getattr(layer, "forward_layer", layer) for layer in model.layers]
    recurrent = [layer for layer in cells if type(layer).__name__ in ("LSTM", "GRU")]
    assert recurrent
    for layer in recurrent:
        cell = layer.cell
        args = (cell.activation, cell.recurrent_activation, layer.unroll, cell.use_bias)
        if type(layer).__name__ == "GRU":
            assert cell.reset_after  # cuDNN's GRU variant (TF); JAX's fused GRU needs it too
            ok = rnn.cudnn_ok(*args, reset_after=True) if backend == "tensorflow" else rnn.cudnn_ok(*args)
        else:
            ok = rnn.cudnn_ok(*args)
        assert ok, f"{layer.name} would leave the cuDNN path on {backend}"
        assert layer.use_cudnn == "auto" and cell.recurrent_dropout == 0
        assert layer.dtype_policy.name == "float32"  # cuDNN's kernels stay float32 under mixed precision
    assert not any(getattr(layer, "mask_zero", False) for layer in model.layers)  # JAX's cuDNN takes no mask
    head = model.layers[-1]
    assert head.dtype_policy.name == "float32"
    model.compile(optimizer="adam", loss="binary_crossentropy")  # jit_compile="auto", as compiled_model
    expected_jit = {"tensorflow": False, "jax": True}.get(backend)  # TF: cuDNN kernels are not XLA ops
    assert expected_jit is None or model.jit_compile is expected_jit
    if precision.startswith("mixed"):
        assert model.layers[0].dtype_policy.name == precision  # the rest does use half precision


DATA_PARALLEL = textwrap.dedent(
    """
    import json, sys
    import keras
    from seqtui.core.config.run_config import with_overrides
    from seqtui.core.training.events import EpochEnded, RunStarted
    from seqtui.core.config.presets import PRESETS
    from seqtui.core.training.runner import train

    out = {}
    for devices, batch in ((1, 64), (2, 32)):  # the same global batch of 64
        config = with_overrides(PRESETS["series-rnn"].config, epochs=3, batch_size=batch, patience=0)
        seen = {"val_loss": []}

        def observe(event):
            if isinstance(event, RunStarted):
                dist = keras.distribution.distribution()
                seen["split_over"] = len(dist.device_mesh.devices.flatten()) if dist else 1
                seen["batch"] = event.batch_size
            elif isinstance(event, EpochEnded):
                seen["val_loss"].append(event.logs["val_loss"])

        end = train(config, observe, runs_dir=sys.argv[1], devices=devices)
        state = json.loads(open(f"{end.run_dir}/run.json").read())
        recorded = [state[k] for k in ("batch_size", "batch_per_device", "device_count")]
        out[devices] = {**seen, "status": end.status, "test": end.test_metrics, "recorded": recorded}
    print(json.dumps(out))
    """
)


@pytest.mark.skipif(importlib.util.find_spec("jax") is None, reason="JAX is in the dev extra")
def test_data_parallel_on_two_host_devices_converges_like_one(tmp_path):
    env = {
        **os.environ,
        "KERAS_BACKEND": "jax",
        "SEQTUI_BACKEND": "jax",
        "XLA_FLAGS": "--xla_force_host_platform_device_count=2",
        "SEQTUI_BATCH_EVENTS_PER_S": "5",
    }
    done = subprocess.run(
        [sys.executable, "-c", DATA_PARALLEL, str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    runs = json.loads(done.stdout.strip().splitlines()[-1])
    one, two = runs["1"], runs["2"]
    assert (one["split_over"], one["batch"]) == (1, 64)
    assert (two["split_over"], two["batch"]) == (2, 64)  # the global batch: 2 devices x 32
    assert one["recorded"] == [64, 64, 1] and two["recorded"] == [64, 32, 2]  # run.json: global, per device
    for run in (one, two):
        assert run["status"] == "completed"
        assert run["val_loss"][-1] < run["val_loss"][0]  # it learns
    ratio = two["test"]["loss"] / one["test"]["loss"]  # same global batch, same seed: nearly the same curve
    assert 0.67 < ratio < 1.5 and math.isfinite(ratio), (one, two)


MIRRORED = textwrap.dedent(
    """
    import json
    import numpy as np
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    from seqtui.core.hardware.acceleration import data_parallel
    from seqtui.core.hardware.backend import import_keras
    from seqtui.core.hardware.devices import describe_devices

    keras = import_keras("tensorflow")
    seen = describe_devices(keras)
    with data_parallel(keras, seen, 2):
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
    x = np.random.default_rng(0).random((64, 4), dtype=np.float32)
    loss = model.fit(x, x.sum(axis=1), batch_size=16, epochs=3, verbose=0).history["loss"]
    print(json.dumps({"devices": str(seen), "replicas": replicas, "loss": loss,
                      "mirrored": type(model.layers[0].kernel.value).__name__}))
    """
)


def test_tensorflow_mirrors_the_model_over_two_logical_cpus():
    env = {**os.environ, "KERAS_BACKEND": "tensorflow", "SEQTUI_BACKEND": "tensorflow"}
    done = subprocess.run(
        [sys.executable, "-c", MIRRORED], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["devices"].startswith("tensorflow on 2x CPU")
    assert out["replicas"] == 2 and "Mirrored" in out["mirrored"]
    assert out["loss"][-1] < out["loss"][0]
