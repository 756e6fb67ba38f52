"""`seqtui serve`: a port in use and a public address are one clear message each, and the app works in a
real browser (Debian's chromium driven by Playwright): the Setup screen, a tiny offline run, its chart.

Only its own pages may use it: a request without the launch's token, naming another Host (DNS rebinding) or
coming from another origin's page is a 403, checked on a real server with raw requests and in the browser."""

from __future__ import annotations

import base64
import contextlib
import http.server
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from seqtui.cli.main import app
from seqtui.tui.serve import app_command, exposure_warning

ANSI = re.compile(r"\x1b\[[0-9;?$]*[A-Za-z]|\x1b\][^\x07]*\x07")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(tmp_path: Path, *extra: str) -> Iterator[tuple[int, str]]:
    """A real `seqtui serve` on a free localhost port: (port, the token it printed) once it answers; then
    stopped with Ctrl+C. Its stdout (the access log) is kept in serve.out."""
    port, printed = free_port(), tmp_path / "serve.err"
    with open(printed, "w") as errors, open(tmp_path / "serve.out", "w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "seqtui", "serve", "--port", str(port), "--runs-dir", str(tmp_path / "runs"), *extra],
            stdout=log, stderr=errors, start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), 0.5).close()
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "the server did not start"
                time.sleep(0.2)
        [token] = re.findall(rf"seqtui on http://127\.0\.0\.1:{port}/\?token=(\S+) ", printed.read_text())
        yield port, token
    finally:
        os.killpg(server.pid, signal.SIGINT)
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


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
    runs = tmp_path / "runs"
    frames: list[str] = []

    def screen() -> str:
        return ANSI.sub("", "".join(frames))

    def wait_for(text: str, page, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while text not in screen():
            assert time.monotonic() < deadline, f"{text!r} never reached the browser"
            page.wait_for_timeout(250)

    with serving(tmp_path) as (port, token):
        with playwright.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium(), headless=True, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            # what the server sends the page's terminal: the app's own screen, as the browser receives it
            page.on("websocket", lambda ws: ws.on("framereceived", lambda f: frames.append(
                f if isinstance(f, str) else f.decode("utf-8", "replace"))))  # fmt: skip
            page.goto(f"http://127.0.0.1:{port}/?token={token}")
            wait_for("Setup", page, 60)
            wait_for("topics-ko-lstm", page, 30)  # the offline default preset
            wait_for("ready: Keras", page, 120)  # the engine loaded in the app's process
            page.focus("textarea")  # xterm.js takes keys through a hidden textarea
            page.keyboard.press("Control+s")
            wait_for("> Train", page, 30)
            frames.clear()  # only what Train draws from here on
            wait_for("best epoch", page, 240)  # the loss chart's title once an epoch was drawn
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


# -- only its own pages ---------------------------------------------------------------------------------
def test_the_access_rules_follow_the_bound_address():
    from seqtui.tui.serve_access import access_for, machine_names

    local = access_for("127.0.0.1", 8000, token="T0k")
    assert local.urls == ("http://127.0.0.1:8000/?token=T0k",)
    assert local.refusal("127.0.0.1:8000", None, "T0k") is None  # the printed URL, opened by hand
    assert local.refusal("localhost:8000", "http://localhost:8000", "T0k") is None  # its own page
    assert local.refusal("evil.example:8000", None, "T0k").startswith("refused: Host 'evil.example:8000'")
    assert local.refusal(None, None, "T0k").startswith("refused: Host")
    for origin in ("http://evil.example", "http://127.0.0.1:9999", "https://127.0.0.1:8000", "null"):
        assert (
            local.refusal("127.0.0.1:8000", origin, "T0k")
            == f"refused: a page from {origin!r} may not use this seqtui server"
        )
    for token in (None, "", "T0", "T0k "):
        assert "?token=" in local.refusal("127.0.0.1:8000", None, token)
    v6 = access_for("::1", 8000, token="T0k")
    assert (
        v6.urls == ("http://[::1]:8000/?token=T0k",)
        and v6.refusal("[::1]:8000", "http://[::1]:8000", "T0k") is None
    )
    everywhere = access_for("0.0.0.0", 8000, token="T0k")
    address = machine_names()[0]
    assert (
        everywhere.urls[0] == f"http://{'[' + address + ']' if ':' in address else address}:8000/?token=T0k"
    )
    assert everywhere.refusal(f"{socket.gethostname()}:8000", None, "T0k") is None
    assert everywhere.refusal("localhost:8000", None, "T0k") is None
    assert everywhere.refusal("rebound.example:8000", None, "T0k") is not None
    proxied = access_for(
        "127.0.0.1", 8000, ["https://SEQTUI.example.org", "http://localhost:9000"], token="T0k"
    )
    assert proxied.urls[1:] == ("https://seqtui.example.org/?token=T0k", "http://localhost:9000/?token=T0k")
    assert proxied.refusal("seqtui.example.org", "https://seqtui.example.org", "T0k") is None
    assert proxied.page_origin("seqtui.example.org") == "https://seqtui.example.org"  # the page's wss:// URL
    assert proxied.refusal("localhost:9000", "http://localhost:9000", "T0k") is None  # an SSH tunnel
    assert proxied.refusal("seqtui.example.org", "http://seqtui.example.org", "T0k") is not None


@pytest.mark.parametrize(
    "origin", ["https://example.org/path", "*", "ftp://example.org", "https://u:p@example.org"]
)
def test_an_allow_origin_that_is_not_an_origin_exits_2(origin):
    result = CliRunner().invoke(app, ["serve", "--port", str(free_port()), "--allow-origin", origin])
    assert result.exit_code == 2 and "give the origin a browser uses" in result.output
    assert "Traceback" not in result.output


def ask(port: int, path: str = "/", headers: dict[str, str] | None = None, upgrade: bool = False):
    """One raw HTTP request (a websocket handshake when `upgrade`): (status, headers, body)."""
    head = {"Host": f"127.0.0.1:{port}", **(headers or {})}
    if upgrade:
        key = base64.b64encode(os.urandom(16)).decode()
        head |= {
            "Upgrade": "websocket",
            "Connection": "Upgrade",
            "Sec-WebSocket-Key": key,
            "Sec-WebSocket-Version": "13",
        }
    else:
        head["Connection"] = "close"
    request = f"GET {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in head.items()) + "\r\n"
    with socket.create_connection(("127.0.0.1", port), 10) as s:
        s.sendall(request.encode())
        data = b""
        while b"\r\n\r\n" not in data and (chunk := s.recv(65536)):
            data += chunk
        top, _, body = data.partition(b"\r\n\r\n")
        status, *lines = top.decode("latin-1").split("\r\n")
        found = dict(line.split(": ", 1) for line in lines)
        while len(body) < int(found.get("Content-Length", 0)) and (chunk := s.recv(65536)):
            body += chunk
    return int(status.split()[1]), found, body.decode()


def test_a_real_server_refuses_other_hosts_origins_and_requests_without_the_token(tmp_path):
    with serving(tmp_path) as (port, token):
        own, cookie = f"http://127.0.0.1:{port}", f"seqtui-token-{port}={token}"
        refused = [
            ask(port, "/"),  # no token
            ask(port, "/?token=wrong"),
            ask(port, "/static/js/textual.js"),
            ask(port, f"/?token={token}", {"Host": f"evil.example:{port}"}),  # DNS rebinding
            ask(port, f"/?token={token}", {"Origin": "http://evil.example"}),
            ask(port, "/ws", {"Origin": "http://evil.example", "Cookie": cookie}, upgrade=True),
            ask(port, "/ws", {"Origin": "http://127.0.0.1:1", "Cookie": cookie}, upgrade=True),
            ask(port, "/ws", {"Origin": own, "Cookie": cookie, "Host": f"evil.example:{port}"}, upgrade=True),
            ask(port, "/ws", {"Origin": own}, upgrade=True),  # no token
        ]
        assert [status for status, _, _ in refused] == [403] * len(refused)
        reasons = [body for _, _, body in refused]
        assert (
            reasons[0]
            == reasons[1]
            == reasons[2]
            == reasons[-1]
            == ("refused: open the link with ?token=... that `seqtui serve` printed when it started\n")
        )
        assert reasons[3].startswith(
            f"refused: Host 'evil.example:{port}' is not an address of this seqtui server"
        )
        assert (
            reasons[4]
            == reasons[5]
            == "refused: a page from 'http://evil.example' may not use this seqtui server\n"
        )
        status, headers, page = ask(port, f"/?token={token}")  # the printed URL
        assert status == 200 and f'data-session-websocket-url="ws://127.0.0.1:{port}/ws"' in page
        assert headers["Set-Cookie"].startswith(f"{cookie};") and "HttpOnly" in headers["Set-Cookie"]
        status, _, page = ask(
            port, "/", {"Host": f"localhost:{port}", "Cookie": cookie}
        )  # the cookie is enough
        assert status == 200 and f'data-session-websocket-url="ws://localhost:{port}/ws"' in page
        assert ask(port, "/static/js/textual.js", {"Cookie": cookie})[0] == 200
        status, headers, _ = ask(
            port, "/ws?width=80&height=24", {"Origin": own, "Cookie": cookie}, upgrade=True
        )
        assert status == 101 and headers["Upgrade"] == "websocket"  # the app's own page gets its terminal
    log = (tmp_path / "serve.out").read_text()
    assert "GET /?token=***" in log and token not in log  # the access log opens nothing


OPEN_THE_APP = """() => new Promise((done) => {
  const socket = new WebSocket('ws://127.0.0.1:PORT/ws?width=80&height=24');
  socket.onopen = () => { done('open'); socket.close(); };
  socket.onclose = (e) => done('refused ' + e.code);
})"""
"""What a hostile page runs: open the app's websocket (the browser adds the page's Origin and the cookie)."""


@contextlib.contextmanager
def another_site(html: str) -> Iterator[int]:
    """A second web server on another localhost port, serving one page: its port."""

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    site = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    try:
        yield site.server_address[1]
    finally:
        site.shutdown()
        site.server_close()


@pytest.mark.skipif(chromium() is None, reason="no chromium (apt-get install chromium)")
def test_in_a_real_browser_another_sites_page_cannot_drive_the_app(tmp_path):
    """The browser holds the app's cookie (the app is open in another tab), and still a page from another
    local port can't open the app's websocket, nor can a rebinding name load it; the app's own tab can."""
    playwright = pytest.importorskip("playwright.sync_api")
    frames: list[str] = []
    with serving(tmp_path) as (port, token), playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium(), headless=True,
            args=["--no-sandbox", "--host-resolver-rules=MAP rebound.test 127.0.0.1"],
        )  # fmt: skip
        context = browser.new_context()
        page = context.new_page()
        assert page.goto(f"http://127.0.0.1:{port}/").status == 403 and "?token=" in page.inner_text("body")
        page.on("websocket", lambda ws: ws.on("framereceived", lambda f: frames.append(
            f if isinstance(f, str) else f.decode("utf-8", "replace"))))  # fmt: skip
        assert page.goto(f"http://127.0.0.1:{port}/?token={token}").status == 200
        deadline = time.monotonic() + 60
        while "Setup" not in ANSI.sub("", "".join(frames)):
            assert time.monotonic() < deadline, "the app never reached its own page"
            page.wait_for_timeout(250)
        assert f"seqtui-token-{port}" in [c["name"] for c in context.cookies()]
        script = OPEN_THE_APP.replace("PORT", str(port))
        html = f"<!DOCTYPE html><title>waiting</title><script>({script})().then(r => document.title = r)</script>"
        with another_site(html) as other:
            evil = context.new_page()
            evil.goto(f"http://127.0.0.1:{other}/")
            evil.wait_for_function("document.title !== 'waiting'", timeout=30_000)
            assert evil.title() == "refused 1006"  # the handshake got a 403
        rebound = context.new_page().goto(f"http://rebound.test:{port}/?token={token}")
        assert rebound.status == 403 and "DNS rebinding" in rebound.text()
        assert page.evaluate(script) == "open"  # the same script from the app's own page
        browser.close()
