"""Setup's preset list and the command palette say which presets train here without a download or a file."""

from __future__ import annotations

from textual.widgets import Select

from seqtui.core.config.presets import PRESETS
from seqtui.tui.commands import SeqtuiCommands
from seqtui.tui.setup_datasets import preset_help, preset_label
from tests.tui.test_setup import fake_app
from tests.tui_fakes import settle


def test_preset_labels_carry_what_the_preset_needs(tmp_path):
    (tmp_path / "keras_home" / "datasets").mkdir(parents=True)
    (tmp_path / "keras_home" / "datasets" / "mnist.npz").write_bytes(b"")  # cached: trains here
    labels = {name: preset_label(p) for name, p in PRESETS.items()}
    assert labels["topics-ko-lstm"] == "topics-ko-lstm ✓" and labels["memory-gru"] == "memory-gru ✓"
    assert labels["mnist-cnn"] == "mnist-cnn ✓" and labels["imdb-lstm"] == "imdb-lstm ↓"
    assert labels["spam-rnn"] == "spam-rnn …"
    assert preset_help(PRESETS["imdb-lstm"]).startswith("needs download · IMDB sentiment")
    assert all(len(label) <= 21 for label in labels.values())  # the list's width in Setup at 80x24


async def test_setup_list_and_palette_show_the_status_and_a_fetch_updates_it(tmp_path):
    def fetch(info):  # what a download leaves in Keras' cache
        cache = tmp_path / "keras_home" / "datasets"
        cache.mkdir(parents=True)
        for name in info.cache_files:
            (cache / name).write_bytes(b"")
        return []

    app = fake_app(tmp_path, fetcher=fetch)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        options = dict((value, label) for label, value in screen.query_one("#preset", Select)._options)
        assert options["imdb-lstm"] == "imdb-lstm ↓" and options["digits-cnn"] == "digits-cnn ✓"
        screen.choose_preset("imdb-lstm")
        await pilot.pause()
        await pilot.press("ctrl+g")
        await settle(pilot)
        select = screen.query_one("#preset", Select)
        options = dict((value, label) for label, value in select._options)
        assert options["imdb-lstm"] == "imdb-lstm ✓" and select.value == "imdb-lstm"
        commands = {name: help_text for name, _, help_text in SeqtuiCommands(app.screen).commands()}
        assert commands["Preset: imdb-lstm"].startswith("cached · ")
        assert commands["Preset: spam-rnn"].startswith("needs a file · ")
