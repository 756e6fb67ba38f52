"""The command palette (ctrl+p): every screen, preset, dataset and saved run, found by typing a few letters."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from seqtui.tui.app import SeqtuiApp

Command = tuple[str, Callable[[], object], str]
"""What the palette shows, what it does, a line of help."""


class SeqtuiCommands(Provider):
    """The commands are gathered once each time the palette opens (reading every run folder, off the UI
    thread), not again for every letter typed."""

    found: list[Command] = []

    @property
    def seqtui(self) -> SeqtuiApp:
        return self.app  # type: ignore[return-value]

    def commands(self) -> Iterator[Command]:
        from seqtui.core.config.presets import PRESETS
        from seqtui.core.runs.listing import list_runs
        from seqtui.datasets.registry import DATASETS
        from seqtui.tui.setup_datasets import preset_help

        app = self.seqtui
        for number, (mode, help_text) in enumerate((
            ("setup", "choose data and a model"),
            ("train", "the run in progress"),
            ("predict", "try a trained model"),
            ("runs", "saved runs: predict, continue, compare"),
            ("compare", "train several settings side by side"),
            ("sweep", "search a preset's settings with Optuna"),
        ), 1):  # fmt: skip
            keys = f"F{number + 1}" + ("" if mode == "setup" else f" or {number}")
            yield f"Screen: {mode.title()}", partial(app.switch_mode, mode), f"{keys} · {help_text}"
        for preset in PRESETS.values():
            yield f"Preset: {preset.name}", partial(app.use_preset, preset.name), preset_help(preset)
        for info in DATASETS.values():
            yield (
                f"Dataset: {info.name}",
                partial(app.use_dataset, info.name),
                f"{info.title} ({info.status})",
            )
        for run in list_runs(app.runs_dir):
            yield (
                f"Run: {run.path.name}",
                partial(app.open_for_prediction, run.path),
                f"predict with it ({run.status}, {run.epochs_done}/{run.epochs} epochs)",
            )
        yield (
            "Find a learning rate",
            app.find_learning_rate,
            "Ctrl+L on Setup · the range test on Setup's settings; its suggestion goes in only if you take it",
        )
        yield (
            "Reset remembered settings",
            app.reset_setup,
            "Ctrl+R on Setup · forget the last preset and settings",
        )
        yield "Help: every key, per screen", app.action_help, "F1 or ?"
        yield "Quit", app.action_request_quit, "Ctrl+Q, or q outside a text field"

    async def startup(self) -> None:
        self.found = await asyncio.to_thread(lambda: list(self.commands()))

    async def discover(self) -> Hits:
        for name, action, help_text in self.found:
            if not name.startswith("Run: "):
                yield DiscoveryHit(name, action, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, action, help_text in self.found:
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), action, help=help_text)
