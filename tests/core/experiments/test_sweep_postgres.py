"""Sweep workers sharing one study on a real PostgreSQL server: a throwaway server (its own data folder and
port, stopped at the end), `seqtui sweep` workers as real processes."""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

PASSWORD = "S3cret-pg-Pass"
SWEEP = ["sweep", "--preset", "digits-mlp", "--limit", "400"]


def _server_binaries() -> Path | None:
    """Debian's PostgreSQL server binaries (initdb, pg_ctl), else any on PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    initdb = found[-1] if found else shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def postgres() -> Iterator[tuple[str, int]]:
    """A server of its own: (URL with a password, port). As root (CI), the server runs as `postgres`."""
    bin_dir = _server_binaries()
    if bin_dir is None:
        pytest.skip(
            "PostgreSQL's server binaries (initdb, pg_ctl) are not installed: apt-get install postgresql"
        )
    root = Path(tempfile.mkdtemp(prefix="seqtui-pg-"))
    as_server = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    (root / "pw").write_text(PASSWORD + "\n")
    if as_server:
        for path in (root, root / "pw"):
            shutil.chown(path, "postgres")
    port, data = _free_port(), root / "data"
    pg_ctl = [*as_server, str(bin_dir / "pg_ctl"), "-D", str(data)]
    try:
        subprocess.run(
            [*as_server, str(bin_dir / "initdb"), "-D", str(data), "-U", "seqtui", f"--pwfile={root / 'pw'}",
             "--auth=scram-sha-256", "-E", "UTF8", "--no-sync"],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(
            [*pg_ctl, "-o", options, "-l", str(root / "log"), "-w", "start"],
            check=True,
            capture_output=True,
            timeout=120,
        )
        yield f"postgresql://seqtui:{PASSWORD}@127.0.0.1:{port}/postgres", port
    finally:
        subprocess.run([*pg_ctl, "-m", "immediate", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(root, ignore_errors=True)


def _seqtui(args: list[str], tmp: Path, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "seqtui", "--runs-dir", str(tmp / "runs"), *args],
        env={**os.environ, **env},
        text=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _study(url: str, name: str):
    import optuna

    from seqtui.core.experiments.study import open_storage

    return optuna.load_study(study_name=name, storage=open_storage(url))


def test_two_workers_share_one_study_no_trial_lost_or_run_twice(postgres, tmp_path):
    import optuna

    from seqtui.core.experiments.sweep import trial_rows

    url, _ = postgres
    proc = _seqtui(
        [*SWEEP, "--epochs", "2", "--trials", "2", "--workers", "2", "--storage", url, "--study", "pair"],
        tmp_path,
    )
    out, err = proc.communicate(timeout=400)
    assert proc.returncode == 0, err[-3000:]
    assert PASSWORD not in out + err
    assert "2 workers on one study" in err and "worker 1: pid" in err
    study = _study(url, "pair")
    trials = study.trials
    assert sorted(t.number for t in trials) == [0, 1, 2, 3]  # 2 workers x 2 trials, none lost
    done = (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED)
    assert all(t.state in done for t in trials), [t.state for t in trials]
    folders = {t.user_attrs["run_dir"] for t in trials}
    assert len(folders) == 4 and all(Path(f).is_dir() for f in folders)  # no trial run twice
    assert {str(p) for p in (tmp_path / "runs").iterdir() if p.is_dir()} == folders
    # Either worker's view of the study (each its own connection) is the same leaderboard and best trial.
    other = _study(url, "pair")
    assert trial_rows(other.trials, "accuracy") == trial_rows(trials, "accuracy")
    assert (other.best_trial.number, other.best_value) == (study.best_trial.number, study.best_value)
    best = trial_rows(trials, "accuracy")[0]
    assert best[2] == f"{study.best_value:.4f}" and best[2] in out  # the leaderboard printed after both


def test_a_worker_killed_mid_trial_leaves_it_failed_and_the_study_goes_on(postgres, tmp_path):
    import optuna

    url, _ = postgres
    args = [*SWEEP, "--trials", "1", "--storage", url, "--study", "killed"]
    victim = _seqtui([*args, "--epochs", "300"], tmp_path, SEQTUI_SWEEP_HEARTBEAT="1")
    try:
        end = time.monotonic() + 300
        for line in iter(victim.stdout.readline, ""):
            if "[trial 0] epoch 1/" in line or time.monotonic() > end:
                break
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=30)
    finally:
        victim.kill()
    (trial,) = _study(url, "killed").trials
    assert trial.state == optuna.trial.TrialState.RUNNING  # nobody marked it: its worker was killed
    time.sleep(4)  # past the grace of 3 heartbeats
    nxt = _seqtui([*args, "--epochs", "1"], tmp_path, SEQTUI_SWEEP_HEARTBEAT="1")
    out, err = nxt.communicate(timeout=300)
    assert nxt.returncode == 0, err[-3000:]
    states = {t.number: t.state for t in _study(url, "killed").trials}
    assert states == {0: optuna.trial.TrialState.FAIL, 1: optuna.trial.TrialState.COMPLETE}


@pytest.mark.parametrize("wrong", ["password", "port"])
def test_wrong_credentials_or_an_unreachable_server_exit_2_without_the_password(postgres, wrong):
    from typer.testing import CliRunner

    from seqtui.cli.main import app

    url, port = postgres
    bad = (
        url.replace(PASSWORD, "Wr0ng-Pass-123")
        if wrong == "password"
        else url.replace(str(port), str(_free_port()))
    )
    result = CliRunner().invoke(app, [*SWEEP, "--storage", bad, "--trials", "1"])
    assert result.exit_code == 2, result.output
    assert "could not reach the study database 'postgresql://seqtui:***@127.0.0.1" in result.output
    assert "Wr0ng-Pass-123" not in result.output and PASSWORD not in result.output
    assert "Traceback" not in result.output
    if wrong == "password":
        assert "password authentication failed" in result.output
