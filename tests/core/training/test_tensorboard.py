"""TensorBoard event files, read back with TensorBoard's own reader: per-epoch and per-batch scalars, the
model as text, the settings in the HParams plugin, and --no-tensorboard."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from seqtui.cli.main import app
from seqtui.core.config.run_config import RunConfig
from seqtui.core.training.events import BatchEnded, EpochEnded, RunEnded, RunStarted
from seqtui.core.training.tensorboard_log import TENSORBOARD_DIR, TensorBoardLog, hparams_of, layers_markdown

pytest.importorskip("tensorboard")
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # noqa: E402
from tensorboard.plugins.hparams import plugin_data_pb2  # noqa: E402


def read(logdir: Path) -> EventAccumulator:
    acc = EventAccumulator(str(logdir), size_guidance={"scalars": 0, "tensors": 0})
    acc.Reload()
    return acc


def scalars(acc: EventAccumulator, tag: str) -> list[tuple[int, float]]:
    return [(e.step, round(e.value, 5)) for e in acc.Scalars(tag)]


def hparams_data(acc: EventAccumulator, tag: str) -> plugin_data_pb2.HParamsPluginData:
    content = acc.PluginTagToContent("hparams")[tag]
    return plugin_data_pb2.HParamsPluginData.FromString(content)


def test_a_real_run_writes_what_tensorboard_reads(tmp_path):
    runs = tmp_path / "runs"
    result = CliRunner().invoke(app, ["train", "--preset", "series-rnn", "--epochs", "3", "--batch-size", "64",
                                      "--json", "--runs-dir", str(runs)])  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    epochs = [e for e in lines if e["event"] == "epoch_end"]
    end = lines[-1]
    acc = read(Path(end["run_dir"]) / TENSORBOARD_DIR)
    tags = acc.Tags()["scalars"]
    assert {"epoch/loss", "epoch/val_loss", "epoch/mae", "epoch/val_mae", "test/mae", "test/loss"} <= set(
        tags
    )
    assert any(t.startswith("batch/") for t in tags)
    # the numbers are the run's own: the ones history.csv and the JSON events have
    assert scalars(acc, "epoch/val_loss") == [(e["epoch"], round(e["logs"]["val_loss"], 5)) for e in epochs]
    assert scalars(acc, "test/mae") == [(3, round(end["test_metrics"]["mae"], 5))]
    model_text = acc.Tensors("model/text_summary")[0].tensor_proto.string_val[0].decode()
    assert "simple_rnn" in model_text and "parameters" in model_text
    start = hparams_data(acc, "_hparams_/session_start_info").session_start_info
    assert start.hparams["preset"].string_value == "series-rnn"
    assert start.hparams["train.epochs"].number_value == 3
    assert start.hparams["model.arch"].string_value == "simple_rnn"
    experiment = hparams_data(acc, "_hparams_/experiment").experiment
    assert "epoch/val_mae" in {m.name.tag for m in experiment.metric_infos}
    ended = hparams_data(acc, "_hparams_/session_end_info").session_end_info
    assert ended.status == 1  # STATUS_SUCCESS

    result = CliRunner().invoke(app, ["train", "--preset", "series-rnn", "--epochs", "1", "--no-tensorboard",
                                      "--json", "--runs-dir", str(runs)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert not (Path(json.loads(result.stdout.splitlines()[-1])["run_dir"]) / TENSORBOARD_DIR).exists()


def test_batches_are_throttled_and_a_broken_writer_never_stops_the_run(tmp_path, monkeypatch):
    seen = []
    log = TensorBoardLog(seen.append, tmp_path, RunConfig(preset="x"), None, max_batch_per_s=0.001)
    log(RunStarted(str(tmp_path), "x", 2, 0, 10, 100, 5, "multiclass", "accuracy"))
    for step in range(1, 11):
        log(BatchEnded(1, step, 10, {"loss": 1.0 / step}, 100.0))
    log(EpochEnded(1, 2, {"loss": 0.5}, 1.0, 100.0))
    log(RunEnded("interrupted", str(tmp_path), 1))
    acc = read(tmp_path / TENSORBOARD_DIR)
    assert scalars(acc, "batch/loss") == [(1, 1.0)]  # the first batch, then nothing for 1000 s
    assert scalars(acc, "epoch/loss") == [(1, 0.5)]
    ended = hparams_data(acc, "_hparams_/session_end_info")
    assert ended.HasField("session_end_info") and ended.session_end_info.status == 0  # STATUS_UNKNOWN
    assert len(seen) == 13  # every event still reaches the run's own observer

    seen.clear()
    log = TensorBoardLog(seen.append, tmp_path / "b", RunConfig(preset="x"), None)
    log(RunStarted(str(tmp_path), "x", 2, 0, 10, 100, 5, "multiclass", "accuracy"))
    monkeypatch.setattr(log.writer, "add_scalar", lambda *a, **k: (_ for _ in ()).throw(OSError("disk full")))
    log(EpochEnded(1, 2, {"loss": 0.5}, 1.0, 100.0))
    log(EpochEnded(2, 2, {"loss": 0.4}, 1.0, 100.0))
    log(RunEnded("completed", str(tmp_path), 2, {"loss": 0.4}))
    warnings = [e for e in seen if getattr(e, "level", "") == "warning"]
    assert len(warnings) == 1 and "disk full" in warnings[0].message
    assert [type(e).__name__ for e in seen] == [
        "RunStarted",
        "LogMessage",
        "EpochEnded",
        "EpochEnded",
        "RunEnded",
    ]
    assert log.writer is None


def test_hparams_are_the_flattened_settings():
    params = hparams_of(RunConfig(preset="imdb-lstm"))
    assert params["preset"] == "imdb-lstm" and params["model.units"] == RunConfig().model.units
    assert all(isinstance(v, (str, int, float, bool)) for v in params.values())


def test_the_setting_reads_on_off_and_rejects_anything_else(monkeypatch):
    from seqtui.core.config.settings import Settings, SettingsError

    for value, on in [("0", False), ("off", False), ("False", False), (" no ", False), ("1", True), ("", True),
                      ("true", True), ("YES", True), ("on", True)]:  # fmt: skip
        monkeypatch.setenv("SEQTUI_TENSORBOARD", value)
        assert Settings.from_env().tensorboard is on
    monkeypatch.setenv("SEQTUI_TENSORBOARD", "maybe")
    with pytest.raises(SettingsError, match="give 1 \\(on\\) or 0 \\(off\\)"):
        Settings.from_env()


@pytest.mark.parametrize(("status", "code"), [("completed", 1), ("failed", 2), ("diverged", 2)])
def test_tensorboard_marks_a_diverged_or_failed_run_as_a_failure(tmp_path, status, code):
    seen = []
    log = TensorBoardLog(seen.append, tmp_path, RunConfig(preset="x"), None)
    log(RunStarted(str(tmp_path), "x", 2, 0, 10, 100, 5, "multiclass", "accuracy"))
    log(EpochEnded(1, 2, {"loss": float("nan")}, 1.0, 100.0))
    log(RunEnded(status, str(tmp_path), 1))
    ended = hparams_data(read(tmp_path / TENSORBOARD_DIR), "_hparams_/session_end_info")
    assert ended.session_end_info.status == code  # STATUS_SUCCESS 1, STATUS_FAILURE 2
    assert [type(e).__name__ for e in seen] == ["RunStarted", "EpochEnded", "RunEnded"]  # no warning


def test_the_model_text_is_a_markdown_table_tensorboard_renders():
    from markdown_it import MarkdownIt

    table = {
        "total_params": 1234,
        "layers": [
            {"name": "embedding", "type": "Embedding", "output_shape": [None, 8, 4], "params": 1200,
             "formula": "300 x 4"},
            {"name": "dense", "type": "Dense", "output_shape": [None, 1], "params": 34},
        ],
    }  # fmt: skip
    html = MarkdownIt("commonmark").enable("table").render(layers_markdown(table))
    assert "<strong>1,234 parameters</strong>" in html and html.count("<tr>") == 3
    assert "<td>embedding</td>\n<td>Embedding</td>\n<td>(None, 8, 4)</td>" in html
    assert '<td style="text-align:right">1,200</td>' in html  # the params column is right-aligned
    assert "<td>300 x 4</td>" in html  # the layer's arithmetic, where it has one


def test_batch_scalars_come_at_most_max_batch_per_s_a_second(tmp_path, monkeypatch):
    from types import SimpleNamespace

    from seqtui.core.training import tensorboard_log

    now = [0.0]
    monkeypatch.setattr(tensorboard_log, "time", SimpleNamespace(monotonic=lambda: now[0]))
    log = TensorBoardLog(lambda event: None, tmp_path, RunConfig(preset="x"), None, max_batch_per_s=2.0)
    log(RunStarted(str(tmp_path), "x", 1, 0, 10, 100, 5, "multiclass", "accuracy"))
    for step in range(1, 10):  # a batch every quarter second
        now[0] = (step - 1) * 0.25
        log(BatchEnded(1, step, 10, {"loss": float(step)}, 100.0))
    log(RunEnded("completed", str(tmp_path), 1))
    assert [s for s, _ in scalars(read(tmp_path / TENSORBOARD_DIR), "batch/loss")] == [1, 3, 5, 7, 9]
