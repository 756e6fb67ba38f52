"""`seqtui serve`: a port in use and a public address are one clear message each, and the app works in a
real browser (Debian's chromium driven by Playwright): the Setup screen, a tiny offline run, its chart."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

from seqtui.cli.main import app
from seqtui.tui.serve import app_command, exposure_warning

ANSI = re.compile(r"\x1b\[[0-9;?$]*[A-Za-z]|\x1b\][^\x07]*\x07")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_port_in_use_is_one_clear_message():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(app, ["serve", "--port", str(port)])
    assert result.exit_code == 2
    assert f"port {port} on 127.0.0.1 is already in use" in result.output and "--port" in result.output
    assert "Traceback" not in result.output


def test_only_localhost_is_quiet_and_every_tab_runs_the_same_runs_folder(tmp_path):
    assert exposure_warning("127.0.0.1") is None and exposure_warning("localhost") is None
    assert "anyone who can reach this port" in exposure_warning("0.0.0.0")
    command = app_command(tmp_path / "runs")
    assert command.startswith(sys.executable) and command.endswith(f"--runs-dir {tmp_path / 'runs'}")
    result = CliRunner().invoke(app, ["serve", "--host", "no-such-host.invalid", "--port", str(free_port())])
    assert result.exit_code == 2 and "not an address of this machine" in result.output


def chromium() -> str | None:
    return os.environ.get("SEQTUI_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(chromium() is None, reason="no chromium (apt-get install chromium)")
def test_the_app_in_a_real_browser_trains_and_charts(tmp_path):
    playwright = pytest.importorskip("playwright.sync_api")
    runs, port = tmp_path / "runs", free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "seqtui", "serve", "--port", str(port), "--runs-dir", str(runs)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    frames: list[str] = []

    def screen() -> str:
        return ANSI.sub("", "".join(frames))

    def wait_for(text: str, page, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while text not in screen():
            assert time.monotonic() < deadline, f"{text!r} never reached the browser"
            page.wait_for_timeout(250)

    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), 0.5).close()
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "the server did not start"
                time.sleep(0.2)
        with playwright.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium(), headless=True, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            # what the server sends the page's terminal: the app's own screen, as the browser receives it
            page.on("websocket", lambda ws: ws.on("framereceived", lambda f: frames.append(
                f if isinstance(f, str) else f.decode("utf-8", "replace"))))  # fmt: skip
            page.goto(f"http://127.0.0.1:{port}/")
            wait_for("Setup", page, 60)
            wait_for("topics-ko-lstm", page, 30)  # the offline default preset
            wait_for("ready: Keras", page, 120)  # the engine loaded in the app's process
            page.focus("textarea")  # xterm.js takes keys through a hidden textarea
            page.keyboard.press("Control+s")
            wait_for("> Train", page, 30)
            wait_for("val_loss", page, 240)  # the loss chart's legend: an epoch was drawn
            page.screenshot(path=str(tmp_path / "browser.png"))
            page.keyboard.press("s")  # stop the run after this batch
            deadline = time.monotonic() + 60
            folders = []
            while not any((f / "history.csv").exists() for f in folders):
                assert time.monotonic() < deadline, "no run folder with history under the runs folder"
                folders = [f for f in runs.iterdir() if f.is_dir()] if runs.exists() else []
                page.wait_for_timeout(250)
            browser.close()
        assert "topics-ko-lstm" in folders[0].name
    finally:
        os.killpg(server.pid, signal.SIGINT)
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
