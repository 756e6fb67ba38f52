"""The one factory for the app, shared by `seqtui` (cli.py) and the tests."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

    from seqtui.tui.app import SeqtuiApp


NATIVE_LOG = "native.log"
"""What native libraries (TensorFlow's C++ start-up lines) wrote to stderr while the app ran."""


def make_app(**services: Any) -> SeqtuiApp:
    """The app with the real engine, or with whichever of `SeqtuiApp`'s services (and runs_dir) are given.

    The app module (and Textual's widgets) load only when the app is made, so `seqtui --help` stays quick.
    """
    from seqtui.tui.app import SeqtuiApp

    return SeqtuiApp(**services)


WATCHING_ENGINE = "Keras loads when a screen needs it"
"""The engine line of a watcher: it does not load Keras at start, which would take CPU (and, with TensorFlow,
GPU memory) from the trainer it watches."""


def launch(runs_dir: Path | None = None, watch: Path | None = None) -> None:
    """Run the app on this terminal (opened on the watch view of run folder `watch` when given);
    TensorFlow's native log lines go to `native.log` in the app's state folder instead of over the screen."""
    from seqtui.common.exit import leave_now
    from seqtui.common.native_stderr import app_native_stderr
    from seqtui.tui.memory import state_dir

    watching: dict[str, Any] = {"watch": watch, "engine_loader": lambda: WATCHING_ENGINE} if watch else {}
    app = make_app(runs_dir=runs_dir, **watching)
    with app_native_stderr(state_dir() / NATIVE_LOG):
        app.run()
    leave_now(app.return_code or 0)
