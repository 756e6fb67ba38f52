"""Several processes training one run, for real: JAX's distributed runtime over localhost on the CPU, each
process started as its own `seqtui train` (by the test with Keras' variables, or by `--processes`)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from seqtui.core.hardware.backend import BackendError
from seqtui.core.hardware.cluster import check_coordinator_port, coordinator, explain_failure
from seqtui.core.hardware.launch import LaunchError, LocalCluster, plan_local_cluster

pytestmark = pytest.mark.skipif(
    __import__("importlib").util.find_spec("jax") is None, reason="JAX is not installed (pip install jax)"
)
TRAIN = ["train", "--preset", "digits-mlp", "--backend", "jax", "--no-tensorboard"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(tmp: Path, **more: str) -> dict[str, str]:
    """The test's environment, with TMPDIR of its own (to see what the processes leave behind)."""
    (tmp / "tmp").mkdir(exist_ok=True)
    return {**os.environ, "TMPDIR": str(tmp / "tmp"), "KERAS_BACKEND": "jax", **more}


def _seqtui(args: list[str], env: dict[str, str], **kw) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "seqtui", *args], env=env, text=True, stdin=subprocess.DEVNULL, **kw
    )


def _run_json(runs: Path) -> tuple[Path, dict]:
    folders = [p for p in runs.iterdir() if p.is_dir()]
    assert len(folders) == 1, folders  # one run folder, written by process 0 alone
    return folders[0], json.loads((folders[0] / "run.json").read_text())


def _events(folder: Path, kind: str) -> list[dict]:
    rows = [json.loads(line) for line in (folder / "events.jsonl").read_text().splitlines()]
    return [r for r in rows if r.get("event") == kind]


