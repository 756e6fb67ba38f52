"""A large table (issue 27, item 6): its cost is said before it is read, a read that would not fit in the
memory this process may take is refused with what to do, and `--limit` reads it as it goes, never the whole
file into memory. Real multi-MB files; the memory limit is a real `ulimit -v` on a real process."""

from __future__ import annotations

import random
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from seqtui.datasets import read_cost, tables
from seqtui.datasets.config import DataConfig
from seqtui.datasets.files import load_table
from seqtui.datasets.tables import open_table

MIB = 1 << 20


def write_reviews(path: Path, mib: float, seed: int = 0) -> int:
    """A label-sorted CSV of `mib` MiB: short 'reviews' of made-up words and a few Korean ones."""
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(3000)] + ["좋은", "영화", "배우"]
    lines = []
    size = 0
    while size < mib * MIB:
        line = " ".join(rng.choices(words, k=rng.randint(5, 30))) + ",\n"
        lines.append(line)
        size += len(line.encode())
    half = len(lines) // 2
    text = "".join(row.replace(",\n", ",neg\n") for row in lines[:half]) + "".join(
        row.replace(",\n", ",pos\n") for row in lines[half:]
    )
    path.write_text("review,label\n" + text, encoding="utf-8")
    return len(lines)


SMALLER = 2 * MIB
"""The streaming and estimate thresholds (16 MiB) lowered for these tests, so a 12 MiB file stands for a
large one and the tests take seconds."""


@pytest.fixture(autouse=True)
def lower_thresholds(monkeypatch):
    monkeypatch.setattr(tables, "STREAM_BYTES", SMALLER)
    monkeypatch.setattr(read_cost, "SAY_BYTES", SMALLER)


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory) -> tuple[Path, int]:
    path = tmp_path_factory.mktemp("big") / "reviews.csv"
    rows = write_reviews(path, 12)
    return path, rows


def _peak_growth(path: Path, limit: int | None, stream_bytes: int) -> tuple[int, str]:
    """How much a fresh process's memory (RSS, sampled every 5 ms) grows at most while it loads `path`, and
    what it loaded."""
    code = textwrap.dedent(f"""
        import threading, psutil
        from pathlib import Path
        from seqtui.datasets import read_cost, tables
        from seqtui.datasets.config import DataConfig
        from seqtui.datasets.files import load_table
        tables.STREAM_BYTES = read_cost.SAY_BYTES = {stream_bytes}
        me, peak, done = psutil.Process(), [0], threading.Event()
        before = me.memory_info().rss
        def watch():
            while not done.wait(0.005):
                peak[0] = max(peak[0], me.memory_info().rss)
        watcher = threading.Thread(target=watch)
        watcher.start()
        ds = load_table(tables.open_table(Path({str(path)!r})), DataConfig(sample_limit={limit}))
        done.set()
        watcher.join()
        print(peak[0] - before, len(ds.x_train), ds.class_names, [n for n in ds.notes if "labelled rows" in n])
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    grown, _, loaded = done.stdout.strip().partition(" ")
    return int(grown), loaded


def test_limit_reads_a_large_table_as_it_goes_in_bounded_memory(big_csv):
    path, rows = big_csv
    size = path.stat().st_size
    streamed, loaded = _peak_growth(path, 300, SMALLER)
    held, _ = _peak_growth(path, 300, 10 * size)  # the same file read whole, as before
    # Held whole, the text alone is the file twice (bytes, then str): 92 MiB of growth for 12 MiB here; read
    # as it goes, what stays is the sample and a hash per row (to find duplicates): 15 MiB
    assert held > 2 * size and streamed < 0.3 * held, (streamed / MIB, held / MIB)
    assert streamed < 1.5 * size, (streamed / MIB, held / MIB)
    assert loaded.startswith("600 ['neg', 'pos']")  # sampled from the whole file, a label-sorted one
    assert f"of the {rows:,} labelled rows" in loaded


def test_the_estimate_is_said_before_reading_and_is_close(big_csv, monkeypatch):
    path, rows = big_csv
    said: list[str] = []
    with read_cost.on_estimate(said.append):
        ds = load_table(open_table(path), DataConfig(sample_limit=300))
    [line] = said
    cost = read_cost.estimate(open_table(path), DataConfig(sample_limit=300))
    assert abs(cost.rows - rows) < 0.05 * rows  # rows from the size and the head's bytes per row
    assert f"about {cost.rows:,} rows of" in line and "keeping" in line and "of memory" in line
    assert ds.notes[0] == line
    full = read_cost.estimate(open_table(path), DataConfig())
    assert (
        full.kept == full.rows and full.memory > 20 * path.stat().st_size
    )  # tokens cost many times the text


def test_a_read_beyond_the_memory_limit_is_refused_and_limit_fits(big_csv):
    """A process whose address space is capped (`ulimit -v`) 300 MB above what it uses: reading the whole
    table (about 330 MB) is refused with the advice; --limit 300 reads it within the cap."""
    path, _ = big_csv
    code = textwrap.dedent(f"""
        import resource, psutil
        from pathlib import Path
        from seqtui.datasets import read_cost, tables
        from seqtui.datasets.config import DataConfig
        from seqtui.datasets.errors import DataError
        from seqtui.datasets.files import load_table
        from seqtui.datasets.tables import open_table
        tables.STREAM_BYTES = read_cost.SAY_BYTES = {SMALLER}
        used = psutil.Process().memory_info().vms
        resource.setrlimit(resource.RLIMIT_AS, (used + 300 * 2**20, resource.RLIM_INFINITY))
        path = Path({str(path)!r})
        try:
            load_table(open_table(path), DataConfig())
        except DataError as exc:
            print("refused:", exc)
        ds = load_table(open_table(path), DataConfig(sample_limit=300))
        print("limited:", len(ds.x_train))
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert "refused: reviews.csv: 13.0 MB, about" in done.stdout, done.stdout + done.stderr
    assert "free. Read a sample with --limit N" in done.stdout and "or use a smaller file" in done.stdout
    assert "limited: 600" in done.stdout, done.stderr


def test_a_streamed_table_reports_a_bad_line_as_the_text_reader_does(tmp_path, monkeypatch):
    """The hostile rows of the in-memory reader, through the streamed one: the same messages."""
    path = tmp_path / "quotes.csv"
    path.write_text(
        'text,label\n"fine, quoted",pos\nok,neg\n"never closed,pos\nmore,neg\nrows,pos\n', encoding="utf-8"
    )
    messages = []
    for stream in (10**9, 0):
        monkeypatch.setattr(tables, "STREAM_BYTES", stream)
        with pytest.raises(tables.DataError) as raised:
            list(open_table(path).rows())
        messages.append(str(raised.value))
    assert messages[0] == messages[1] and "line 4: a double quote" in messages[0]
    bad = tmp_path / "bad.csv"
    bad.write_bytes("text,label\n좋은 영화,pos\n".encode() + b"caf\xe9,neg\n")
    with pytest.raises(tables.DataError, match=r"bad.csv, line 3: not valid utf-8"):
        open_table(bad, "utf-8")
