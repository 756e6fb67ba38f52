"""Start the Textual app (placeholder until the app lands)."""

from __future__ import annotations

from pathlib import Path


def launch(runs_dir: Path | None = None) -> None:
    from seqtui.tui.app import SeqtuiApp

    SeqtuiApp(runs_dir=runs_dir).run()
