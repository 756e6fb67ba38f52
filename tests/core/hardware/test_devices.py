"""Backend choice and device checks, answered before Keras loads: which backend `auto` picks with and
without a GPU, what the device line says, and one clear exit-2 message for devices or precisions this
machine can't do. GPUs are simulated by an `nvidia-smi` script on PATH (CI has none)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from types import SimpleNamespace

import pytest

from seqtui.core.config.errors import ConfigError
from seqtui.core.config.validation import Problem
from seqtui.core.hardware import devices as dev
from seqtui.core.hardware.acceleration import (
    Plan,
    default_precision,
    device_count,
    fused_steps,
    open_hardware,
    parse_devices,
    plan_hardware,
    precision_problem,
)
from seqtui.core.hardware.devices import Gpu

H100 = "0, GPU-5f1c0d2e-aaaa-4bbb-8ccc-000000000001, NVIDIA H100 80GB HBM3, 9.0, 81559"
V100 = "1, GPU-77e3a9b0-dddd-4eee-8fff-000000000002, Tesla V100-SXM2-32GB, 7.0, 32768"
H100_GPU = Gpu("NVIDIA H100 80GB HBM3", 9.0, 81559 * 2**20, "GPU-5f1c0d2e-aaaa-4bbb-8ccc-000000000001")
V100_GPU = Gpu("Tesla V100-SXM2-32GB", 7.0, 32 * 2**30, "GPU-77e3a9b0-dddd-4eee-8fff-000000000002")


@pytest.fixture
def fake_smi(tmp_path, monkeypatch):
    """Put an `nvidia-smi` answering with the given lines first on PATH (no lines: no GPU tool at all)."""

    def install(*lines: str) -> None:
        bin_dir = tmp_path / "bin"
        bin_dir.mkdir(exist_ok=True)
        if lines:
            script = bin_dir / "nvidia-smi"
            script.write_text("#!/bin/sh\nprintf '%s\\n' " + " ".join(f"'{line}'" for line in lines) + "\n")
            script.chmod(0o755)
        monkeypatch.setenv("PATH", str(bin_dir))
        monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
        dev.nvidia_gpus.cache_clear()

    yield install
    dev.nvidia_gpus.cache_clear()


REAL_INSTALLED = dev._installed


def with_cuda_builds(monkeypatch, *dists: str) -> None:
    """Pretend these distributions are installed on top of the real ones (metadata only)."""
    monkeypatch.setattr(dev, "_installed", lambda name: "1.0" if name in dists else REAL_INSTALLED(name))


def test_no_gpu_keeps_the_cpu_backend(fake_smi):
    fake_smi()
    assert dev.nvidia_gpus() == ()
    assert dev.choose_backend("auto") == dev.BackendChoice("tensorflow", "")
    assert dev.choose_backend(None).backend == "tensorflow"


def test_gpus_are_read_from_nvidia_smi_and_cuda_visible_devices(fake_smi, monkeypatch):
    fake_smi(H100, V100)
    assert dev.nvidia_gpus() == (H100_GPU, V100_GPU)
    for visible, seen in [
        ("1", (V100_GPU,)),
        ("1,0", (V100_GPU, H100_GPU)),
        ("GPU-77e3a9b0", (V100_GPU,)),  # a unique UUID prefix, as CUDA takes it
        ("GPU-77e3a9b0-dddd-4eee-8fff-000000000002,0", (V100_GPU, H100_GPU)),
        ("0,7,1", (H100_GPU,)),  # CUDA stops at the first entry that names no GPU
        ("GPU-", ()),  # a prefix of both names neither
        ("0,0", (H100_GPU,)),
        ("-1", ()),
        ("", ()),
    ]:
        monkeypatch.setenv("CUDA_VISIBLE_DEVICES", visible)
        dev.nvidia_gpus.cache_clear()
        assert dev.nvidia_gpus() == seen, visible


def test_gpu_lines_with_missing_values_or_commas_in_the_name(fake_smi):
    fake_smi("0, GPU-1, Quadro RTX, 8000, [N/A], [N/A]", "garbage")
    assert dev.nvidia_gpus() == (Gpu("Quadro RTX, 8000", None, None, "GPU-1"),)


def test_a_gpu_without_a_cuda_backend_trains_on_the_cpu_and_says_how_to_fix_it(fake_smi):
    fake_smi(H100)
    choice = dev.choose_backend("auto")
    assert choice.backend == "tensorflow"
    assert "NVIDIA H100 80GB HBM3" in choice.note and "seqtui[gpu]" in choice.note


def test_auto_prefers_jax_with_cuda_then_torch(fake_smi, monkeypatch):
    fake_smi(H100)
    with_cuda_builds(monkeypatch, "jax", "jax-cuda12-plugin", "torch", "nvidia-cudnn-cu12")
    assert dev.choose_backend("auto") == dev.BackendChoice("jax", "")
    with_cuda_builds(monkeypatch, "torch", "nvidia-cudnn-cu12")
    assert dev.choose_backend("auto").backend == "torch"
    assert dev.choose_backend("tensorflow").backend == "tensorflow"  # an explicit choice stays


@pytest.mark.parametrize(
    ("installed", "cuda", "cpu"),
    [
        ({}, [], "tensorflow"),
        ({"jax": "0.4.35", "jax-cuda12-plugin": "0.4.35"}, ["jax"], "jax"),
        ({"jax": "0.7.0", "jax-cuda13-plugin": "0.7.0"}, ["jax"], "jax"),
        ({"jax-cuda12-plugin": "0.4.35"}, [], "tensorflow"),  # a plugin without jax itself
        ({"torch": "2.5.1+cpu", "nvidia-cudnn-cu12": "9.1"}, [], "torch"),  # the CPU wheel
        ({"torch": "2.5.1", "nvidia-cudnn-cu13": "9.13"}, ["torch"], "torch"),
        ({"torch": "2.5.1"}, [], "torch"),  # no cuDNN: a CPU build
        ({"tensorflow": "2.18.0", "nvidia-cudnn-cu12": "9.3"}, ["tensorflow"], "tensorflow"),
        ({"tensorflow-cpu": "2.18.0", "nvidia-cudnn-cu12": "9.3"}, [], "tensorflow"),
        ({"torch": "2.5.1", "jax": "0.4.35"}, [], "jax"),
        (
            {
                "tensorflow": "2.18.0",
                "torch": "2.5.1",
                "nvidia-cudnn-cu12": "9.3",
                "jax": "0.4.35",
                "jax-cuda12-plugin": "0.4.35",
            },
            ["jax", "torch", "tensorflow"],
            "tensorflow",
        ),  # fmt: skip
    ],
)
def test_the_backends_that_can_use_a_gpu_and_the_one_for_the_cpu_come_from_package_metadata(
    monkeypatch, installed, cuda, cpu
):
    monkeypatch.setattr(dev, "_installed", installed.get)  # exactly these distributions, nothing else
    assert (dev.cuda_backends(), dev.cpu_backend()) == (cuda, cpu)


def test_device_lines():
    gpu = dev.Devices("jax", "gpu", ("NVIDIA H100 80GB HBM3",) * 2, 16)
    assert str(gpu) == "jax on 2x NVIDIA H100 80GB HBM3"
    assert str(dev.Devices("tensorflow", "cpu", ("CPU",), 2)) == "tensorflow on CPU (2 threads)"
    assert str(dev.Devices("jax", "cpu", ("CPU", "CPU"), 2)) == "jax on 2x CPU (2 threads)"


def test_the_loaded_backend_describes_its_cpu():
    from seqtui.core.hardware.backend import import_keras

    seen = dev.describe_devices(import_keras())
    assert (seen.backend, seen.kind, seen.count) == (os.environ.get("KERAS_BACKEND", "tensorflow"), "cpu", 1)
    assert str(seen) == f"{seen.backend} on CPU ({seen.threads} threads)" and seen.threads >= 1
    assert seen.names == ("CPU",)


def fake_keras(backend: str) -> SimpleNamespace:
    """A loaded Keras as far as describe_devices and start_cluster read it: its backend's name."""
    return SimpleNamespace(backend=SimpleNamespace(backend=lambda: backend))


