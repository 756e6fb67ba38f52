"""How much slower is training inside the app than headless? Same preset, same config, same process.

Headless: `seqtui.core.training.runner.train` with an observer that does nothing. In the app: the real app (real
runner, charts, progress, log) driven headless by `App.run_test`, the run started as Setup's ctrl+s does.
Both measure samples/s from the engine's own EpochEnded events, skipping the first epoch (graph tracing),
alternating which goes first so background load hits both alike. It also reports the UI thread's CPU
time during training (as a share of one core), the cost that does not depend on the machine's load. The batch-event rate is the default (5/s).

    .venv/bin/python bench/tui_overhead.py --preset topics-en-lstm --epochs 4 --repeats 3
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.pop("SEQTUI_BATCH_EVENTS_PER_S", None)  # the default rate, as a user gets it

from seqtui.core.config.presets import get_preset  # noqa: E402
from seqtui.core.config.run_config import RunConfig, with_overrides  # noqa: E402
from seqtui.core.training.events import EpochEnded, Event, RunEnded  # noqa: E402


def epoch_rates(events: list[Event]) -> list[float]:
    return [e.samples_per_s for e in events if isinstance(e, EpochEnded)][1:]


def headless(config: RunConfig, root: Path) -> float:
    from seqtui.core.training import runner

    events: list[Event] = []
    end = runner.train(config, events.append, threading.Event(), runs_dir=root)
    assert end.status == "completed", end.message
    return statistics.mean(epoch_rates(events))


class TeeRunner:
    """The real runner, with the events also kept for measuring (a list append per event)."""

    def __init__(self) -> None:
        from seqtui.tui.services import EngineRunner

        self.inner = EngineRunner()
        self.events: list[Event] = []
        self.ui_clock = time.pthread_getcpuclockid(threading.main_thread().ident)  # the UI's event loop
        self.marks: list[tuple[float, float]] = []
        """(wall, UI thread CPU seconds) at each epoch end."""

    @property
    def ui_share(self) -> float:
        """UI thread CPU time / wall time between the first and the last epoch end."""
        (w0, c0), (w1, c1) = self.marks[0], self.marks[-1]
        return (c1 - c0) / (w1 - w0)

    def train(self, config: RunConfig, observer: Any, cancel: threading.Event, runs_dir: Path) -> RunEnded:
        def both(event: Event) -> None:
            self.events.append(event)
            if isinstance(event, EpochEnded):
                self.marks.append((time.perf_counter(), time.clock_gettime(self.ui_clock)))
            observer(event)

        return self.inner.train(config, both, cancel, runs_dir)


async def in_app(config: RunConfig, root: Path, size: tuple[int, int]) -> tuple[float, int, float]:
    from seqtui.tui.launch import make_app

    runner = TeeRunner()
    app = make_app(runs_dir=root, runner=runner)  # type: ignore[arg-type]
    async with app.run_test(size=size) as pilot:
        await app.start_training(config)
        train = app.train_screen
        while train.ended is None:  # not pilot.pause(): it pings every widget, which a user's app never does
            await asyncio.sleep(0.2)
        await pilot.pause()
        assert train.ended.status == "completed", train.ended.message
        draws = train.query_one("#loss-chart").draws
    return statistics.mean(epoch_rates(runner.events)), draws, runner.ui_share


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="topics-en-lstm")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--limit", type=int, default=None, help="sample_limit for a quicker run")
    parser.add_argument("--size", default="100x30", help="terminal size of the app, e.g. 80x24")
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))
    config = with_overrides(get_preset(args.preset).config, epochs=args.epochs, patience=0,
                            sample_limit=args.limit)  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        warm = with_overrides(config, epochs=2)
        headless(warm, root)  # imports, first graph tracing
        rows: list[tuple[float, float, int, float]] = []
        for i in range(args.repeats):
            t0 = time.perf_counter()
            if i % 2:  # alternate the order, so a drift in background load hits both sides alike
                a, draws, ui = asyncio.run(in_app(config, root, size))  # type: ignore[arg-type]
                h = headless(config, root)
            else:
                h = headless(config, root)
                a, draws, ui = asyncio.run(in_app(config, root, size))  # type: ignore[arg-type]
            rows.append((h, a, draws, ui))
            print(f"round {i + 1}: headless {h:,.0f} samples/s, in app {a:,.0f} samples/s, ratio {a / h:.3f}, "
                  f"UI thread {ui:.1%} of a core, {draws} loss-chart draws, {time.perf_counter() - t0:.0f}s",
                  flush=True)  # fmt: skip
    h_med = statistics.median(r[0] for r in rows)
    a_med = statistics.median(r[1] for r in rows)
    ratios = [r[1] / r[0] for r in rows]
    ui_med = statistics.median(r[3] for r in rows)
    print(f"\npreset {args.preset}, {args.epochs} epochs, batch {config.train.batch_size}, app {args.size}, "
          f"{os.cpu_count()} CPUs, {platform.platform()}, Python {sys.version.split()[0]}")  # fmt: skip
    print(f"median headless {h_med:,.0f} samples/s | median in app {a_med:,.0f} samples/s | "
          f"ratio of medians {a_med / h_med:.3f} | per-round ratios {', '.join(f'{r:.3f}' for r in ratios)} | "
          f"UI thread {ui_med:.1%} of a core")  # fmt: skip


if __name__ == "__main__":
    main()
