"""The app's pieces without a running app: downsampling, run progress and ETA, token view, the bridge."""

from __future__ import annotations

import sys
import threading

import pytest

from seqtui.core.training.events import BatchEnded, EpochEnded, LogMessage, RunEnded, RunStarted
from seqtui.datasets.base import TextEncoder
from seqtui.datasets.tokenizer import Tokenizer, TokenView
from seqtui.tui.live_run import LiveRun, clock
from seqtui.tui.messages import BatchDone, EpochDone, LogLine, MessageBridge, TrainingEnded, TrainingStarted
from seqtui.tui.widgets.chart import downsample
from seqtui.tui.widgets.prob_bars import bar
from seqtui.tui.widgets.token_strip import TokenInfo, token_text


def test_downsample_keeps_at_most_limit_points_the_last_exact_and_skips_nan():
    xs = list(range(1000))
    ys = [float(x) for x in xs]
    ys[10] = float("nan")
    out_x, out_y = downsample(xs, ys, 50)
    assert len(out_x) == 50 and out_x[-1] == 999 and out_y[-1] == 999.0
    assert all(a < b for a, b in zip(out_x, out_x[1:], strict=False))
    assert downsample([1, 2], [3.0, 4.0], 50) == ([1, 2], [3.0, 4.0])


def test_live_run_tracks_progress_best_epoch_and_time_left():
    run = LiveRun.started(RunStarted("r", "demo", 4, 0, 10, 1000, 5, "binary", "accuracy"))
    assert run.seconds_left == float("inf") and run.step == 0  # no batch done yet: not "10/10"
    run.batch(BatchEnded(1, 3, 10, {"loss": 0.9, "accuracy": 0.4}, 50.0))
    assert run.seconds_left == float("inf")  # the first batches' pace includes graph tracing: no ETA yet
    run.batch(BatchEnded(1, 4, 10, {"loss": 0.8, "accuracy": 0.4}, 400.0))
    run.batch(BatchEnded(1, 5, 10, {"loss": 0.7, "accuracy": 0.5}, 500.0))
    assert run.batch_x == [0.3, 0.4, 0.5]
    assert run.seconds_left == 0.5 * 2 + 3 * 2  # 1000 samples at 500/s = 2 s/epoch
    run.epoch_end(EpochEnded(1, 4, {"loss": 0.6, "val_loss": 0.65}, 4.0, 250.0, best=True))
    assert run.best_epoch == 1 and run.seconds_left == 3 * 4.0
    assert (run.batch_x, run.batch_loss) == ([1.0], [0.6])  # the finished epoch: its own value only
    assert run.curve("val_loss") == ([1], [0.65]) and clock(3725) == "1:02:05" and clock(65) == "1:05"


def test_token_text_marks_unknown_words_padding_and_cuts_without_colour():
    tokens = [TokenView("오늘", 5, True), TokenView("주가가", 1, False)]
    text = token_text(TokenInfo(tokens, 2, 5, "pre", "pre")).plain
    assert text.startswith("[cut 2 at the front] [pad 0 x3] 오늘:5 ?주가가:1(oov)")
    assert "1 unknown" in text and "3 padding zeros (pre)" in text
    assert bar(0.5, 4) == "██  " and bar(0.5, 1) == "▌"


def test_bridge_wraps_each_event_and_posts_it_from_the_calling_thread():
    """post_message is thread-safe and does not wait for the UI: the bridge must call it right away, in the
    training thread (call_from_thread would run it in the UI's thread and block training)."""
    posted: list[tuple[object, int]] = []

    class Target:
        def post_message(self, message):
            posted.append((message, threading.get_ident()))
            return True

    bridge = MessageBridge(Target())  # type: ignore[arg-type]
    started = RunStarted("r", "demo", 2, 0, 10, 100, 5, "binary", "accuracy")
    epoch = EpochEnded(1, 2, {"loss": 0.5}, 1.0, 100.0, best=True)
    events = [started, BatchEnded(1, 1, 10, {}, 1.0), epoch, LogMessage("hi"), RunEnded("completed", "r", 1)]
    idents: list[int] = []

    def train() -> None:
        idents.append(threading.get_ident())
        for event in [*events, "not an event"]:
            bridge(event)  # type: ignore[arg-type]

    worker = threading.Thread(target=train)
    worker.start()
    worker.join()
    kinds = [TrainingStarted, BatchDone, EpochDone, LogLine, TrainingEnded]
    assert [type(m) for m, _ in posted] == kinds  # anything else is dropped
    assert [m.event for m, _ in posted] == events
    assert {ident for _, ident in posted} == set(idents)


