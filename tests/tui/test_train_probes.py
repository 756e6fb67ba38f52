"""Train with probes and gradient flow: a line per probe with its answer and sparkline, the flipped one
marked, one line of answers where there is no room, the flow pane's per-layer lines and its plain sentence,
and a resumed run's earlier epochs read from probes.jsonl."""

from __future__ import annotations

import json

import pytest
from textual.widgets import ContentSwitcher, Static

from seqtui.core.config.run_config import RunConfig, with_overrides
from seqtui.core.runs.folder import RunFolder
from seqtui.core.training.probing import PROBES_FILE
from seqtui.render.probes import probe_tracks, sparkline
from seqtui.tui.launch import make_app
from seqtui.tui.widgets.chart import MetricChart
from seqtui.tui.widgets.probe_panel import ProbePanel
from tests.tui_fakes import FakeRunner, fake_summary, fake_watch, make_run_folder, plain

PROBES = ("hello there, how are you", "비가 오겠습니다")
CONFIG = with_overrides(RunConfig(preset="topics-en-lstm"), dataset="topics-en", epochs=4, probes=PROBES)


def fake_app(runs_dir, runner):
    return make_app(runs_dir=runs_dir, runner=runner, engine_loader=lambda: "fake", summarizer=fake_summary)


def test_sparklines_and_flips_follow_the_answers():
    assert sparkline([0.0, 0.3, 0.99, 1.0]) == "▁▃██"
    rows = [{"epoch": e, **fake_watch(PROBES, e)} for e in (1, 2, 3, 4)]
    first, second = probe_tracks(rows)
    assert first.answers == ["weather", "weather", "greeting", "greeting"]
    assert first.last_flip() == (3, "weather") and second.last_flip() is None
    assert first.curve()[2:] == pytest.approx([0.75, 0.9])  # the current answer's probability, epoch by epoch


async def test_probes_and_gradient_flow_on_train(tmp_path):
    app = fake_app(tmp_path, FakeRunner(epochs=4, steps=2))
    async with app.run_test(size=(120, 40)) as pilot:
        assert await app.start_training(CONFIG)
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.train_screen
        lines = plain(screen.query_one(ProbePanel)).splitlines()
        assert len(lines) == 2
        assert lines[0].startswith('↺ "hello there, how are you" greeting 0.90 ')
        assert lines[0].endswith("was weather at 3")
        assert lines[1].startswith('  "비가 오겠습니다" stocks 0.50 ▅▅▅▅')
        await pilot.press("g")
        assert screen.query_one("#bottom", ContentSwitcher).current == "flow"
        chart = screen.query_one("#flow-chart", MetricChart)
        assert set(chart.series) == {"embedding", "lstm", "dense"} and chart.log_y
        assert chart.series["lstm"].ys[-1] == fake_watch(PROBES, 4)["grad_norms"]["lstm"]
        notes = plain(screen.query_one("#flow-notes", Static))
        assert notes.startswith("lstm's gradient is 3.9 orders of magnitude below dense's")
        assert any(line.startswith("gradient flow: lstm's gradient") for line in screen.log_lines)
    app = fake_app(tmp_path, FakeRunner(epochs=4, steps=2))
    async with app.run_test(size=(80, 24)) as pilot:  # no room: the current answers on one line
        assert await app.start_training(CONFIG)
        await app.workers.wait_for_complete()
        await pilot.pause()
        line = plain(app.train_screen.query_one(ProbePanel))
        assert line == "probes: ↺hello there, ho… greeting 0.90 · 비가 오겠습니다 stocks 0.50"
        assert "\n" not in line


async def test_a_resumed_run_shows_its_earlier_probes(tmp_path):
    history = [{"epoch": 1, "loss": 1.0, "accuracy": 0.5, "val_loss": 1.0, "val_accuracy": 0.5}]
    run = make_run_folder(tmp_path, "resumed", history)
    (run / PROBES_FILE).write_text(json.dumps({"epoch": 1, **fake_watch(PROBES, 1)}) + "\n", encoding="utf-8")
    runner = FakeRunner(epochs=2, steps=2)
    app = fake_app(tmp_path, runner)
    async with app.run_test(size=(120, 40)) as pilot:
        assert await app.continue_run(run, 2)  # the fake runner sends no probes: the panel shows epoch 1's
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert RunFolder(run).read_history()[0]["epoch"] == 1
        assert (
            plain(app.train_screen.query_one(ProbePanel))
            .splitlines()[0]
            .startswith('  "hello there, how are you" weather 0.45 ▄')
        )
