"""The notifier with real processes and a real HTTP server: a command gets the outcome in its environment, a
webhook gets it as JSON, and one that fails or hangs costs one warning within the timeout."""

from __future__ import annotations

import base64
import json
import shlex
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from seqtui.core.runs.notify import NotifyError, Outcome, check_target, notify

OUTCOME = Outcome(
    kind="run",
    name="digits-mlp 한국어",
    status="completed",
    exit_code=0,
    run_dir="/tmp/runs/digits-mlp",
    verdict="beats the baseline by 3.1 points",
    metric=0.9125,
    metric_name="test_accuracy",
)


def _env_writer(tmp_path: Path) -> tuple[str, Path]:
    """A notifier command: a Python script that writes its SEQTUI_* environment to a JSON file."""
    script, target = tmp_path / "notifier.py", tmp_path / "told.json"
    script.write_text(
        "import json, os, sys\n"
        "env = {k: v for k, v in os.environ.items() if k.startswith('SEQTUI_')}\n"
        "open(sys.argv[1], 'w', encoding='utf-8').write(json.dumps(env))\n",
        encoding="utf-8",
    )
    return f"{shlex.quote(sys.executable)} {shlex.quote(str(script))} {shlex.quote(str(target))}", target


def test_a_command_gets_the_outcome_in_its_environment(tmp_path):
    command, told = _env_writer(tmp_path)
    assert notify(command, OUTCOME) is None
    env = json.loads(told.read_text(encoding="utf-8"))
    assert env["SEQTUI_STATUS"] == "completed"
    assert env["SEQTUI_EXIT_CODE"] == "0"
    assert env["SEQTUI_RUN_DIR"] == "/tmp/runs/digits-mlp"
    assert env["SEQTUI_VERDICT"] == "beats the baseline by 3.1 points"
    assert float(env["SEQTUI_METRIC"]) == 0.9125
    assert env["SEQTUI_METRIC_NAME"] == "test_accuracy"
    assert env["SEQTUI_NAME"] == "digits-mlp 한국어"
    assert env["SEQTUI_MESSAGE"].startswith("seqtui run digits-mlp 한국어: completed, test_accuracy 0.9125.")


def test_a_command_runs_in_the_shell_with_the_outcome_quoted_safely(tmp_path):
    """`$SEQTUI_VERDICT` expands in the user's shell; text in the outcome is never run as a command."""
    out = tmp_path / "said.txt"
    evil = Outcome("run", "x", "failed", 1, "/r", verdict=f"$(touch {tmp_path / 'pwned'}); echo hi")
    assert notify(f'printf %s "$SEQTUI_VERDICT" > {shlex.quote(str(out))}', evil) is None
    assert out.read_text() == f"$(touch {tmp_path / 'pwned'}); echo hi"
    assert not (tmp_path / "pwned").exists()


def test_a_failing_command_is_one_warning_with_its_last_line():
    warning = notify("echo 'no display' >&2; exit 3", OUTCOME)
    assert warning == "notify echo failed: exit code 3: no display"


def test_a_hanging_command_is_stopped_within_the_timeout():
    began = time.monotonic()
    warning = notify("sleep 60", OUTCOME, timeout=1.0)
    took = time.monotonic() - began
    assert warning == "notify sleep failed: still running after 1 s (stopped)"
    assert took < 1.0 + 2


class _Hook(BaseHTTPRequestHandler):
    received: list[tuple[str, dict, str]] = []
    auth: list[str | None] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, json.loads(body), self.headers["Content-Type"]))
        self.auth.append(self.headers.get("Authorization"))
        self.send_response(200 if self.path.startswith("/ok") else 500)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def webhook():
    _Hook.received, _Hook.auth = [], []
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", _Hook.received
    server.shutdown()
    server.server_close()


def test_a_webhook_receives_the_outcome_as_json(webhook):
    base, received = webhook
    assert notify(f"{base}/ok/topic?token=s3cr3t-token", OUTCOME) is None
    [(path, body, kind)] = received
    assert path == "/ok/topic?token=s3cr3t-token"
    assert kind.startswith("application/json")
    line = "seqtui run digits-mlp 한국어: completed, test_accuracy 0.9125. beats the baseline by 3.1 points"
    assert body["text"] == body["content"] == body["message"] == line  # Slack, Discord, ntfy
    assert body["status"] == "completed" and body["metric"] == 0.9125 and body["exit_code"] == 0
    assert body["run_dir"] == "/tmp/runs/digits-mlp" and body["kind"] == "run"


def test_a_webhook_error_never_prints_the_password(webhook):
    base, _ = webhook
    url = base.replace("http://", "http://alice:Pa55word-xyz@") + "/fail?token=s3cr3t-token"
    warning = notify(url, OUTCOME)
    assert warning is not None and "500" in warning
    assert "Pa55word-xyz" not in warning and "s3cr3t-token" not in warning
    assert "alice:***@127.0.0.1" in warning
    assert _Hook.auth == ["Basic " + base64.b64encode(b"alice:Pa55word-xyz").decode()]  # sent as Basic auth


def _silent_port() -> tuple[socket.socket, int]:
    """A socket that accepts connections and never answers: a webhook that hangs."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    return sock, sock.getsockname()[1]


@pytest.mark.parametrize("dead", ["refused", "silent"])
def test_a_dead_webhook_is_one_warning_within_the_timeout(dead):
    if dead == "silent":
        sock, port = _silent_port()
    else:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, never listening: connection refused
    try:
        began = time.monotonic()
        warning = notify(f"https://bob:hunter2-secret@127.0.0.1:{port}/hook", OUTCOME, timeout=1.0)
        took = time.monotonic() - began
    finally:
        sock.close()
    assert warning is not None and warning.startswith("notify https://bob:***@127.0.0.1")
    assert "hunter2-secret" not in warning
    assert took < 1.0 + 2


def test_targets_are_checked_before_a_run():
    assert check_target(None) is None and check_target("  ") is None
    assert check_target(" notify-send done ") == "notify-send done"
    with pytest.raises(NotifyError, match="needs a host") as caught:
        check_target("https://:pw-secret-1@/path")
    assert "pw-secret-1" not in str(caught.value)


def test_no_target_is_silent():
    assert notify(None, OUTCOME) is None and notify("", OUTCOME) is None