def test_jax_gpus_make_a_gpu_line_and_fuse_batches(monkeypatch):
    gpus = [SimpleNamespace(platform="gpu", device_kind="NVIDIA H100 80GB HBM3")] * 2
    monkeypatch.setitem(sys.modules, "jax", SimpleNamespace(devices=lambda: gpus))
    seen = dev.describe_devices(fake_keras("jax"))
    assert str(seen) == "jax on 2x NVIDIA H100 80GB HBM3"
    assert fused_steps(seen.kind, 1000) == 32  # GPUs fuse batches; a CPU would run them one by one


def test_torch_names_its_gpus_and_counts_its_own_threads_on_a_cpu(monkeypatch):
    names = ["NVIDIA H100 80GB HBM3", "NVIDIA H100 80GB HBM3", "NVIDIA A100-SXM4-40GB"]
    cuda = SimpleNamespace(
        is_available=lambda: True, device_count=lambda: 3, get_device_name=names.__getitem__
    )
    monkeypatch.setitem(sys.modules, "torch", SimpleNamespace(cuda=cuda, get_num_threads=lambda: 7))
    seen = dev.describe_devices(fake_keras("torch"))
    assert (str(seen), seen.count) == ("torch on 2x NVIDIA H100 80GB HBM3 + 1x NVIDIA A100-SXM4-40GB", 3)
    cuda.is_available = lambda: False
    assert str(dev.describe_devices(fake_keras("torch"))) == "torch on CPU (7 threads)"


