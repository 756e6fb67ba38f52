"""Test doubles for the app's services: a runner that replays scripted epochs, a prediction session and a
model summary without TensorFlow, and run folders written the way the engine writes them."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from seqtui.core.config.presets import PRESETS
from seqtui.core.config.run_config import RunConfig
from seqtui.core.inference.predict import Forecast
from seqtui.core.runs.folder import METRICS, RunFolder, atomic_write_json
from seqtui.core.training.events import BatchEnded, EpochEnded, LogMessage, Observer, RunEnded, RunStarted
from seqtui.datasets.base import TextEncoder
from seqtui.datasets.images import mnist_like
from seqtui.datasets.tokenizer import Tokenizer
from seqtui.tui.widgets.token_strip import TokenInfo

CLASSES = ["greeting", "weather", "stocks"]
FAKE_CONFUSION = [[5, 1, 0], [0, 6, 1], [1, 0, 7]]


def fake_watch(probes: tuple[str, ...], epoch: int) -> dict[str, Any]:
    """Scripted probes (the first flips from weather to greeting at epoch 3) and gradient norms (the lstm's
    collapses by more than three orders of magnitude below the dense layer's by epoch 4)."""
    if not probes:
        return {}
    records = []
    for n, probe in enumerate(probes):
        p = min(0.95, 0.3 + 0.15 * epoch) if n == 0 else 0.4 + 0.1 * n
        top = "greeting" if n == 0 and epoch >= 3 else CLASSES[(n + 1) % len(CLASSES)]
        rest = [c for c in CLASSES if c != top]
        probs = {top: p, rest[0]: (1 - p) * 0.6, rest[1]: (1 - p) * 0.4}
        records.append({"probe": probe, "kind": "text", "answer": top, "probabilities": probs})
    norms = {"embedding": 0.2 / epoch, "lstm": 0.5 * 10.0 ** (1 - 1.2 * epoch), "dense": 0.6}
    return {"probes": records, "grad_norms": norms}


class FakeRunner:
    """Replays `epochs` epochs of `steps` batches. With `hold`, it waits after the first epoch until
    cancelled (for Stop tests); with `error`, it raises before starting; with `fail`, it ends failed."""

    def __init__(
        self,
        epochs: int = 3,
        steps: int = 4,
        hold: bool = False,
        error: Exception | None = None,
        fail: str | None = None,
        task: str = "multiclass",
    ) -> None:
        self.epochs, self.steps, self.hold, self.error, self.fail, self.task = (
            epochs,
            steps,
            hold,
            error,
            fail,
            task,
        )
        self.calls: list[tuple[str, Any]] = []
        self.probes: tuple[str, ...] = ()
        """The probes of the run it replays: each epoch's event then carries scripted answers."""
        self.holding = threading.Event()

    def train(
        self, config: RunConfig, observer: Observer, cancel: threading.Event, runs_dir: Path, callbacks=()
    ) -> RunEnded:
        self.calls.append(("train", config))
        self.probes = tuple(config.train.probes) + tuple(Path(p).name for p in config.train.probe_images)
        return self._run(
            config.name, observer, cancel, Path(runs_dir) / f"fake-{config.name}", 0, self.epochs
        )

    def resume(
        self, run_dir: Path, observer: Observer, cancel: threading.Event, epochs: int | None
    ) -> RunEnded:
        self.calls.append(("resume", (run_dir, epochs)))
        done = len(RunFolder(run_dir).read_history())
        return self._run(Path(run_dir).name, observer, cancel, Path(run_dir), done, epochs or self.epochs)

    def _run(self, name: str, observer: Observer, cancel: threading.Event, run_dir: Path, first: int,
             epochs: int) -> RunEnded:  # fmt: skip
        if self.error is not None:
            raise self.error
        run_dir.mkdir(parents=True, exist_ok=True)
        monitor = "mae" if self.task == "regression" else "accuracy"
        observer(RunStarted(str(run_dir), name, epochs, first, self.steps, 400, 1234, self.task, monitor))
        observer(LogMessage("fake data loaded"))
        done = first
        for epoch in range(first + 1, epochs + 1):
            for step in range(1, self.steps + 1):
                if cancel.is_set():
                    return self._end(observer, "interrupted", run_dir, done, "stopped by request")
                logs = {"loss": 1.0 / (epoch + step / self.steps), monitor: 0.5 + 0.1 * epoch}
                observer(BatchEnded(epoch, step, self.steps, logs, 1000.0))
            logs = {"loss": 1.0 / epoch, monitor: 0.5 + 0.1 * epoch, "val_loss": 0.9 / epoch + (0.3 if epoch == 3 else 0),
                    f"val_{monitor}": 0.45 + 0.1 * epoch}  # fmt: skip
            watch = fake_watch(self.probes, epoch)
            observer(EpochEnded(epoch, epochs, logs, 0.4, 1000.0, best=epoch != 3, **watch))
            done = epoch
            if self.hold and epoch == first + 1:
                self.holding.set()
                deadline = time.monotonic() + 20
                while not cancel.is_set() and time.monotonic() < deadline:
                    time.sleep(0.01)
        if self.fail:
            return self._end(observer, "failed", run_dir, done, self.fail)
        return self._end(observer, "completed", run_dir, done, "")

    def _end(self, observer: Observer, status: str, run_dir: Path, done: int, message: str) -> RunEnded:
        completed = status == "completed" and self.task != "regression"
        end = RunEnded(
            status,  # type: ignore[arg-type]
            str(run_dir),
            done,
            {"loss": 0.3, "accuracy": 0.9} if completed else {},
            message,
            FAKE_CONFUSION if completed else None,
            CLASSES if completed else [],
        )
        observer(end)
        return end


def fake_summary(config: RunConfig) -> dict[str, Any]:
    """layer_table's answer for Embedding -> SimpleRNN -> Dense, computed by hand."""
    m, d = config.model, config.data
    n, u = m.embedding_dim, m.units
    rnn = (n + u) * u + u
    layers = [
        {"name": "embedding", "type": "Embedding", "output_shape": ["None", d.maxlen, n], "params": d.vocab_size * n},
        {"name": "simple_rnn", "type": "SimpleRNN", "output_shape": ["None", u], "params": rnn,
         "formula": f"({n} + {u}) x {u} + {u} = {rnn:,}"},
        {"name": "dense", "type": "Dense", "output_shape": ["None", 3], "params": u * 3 + 3},
    ]  # fmt: skip
    return {"total_params": sum(row["params"] for row in layers), "layers": layers}


class FakeSession:
    """A PredictSession with a real tokenizer and keyword rules instead of a model."""

    def __init__(self, mode: str = "text", run_dir: Path = Path("runs/fake")) -> None:
        self.mode = mode
        self.run_dir = run_dir
        texts = [
            "hello there how are you",
            "the weather is nice today",
            "stocks are up today",
            "안녕 오늘 날씨",
        ]
        self.encoder = TextEncoder(Tokenizer.fit(texts), maxlen=6)
        self.class_names = CLASSES if mode == "text" else [str(i) for i in range(10)]
        self.joiner = " "
        self.images: list[np.ndarray] = []
        self.texts: list[str] = []

    def first_mistake(self) -> Any:
        """A scripted first validation mistake: a sentence, or a digit (a vertical bar) for a digit model."""
        from seqtui.core.inference.first_mistake import Missed

        if self.mode == "text":
            return Missed(4, "weather", "stocks", text="비 오는 날 주가가 내렸다")
        pixels = np.zeros((28, 28), dtype="uint8")
        pixels[4:24, 13:15] = 255
        return Missed(7, "1", "7", pixels=pixels)

    @staticmethod
    def _scores(words: set[str]) -> list[float]:
        scores = [1 + 5 * bool(words & {"hello", "안녕"}), 1 + 5 * bool(words & {"weather", "날씨"}),
                  1 + 5 * bool(words & {"stocks", "주가가"})]  # fmt: skip
        return [s / sum(scores) for s in scores]

    def classify_text(self, text: str) -> list[tuple[str, float]]:
        self.texts.append(text)
        scores = self._scores(set(text.lower().split()))
        return sorted(zip(CLASSES, scores, strict=True), key=lambda kv: -kv[1])

    def explain_text(self, text: str):
        """The real occlusion code over the keyword rules (read back from the ids) instead of a model."""
        from seqtui.core.inference.explain import explain_text

        words = lambda row: set(self.encoder.tokenizer.decode(row))  # noqa: E731
        predict = lambda x: np.array([self._scores(words(row)) for row in x])  # noqa: E731
        return explain_text(predict, self.encoder, text, CLASSES)

    def explain_image(self, prepared: np.ndarray):
        """The real occlusion code over a rule: the more ink in the middle columns, the likelier a 1."""
        from seqtui.core.inference.explain import explain_image
        from seqtui.datasets.base import ImageEncoder

        def predict(x: np.ndarray) -> np.ndarray:
            middle = x[:, :, 12:16].reshape(len(x), -1).mean(axis=1)
            one = np.minimum(0.95, 0.3 + 2 * middle)
            return np.stack([1 - one] + [one] + [np.zeros(len(x))] * 8, axis=1)

        return explain_image(predict, ImageEncoder(), prepared, [str(i) for i in range(10)])

    def tokens(self, text: str) -> TokenInfo:
        tokens, cut = self.encoder.view(text)
        return TokenInfo(tokens, cut, self.encoder.maxlen, "pre", "pre")

    def classify_image(self, pixels: np.ndarray) -> tuple[list[tuple[str, float]], np.ndarray]:
        self.images.append(pixels.copy())
        prepared = mnist_like(pixels, invert=False)
        rows, cols = np.nonzero(pixels)
        tall = (rows.max() - rows.min() + 1) > 2 * (cols.max() - cols.min() + 1)
        best = "1" if tall else "0"
        ranked = [(best, 0.8)] + [(str(i), 0.2 / 9) for i in range(10) if str(i) != best]
        return ranked, prepared

    def generate(self, seed: str, words: int, temperature: float) -> str:
        return " ".join(["말이"] * words)

    def forecast(self) -> Forecast:
        real = [float(np.sin(i / 5)) for i in range(120)]
        return Forecast(real, [v * 0.9 for v in real], 0.05, 0.2, "temp")

    def test_answers(self):
        """The fake runner's matrix ([[5, 1, 0], [0, 6, 1], [1, 0, 7]]) as answers on 21 test sentences, each
        cell's examples from 0.9 down in steps of 0.08 (the digits mode: 21 drawn bars as test images)."""
        from seqtui.core.inference.inspect_mistakes import TestAnswers
        from seqtui.datasets.base import ImageEncoder

        sentences = [
            "hello there how are you",
            "the weather is nice today",
            "stocks are up today",
            "안녕 오늘 날씨",
        ]
        probs, true = [], []
        for t, row in enumerate(FAKE_CONFUSION):
            for p, count in enumerate(row):
                for k in range(count):
                    top = 0.9 - 0.08 * k  # 0.42 at the 7th: still the largest of the three
                    probs.append([top if c == p else (1 - top) / 2 for c in range(3)])
                    true.append(t)
        if self.mode == "digits":
            images = np.zeros((len(true), 28, 28, 1), dtype="float32")
            for i in range(len(true)):
                images[i, 4:24, 8 + i % 12 : 11 + i % 12] = 1.0
            return TestAnswers(np.array(probs), np.array(true), images, ImageEncoder(), self.class_names)
        x = self.encoder.encode([sentences[i % 4] for i in range(len(true))])
        return TestAnswers(np.array(probs), np.array(true), x, self.encoder, self.class_names)


def make_run_folder(root: Path, name: str, history: list[dict[str, float]], status: str = "completed",
                    test: dict[str, float] | None = None, model: bool = True) -> Path:  # fmt: skip
    """A run folder as the engine leaves it (config, run.json, history, metrics, a model file)."""
    folder = RunFolder.create(root, name)
    preset = PRESETS[name].config if name in PRESETS else RunConfig(preset=name)  # as a real run saves it
    folder.write_config(preset, {"task": "multiclass", "class_names": CLASSES})
    folder.update_status(status=status, epochs=len(history) + 2, epochs_done=len(history),
                         started="2024-01-01T00:00:00+00:00", ended="2024-01-01T00:01:30+00:00", message="")  # fmt: skip
    folder.write_history(history)
    if test:
        atomic_write_json(folder.file(METRICS), test)
    if model:
        folder.file("model.keras").write_bytes(b"fake")
    return folder.path


def plain(widget: Any, width: int = 120) -> str:
    """A Static's content as plain text, whatever it holds (str, Rich Text, tables)."""
    from rich.console import Console

    content = widget.content
    if isinstance(content, str):
        return content
    if hasattr(content, "plain"):
        return content.plain
    console = Console(width=width, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(content)
    return console.export_text()


async def until(pilot: Any, predicate: Any, timeout: float = 15.0) -> None:
    """Let the app run until predicate() holds (a thread worker reached a point), or fail after timeout."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting for the app"
        await pilot.pause(0.05)


async def settle(pilot: Any, timeout: float = 15.0) -> None:
    """Wait for every worker to finish, failed ones included (wait_for_complete re-raises their errors)."""
    from textual.worker import WorkerState

    active = (WorkerState.PENDING, WorkerState.RUNNING)
    await until(pilot, lambda: not any(w.state in active for w in pilot.app.workers), timeout)
    await pilot.pause()
