"""The Textual app: four screens (Setup, Train, Predict, Runs) over the same engine the CLI uses.

The app takes its services in its constructor (a runner, a prediction-session loader, a dataset fetcher,
an engine loader), so tests can run every screen with fakes; `seqtui.tui.launch.make_app` is the one
factory shared by `seqtui` and the tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import Worker, WorkerCancelled, WorkerFailed, WorkerState

from seqtui.core.config.run_config import RunConfig
from seqtui.tui.commands import SeqtuiCommands
from seqtui.tui.errors import describe_error
from seqtui.tui.probe_pins import Pins
from seqtui.tui.screens.dialogs import ConfirmDialog, ErrorDialog
from seqtui.tui.screens.setup import SetupScreen
from seqtui.tui.services import (
    EngineLoader,
    EngineRunner,
    Fetcher,
    LRFinder,
    Runner,
    SessionLoader,
    Summarizer,
)

if TYPE_CHECKING:
    from seqtui.tui.screens.train import TrainScreen


# The first screen is Setup: the others (and numpy, plotext, Markdown with them) are imported when first
# shown, so the first frame comes sooner.
def _train() -> Screen:
    from seqtui.tui.screens.train import TrainScreen

    return TrainScreen()


def _predict() -> Screen:
    from seqtui.tui.screens.predict import PredictScreen

    return PredictScreen()


def _runs() -> Screen:
    from seqtui.tui.screens.runs import RunsScreen

    return RunsScreen()


def _compare() -> Screen:
    from seqtui.tui.screens.compare import CompareScreen

    return CompareScreen()


def _sweep() -> Screen:
    from seqtui.tui.screens.sweep import SweepScreen

    return SweepScreen()


SCREENS_BY_KEY = ("setup", "train", "predict", "runs", "compare", "sweep")
"""Digits 1-6 switch to these screens, except on Setup, where a digit belongs to its fields."""


class _QuitFreeExecutor(ThreadPoolExecutor):
    """Thread workers run here. Quitting never waits for one (Keras still importing, a model loading): asyncio
    would join them at exit, after the screen is gone; `launch` then leaves the process at once."""

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        super().shutdown(wait=False, cancel_futures=True)


class SeqtuiApp(App[None]):
    """Choose data and a model, watch it learn, then play with it."""

    TITLE = "seqtui"
    COMMANDS = App.COMMANDS | {SeqtuiCommands}
    SCREENS = {
        "setup": SetupScreen,
        "train": _train,
        "predict": _predict,
        "runs": _runs,
        "compare": _compare,
        "sweep": _sweep,
    }
    MODES = {name: name for name in SCREENS}
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (96, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (34, "-tall")]
    BINDINGS = [
        # F2-F7 stay out of the footer so it fits 80 columns: help (F1) and the palette (ctrl+p) name them
        Binding("f1,question_mark", "help", "Help"),
        *(
            Binding(f"f{i}", f"switch_mode('{m}')", m.title(), show=False)
            for i, m in enumerate(SCREENS_BY_KEY, 2)
        ),
        *(
            Binding(str(i), f"digit_mode('{m}')", m.title(), show=False)
            for i, m in enumerate(SCREENS_BY_KEY, 1)
        ),
        # `q` quits outside a text field (in one it is a letter); the footer names ctrl+q, which always works
        Binding("q", "request_quit", "Quit", show=False),
        Binding("ctrl+q", "request_quit", "Quit", priority=True),
    ]
    CSS = """
    Screen { layers: base overlay; }
    .row { height: auto; }
    .row > Label { width: 14; }
    .hint { color: $text-muted; }
    /* A focus ring that reads without colour too: the focused field's label is reversed, a focused
       table or chart list gets a bar on its left, a focused input is bold and underlined. */
    .row:focus-within > Label, FieldRow:focus-within > Label { text-style: bold reverse; }
    /* Textual restyles a focus change's ancestors that have a :focus-within rule of their own, not their
       other children: this no-op rule makes the row restyle its label when focus leaves it. */
    .row:focus-within, FieldRow:focus-within, ChoiceRow:focus-within { background-tint: $background 0%; }
    Input:focus { text-style: bold underline; background: $accent 30%; }
    Select:focus > SelectCurrent { text-style: bold reverse; }
    Footer.-compact FooterLabel { margin: 0 1 0 0; }  /* a key group's label ("^↓^↑ Unit") keeps its space */
    DataTable { border-left: blank; }
    DataTable:focus { border-left: outer $accent; }
    """

    engine_status: reactive[str] = reactive("starting")
    """A line for every screen's status bar."""
    engine_ready: reactive[bool] = reactive(False)
    activity: reactive[str] = reactive("")
    """What is training now, shown on every screen."""

    def __init__(
        self,
        runner: Runner | None = None,
        runs_dir: Path | None = None,
        session_loader: SessionLoader | None = None,
        fetcher: Fetcher | None = None,
        engine_loader: EngineLoader | None = None,
        summarizer: Summarizer | None = None,
        watch: Path | None = None,
        lr_finder: LRFinder | None = None,
    ) -> None:
        super().__init__()
        from seqtui.core.runs.folder import runs_root
        from seqtui.tui import services

        self.runner: Runner = runner or EngineRunner()
        self.runs_dir = Path(runs_dir) if runs_dir else runs_root()
        self.pins = Pins()
        """Probes pinned on Predict for the next run (`tui/probe_pins.py`)."""
        self.session_loader: SessionLoader = session_loader or services.load_session
        self.fetcher: Fetcher = fetcher or services.fetch_dataset
        self.engine_loader: EngineLoader = engine_loader or services.load_engine
        self.summarizer: Summarizer = summarizer or services.build_summary
        self.lr_finder: LRFinder = lr_finder or services.find_learning_rate
        self._quitting = False
        self.watch_dir = Path(watch) if watch else None
        """A run another process trains, opened in the watch view over Runs at start (`seqtui watch RUN`)."""

    # -- start-up: first paint, then Keras in the background ---------------------------------------
    def on_mount(self) -> None:
        asyncio.get_running_loop().set_default_executor(_QuitFreeExecutor(thread_name_prefix="seqtui-worker"))
        self.switch_mode("runs" if self.watch_dir else "setup")
        if self.watch_dir is not None:
            from seqtui.tui.screens.watch import WatchScreen

            self.push_screen(WatchScreen(self.watch_dir))
        self.call_after_refresh(self._start_engine)
        # no signal handlers on Windows or off the main thread: there SIGTERM stays Python's
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, self.terminated)

    def on_unmount(self) -> None:
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            asyncio.get_running_loop().remove_signal_handler(signal.SIGTERM)

    def terminated(self) -> None:
        """SIGTERM (`kill`, `docker stop`, Stop in another terminal's watch view) is "Stop and quit": the run
        ends `interrupted` after the current batch, then the app quits (left to Python, SIGTERM would end the
        app at once, the run `crashed` and the terminal in raw mode)."""
        train = self.train_screen
        if not train.is_training:
            self.exit()
            return
        train.stop()
        self.run_worker(self._exit_after_training(), group="quit")

    def _start_engine(self) -> None:
        self.engine_status = "loading Keras..."
        self.load_engine()

    @work(thread=True, exit_on_error=False, group="engine", name="engine")
    def load_engine(self) -> str:
        return self.engine_loader()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        self.report_worker(event)

    def report_worker(self, event: Worker.StateChanged) -> None:
        """The one place worker errors become dialogs (screens forward theirs); the app keeps running."""
        worker = event.worker
        if worker.name == "engine":
            if event.state == WorkerState.SUCCESS:
                self.engine_status = f"ready: {worker.result}"
                self.engine_ready = True
            elif event.state == WorkerState.ERROR:
                self.engine_status = "Keras failed to load (see the message)"
        if event.state == WorkerState.ERROR and worker.error is not None:
            self.show_error(*describe_error(worker.error))

    def show_error(self, title: str, message: str) -> None:
        self.push_screen(ErrorDialog(title, message))

    # -- moving between screens --------------------------------------------------------------------
    @property
    def train_screen(self) -> TrainScreen:
        from seqtui.tui.screens.train import TrainScreen

        return self.get_screen("train", TrainScreen)

    def action_digit_mode(self, mode: str) -> None:
        self.switch_mode(mode)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # On Setup a digit belongs to its fields, never a way off the screen
        return not (action == "digit_mode" and isinstance(self.screen, SetupScreen))

    def action_help(self) -> None:
        from seqtui.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.BINDINGS))

    async def start_training(self, config: RunConfig) -> bool:
        """Train a new run on the Train screen (one run at a time)."""
        if self.train_screen.is_training:
            self.notify("A model is already training: stop it first (F3, then s).", severity="error")
            return False
        await self.switch_mode("train")
        self.train_screen.start(self.pins.apply(config))
        return True

    async def continue_run(self, run_dir: Path, epochs: int) -> bool:
        if self.train_screen.is_training:
            self.notify("A model is already training: stop it first (F3, then s).", severity="error")
            return False
        await self.switch_mode("train")
        self.train_screen.resume(run_dir, epochs)
        return True

    async def open_for_prediction(self, run_dir: Path) -> None:
        await self.switch_mode("predict")
        from seqtui.tui.screens.predict import PredictScreen

        self.get_screen("predict", PredictScreen).open_run(Path(run_dir))

    async def use_preset(self, name: str) -> None:
        await self.switch_mode("setup")
        self.get_screen("setup", SetupScreen).choose_preset(name)

    async def use_dataset(self, name: str) -> None:
        await self.switch_mode("setup")
        self.get_screen("setup", SetupScreen).select_dataset(name)

    async def reset_setup(self) -> None:
        await self.switch_mode("setup")
        self.get_screen("setup", SetupScreen).action_reset()

    async def find_learning_rate(self) -> None:
        await self.switch_mode("setup")
        self.get_screen("setup", SetupScreen).action_find_lr()

    def remember_setup(self) -> None:
        from seqtui.tui import memory

        with contextlib.suppress(KeyError, NoMatches):  # Setup never shown: nothing new to remember
            memory.remember(self.get_screen("setup", SetupScreen).setup_state())

    # -- quitting ----------------------------------------------------------------------------------
    def action_request_quit(self) -> None:
        """Quit; while a model trains, ask first, then stop it after the current batch and wait."""
        self.remember_setup()
        train = self.train_screen
        if not train.is_training:
            self.exit()
            return
        if self._quitting:
            return
        self._quitting = True

        def answered(stop: bool | None) -> None:
            self._quitting = bool(stop)
            if stop:
                train.stop()
                self.notify("Stopping after the current batch, then quitting...")
                self.run_worker(self._exit_after_training(), group="quit")

        self.push_screen(
            ConfirmDialog(
                "A model is training. Stop it after this batch (the model is kept) and quit?",
                yes="Stop and quit",
                no="Keep training",
            ),
            answered,
        )

    async def _exit_after_training(self) -> None:
        worker = self.train_screen.worker
        if worker is not None:
            with contextlib.suppress(WorkerFailed, WorkerCancelled):
                await worker.wait()
        self.exit()