@pytest.mark.parametrize(
    ("platform", "expected"), [("cpu", "jax on CPU (3 threads)"), ("gpu", "jax on 1x NVIDIA L4")]
)
def test_jax_with_a_single_device(platform, expected, monkeypatch):
    device = SimpleNamespace(platform=platform, device_kind="NVIDIA L4" if platform == "gpu" else "cpu")
    monkeypatch.setitem(sys.modules, "jax", SimpleNamespace(devices=lambda: [device]))
    monkeypatch.setattr(dev, "cpu_threads", lambda: 3)
    assert str(dev.describe_devices(fake_keras("jax"))) == expected


def test_tensorflow_names_each_gpu_from_its_own_details(monkeypatch):
    gpus = ["/physical_device:GPU:0", "/physical_device:GPU:1"]
    details = {gpus[0]: {"device_name": "NVIDIA H100 80GB HBM3"}, gpus[1]: {}}
    config = SimpleNamespace(
        list_physical_devices=lambda kind: gpus if kind == "GPU" else [],
        experimental=SimpleNamespace(get_device_details=lambda g: details[g]),
    )
    monkeypatch.setitem(sys.modules, "tensorflow", SimpleNamespace(config=config))
    seen = dev.describe_devices(fake_keras("tensorflow"))
    assert str(seen) == "tensorflow on 1x NVIDIA H100 80GB HBM3 + 1x GPU"  # no name in its details: GPU


def test_the_loaded_backend_seeing_fewer_devices_than_asked_is_a_clear_error():
    assert device_count(Plan("jax", None, "float32"), dev.Devices("jax", "gpu", ("H100",) * 2, 16)) == 2
    for seen, asked, message in [
        (dev.Devices("jax", "gpu", ("H100",) * 2, 16), 3, "this machine has 2 GPUs; use --devices all or a number up to 2"),
        (dev.Devices("jax", "cpu", ("CPU",), 16), 2, "this machine has 1 CPU device; use --devices all or a number up to 1"),
    ]:  # fmt: skip
        with pytest.raises(ConfigError) as info:
            device_count(Plan("jax", asked, "float32"), seen)
        assert info.value.problems == [Problem("devices", f"{asked} devices asked, {message}")]