def test_two_processes_train_one_run_each_on_its_share_close_to_one_process(tmp_path):
    """Both processes started here with Keras' variables; the same run in one process (batch 128 = 2 x 64)
    trains beside them."""
    port = _free_port()
    dist = {"KERAS_DISTRIBUTION_JOB_ADDRESSES": f"127.0.0.1:{port}", "KERAS_DISTRIBUTION_NUM_PROCESSES": "2"}
    epochs = ["--epochs", "3"]
    procs = [
        _seqtui(
            ["--runs-dir", str(tmp_path / "two"), *TRAIN, *epochs, "--batch-size", "64"],
            _env(tmp_path, **dist, KERAS_DISTRIBUTION_PROCESS_ID=str(i)),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for i in (0, 1)
    ]
    one = _seqtui(
        ["--runs-dir", str(tmp_path / "one"), *TRAIN, *epochs, "--batch-size", "128"],
        _env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    outputs = [p.communicate(timeout=400) for p in (*procs, one)]
    assert [p.returncode for p in (*procs, one)] == [0, 0, 0], [o[1][-2000:] for o in outputs]
    assert "run completed" in outputs[0][0] and "run " not in outputs[1][0]  # process 0 alone reports
    assert "[Gloo]" not in outputs[0][0]  # the runtime's own chatter goes to stderr: stdout stays the run's
    folder, run = _run_json(tmp_path / "two")
    single_folder, single = _run_json(tmp_path / "one")
    assert (run["status"], run["processes"], run["device_count"]) == ("completed", 2, 2)
    assert run["batch_size"] == single["batch_size"] == 128
    # Each process fed half of the training data in batches of 64: as many steps as one process's 128s.
    started, single_started = _events(folder, "run_start")[0], _events(single_folder, "run_start")[0]
    assert started["train_samples"] == single_started["train_samples"]
    assert started["steps_per_epoch"] == single_started["steps_per_epoch"] == 25
    steps = {e["steps"] for e in _events(folder, "batch_end")}
    assert steps == {e["steps"] for e in _events(single_folder, "batch_end")} == {25}
    two = json.loads((folder / "metrics.json").read_text())
    alone = json.loads((single_folder / "metrics.json").read_text())
    assert abs(two["accuracy"] - alone["accuracy"]) < 0.03 and two["accuracy"] > 0.85
    assert abs(two["loss"] - alone["loss"]) < 0.08
    assert list((tmp_path / "tmp").iterdir()) == []  # no seqtui-process-* copy left behind


class _Lines:
    """A process's output lines as they come (read in a thread)."""

    def __init__(self, stream) -> None:
        self.lines: list[str] = []
        threading.Thread(target=lambda: self.lines.extend(iter(stream.readline, "")), daemon=True).start()

    def wait_for(self, text: str, proc: subprocess.Popen, timeout: float = 300) -> str:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            found = [line for line in self.lines if text in line]
            if found:
                return found[0]
            assert proc.poll() is None, f"ended ({proc.returncode}) before {text!r}: {self.lines[-20:]}"
            time.sleep(0.2)
        raise AssertionError(f"no {text!r} within {timeout} s: {self.lines[-20:]}")


def _launch(tmp_path: Path) -> tuple[subprocess.Popen[str], _Lines, _Lines]:
    args = ["--runs-dir", str(tmp_path / "runs"), *TRAIN, "--epochs", "500", "--patience", "0"]
    proc = _seqtui(
        [*args, "--processes", "2"], _env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    return proc, _Lines(proc.stdout), _Lines(proc.stderr)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").exists() and Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


def test_a_process_killed_mid_training_stops_the_other_and_the_launcher_names_it(tmp_path):
    proc, out, err = _launch(tmp_path)
    try:
        out.wait_for("epoch 2/", proc)
        pids = [int(err.wait_for(f"process {i}: pid ", proc).split()[-1]) for i in (0, 1)]
        os.kill(pids[1], signal.SIGKILL)
        began = time.monotonic()
        code = proc.wait(timeout=90)
        took = time.monotonic() - began
    finally:
        proc.kill()
    assert code == 1 and took < 60, (code, took)
    said = "\n".join(err.lines)
    assert f"process 1 of 2 (pid {pids[1]}) was killed by SIGKILL" in said
    _, run = _run_json(tmp_path / "runs")
    assert run["status"] == "failed" and run["epochs_done"] >= 2  # resumable from its last epoch
    assert run["message"].startswith("another process of this run stopped")
    assert not any(_alive(pid) for pid in pids)
    assert list((tmp_path / "tmp").iterdir()) == []


@pytest.mark.slow  # passes alone in 22 s; timed out at 90 s twice under the full suite's -n 2 (to investigate)
@pytest.mark.parametrize("target", ["launcher", "process 0 alone"])
def test_sigterm_stops_every_process_after_the_same_batch_and_the_run_is_interrupted(tmp_path, target):
    """To the launcher (which forwards it), or to process 0 alone (as a signal that reaches one task of a
    SLURM step first): every process stops after the same batch, none fails in a collective."""
    proc, out, err = _launch(tmp_path)
    try:
        out.wait_for("epoch 2/", proc)
        pids = [int(err.wait_for(f"process {i}: pid ", proc).split()[-1]) for i in (0, 1)]
        os.kill(proc.pid if target == "launcher" else pids[0], signal.SIGTERM)
        code = proc.wait(timeout=90)
    finally:
        proc.kill()
    assert code == 130, "\n".join(err.lines[-20:])
    folder, run = _run_json(tmp_path / "runs")
    assert run["status"] == "interrupted" and run["epochs_done"] >= 2
    assert f"seqtui train --resume {folder}" in run["message"]
    assert not any("process 1 of 2" in line for line in err.lines)  # an asked-for stop is no death
    assert not any(_alive(pid) for pid in pids)
    assert list((tmp_path / "tmp").iterdir()) == []


# -- bad input, before anything starts ------------------------------------------------------------------
def test_processes_more_than_this_machine_has_or_off_jax_are_refused(monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    with pytest.raises(LaunchError, match="this machine has 2 CPU cores and each process takes one"):
        plan_local_cluster(3, "jax")
    with pytest.raises(LaunchError, match="with JAX only, and the backend would be tensorflow"):
        plan_local_cluster(2, "tensorflow")
    cluster = plan_local_cluster(2, "jax")
    env = cluster.env(1, {})
    assert env["KERAS_DISTRIBUTION_JOB_ADDRESSES"] == f"127.0.0.1:{cluster.port}"
    assert (env["KERAS_DISTRIBUTION_NUM_PROCESSES"], env["KERAS_DISTRIBUTION_PROCESS_ID"]) == ("2", "1")
    assert LocalCluster(2, 1, ("0", "1")).env(1, {})["CUDA_VISIBLE_DEVICES"] == "1"


def test_a_coordinator_port_in_use_is_refused_before_joining():
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        env = {
            "KERAS_DISTRIBUTION_JOB_ADDRESSES": f"127.0.0.1:{port},10.0.0.2:1",
            "KERAS_DISTRIBUTION_PROCESS_ID": "0",
        }
        assert coordinator(env) == ("127.0.0.1", port)
        with pytest.raises(BackendError, match=f"coordinator port {port} .* is in use by another program"):
            check_coordinator_port(env)
        check_coordinator_port({**env, "KERAS_DISTRIBUTION_PROCESS_ID": "1"})  # only process 0 binds it
    check_coordinator_port(env)  # free again


def test_a_lost_peer_is_said_first_only_in_a_run_of_several_processes():
    gloo = "JaxRuntimeError: UNKNOWN: Gloo AllGather failed: Connection closed by peer"
    assert explain_failure(gloo, 2).startswith("another process of this run stopped (killed, out of memory")
    assert explain_failure(gloo, 1) == gloo
    assert explain_failure("ValueError: bad shape", 2) == "ValueError: bad shape"


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--processes", "x"], "Invalid value for '--processes'"),
        (["--processes", "999", "--backend", "jax"], "999: this machine has"),
        (["--processes", "2", "--backend", "tensorflow"], "with JAX only"),
        (["--processes", "2", "--find-lr"], "--find-lr tests learning rates in one process"),
    ],
)
def test_bad_processes_exit_2_with_one_message(args, said):
    from typer.testing import CliRunner

    from seqtui.cli.main import app

    result = CliRunner().invoke(app, ["train", "--preset", "digits-mlp", *args])
    assert result.exit_code == 2, result.output
    assert said in result.output and "Traceback" not in result.output


def test_each_process_is_started_with_the_command_as_typed_without_processes(monkeypatch):
    from typer.testing import CliRunner

    from seqtui.cli import train as train_cli
    from seqtui.cli.common import command_line
    from seqtui.cli.main import app

    seen = []
    monkeypatch.setattr(
        train_cli,
        "_launch",
        lambda ctx, n, backend, find_lr: seen.append(command_line(ctx, ("processes",))),
    )
    args = [
        "--runs-dir",
        "r",
        "train",
        "--preset",
        "digits-mlp",
        "--epochs",
        "3",
        "--no-tensorboard",
        "--json",
    ]
    result = CliRunner().invoke(app, [*args, "--processes", "2", "--backend", "jax"])
    assert result.exit_code == 0, result.output
    line = " ".join(seen[0])
    assert line.startswith("--runs-dir r train ") and "--processes" not in line
    for typed in ("--preset digits-mlp", "--epochs 3", "--no-tensorboard", "--json", "--backend jax"):
        assert f" {typed}" in line
