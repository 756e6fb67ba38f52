"""The run's events.jsonl: the lines of `train --json`, batch events throttled, whole lines from many threads,
a disk that refuses the file costing one warning. The observer is called directly (no Keras)."""

from __future__ import annotations

import io
import json
import threading

from seqtui.core.runs.follow import EVENTS
from seqtui.core.training.event_file import EventFile, event_line
from seqtui.core.training.events import (
    BatchEnded,
    EpochEnded,
    LogMessage,
    RunEnded,
    RunStarted,
    event_dict,
    event_from_dict,
)
from seqtui.render.reporters import JsonReporter

START = RunStarted(
    run_dir="runs/x", name="날씨-lstm", epochs=2, initial_epoch=0, steps_per_epoch=100,
    train_samples=3200, total_params=131, task="binary", monitor_metric="accuracy",
)  # fmt: skip


def batch(epoch: int, step: int) -> BatchEnded:
    return BatchEnded(epoch=epoch, step=step, steps=100, logs={"loss": 0.5}, samples_per_s=10.0)


def test_lines_are_those_of_train_json_and_pass_on(tmp_path):
    seen: list = []
    tee = EventFile(seen.append, tmp_path)
    events = [
        START,
        LogMessage("열 'text' 사용"),
        EpochEnded(epoch=1, epochs=2, logs={"loss": float("nan")}, seconds=1.0, samples_per_s=5.0),
        RunEnded(status="completed", run_dir="runs/x", epochs_done=1, test_metrics={"accuracy": 0.9}),
    ]
    for event in events:
        tee(event)
    printed = io.StringIO()
    for event in events:
        JsonReporter(printed)(event)
    assert seen == events
    assert (tmp_path / EVENTS).read_text(encoding="utf-8") == printed.getvalue()
    back = [event_from_dict(json.loads(line)) for line in printed.getvalue().splitlines()]
    assert back[:2] == events[:2] and back[3] == events[3]
    assert event_dict(back[2]) == event_dict(events[2])  # NaN came back as NaN


def test_batch_events_are_throttled_but_the_last_of_an_epoch_is_kept(tmp_path):
    tee = EventFile(lambda e: None, tmp_path, batch_lines_per_s=1.0)
    for step in range(1, 101):
        tee(batch(1, step))
    lines = [json.loads(line) for line in (tmp_path / EVENTS).read_text().splitlines()]
    assert [line["step"] for line in lines] == [1, 100]
    unthrottled = EventFile(lambda e: None, tmp_path / "all", batch_lines_per_s=1e9)
    (tmp_path / "all").mkdir()
    for step in range(1, 11):
        unthrottled(batch(1, step))
    assert len((tmp_path / "all" / EVENTS).read_text().splitlines()) == 10


def test_threads_write_whole_lines(tmp_path):
    tee = EventFile(lambda e: None, tmp_path)
    long = LogMessage("x" * 20000)

    def write() -> None:
        for _ in range(50):
            tee(long)

    threads = [threading.Thread(target=write) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lines = (tmp_path / EVENTS).read_bytes().split(b"\n")
    assert lines[-1] == b"" and len(lines) == 201
    assert all(line == event_line(long).rstrip(b"\n") for line in lines[:-1])


def test_a_file_that_cannot_be_written_costs_one_warning(tmp_path):
    seen: list = []
    tee = EventFile(seen.append, tmp_path / "gone")  # no such folder
    tee(START)
    tee(LogMessage("next"))
    assert seen[0] == START and seen[-1] == LogMessage("next")
    warnings = [e for e in seen if isinstance(e, LogMessage) and e.level == "warning"]
    assert len(warnings) == 1 and "seqtui watch" in warnings[0].message and tee.broken


def test_unknown_or_incomplete_dicts_are_not_events():
    assert event_from_dict({"event": "compare_end"}) is None
    assert event_from_dict({"event": "epoch_end", "epoch": 1}) is None
    assert event_from_dict({"event": "log", "message": "hi", "extra": 1}) == LogMessage("hi")