def test_a_gpu_the_loaded_backend_cannot_see_gets_one_note(monkeypatch):
    from seqtui.core.hardware import acceleration, backend

    monkeypatch.setattr(dev, "describe_devices", lambda keras: dev.Devices("tensorflow", "cpu", ("CPU",), 2))
    monkeypatch.setattr(acceleration, "nvidia_gpus", lambda: (H100_GPU, H100_GPU))
    monkeypatch.setattr(backend, "_note", "")
    plan = Plan("tensorflow", 1, "float32")
    assert open_hardware(None, plan).notes == (
        "nvidia-smi lists 2 GPU(s) but tensorflow sees none, so training runs on the CPU: check the CUDA "
        f"install, or {dev.GPU_EXTRA_HINT}",
    )
    monkeypatch.setattr(backend, "_note", "no installed Keras backend can use the GPU")
    assert open_hardware(None, plan).notes == ("no installed Keras backend can use the GPU",)  # not twice
    monkeypatch.setattr(acceleration, "nvidia_gpus", lambda: ())
    monkeypatch.setattr(backend, "_note", "")
    assert open_hardware(None, plan).notes == ()


@pytest.mark.parametrize(
    ("gpus", "kind", "expected"),
    [
        ((), "cpu", "float32"),
        ((Gpu("H100", 9.0),), "gpu", "mixed_bfloat16"),
        ((Gpu("A100", 8.0),), "gpu", "mixed_bfloat16"),
        ((Gpu("V100", 7.0),), "gpu", "mixed_float16"),
        ((Gpu("P100", 6.0),), "gpu", "float32"),
        ((Gpu("H100", 9.0), Gpu("V100", 7.0)), "gpu", "mixed_float16"),  # the oldest GPU decides
        ((Gpu("H100", 9.0),), "cpu", "float32"),  # a GPU no backend uses
    ],
)
def test_default_precision_follows_the_device(gpus, kind, expected):
    assert default_precision(kind, gpus) == expected
    assert precision_problem(expected, kind, gpus) is None


def test_precisions_a_device_cannot_do():
    assert precision_problem("mixed_float16", "cpu", ()) == (
        "CPUs have no fast float16 math (it would be slower than float32); use float32 or mixed_bfloat16"
    )
    for oldest in (Gpu("V100", 7.0), Gpu("GeForce 8800 GTX", 1.0)):  # CUDA's first GPUs were 1.0
        assert precision_problem("mixed_bfloat16", "gpu", (Gpu("H100", 9.0), oldest)) == (
            f"bfloat16 needs compute capability 8.0 (Ampere) or newer; this GPU has {oldest.compute_capability:g}. "
            "Use mixed_float16"
        )
    assert (
        precision_problem("mixed_bfloat16", "gpu", (Gpu("unknown", None),)) is None
    )  # can't tell: let it try
    assert "choose one of" in precision_problem("fp8", "gpu", (Gpu("H100", 9.0),))


def test_device_counts_parse():
    assert parse_devices(None) == 1
    assert parse_devices("all") is None
    assert parse_devices("2") == 2
    for bad in ("0", "-1", "two", "1.5"):
        assert isinstance(parse_devices(bad), str)


@pytest.mark.parametrize(
    ("backend", "devices", "message"),
    [
        ("torch", "2", "several devices need --backend jax or tensorflow, not torch"),
        ("jax", "two", "give `all` or a number of devices from 1 up (got 'two')"),
    ],
)
def test_a_devices_value_the_backend_cannot_use_is_a_devices_problem(fake_smi, backend, devices, message):
    fake_smi()
    with pytest.raises(ConfigError) as info:
        plan_hardware(backend, devices, None)
    assert info.value.problems == [Problem("devices", message)]


def test_plan_checks_devices_before_keras(fake_smi, monkeypatch):
    fake_smi()
    with pytest.raises(ConfigError) as info:
        plan_hardware("tensorflow", "3", None)
    assert [p.field for p in info.value.problems] == ["devices"]
    assert "has 1 CPU device" in str(info.value)
    assert plan_hardware("tensorflow", "all", None).devices is None
    monkeypatch.setenv("XLA_FLAGS", "--xla_force_host_platform_device_count=2")
    assert plan_hardware("jax", "2", None).devices == 2
    with pytest.raises(ConfigError, match="up to 2"):
        plan_hardware("jax", "3", None)
    with pytest.raises(ConfigError, match="jax or tensorflow"):
        plan_hardware("torch", "2", None)


