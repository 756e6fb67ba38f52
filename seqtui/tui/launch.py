"""The one factory for the app, shared by `seqtui` (cli.py) and the tests."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

    from seqtui.tui.app import SeqtuiApp


def make_app(**services: Any) -> SeqtuiApp:
    """The app with the real engine, or with whichever of `SeqtuiApp`'s services (and runs_dir) are given.

    The app module (and Textual's widgets) load only when the app is made, so `seqtui --help` stays quick.
    """
    from seqtui.tui.app import SeqtuiApp

    return SeqtuiApp(**services)


def launch(runs_dir: Path | None = None) -> None:
    app = make_app(runs_dir=runs_dir)
    app.run()
    from seqtui.common.exit import leave_now

    leave_now(app.return_code or 0)
