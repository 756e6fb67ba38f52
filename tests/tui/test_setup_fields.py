"""Setup's fields follow the architecture and the kind of data; the arithmetic counts what Keras counts; the
learning-rate finder, the run name and the notify target reach the run."""

from __future__ import annotations

import math
import threading

import pytest
from textual.widgets import Input, Select, Static

from seqtui.core.config.validation import validate
from seqtui.core.training.lr_finder import LRFinding, RangeTest
from seqtui.tui.screens.lr_finder import LRFinderDialog
from seqtui.tui.setup_form import SHAPE_NAMES, config_from_form, unused_reason
from seqtui.tui.widgets.layer_summary import LayerSummary
from tests.tui.test_setup import fake_app, message, type_into, valid_form
from tests.tui_fakes import FakeRunner, plain, settle, until


def shown(screen, name: str) -> bool:
    return screen.query_one(f"#row-{name}").display


def test_each_field_says_why_a_model_does_not_read_it():
    assert unused_reason("units", "cnn2d", "image") == "not used by cnn2d"
    assert unused_reason("maxlen", "lstm", "series") == "not used: a series has no tokens"
    assert unused_reason("layers", "conv1d", "tokens") == "not used by conv1d"
    assert unused_reason("pool_size", "conv1d", "tokens") == "not used by conv1d"
    assert unused_reason("lookback", "lstm", "tokens").startswith("not used")
    for name, arch, kind in (("units", "lstm", "tokens"), ("conv_kernel", "cnn_lstm", "tokens"),
                             ("dense_units", "cnn2d", "image"), ("step", "gru", "series"),
                             ("maxlen", "lstm", "auto")):  # fmt: skip
        assert unused_reason(name, arch, kind) is None, name


def test_a_field_the_model_does_not_read_neither_blocks_nor_changes_the_config():
    base = fake_app.__globals__["SetupScreen"]().base
    config, problems = config_from_form(base, valid_form(units="abc", conv_filters="16", dense_units="0"),
                                        "digits", "cnn2d", None)  # fmt: skip
    assert [p.field for p in problems] == ["dense_units"]  # units means nothing to cnn2d; dense units does
    config, problems = config_from_form(base, valid_form(conv_filters="16", dense_units="32"), "digits", "cnn2d",
                                        None)  # fmt: skip
    assert problems == [] and (config.model.conv_filters, config.model.dense_units) == (16, 32)
    assert config.model.units == base.model.units


def test_series_fields_are_checked_by_the_clis_validation():
    base = fake_app.__globals__["SetupScreen"]().base
    config, problems = config_from_form(base, valid_form(lookback="10", step="20", delay="3"), "seattle-temps",
                                        "gru", None)  # fmt: skip
    expected = [p for p in validate(config) if p.field == "step"]
    assert expected and [p for p in problems if p.field == "step"] == expected
    assert "must not exceed lookback 10" in expected[0].message


async def test_switching_to_cnn2d_disables_units_and_shows_filters(tmp_path):
    app = fake_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        screen.choose_preset("digits-mlp")
        await pilot.pause()
        assert not screen.query_one("#units", Input).disabled and not shown(screen, "conv_filters")
        screen.query_one("#arch", Select).value = "cnn2d"
        await pilot.pause()
        assert screen.query_one("#units", Input).disabled
        assert message(screen, "units") == "not used by cnn2d"
        assert shown(screen, "conv_filters") and shown(screen, "dense_units")
        assert not shown(screen, "conv_kernel") and not shown(screen, "lookback")
        await type_into(pilot, screen, "conv_filters", "0")
        assert message(screen, "conv_filters") == "✗ must be a whole number above 0 (got 0)"
        await type_into(pilot, screen, "conv_filters", "8")
        await type_into(pilot, screen, "dense_units", "16")
        assert screen.config is not None and screen.config.model.conv_filters == 8
        screen.select_dataset("seattle-temps")  # a series: its window, no tokens
        screen.query_one("#arch", Select).value = "gru"
        await pilot.pause()
        assert [n for n in SHAPE_NAMES if shown(screen, n)] == ["lookback", "step", "delay"]
        assert screen.query_one("#maxlen", Input).disabled and not shown(screen, "maxlen")
        assert message(screen, "maxlen") == "not used: a series has no tokens"


async def test_start_lists_every_problem_at_once(tmp_path):
    app = fake_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        await type_into(pilot, screen, "units", "0")
        await type_into(pilot, screen, "epochs", "x")
        screen.query_one("#label", Input).value = "\x01"  # no visible character: as --name checks it
        await pilot.press("ctrl+s")
        await pilot.pause()
        toast = [n.message for n in app._notifications][-1]
        lines = toast.splitlines()
        assert lines[0].startswith("Fix 3 problems first: units:")
        assert lines[1].startswith("✗ epochs: must be a whole number") and lines[2].startswith("✗ label:")


