"""Setup: validation beside each field as you type, presets, dataset status and fetching, the summary."""

from __future__ import annotations

import threading

from textual.widgets import DataTable, Input, Select, Static

from seqtui.datasets.errors import DataError
from seqtui.tui.launch import make_app
from seqtui.tui.screens.dialogs import ErrorDialog
from seqtui.tui.screens.setup import SetupScreen
from seqtui.tui.screens.train import TrainScreen
from seqtui.tui.setup_datasets import DatasetChooser
from seqtui.tui.setup_form import FIELDS, config_from_form
from seqtui.tui.widgets.field_row import FieldRow
from seqtui.tui.widgets.layer_summary import LayerSummary
from tests.tui_fakes import FakeRunner, fake_summary, plain, settle, until


def fake_app(runs_dir, **services):
    services.setdefault("runner", FakeRunner())
    services.setdefault("engine_loader", lambda: "fake engine")
    services.setdefault("summarizer", fake_summary)
    return make_app(runs_dir=runs_dir, **services)


def message(screen, name: str) -> str:
    return plain(screen.query_one(f"#msg-{name}", Static))


async def type_into(pilot, screen, name: str, text: str) -> None:
    field = screen.query_one(f"#{name}", Input)
    field.focus()
    field.value = ""
    await pilot.press(*text) if text else None
    await pilot.pause()


def test_build_config_reports_parse_and_range_problems_by_field():
    base = SetupScreen().base
    values = {spec.name: "" for spec in FIELDS} | {"maxlen": "abc", "units": "0", "epochs": "3", "batch_size": "8",
                                                    "vocab_size": "100", "embedding_dim": "8", "layers": "1",
                                                    "dropout": "1.5"}  # fmt: skip
    config, problems = config_from_form(base, values, "topics-en", "lstm", None)
    fields = {p.field: p.message for p in problems}
    assert fields["maxlen"].startswith("must be a whole number (got 'abc')")
    assert "above 0" in fields["units"] and "[0, 1)" in fields["dropout"]
    assert config.train.learning_rate is None and config.data.sample_limit is None  # blank optional fields


def valid_form(**changes: str) -> dict[str, str]:
    return {spec.name: "" for spec in FIELDS} | {"maxlen": "20", "units": "4", "epochs": "3", "batch_size": "8",
                                                 "vocab_size": "100", "embedding_dim": "8", "layers": "1",
                                                 "dropout": "0"} | changes  # fmt: skip


def test_the_form_reads_thousands_separators_in_whole_numbers():
    config, problems = config_from_form(SetupScreen().base, valid_form(vocab_size="10,000", maxlen="1_000"),
                                        "topics-en", "lstm", None)  # fmt: skip
    assert problems == []
    assert (config.data.vocab_size, config.data.maxlen) == (10_000, 1_000)


def test_the_form_checks_the_architecture_against_the_dataset():
    """Images need cnn2d or mlp (or rows as time steps); text can't go to cnn2d."""
    base = SetupScreen().base
    _, problems = config_from_form(base, valid_form(), "topics-en", "cnn2d", None)
    assert [p.field for p in problems] == ["arch"] and "cnn2d needs images" in problems[0].message
    _, problems = config_from_form(base, valid_form(), "digits", "conv1d", None)
    assert [p.field for p in problems] == ["arch"]
    for dataset, arch in (("topics-en", "lstm"), ("digits", "cnn2d"), ("digits", "lstm")):
        assert config_from_form(base, valid_form(), dataset, arch, None)[1] == [], (dataset, arch)


async def test_validation_messages_appear_beside_fields_as_you_type(tmp_path):
    app = fake_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, SetupScreen)
        await type_into(pilot, screen, "units", "x1")
        assert "must be a whole number" in message(screen, "units")
        assert screen.query_one("#row-units", FieldRow).has_class("-invalid")
        await type_into(pilot, screen, "units", "0")
        assert "above 0" in message(screen, "units")
        await type_into(pilot, screen, "dropout", "2")
        assert "[0, 1)" in message(screen, "dropout")
        await pilot.press("ctrl+s")  # refused: nothing starts while fields are wrong
        await pilot.pause()
        assert isinstance(app.screen, SetupScreen) and app.runner.calls == []
        await type_into(pilot, screen, "units", "16")
        await type_into(pilot, screen, "dropout", "0.2")
        assert message(screen, "units") == "" and message(screen, "dropout") == ""
        assert screen.config is not None and screen.config.model.units == 16
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, TrainScreen)
        kind, config = app.runner.calls[0]
        assert kind == "train" and config.model.units == 16 and config.model.dropout == 0.2


async def test_summary_shows_the_recurrent_arithmetic_and_presets_fill_the_form(tmp_path):
    """The real summarizer (Keras builds the model): the arithmetic is the engine's, not a fake's."""
    from seqtui.tui.services import build_summary

    app = fake_app(tmp_path, summarizer=build_summary)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        screen.query_one("#arch", Select).value = "simple_rnn"
        await pilot.pause()
        await type_into(pilot, screen, "embedding_dim", "3")
        await type_into(pilot, screen, "units", "4")
        await pilot.pause(0.4)  # the summary waits for a pause in typing
        await app.workers.wait_for_complete()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        summary = screen.query_one("#summary", LayerSummary)
        text = plain(summary)
        assert "(features + units) x units + units" in text
        assert "(3 + 4) x 4 + 4 = 32" in text  # SEEDS: 3 features, 4 units -> 32

        screen.query_one("#preset", Select).value = "digits-mlp"  # a preset is a starting point
        await pilot.pause()
        assert screen.dataset == "digits"
        assert screen.query_one("#units", Input).value == "512"
        assert str(screen.query_one("#arch", Select).value) == "mlp"
        assert screen.query_one("#maxlen", Input).disabled  # images have no maxlen
        table = screen.query_one("#datasets", DataTable)
        assert table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value == "digits"