def test_a_resumed_run_starts_with_its_best_epoch_from_history():
    history = [{"epoch": 1, "val_loss": 0.5}, {"epoch": 2, "val_loss": 0.3}, {"epoch": 3, "val_loss": 0.4}]
    run = LiveRun.started(RunStarted("r", "demo", 5, 3, 10, 100, 5, "binary", "accuracy"), history)
    assert run.best_epoch == 2 and "best epoch 2 (val_loss 0.3000)" in run.best_text()
    assert run.curve("val_loss") == ([1, 2, 3], [0.5, 0.3, 0.4])


def test_the_token_view_counts_the_tokens_cut_by_maxlen():
    encoder = TextEncoder(Tokenizer.fit(["one two three four five six seven"]), maxlen=4)
    tokens, cut = encoder.view("one two three four five six seven")
    assert cut == 3 and [t.text for t in tokens] == ["four", "five", "six", "seven"]  # 'pre': the front goes
    post = TextEncoder(encoder.tokenizer, maxlen=4, truncating="post")
    tokens, cut = post.view("one two three four five six seven")
    assert cut == 3 and [t.text for t in tokens] == ["one", "two", "three", "four"]
    assert encoder.view("one two")[1] == 0


def test_resource_line_adds_the_gpu_when_nvml_answers(monkeypatch):
    import types

    from seqtui.tui.resources import ResourceMonitor

    fake = types.SimpleNamespace(
        nvmlInit=lambda: None,
        nvmlDeviceGetCount=lambda: 1,
        nvmlDeviceGetHandleByIndex=lambda i: "gpu0",
        nvmlDeviceGetUtilizationRates=lambda h: types.SimpleNamespace(gpu=42),
        nvmlDeviceGetMemoryInfo=lambda h: types.SimpleNamespace(used=3 * 2**30, total=80 * 2**30),
    )
    monkeypatch.setitem(sys.modules, "pynvml", fake)
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    assert ResourceMonitor().sample().endswith(" · GPU 42% 3.0/80.0 GiB")

    def broken() -> None:
        raise RuntimeError("NVML Shared Library Not Found")

    monkeypatch.setattr(fake, "nvmlInit", broken)
    assert "GPU" not in ResourceMonitor().sample()  # no driver: the line just leaves the GPU out


class FakeNvml:
    """pynvml (its names) for three GPUs with handles "h0".."h2", and a MIG instance known by its UUID."""

    UUIDS = ("GPU-1a2b3c4d-0000", "GPU-1a2b9999-1111", "GPU-77ff0000-2222")

    def __init__(self, uuid_bytes: bool = False) -> None:
        self.uuid_bytes = uuid_bytes

    def nvmlDeviceGetCount(self) -> int:
        return len(self.UUIDS)

    def nvmlDeviceGetHandleByIndex(self, index: int) -> str:
        if not 0 <= index < len(self.UUIDS):
            raise ValueError("NVML_ERROR_INVALID_ARGUMENT")
        return f"h{index}"

    def nvmlDeviceGetUUID(self, handle: str) -> str | bytes:
        uuid = self.UUIDS[int(handle[1:])]
        return uuid.encode() if self.uuid_bytes else uuid

    def nvmlDeviceGetHandleByUUID(self, uuid: str) -> str:
        if uuid == "MIG-5e6f":
            return "mig"
        raise ValueError("NVML_ERROR_NOT_FOUND")