@pytest.mark.slow  # imports Keras (8-20 s on a loaded 2-core machine)
async def test_the_arithmetic_total_is_what_keras_counts(tmp_path):
    """The real summarizer (no Keras) and its formulas against the model Keras builds."""
    from seqtui.core.model.summary import model_summary
    from seqtui.tui.services import build_summary

    app = fake_app(tmp_path, summarizer=build_summary)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        screen.choose_preset("topics-en-lstm")
        await pilot.pause()
        screen.query_one("#arch", Select).value = "cnn_lstm"
        await pilot.pause()
        for name, value in (("conv_filters", "6"), ("conv_kernel", "3"), ("pool_size", "2"), ("units", "5")):
            await type_into(pilot, screen, name, value)
        summary = screen.query_one("#summary", LayerSummary)
        keras_total = model_summary(screen.config)["total_params"]
        await until(pilot, lambda: f"total {keras_total:,} parameters" in plain(summary), timeout=10)
        text = plain(summary)
        assert "Input: (None, 20), no weights" in text
        assert "kernel x in_channels x filters + filters" in text and "= 3 x 64 x 6 + 6 = 1,158" in text
        assert "MaxPooling1D: 0 (no weights)" in text and "formulas sum" not in text


def made_up_finding() -> LRFinding:
    """A range test's record over a loss that falls then explodes: RangeTest works out the suggestion."""
    test = RangeTest(batches=50)
    batch = 0
    while test.record(batch, 2.0 - math.tanh(batch / 10) if batch < 40 else 50.0):
        batch += 1
    return LRFinding(test, "adam", 32, None)


async def test_the_found_rate_goes_into_the_field_only_when_taken(tmp_path):
    asked: list = []

    def finder(config, cancel: threading.Event) -> LRFinding:
        asked.append(config)
        return made_up_finding()

    app = fake_app(tmp_path, lr_finder=finder)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        await until(pilot, lambda: app.engine_ready)
        await pilot.press("ctrl+l")
        await until(pilot, lambda: isinstance(app.screen, LRFinderDialog))
        assert asked == [screen.config]
        suggestion = made_up_finding().test.suggestion
        assert "suggested learning rate" in plain(app.screen.query_one("#lr-summary", Static))
        await pilot.press("n")
        await pilot.pause()
        assert screen.query_one("#learning_rate", Input).value == ""  # kept
        await pilot.press("ctrl+p", *"find a learning", "enter")  # the command palette's entry
        await until(pilot, lambda: isinstance(app.screen, LRFinderDialog))
        assert len(asked) == 2
        await pilot.press("y")
        await pilot.pause()
        assert screen.query_one("#learning_rate", Input).value == f"{suggestion:.2g}"
        assert screen.config.train.learning_rate == float(f"{suggestion:.2g}")


@pytest.mark.slow  # imports Keras and trains 200 batches
async def test_the_real_range_test_runs_off_the_ui_thread_and_sets_the_field(tmp_path):
    from seqtui.tui.services import load_engine

    app = fake_app(tmp_path, engine_loader=load_engine)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        screen.choose_preset("digits-mlp")
        await pilot.pause()
        for name, value in (("units", "8"), ("sample_limit", "300"), ("batch_size", "16")):
            await type_into(pilot, screen, name, value)
        await until(pilot, lambda: app.engine_ready, timeout=60)
        await pilot.press("ctrl+l")
        await until(pilot, lambda: isinstance(app.screen, LRFinderDialog), timeout=60)
        finding = app.screen.finding
        assert len(finding.test.rates) > 10 and finding.test.suggestion is not None
        await pilot.press("y")
        await pilot.pause()
        assert screen.query_one("#learning_rate", Input).value == f"{finding.test.suggestion:.2g}"


async def test_run_name_and_notify_reach_the_run(tmp_path):
    out = tmp_path / "told.txt"
    runner = FakeRunner(epochs=1, steps=1)
    app = fake_app(tmp_path, runner=runner)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        await type_into(pilot, screen, "label", "주제 분류 첫 실험")
        field = screen.query_one("#notify", Input)
        field.value = f'printf "%s %s" "$SEQTUI_KIND" "$SEQTUI_STATUS" > {out}'
        await pilot.pause()
        assert message(screen, "notify") == "→ printf"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: out.exists() and out.read_text() != "", timeout=15)
        await settle(pilot)
        assert runner.calls[0][1].label == "주제 분류 첫 실험"
        assert out.read_text() == "run completed"
    again = fake_app(tmp_path)
    async with again.run_test(size=(100, 30)) as pilot:  # remembered like the other settings
        assert again.screen.query_one("#notify", Input).value == field.value


async def test_a_webhooks_secrets_are_never_shown(tmp_path):
    app = fake_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        field = screen.query_one("#notify", Input)
        field.value = "https://me:hunter2secret@ntfy.example/topic"
        await pilot.pause()
        assert field.password  # the box shows dots
        assert message(screen, "notify") == "→ https://me:***@ntfy.example/topic"  # the password as ***
        field.value = "https:///no-host"
        await pilot.pause()
        assert message(screen, "notify").startswith("✗ https:///no-host: a webhook URL needs a host")
        field.value = "https://ntfy.sh/plain-topic"
        await pilot.pause()
        assert not field.password