async def test_the_summary_shows_before_the_engine_has_loaded(tmp_path):
    """The real summarizer computes the table without Keras: it appears while Keras is still loading."""
    from seqtui.tui.services import build_summary

    release = threading.Event()

    def loading_engine() -> str:
        release.wait(30)
        return "fake engine"

    app = fake_app(tmp_path, engine_loader=loading_engine, summarizer=build_summary)
    async with app.run_test(size=(100, 30)) as pilot:
        try:
            screen = app.screen
            screen.choose_preset("topics-en-lstm")
            summary = screen.query_one("#summary", LayerSummary)
            await until(pilot, lambda: "total 290,389 parameters" in plain(summary), timeout=5)
            assert not app.engine_ready  # the engine is still loading
            text = plain(summary)
            assert "4 x ((64 + 64) x 64 + 64) = 33,024" in text  # 64 embedded features, 64 units
            assert "Dense     (None, 21)" in text  # topics-en has 21 topics
        finally:
            release.set()
        await settle(pilot)
        assert app.engine_ready


async def test_dataset_needing_download_blocks_start_and_fetch_explains_offline(tmp_path):
    def offline(info):
        raise DataError(
            f"dataset {info.name!r} is not in Keras' cache and could not be downloaded (no network)"
        )

    app = fake_app(tmp_path, fetcher=offline)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        screen.select_dataset("imdb")
        await pilot.pause()
        assert "ctrl+g" in plain(screen.query_one("#other-problems", Static))
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.runner.calls == []
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert isinstance(app.screen, ErrorDialog)
        assert "could not be downloaded" in plain(app.screen.query_one("#error-message", Static))
        await pilot.press("escape")
        await pilot.pause()
        assert "could not be downloaded" in plain(screen.query_one("#fetch-message", Static))


def test_the_setup_screen_provides_what_dataset_fetching_uses():
    assert isinstance(SetupScreen(), DatasetChooser)


async def test_a_fetch_that_succeeds_says_the_dataset_is_ready_and_removes_its_bar(tmp_path):
    fetched = []

    def fetcher(info):
        fetched.append(info.name)
        return []

    app = fake_app(tmp_path, fetcher=fetcher)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        screen.select_dataset("imdb")
        await pilot.pause()
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert fetched == ["imdb"]
        assert plain(screen.query_one("#fetch-message", Static)) == "✓ imdb is in the cache: ready to train"
        assert not screen.query("#fetch-bar")
        table = screen.query_one("#datasets", DataTable)
        assert table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value == "imdb"


async def test_keys_and_messages_that_used_to_mislead(tmp_path):
    app = fake_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        screen.query_one("#datasets", DataTable).focus()
        await pilot.press("2")  # a digit meant for a field never leaves Setup
        await pilot.pause()
        assert app.screen is screen
        # a data file that does not exist is flagged as you type, and ctrl+s stays on Setup
        screen.query_one("#data_path", Input).focus()
        await pilot.press(*"/no/such/file.csv")
        await pilot.pause()
        assert screen.query_one("#data_path", Input).has_class("-invalid")
        assert "no file or folder '/no/such/file.csv'" in plain(screen.query_one("#other-problems", Static))
        # several problems: the first one on the screen is named (and focused), not the last
        await type_into(pilot, screen, "epochs", "x")
        await type_into(pilot, screen, "units", "0")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen
        toast = [n.message for n in app._notifications][-1]
        assert toast.startswith("Fix 3 problems first: data_path:")
        assert screen.focused is screen.query_one("#data_path", Input)
        # the focused field's whole message shows below the form (its row has room for one line)
        await type_into(pilot, screen, "units", "99999999999999999999")
        screen.query_one("#units", Input).focus()
        await pilot.pause()
        note = plain(screen.query_one("#field-note", Static))
        assert note.startswith("✗ units:") and "99" in note


async def test_the_tokenizer_choice_reaches_the_config_with_its_stopwords(tmp_path):
    from seqtui.datasets.morphemes import KOREAN_STOPWORDS

    app = fake_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        screen.query_one("#preset", Select).value = "topics-ko-lstm"
        await pilot.pause()
        tokenizer = screen.query_one("#tokenizer", Select)
        assert tokenizer.value == "morphemes" and not tokenizer.disabled
        assert screen.config.data.split == "morpheme" and screen.config.data.stopwords == KOREAN_STOPWORDS
        tokenizer.value = "characters"
        await pilot.pause()
        assert screen.config.data.split == "character" and screen.config.data.stopwords == ()
        screen.query_one("#preset", Select).value = "seattle-gru"
        await pilot.pause()
        assert screen.query_one("#tokenizer", Select).disabled  # a series has no tokens
