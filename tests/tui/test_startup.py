"""Start-up: the first screen paints before TensorFlow is imported, navigation, help, quitting, 80x24."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

from seqtui.tui.launch import make_app
from seqtui.tui.screens.dialogs import ConfirmDialog
from seqtui.tui.screens.help import HelpScreen
from seqtui.tui.screens.predict import PredictScreen
from seqtui.tui.screens.runs import RunsScreen
from seqtui.tui.screens.setup import SetupScreen
from seqtui.tui.screens.train import TrainScreen
from tests.tui_fakes import FakeRunner, fake_summary, until

ROOT = Path(__file__).resolve().parents[2]


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


def run_app_script(tmp_path, body: str, timeout: int = 240) -> tuple[dict, float]:
    """Run `body` (which fills `seen`) inside a real app in a fresh interpreter, as `seqtui` starts it:
    asyncio.run, then leave_now. Returns what it saw and the seconds the whole process took."""
    script = (
        textwrap.dedent(
            """
        import asyncio, sys, threading, time
        from pathlib import Path
        from seqtui.common.exit import leave_now
        from seqtui.tui.launch import make_app
        from tests.tui_fakes import FakeRunner, fake_summary

        seen = {}
        """
        )
        + textwrap.dedent(body)
        + textwrap.dedent(
            """
        asyncio.run(main())
        print(seen, flush=True)
        leave_now(0)
        """
        )
    )
    start = time.monotonic()
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=timeout, cwd=ROOT
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return eval(out.stdout.strip().splitlines()[-1]), time.monotonic() - start  # noqa: S307 - our own dict


def test_start_before_keras_has_loaded_waits_for_it_and_trains(tmp_path):
    """ctrl+s while the app still imports Keras: the run's own import waits for the whole module (it read a
    half-imported keras and failed with "partially initialized module 'keras' has no attribute 'backend'")."""
    body = f"""
    class KerasRunner(FakeRunner):
        def train(self, config, observer, cancel, runs_dir, callbacks=()):
            from seqtui.core.hardware.backend import import_keras
            seen["backend"] = import_keras("tensorflow").backend.backend()
            return super().train(config, observer, cancel, runs_dir)

    async def main():
        app = make_app(runs_dir=Path({str(tmp_path)!r}), runner=KerasRunner(), summarizer=fake_summary)
        async with app.run_test(size=(80, 24)) as pilot:
            while app.engine_status != "loading Keras...":
                await pilot.pause(0.01)
            await pilot.press("ctrl+s")
            for _ in range(1200):
                await pilot.pause(0.1)
                if "backend" in seen and not app.train_screen.is_training and app.engine_ready:
                    break  # (the app's own loader may flag Keras ready after the run's import returned)
            seen["dialogs"] = [type(s).__name__ for s in app.screen_stack]
            seen["ready"] = app.engine_ready
    """
    seen, _ = run_app_script(tmp_path, body)
    assert seen == {"backend": "tensorflow", "dialogs": ["TrainScreen"], "ready": True}


def test_quit_while_keras_loads_leaves_at_once(tmp_path):
    """q while the engine still loads: the process ends in a moment, not when the import would have finished."""
    body = f"""
    release = threading.Event()

    def slow_engine():
        release.wait(60)
        return "never"

    async def main():
        app = make_app(runs_dir=Path({str(tmp_path)!r}), runner=FakeRunner(), engine_loader=slow_engine,
                       summarizer=fake_summary)
        async with app.run_test(size=(80, 24)) as pilot:
            while app.engine_status != "loading Keras...":
                await pilot.pause(0.01)
            await pilot.press("q")
        seen["ready"] = app.engine_ready
    """
    seen, seconds = run_app_script(tmp_path, body, timeout=120)
    assert seen == {"ready": False}
    assert seconds < 30  # the engine would have held the process for 60 s
