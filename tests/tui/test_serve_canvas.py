"""In a real browser (`seqtui serve`, chromium driven by Playwright), a drag on the digit canvas draws and
selects no text: Textual's text selection would paint a blue rectangle over the drawing, and Ctrl+C would
copy the canvas's glyphs (an OSC 52 clipboard sequence sent to the page)."""

from __future__ import annotations

import re
import subprocess
import sys
import time

import pytest

from tests.tui.test_serve import ANSI, chromium, serving

MOVE = re.compile(r"\x1b\[(\d+);(\d+)H")


def find_on_screen(raw: str, text: str) -> tuple[int, int] | None:
    """(row, column), 0-based, where `text` was last drawn, read from the cursor moves before it."""
    at = raw.rfind(text)
    if at < 0:
        return None
    moves = list(MOVE.finditer(raw, 0, at))
    if not moves:
        return None
    last = moves[-1]
    column = int(last.group(2)) - 1 + len(ANSI.sub("", raw[last.end() : at]))
    return int(last.group(1)) - 1, column


@pytest.mark.slow
@pytest.mark.skipif(chromium() is None, reason="no chromium (apt-get install chromium)")
def test_drawing_on_the_canvas_in_a_browser_selects_no_text(tmp_path):
    playwright = pytest.importorskip("playwright.sync_api")
    trained = subprocess.run(
        [sys.executable, "-m", "seqtui", "train", "--preset", "digits-mlp", "--epochs", "1", "--limit", "300",
         "--runs-dir", str(tmp_path / "runs")],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert trained.returncode == 0, trained.stderr[-2000:]
    frames: list[str] = []
    sent: list[str] = []

    def wait_for(text: str, page, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while text not in ANSI.sub("", "".join(frames)):
            assert time.monotonic() < deadline, f"{text!r} never reached the browser"
            page.wait_for_timeout(250)

    with serving(tmp_path) as (port, token), playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), headless=True, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.on("websocket", lambda ws: (
            ws.on("framereceived", lambda f: frames.append(f if isinstance(f, str) else f.decode("utf-8", "replace"))),
            ws.on("framesent", lambda f: sent.append(f if isinstance(f, str) else f.decode("utf-8", "replace"))),
        ))  # fmt: skip
        page.goto(f"http://127.0.0.1:{port}/?token={token}")
        wait_for("ready: Keras", page, 120)
        page.focus("textarea")
        page.keyboard.press("F5")
        wait_for("digits-mlp", page, 30)
        page.keyboard.press("p")  # predict with the selected run
        wait_for("draw here", page, 120)
        page.wait_for_timeout(1000)
        [size] = [s for s in sent if '"resize"' in s][-1:] or [""]
        cols, rows = (int(v) for v in re.findall(r'"(?:width|height)":\s*(\d+)', size)[:2])
        box = page.locator(".xterm-screen").bounding_box()
        cell_w, cell_h = box["width"] / cols, box["height"] / rows
        row, col = find_on_screen("".join(frames), "draw here")  # the canvas's border title, top left
        start = len("".join(frames))

        def cell(r: int, c: int) -> tuple[float, float]:
            return box["x"] + (c + 0.5) * cell_w, box["y"] + (r + 0.5) * cell_h

        page.mouse.move(*cell(row + 3, col + 2))
        page.mouse.down()
        for step in range(1, 9):
            page.mouse.move(*cell(row + 3 + step, col + 2 + 2 * step))
            page.wait_for_timeout(50)
        page.mouse.up()
        page.wait_for_timeout(500)
        page.keyboard.press("Control+c")  # copies a selection, if there were one
        page.wait_for_timeout(1500)
        after = "".join(frames)[start:]
        browser.close()
    assert "▀" in after or "▄" in after or "█" in after  # the stroke was drawn
    assert "\x1b]52;" not in after  # and nothing was selected to copy
