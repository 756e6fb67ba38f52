"""What reading a large table will cost, said before it is read: rows from the file's size and its first rows'
bytes, time from a read rate measured on those rows, memory from what the readers keep of each row.

A 200 MB CSV used to train with no word at 5 GB of memory, still in its first epoch after minutes. Now a
table above `SAY_BYTES` gets one line (through the hook a door sets with `on_estimate`, and as the dataset's
first note), and a table whose reading would need more memory than the machine has free is refused with what
to do (`--limit N` reads a sample, and never holds the whole file).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from seqtui.datasets.base import is_number
from seqtui.datasets.config import DataConfig
from seqtui.datasets.errors import DataError
from seqtui.datasets.row_limits import classification_rows, series_rows
from seqtui.datasets.table_source import TableSource
from seqtui.datasets.text_files import read_head

SAY_BYTES = 16 << 20
"""Tables above this size get the estimate line; smaller ones load in seconds."""
SAMPLE_ROWS = 2000
"""Rows walked (and timed) from the head of the file."""
TEXT_MEMORY = 26.0
"""Bytes of memory per byte of text a classification table keeps: the rows, their tokens as Python strings
and the padded id arrays (measured with tracemalloc: 4 MiB of reviews peaked at 106 MiB)."""
SERIES_MEMORY = 4.0
"""The same for a numeric series (float64 rows, their float32 copy, the normalised copy)."""
WINDOW_BUDGET = 1 << 30
"""A series' windows are kept under this (`series.WINDOW_BUDGET_BYTES`)."""
ROW_OVERHEAD = 64
"""Bytes per row of the whole file that any classification read keeps: the hash that finds duplicates."""
PASSES = 3
"""Times a table is walked: its encoding checked, its columns profiled, its rows read."""

Hook = Callable[[str], None]
_HOOK: ContextVar[Hook | None] = ContextVar("seqtui_read_estimate", default=None)


@contextlib.contextmanager
def on_estimate(hook: Hook) -> Iterator[None]:
    """Within this block, the estimate line of a large table goes to `hook` before the table is read."""
    token = _HOOK.set(hook)
    try:
        yield
    finally:
        _HOOK.reset(token)


@dataclass(frozen=True)
class ReadEstimate:
    size: int
    rows: int
    bytes_per_row: float
    seconds: float
    memory: int
    kept: int
    """Rows the readers keep (all of them, or what --limit samples)."""

    def line(self, name: str) -> str:
        kept = f", keeping {self.kept:,} of them" if self.kept < self.rows else ""
        return (
            f"{name}: {_bytes(self.size)}, about {self.rows:,} rows of {self.bytes_per_row:.0f} bytes{kept}; "
            f"reading it takes about {_duration(self.seconds)} and {_bytes(self.memory)} of memory"
        )


def _bytes(n: float) -> str:
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n:.0f} bytes"


def _duration(seconds: float) -> str:
    return f"{seconds / 60:.0f} min" if seconds >= 120 else f"{max(1, round(seconds))} s"


def _looks_numeric(sample: list[list[str]]) -> bool:
    cells = [c for row in sample for c in row[1:] if c.strip()]
    return bool(cells) and sum(map(is_number, cells)) >= 0.9 * len(cells)


def estimate(source: TableSource, config: DataConfig) -> ReadEstimate:
    """The cost of reading `source` as `config` asks (its --limit), from its size and its first rows."""
    size = source.path.stat().st_size
    began = time.perf_counter()
    sample = source.sample(SAMPLE_ROWS)
    per_row = (time.perf_counter() - began) / max(1, len(sample))
    head = read_head(source.path, 1 << 20)
    lines = max(1, head.count(b"\n") - 1)  # the header's line is not a row
    bytes_per_row = len(head) / lines if len(head) < size else size / max(1, len(sample))
    rows = max(len(sample), round(size / max(bytes_per_row, 1.0)))
    series = bool(config.target_column) or (not config.text_column and _looks_numeric(sample))
    wanted = series_rows(config) if series else classification_rows(config, own_test=False)
    kept = rows if wanted is None else min(rows, wanted)
    if series:
        memory = kept * bytes_per_row * SERIES_MEMORY + min(WINDOW_BUDGET, kept * bytes_per_row * 16)
    else:
        memory = kept * bytes_per_row * TEXT_MEMORY + rows * ROW_OVERHEAD
    seconds = rows * per_row * PASSES + (kept * per_row * 10 if not series else 0)  # + tokenising the kept
    return ReadEstimate(size, rows, bytes_per_row, seconds, int(memory), kept)


def available_memory() -> int:
    """What this process can still take: the machine's free memory, or less where a limit says so (a
    `ulimit -v` on the address space, a container's or a SLURM job's cgroup)."""
    import psutil

    free = int(psutil.virtual_memory().available)
    try:
        import resource

        limit = resource.getrlimit(resource.RLIMIT_AS)[0]
        if limit != resource.RLIM_INFINITY:
            free = min(free, limit - psutil.Process().memory_info().vms)
    except (ImportError, OSError, ValueError):
        pass
    try:
        with open("/sys/fs/cgroup/memory.max") as most, open("/sys/fs/cgroup/memory.current") as used:
            cap = most.read().strip()
            if cap.isdigit():
                free = min(free, int(cap) - int(used.read().strip()))
    except (OSError, ValueError):
        pass
    return max(0, free)


def check_read_cost(source: TableSource, config: DataConfig) -> str | None:
    """For a table above SAY_BYTES: its estimate line, said through the hook before reading (None for a
    smaller table); DataError when reading it would need more memory than is free."""
    if source.path.stat().st_size <= SAY_BYTES:
        return None
    cost = estimate(source, config)
    line = cost.line(source.path.name)
    free = available_memory()
    if cost.memory > free:
        raise DataError(
            f"{line}, but {_bytes(free)} is free. Read a sample with --limit N (e.g. --limit 20000: the rows "
            "are sampled from the whole file while reading, never held whole), or use a smaller file"
        )
    hook = _HOOK.get()
    if hook is not None:
        hook(line)
    return line