@pytest.mark.parametrize(
    ("flags", "count"),
    [
        (None, 1),
        ("", 1),
        ("--xla_force_host_platform_device_count=8", 8),
        (
            "--xla_cpu_multi_thread_eigen=false --xla_force_host_platform_device_count=12 --xla_dump_to=/tmp",
            12,
        ),
        ("--xla_force_host_platform_device_count=0", 1),
        ("--xla_force_host_platform_device_count=many", 1),
        ("--xla_dump_to=/tmp", 1),
    ],
)
def test_jax_on_the_cpu_trains_on_as_many_devices_as_xla_flags_forces(monkeypatch, flags, count):
    from seqtui.core.hardware.acceleration import expected_devices

    if flags is None:
        monkeypatch.delenv("XLA_FLAGS", raising=False)
    else:
        monkeypatch.setenv("XLA_FLAGS", flags)
    assert expected_devices("jax", ()) == ("cpu", count)
    assert expected_devices("torch", ()) == ("cpu", 1)  # the flag is JAX's alone


def test_plan_counts_gpus_a_cuda_backend_sees(fake_smi, monkeypatch):
    fake_smi(H100, H100)
    with_cuda_builds(monkeypatch, "jax", "jax-cuda12-plugin")
    plan = plan_hardware("auto", "all", None)
    assert (plan.backend, plan.devices, plan.precision) == ("jax", None, "mixed_bfloat16")
    with pytest.raises(ConfigError, match="has 2 GPUs"):
        plan_hardware("auto", "4", None)