@pytest.mark.parametrize(
    ("visible", "handle"),
    [
        (None, "h0"),  # unset: CUDA's GPU 0
        ("2", "h2"),
        ("1,0", "h1"),  # the first entry is the GPU the process uses
        (" 2 , 0", "h2"),
        ("GPU-77ff0000-2222", "h2"),
        ("GPU-77ff,GPU-1a2b3c4d", "h2"),  # a prefix that fits one GPU, as CUDA takes it
        ("GPU-1a2b3c4d-0000", "h0"),
        ("GPU-1A2B3C4D-0000", "h0"),
        ("MIG-5e6f", "mig"),
        ("GPU-1a2b", None),  # fits two GPUs: CUDA refuses it
        ("GPU-dead", None),
        ("3", None),  # no such GPU here: CUDA sees none
        ("-1", None),
        ("", None),
    ],
)
def test_the_resource_line_reads_the_gpu_cuda_visible_devices_names_first(visible, handle):
    from seqtui.tui.resources import first_visible_gpu

    assert first_visible_gpu(FakeNvml(), visible) == handle
    assert first_visible_gpu(FakeNvml(uuid_bytes=True), visible) == handle


def test_the_resource_monitor_opens_the_gpu_cuda_visible_devices_names(monkeypatch):
    from seqtui.tui.resources import ResourceMonitor

    nvml = FakeNvml()
    nvml.nvmlInit = lambda: None
    monkeypatch.setitem(sys.modules, "pynvml", nvml)
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "GPU-77ff0000-2222,0")
    assert ResourceMonitor().gpu == "h2"
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    assert ResourceMonitor().gpu is None


def test_chart_axes_are_round_and_smoothing_starts_at_the_first_value():
    from seqtui.tui.widgets.chart import epoch_ticks, nice_ticks, smoothed

    ticks = nice_ticks(0.94, 2.42)
    steps = {round(b - a, 9) for a, b in zip(ticks, ticks[1:], strict=False)}
    assert ticks[0] <= 0.94 and ticks[-1] >= 2.42 and steps == {0.5}  # evenly spaced round values
    assert epoch_ticks(0, 120, 10) == [0, 20, 40, 60, 80, 100, 120]  # whole epochs, never 59.8
    assert epoch_ticks(0, 3, 10) == [0, 1, 2, 3]
    assert smoothed([1.0, 0.0, 0.0]) == [1.0, pytest.approx(0.375), pytest.approx(0.1836734)]


def test_help_names_every_screen_key_and_every_screen():
    from seqtui.tui.app import SCREENS_BY_KEY, SeqtuiApp
    from seqtui.tui.screens.help import HELP

    for binding in SeqtuiApp.BINDINGS:
        if binding.key.startswith("f") and binding.key[1:].isdigit():
            assert f"`{binding.key.upper()}` {binding.description}" in HELP
    assert f"`1`-`{len(SCREENS_BY_KEY)}`" in HELP
    for title in ("Setup", "Train", "Predict", "Runs", "Compare", "Sweep"):
        assert f"## {title}" in HELP


def test_the_app_colours_a_why_strip_like_the_cli():
    """One colour rule (seqtui.render.explanations.importance_colour) for `predict --explain` and the app's strip."""
    from seqtui.core.inference.explain import TextExplanation
    from seqtui.datasets.tokenizer import TokenView
    from seqtui.render.explanations import explanation_strip
    from seqtui.tui.widgets.explanation import importance_text

    words, importance = ["good", "not", "the"], [0.4, -0.2, 0.001]
    expl = TextExplanation([TokenView(w, i, True) for i, w in enumerate(words, 2)], "pos", 0.8, importance,
                           [0.5, 0.6, 0.8], [[0.5], [0.6], [0.8]])  # fmt: skip
    app_text, cli_text = importance_text(expl), explanation_strip(words, importance)
    assert cli_text.plain in app_text.plain and "good^ not^ the " not in app_text.plain
    assert "good^ notv the " in app_text.plain
    offset = app_text.plain.index(cli_text.plain)
    app_styles = [
        (s.start - offset, s.end - offset, str(s.style)) for s in app_text.spans if s.start >= offset
    ]
    assert [(s.start, s.end, str(s.style)) for s in cli_text.spans] == app_styles[: len(cli_text.spans)]
