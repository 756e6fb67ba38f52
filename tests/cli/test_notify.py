"""`--notify` on real runs: `train` posts to a local webhook, `compare` runs a command, SEQTUI_NOTIFY is the
default, and a notifier that fails changes neither the run's status nor its exit code."""

from __future__ import annotations

import json
import shlex
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from seqtui.cli.main import app
from seqtui.core.runs.folder import RunFolder

QUICK = ["--preset", "digits-mlp", "--epochs", "1", "--limit", "200", "--no-tensorboard"]


def invoke(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200", **(env or {})})


class _Hook(BaseHTTPRequestHandler):
    bodies: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        self.bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def webhook():
    _Hook.bodies = []
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/seqtui", _Hook.bodies
    server.shutdown()
    server.server_close()


def test_train_posts_its_outcome_to_a_webhook(tmp_path, webhook):
    url, bodies = webhook
    runs = tmp_path / "mine"
    result = invoke("train", *QUICK, "--runs-dir", str(runs), "--json", "--notify", url)
    assert result.exit_code == 0, result.output
    [body] = bodies
    [folder] = [p for p in runs.iterdir() if p.is_dir()]
    metrics = json.loads((folder / "metrics.json").read_text())
    assert body["status"] == "completed" and body["exit_code"] == 0 and body["kind"] == "run"
    assert body["run_dir"] == str(folder)
    assert body["metric_name"] == "test_accuracy" and body["metric"] == pytest.approx(metrics["accuracy"])
    assert body["verdict"] and body["verdict"] in body["text"]


def test_a_failing_notifier_leaves_the_run_as_it_was(tmp_path):
    runs = tmp_path / "mine"
    result = invoke("train", *QUICK, "--runs-dir", str(runs), env={"SEQTUI_NOTIFY": "exit 7"})
    assert result.exit_code == 0
    assert result.output.count("notify exit failed: exit code 7") == 1
    [folder] = [p for p in runs.iterdir() if p.is_dir()]
    assert RunFolder.open(folder).status == "completed"


@pytest.mark.slow
def test_compare_runs_the_command_with_the_winner(tmp_path):
    told = tmp_path / "told.json"
    script = tmp_path / "notifier.py"
    script.write_text(
        "import json, os, sys\n"
        "json.dump({k: v for k, v in os.environ.items() if k.startswith('SEQTUI_')}, open(sys.argv[1], 'w'))\n"
    )
    command = f"{shlex.quote(sys.executable)} {shlex.quote(str(script))} {shlex.quote(str(told))}"
    runs = tmp_path / "runs"
    result = invoke(
        "compare", "--preset", "digits-mlp", "--units", "8,16", "--epochs", "1", "--limit", "200",
        "--runs-dir", str(runs), "--notify", command,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    env = json.loads(told.read_text())
    board = json.loads((Path(env["SEQTUI_RUN_DIR"]) / "compare.json").read_text())["runs"]
    best = max(board, key=lambda row: row["test"])
    assert env["SEQTUI_KIND"] == "compare" and env["SEQTUI_STATUS"] == "completed"
    assert env["SEQTUI_VERDICT"] == f"best: {best['label']} (2 of 2 runs completed)"
    assert float(env["SEQTUI_METRIC"]) == pytest.approx(best["test"])


def test_a_webhook_without_a_host_is_bad_input():
    result = invoke("train", *QUICK, "--notify", "https://user:topsecret99@/x")
    assert result.exit_code == 2
    assert "needs a host" in result.output and "topsecret99" not in result.output
