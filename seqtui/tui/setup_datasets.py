"""Setup's dataset side: the rows of its dataset list, the chosen dataset's description, and Ctrl+G's download
of a Keras dataset into the cache (a thread worker, with a bar and a line while it runs)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from rich.text import Text
from textual import work
from textual.widgets import ProgressBar, Select, Static
from textual.worker import Worker, WorkerState

from seqtui.core.config.presets import PRESETS, Preset
from seqtui.datasets.registry import DATASETS, DatasetInfo
from seqtui.tui.setup_form import availability, compact_count

if TYPE_CHECKING:
    from seqtui.tui.screens.base import BaseScreen

STATUS_MARK = {
    "cached": "✓ cached",
    "offline package": "✓ offline",
    "built in": "✓ built in",
    "needs download": "↓ download",
    "needs package": "✗ package",
    "needs --data": "… your file",
}
DATASET_COLUMNS = ("dataset", "status", "task", "samples", "classes")
PRESET_MARK = {
    "offline": "✓",
    "cached": "✓",
    "needs download": "↓",
    "needs package": "✗",
    "needs a file": "…",
}
"""After a preset's name in Setup's list: trains here as it is (✓), or needs a download, a package, a file
(the marks of the dataset list's status column)."""


DEFAULT_PRESETS = ("topics-ko-lstm", "topics-en-lstm", "digits-mlp", "series-rnn")


def config_path_ok(data_path: str) -> bool:
    return Path(data_path).expanduser().exists()


def default_preset() -> str:
    """The first lesson preset whose data is here without a download."""
    for name in DEFAULT_PRESETS:
        if availability(DATASETS[PRESETS[name].dataset], None) is None:
            return name
    return DEFAULT_PRESETS[-1]


def preset_label(preset: Preset) -> str:
    """'topics-ko-lstm ✓', 'imdb-lstm ↓': the preset list says what trains here without a download."""
    return f"{preset.name} {PRESET_MARK[DATASETS[preset.dataset].trains_here]}"


def preset_help(preset: Preset) -> str:
    """The command palette's line under a preset: whether it trains here, then what it is."""
    return f"{DATASETS[preset.dataset].trains_here} · {preset.description}"


def preset_options() -> list[tuple[str, str]]:
    """Setup's preset list: (label with its mark, name) for each preset."""
    return [(preset_label(p), p.name) for p in PRESETS.values()]


def dataset_cells(info: DatasetInfo) -> tuple[str, ...]:
    """One row of the dataset list, a cell for each of DATASET_COLUMNS."""
    return (info.name, STATUS_MARK.get(info.status, info.status), info.task,
            compact_count(info.samples), str(info.classes or "-"))  # fmt: skip


def dataset_text(info: DatasetInfo, tokens: bool) -> Text:
    """The description under the list: title, task, size, status, hint (and the fields a non-token input
    leaves unused)."""
    lines = Text.assemble((info.title, "bold"), f"\n{info.task}, {info.samples} samples")
    if info.classes:
        lines.append(f", {info.classes} classes")
    lines.append(f"\nstatus: {info.status}")
    if info.hint:
        lines.append(f"\n{info.hint}", style="italic")
    if not tokens:
        lines.append(f"\n({info.input_kind}: maxlen, vocab and embedding unused)", style="italic")
    return lines


@runtime_checkable
class DatasetChooser(Protocol):
    """What a screen provides to mix DatasetFetching in (the Setup screen does)."""

    dataset: str
    """The chosen dataset's name."""

    @property
    def info(self) -> DatasetInfo:
        """The chosen dataset."""

    def fill_datasets(self) -> None:
        """Rebuild the dataset list (a fetch changes a dataset's status)."""

    def select_dataset(self, name: str) -> None:
        """Put the list's cursor on `name` and show its description."""


if TYPE_CHECKING:

    class _FetchingScreen(BaseScreen, DatasetChooser):
        """What DatasetFetching's methods may use: a screen of this app that chooses a dataset."""

else:
    _FetchingScreen = object  # at run time a plain mixin: the screen it is mixed into gives all of the above


class DatasetFetching(_FetchingScreen):
    """Ctrl+G on a screen that is a DatasetChooser: download the chosen Keras dataset into the cache. The
    screen's `worker_changed` hands the "fetch" group's changes to `_fetch_state`."""

    def action_fetch(self) -> None:
        info = self.info
        if info.source != "keras":
            self.notify(f"{info.name} is not a Keras download ({info.status}). {info.hint}".strip())
            return
        if info.status == "cached":
            self.notify(f"{info.name} is already in Keras' cache.")
            return
        message = self.query_one("#fetch-message", Static)
        if not self.query("#fetch-bar"):  # mounted only while fetching: an idle one still animates
            self.query_one("#data-pane").mount(
                ProgressBar(total=None, show_eta=False, id="fetch-bar"), before=message
            )
        message.update(f"downloading {info.name} into Keras' cache...")
        self.fetch(info)

    @work(thread=True, exclusive=True, exit_on_error=False, group="fetch", name="fetch")
    def fetch(self, info: DatasetInfo) -> list[Path]:
        return self.app.fetcher(info)  # type: ignore[attr-defined]

    def _fetch_state(self, event: Worker.StateChanged) -> None:
        if event.state not in (WorkerState.SUCCESS, WorkerState.ERROR):
            return
        self.query("#fetch-bar").remove()
        message = self.query_one("#fetch-message", Static)
        if event.state == WorkerState.SUCCESS:
            message.update(f"✓ {self.dataset} is in the cache: ready to train")
            presets = self.query_one("#preset", Select)  # its presets' marks: ↓ becomes ✓
            shown = presets.value
            with presets.prevent(Select.Changed):  # the same preset stays chosen: nothing to apply
                presets.set_options(preset_options())
                presets.value = shown
        else:
            message.update(Text(f"✗ {event.worker.error}", style="bold"))
        self.fill_datasets()
        self.select_dataset(self.dataset)