def test_fused_steps_keep_at_least_20_batch_events_on_gpus():
    assert fused_steps("cpu", 1000) == 1
    assert fused_steps("gpu", 1000) == 32
    assert fused_steps("gpu", 100) == 5
    assert fused_steps("gpu", 10) == 1
    assert fused_steps("cpu", 10, override=4) == 4
    assert fused_steps("cpu", 3, override=8) == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--devices", "3"], "--devices: 3 devices asked, this machine has 1 CPU device"),
        (["--devices", "none"], "--devices: give `all` or a number"),
        (["--precision", "mixed_float16"], "--precision: CPUs have no fast float16 math"),
        (["--precision", "fp16"], "--precision: unknown precision 'fp16'"),
        (["--backend", "cuda"], "unknown backend 'cuda'; choose one of auto, tensorflow, jax, torch"),
    ],
)
def test_bad_device_options_exit_2_before_keras_loads(tmp_path, args, message):
    code = (
        "import sys, json\n"
        "from typer.testing import CliRunner\n"
        "from seqtui.cli.main import app\n"
        f"r = CliRunner().invoke(app, ['train', '--preset', 'series-rnn', *{args!r}])\n"
        "print(json.dumps([r.exit_code, r.stderr, 'keras' in sys.modules]))\n"
    )
    env = {**os.environ, "PATH": str(tmp_path), "SEQTUI_RUNS_DIR": str(tmp_path / "runs")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    exit_code, stderr, keras_loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert exit_code == 2
    assert message in " ".join(stderr.split())
    assert "Traceback" not in stderr
    assert not keras_loaded
    assert not (tmp_path / "runs").exists()


def test_cluster_size_comes_from_keras_or_a_slurm_job_step():
    from seqtui.core.hardware.cluster import cluster_size

    assert cluster_size({}) == 1
    assert cluster_size({"SLURM_NTASKS": "4"}) == 1  # a batch script outside srun: one process
    assert cluster_size({"SLURM_NTASKS": "4", "SLURM_STEP_ID": "0"}) == 4
    assert cluster_size({"KERAS_DISTRIBUTION_NUM_PROCESSES": "2", "SLURM_NTASKS": "4"}) == 2


def test_several_processes_need_jax_and_each_feeds_its_own_equal_share(monkeypatch):
    import numpy as np

    from seqtui.core.hardware.backend import BackendError, import_keras
    from seqtui.core.hardware.cluster import shard, start_cluster
    from tests.core.training.test_runner import SEQ

    keras = import_keras()
    monkeypatch.setenv("KERAS_DISTRIBUTION_NUM_PROCESSES", "2")
    if keras.backend.backend() != "jax":
        with pytest.raises(BackendError, match="only on JAX"):
            start_cluster(keras)
    from seqtui.datasets.registry import load_dataset

    data = load_dataset(SEQ.data)
    first, second = shard(data, 0, 2), shard(data, 1, 2)
    assert len(first.x_train) == len(second.x_train) == len(data.x_train) // 2
    assert not np.array_equal(first.x_train, second.x_train)
    assert np.array_equal(first.x_train[1], data.x_train[2]) and np.array_equal(
        second.x_train[0], data.x_train[1]
    )


def test_a_run_prepares_the_share_of_the_process_the_cluster_says_it_is(monkeypatch):
    """Process 1 of 2 (as the cluster answers it, faked: one CPU here) trains on process 1's share, not 0's."""
    import threading

    import numpy as np

    from seqtui.core.hardware.backend import resolve_backend
    from seqtui.core.training import session
    from seqtui.datasets.registry import load_dataset
    from tests.core.training.test_runner import SEQ

    monkeypatch.setattr(session, "start_cluster", lambda keras: (1, 2))
    plan = plan_hardware(resolve_backend(None), None, None)
    _, data, hardware, process = session.prepare(SEQ, plan, threading.Event(), "nothing changed")
    full = load_dataset(SEQ.data)
    assert (process, hardware.processes) == (1, 2)
    for part in ("train", "val", "test"):
        whole = getattr(full, f"x_{part}")
        assert np.array_equal(getattr(data, f"x_{part}"), whole[1::2][: len(whole) // 2])


def test_a_run_of_several_processes_off_jax_is_refused_naming_the_backend(monkeypatch):
    import threading

    from seqtui.core.hardware.backend import BackendError, import_keras, resolve_backend
    from seqtui.core.training import session
    from tests.core.training.test_runner import SEQ

    if import_keras().backend.backend() == "jax":
        pytest.skip("on JAX several processes may train together")
    monkeypatch.setenv("KERAS_DISTRIBUTION_NUM_PROCESSES", "2")
    plan = plan_hardware(resolve_backend(None), None, None)
    with pytest.raises(BackendError, match="train together only on JAX: add --backend jax"):
        session.prepare(SEQ, plan, threading.Event(), "nothing changed")


def test_several_jax_processes_join_once_and_learn_their_place(monkeypatch):
    from seqtui.core.hardware import cluster

    joined = []
    keras = fake_keras("jax")
    keras.distribution = SimpleNamespace(initialize=lambda: joined.append("initialize"))
    monkeypatch.setitem(sys.modules, "jax", SimpleNamespace(process_index=lambda: 1, process_count=lambda: 2))
    monkeypatch.setenv("KERAS_DISTRIBUTION_NUM_PROCESSES", "2")
    monkeypatch.setattr(cluster.start_cluster, "started", False, raising=False)
    assert cluster.start_cluster(keras) == (1, 2)
    assert cluster.start_cluster(keras) == (1, 2)
    assert joined == ["initialize"]  # JAX's distributed runtime starts once per process


def test_split_evenly_cuts_every_part_to_whole_batches_of_the_devices_and_says_so():
    from seqtui.core.hardware.acceleration import split_evenly
    from seqtui.datasets.registry import load_dataset
    from tests.core.training.test_runner import SEQ

    data = load_dataset(SEQ.data)
    sizes = {p: len(getattr(data, f"x_{p}")) for p in ("train", "val", "test")}
    cut = split_evenly(data, 3)
    for part, n in sizes.items():
        x, y = getattr(cut, f"x_{part}"), getattr(cut, f"y_{part}")
        assert len(x) == len(y) == n - n % 3
        assert (x == getattr(data, f"x_{part}")[: len(x)]).all()
    dropped = [f"{n % 3} {p}" for p, n in sizes.items() if n % 3]
    assert dropped and cut.notes[-1].startswith(
        f"data parallel over 3 devices: left out {', '.join(dropped)}"
    )
    assert split_evenly(data, 1) is data
