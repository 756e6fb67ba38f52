"""What the app remembers between launches, its reset, and the command palette's commands."""

from __future__ import annotations

import json

from textual.widgets import DataTable, Input, Select

from seqtui.tui import memory
from seqtui.tui.commands import SeqtuiCommands
from seqtui.tui.screens.runs import RunsScreen
from seqtui.tui.screens.setup import SetupScreen
from tests.tui.test_setup import fake_app, type_into
from tests.tui_fakes import make_run_folder, settle, until


async def test_the_last_setup_comes_back_at_the_next_launch_until_reset(tmp_path):
    app = fake_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        screen.choose_preset("digits-mlp")
        await settle(
            pilot
        )  # the preset fills the form when its Select.Changed arrives: wait for it, or under
        await until(
            pilot, lambda: screen.query_one("#units", Input).value == "512"
        )  # load it lands mid-typing
        await type_into(pilot, screen, "units", "48")
        app.action_request_quit()
    saved = json.loads((memory.state_dir() / memory.STATE_FILE).read_text())
    assert saved["preset"] == "digits-mlp" and saved["fields"]["units"] == "48"
    assert str(memory.state_dir()).startswith(str(tmp_path.parent))  # never the user's own folder

    again = fake_app(tmp_path)
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = again.screen
        assert isinstance(screen, SetupScreen)
        assert screen.query_one("#preset", Select).value == "digits-mlp" and screen.dataset == "digits"
        assert screen.query_one("#units", Input).value == "48"
        assert screen.config is not None and screen.config.model.units == 48
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert screen.query_one("#units", Input).value != "48" and screen.preset == "topics-ko-lstm"
        assert memory.recall() == {}


async def test_a_damaged_memory_file_is_ignored(tmp_path):
    memory.state_dir().mkdir(parents=True)
    (memory.state_dir() / memory.STATE_FILE).write_text("{not json")
    async with fake_app(tmp_path).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert pilot.app.screen.preset == "topics-ko-lstm"


async def test_palette_commands_reach_presets_datasets_runs_and_screens(tmp_path):
    run = make_run_folder(tmp_path, "digits-mlp", [{"epoch": 1, "loss": 1.0, "val_loss": 1.0}])
    app = fake_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"preset: seattle-gru")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        setup = app.screen
        assert isinstance(setup, SetupScreen) and setup.preset == "seattle-gru"
        assert setup.dataset == "seattle-temps"

        await pilot.press("ctrl+p")
        await pilot.press(*"dataset: lines-ko")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        table = setup.query_one("#datasets", DataTable)
        assert setup.dataset == "lines-ko" and table.cursor_row == table.get_row_index("lines-ko")

        await pilot.press("ctrl+p")
        await pilot.press(*"screen: runs")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RunsScreen)
        commands = [name for name, _, _ in SeqtuiCommands(app.screen).commands()]
        assert f"Run: {run.name}" in commands


async def test_palette_reads_the_run_folders_once_per_opening_not_per_letter(tmp_path, monkeypatch):
    from seqtui.core.runs import listing as run_list

    run = make_run_folder(tmp_path, "digits-mlp", [{"epoch": 1, "loss": 1.0, "val_loss": 1.0}])
    listings = []
    original = run_list.list_runs
    monkeypatch.setattr(run_list, "list_runs", lambda root: listings.append(root) or original(root))
    app = fake_app(tmp_path)
    opened = []

    async def open_for_prediction(path):
        opened.append(path)

    app.open_for_prediction = open_for_prediction
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"run: digits")
        await settle(pilot)
        assert len(listings) == 1
        await pilot.press("enter")
        await settle(pilot)
        assert [p.name for p in opened] == [run.name]
