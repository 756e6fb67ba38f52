"""Start-up: the first screen paints before TensorFlow is imported, navigation, help, quitting, 80x24."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from seqtui.tui.launch import make_app
from seqtui.tui.screens.dialogs import ConfirmDialog
from seqtui.tui.screens.help import HelpScreen
from seqtui.tui.screens.predict import PredictScreen
from seqtui.tui.screens.runs import RunsScreen
from seqtui.tui.screens.setup import SetupScreen
from seqtui.tui.screens.train import TrainScreen
from tests.tui_fakes import FakeRunner, fake_summary, until


def fake_app(runs_dir, **services):
    services.setdefault("runner", FakeRunner())
    services.setdefault("engine_loader", lambda: "fake engine")
    services.setdefault("summarizer", fake_summary)
    return make_app(runs_dir=runs_dir, **services)


def test_first_screen_paints_before_tensorflow_and_engine_loads_after(tmp_path):
    """In a fresh interpreter: no TensorFlow when Setup mounts, nor when the engine worker starts after the first
    paint (the real Keras import is covered by the end-to-end test)."""
    script = textwrap.dedent(
        f"""
        import asyncio, sys
        from pathlib import Path
        from seqtui.tui.launch import make_app

        seen = {{}}
        def engine():
            seen["tf_before_engine"] = "tensorflow" in sys.modules
            return "Keras (stand-in)"

        async def main():
            summary = {{"total_params": 0, "layers": []}}
            app = make_app(runs_dir=Path({str(tmp_path)!r}), engine_loader=engine, summarizer=lambda c: summary)
            async with app.run_test(size=(80, 24)) as pilot:
                seen["screen"] = type(app.screen).__name__
                seen["tf_at_mount"] = "tensorflow" in sys.modules
                for _ in range(600):  # the engine worker starts after the first refresh
                    await app.workers.wait_for_complete()
                    await pilot.pause(0.2)
                    if app.engine_ready:
                        break
                seen["status"] = app.engine_status
                seen["ready"] = app.engine_ready
            print(seen)

        asyncio.run(main())
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=240)
    assert out.returncode == 0, out.stderr[-2000:]
    seen = eval(out.stdout.strip().splitlines()[-1])  # noqa: S307 - our own dict literal
    assert seen["screen"] == "SetupScreen"
    assert seen["tf_at_mount"] is False
    assert seen["tf_before_engine"] is False
    assert seen["ready"] is True and seen["status"] == "ready: Keras (stand-in)"


async def test_function_keys_move_between_screens_help_opens_and_q_quits(tmp_path, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")  # Textual drops colour; markers and glyphs carry the meaning
    app = fake_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, SetupScreen)
        for key, screen in (
            ("f3", TrainScreen),
            ("f4", PredictScreen),
            ("f5", RunsScreen),
            ("f2", SetupScreen),
        ):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, screen), key
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SetupScreen)
        assert "fake engine" in app.engine_status
        assert app.no_color
        await pilot.press("q")  # nothing is training: quit at once
        await pilot.pause()
    assert app._exit  # noqa: SLF001


async def test_quit_asks_first_while_training_then_stops_the_run(tmp_path):
    runner = FakeRunner(epochs=3, hold=True)
    app = fake_app(tmp_path, runner=runner)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+s")
        await pilot.pause()
        await until(pilot, runner.holding.is_set)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")  # keep training
        await pilot.pause()
        assert app.train_screen.is_training
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.train_screen.cancel.is_set()
        assert app.train_screen.ended is not None and app.train_screen.ended.status == "interrupted"
    assert app.return_code == 0
