"""The one factory for the app, shared by `seqtui` (cli.py) and the tests."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from seqtui.tui.app import SeqtuiApp
    from seqtui.tui.services import EngineLoader, Fetcher, Runner, SessionLoader, Summarizer


def make_app(
    runs_dir: Path | None = None,
    runner: Runner | None = None,
    session_loader: SessionLoader | None = None,
    fetcher: Fetcher | None = None,
    engine_loader: EngineLoader | None = None,
    summarizer: Summarizer | None = None,
) -> SeqtuiApp:
    """The app with the real engine, or with whichever services are given instead."""
    from seqtui.tui.app import SeqtuiApp

    return SeqtuiApp(
        runner=runner,
        runs_dir=runs_dir,
        session_loader=session_loader,
        fetcher=fetcher,
        engine_loader=engine_loader,
        summarizer=summarizer,
    )


def launch(runs_dir: Path | None = None) -> None:
    app = make_app(runs_dir=runs_dir)
    app.run()
    from seqtui.exit import leave_now

    leave_now(app.return_code or 0)
