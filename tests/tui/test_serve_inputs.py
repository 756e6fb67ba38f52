"""`seqtui serve` refuses a runs folder no tab could use before it serves, and prints an IPv6 address in
brackets, as a browser needs it (issue 27, item 12)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

from seqtui.cli.main import app


@pytest.mark.parametrize(
    ("runs_dir", "said"),
    [
        ("/etc/passwd/x", "the runs folder /etc/passwd/x can't be made: /etc/passwd is a file, not a folder"),
        ("/proc/no-such/runs", "the runs folder /proc/no-such/runs can't be made: No such file or directory"),
    ],
)
def test_an_unusable_runs_folder_is_refused_before_serving(runs_dir, said):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    started = time.monotonic()
    result = CliRunner().invoke(
        app, ["serve", "--port", str(port), "--runs-dir", runs_dir], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 2, result.output
    assert said in " ".join(result.output.split()) and "seqtui on http" not in result.output
    assert time.monotonic() - started < 10  # refused at once, never served


def test_an_ipv6_host_prints_a_bracketed_url_a_browser_opens(tmp_path):
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
            port = s.getsockname()[1]
    except OSError:
        pytest.skip("no IPv6 loopback here")
    printed = tmp_path / "serve.err"
    with open(printed, "w") as errors:
        server = subprocess.Popen(
            [sys.executable, "-m", "seqtui", "serve", "--host", "::1", "--port", str(port), "--runs-dir",
             str(tmp_path / "runs")],
            stdout=subprocess.DEVNULL, stderr=errors, start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while "seqtui on" not in printed.read_text():
            assert time.monotonic() < deadline and server.poll() is None, printed.read_text()
            time.sleep(0.2)
    finally:
        os.killpg(server.pid, signal.SIGINT)
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
    assert re.search(rf"seqtui on http://\[::1\]:{port}/\?token=\S+ ", printed.read_text()), (
        printed.read_text()
    )
