"""A study database that can be read but not written is exit 2, "the study database ... is read-only",
before any trial (issue 27, item 11), not Optuna's StorageInternalError at the first write."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from seqtui.cli.main import app
from seqtui.core.config.presets import PRESETS
from seqtui.core.config.run_config import with_overrides
from seqtui.core.experiments.errors import SweepError
from seqtui.core.experiments.study import load_or_create, open_storage

SERIES = with_overrides(PRESETS["series-rnn"].config, epochs=1, patience=0)


def _study_file(folder: Path) -> Path:
    path = folder / "sweeps.sqlite3"
    load_or_create(f"sqlite:///{path}", "s", SERIES, "mae", 0)
    return path


def test_a_database_opened_read_only_is_refused_with_one_message(runs_dir, tmp_path):
    path = _study_file(tmp_path)
    url = f"sqlite:///file:{path}?mode=ro&uri=true"  # SQLite's own read-only connection
    with pytest.raises(SweepError, match=r"is read-only \(.*attempt to write a readonly database\)"):
        open_storage(url)
    result = CliRunner().invoke(
        app, ["sweep", "--preset", "series-rnn", "--storage", url], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 2, result.output
    assert "the study database" in result.output and "is read-only" in result.output
    assert "unexpected" not in result.output and "StorageInternalError" not in result.output
    assert not runs_dir.exists()


def test_a_writable_database_opens(tmp_path):
    assert open_storage(f"sqlite:///{_study_file(tmp_path)}") is not None


def test_a_study_file_without_write_permission_is_refused_by_the_real_command():
    """The issue's case, as a real process: the file and its folder chmod'ed read-only. root writes through
    any permission, so as root the command runs as `nobody` (setpriv)."""
    as_other = []
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("root without setpriv can't drop the permission to write")
        as_other = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    folder = Path(tempfile.mkdtemp(prefix="seqtui-ro-"))
    home = Path(tempfile.mkdtemp(prefix="seqtui-ro-home-"))
    try:
        path = _study_file(folder)
        path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
        folder.chmod(0o555)
        home.chmod(0o777)
        env = os.environ | {"HOME": str(home), "SEQTUI_RUNS_DIR": str(home / "runs"), "COLUMNS": "200"}
        command = [*as_other, sys.executable, "-m", "seqtui", "sweep", "--preset", "series-rnn"]
        done = subprocess.run(
            [*command, "--storage", f"sqlite:///{path}"], capture_output=True, text=True, timeout=120, env=env
        )
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)
        shutil.rmtree(home)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"the study database 'sqlite:///{path}' is read-only" in " ".join(done.stderr.split())
    assert "Traceback" not in done.stderr and "unexpected" not in done.stderr
