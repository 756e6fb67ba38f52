"""How much does `--limit` save while reading? Synthetic fixtures in the layouts users bring (no real data):

  reviews.csv  `text,label`, 184,949 rows of 20-60 words, 3 classes, sorted by label (51 MB);
  series.csv   `date,temp,pressure,humidity`, 1,250,000 hourly rows (42 MB);
  aclImdb/     train/{pos,neg} and test/{pos,neg} with 5,000 small .txt files each (20,000 files, 20-250
               words) and a train/unsup/ folder that is left out, as in IMDB's real tree.

Each is loaded as `--data PATH --limit N` loads it (`load_dataset(DataConfig("file", data_path=...,
sample_limit=N))`) in a fresh Python process, interleaved, `--repeats` times; prints the median wall clock,
the largest peak RSS and the parts' sizes. To compare with an older seqtui, run the same command with that
checkout first on PYTHONPATH. Usage:
  python bench/limit_reading.py [--limit 200] [--repeats 3] [--only reviews,series,folder] [--dir DIR]
(--dir keeps the fixtures there for the next run; without it they go in a temporary folder.)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

CHILD = """
import json, resource, sys, time
from seqtui.datasets.config import DataConfig
from seqtui.datasets.registry import load_dataset
start = time.perf_counter()
ds = load_dataset(DataConfig("file", data_path=sys.argv[1], sample_limit=int(sys.argv[2]) or None))
seconds = time.perf_counter() - start
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
parts = [len(ds.x_train), len(ds.x_val), len(ds.x_test)]
print(json.dumps({"seconds": seconds, "rss_mb": rss, "parts": parts, "notes": ds.notes}))
"""


def _words(rng: random.Random, n: int) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return ["".join(rng.choice(letters) for _ in range(rng.randint(3, 9))) for _ in range(n)]


def write_reviews(path: Path, rows: int = 184_949) -> None:
    rng = random.Random(0)
    vocabulary = _words(rng, 20_000)
    classes = ("neg", "neu", "pos")
    with path.open("w", encoding="utf-8") as f:
        f.write("text,label\n")
        for c, label in enumerate(classes):  # sorted by label, as exports often are
            for _ in range(rows // 3 + (c < rows % 3)):
                f.write(" ".join(rng.choices(vocabulary, k=rng.randint(20, 60))) + f",{label}\n")


def write_series(path: Path, rows: int = 1_250_000) -> None:
    rng = random.Random(0)
    start = datetime(2000, 1, 1)
    with path.open("w", encoding="utf-8") as f:
        f.write("date,temp,pressure,humidity\n")
        for i in range(rows):
            stamp = (start + timedelta(hours=i)).strftime("%Y-%m-%d %H:%M")
            temp = 10 + 8 * ((i % 24) / 24) + rng.gauss(0, 1)
            f.write(f"{stamp},{temp:.2f},{1000 + rng.gauss(0, 5):.1f},{rng.uniform(20, 100):.1f}\n")


def write_folder(root: Path, per_class: int = 5_000) -> None:
    rng = random.Random(0)
    vocabulary = _words(rng, 20_000)
    for split in ("train", "test"):
        for label, ratings in (("pos", (7, 8, 9, 10)), ("neg", (1, 2, 3, 4))):
            folder = root / split / label
            folder.mkdir(parents=True)
            for i in range(per_class):
                text = " ".join(rng.choices(vocabulary, k=rng.randint(20, 250)))
                (folder / f"{i}_{rng.choice(ratings)}.txt").write_text(
                    text + "<br /><br />", encoding="utf-8"
                )
    unsup = root / "train" / "unsup"
    unsup.mkdir()
    for i in range(100):
        (unsup / f"{i}_0.txt").write_text("an unlabelled review", encoding="utf-8")


FIXTURES = {"reviews": ("reviews.csv", write_reviews), "series": ("series.csv", write_series),
            "folder": ("aclImdb", write_folder)}  # fmt: skip


def fixture(directory: Path, case: str) -> Path:
    name, write = FIXTURES[case]
    path = directory / name
    if not path.exists():
        partial = directory / f"partial-{name}"
        if partial.is_dir():
            shutil.rmtree(partial)  # left by a run that was stopped
        partial.unlink(missing_ok=True)
        write(partial)
        partial.rename(path)
    return path


def load_once(path: Path, limit: int) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), str(limit)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench(directory: Path, cases: list[str], limit: int, repeats: int) -> None:
    paths = {case: fixture(directory, case) for case in cases}
    runs: dict[str, list[dict]] = {case: [] for case in cases}
    for _ in range(repeats):
        for case in cases:
            runs[case].append(load_once(paths[case], limit))
    print(f"{platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}; --limit {limit or 'none'}, {repeats} runs each")  # fmt: skip
    for case in cases:
        seconds = statistics.median(r["seconds"] for r in runs[case])
        rss = max(r["rss_mb"] for r in runs[case])
        parts = "/".join(str(p) for p in runs[case][-1]["parts"])
        print(f"{case:8} {seconds:6.2f} s  {rss:5.0f} MB  train/val/test {parts}")
        for note in runs[case][-1]["notes"]:
            if note.startswith("--limit"):
                print(f"         {note}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--limit", type=int, default=200, help="0 loads everything")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", default="reviews,series,folder")
    parser.add_argument("--dir", type=Path, help="keep the fixtures here (made when missing)")
    args = parser.parse_args()
    cases = [c.strip() for c in args.only.split(",") if c.strip()]
    unknown = sorted(set(cases) - set(FIXTURES))
    if unknown:
        parser.error(f"unknown case(s) {', '.join(unknown)}; choose from {', '.join(FIXTURES)}")
    if args.dir:
        args.dir.mkdir(parents=True, exist_ok=True)
        bench(args.dir, cases, args.limit, args.repeats)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            bench(Path(tmp), cases, args.limit, args.repeats)


if __name__ == "__main__":
    main()
