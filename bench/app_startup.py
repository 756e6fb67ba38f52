"""How fast the app opens and closes, as a person sees it: the real `seqtui` in a pseudo-terminal.

First screen: from starting the process to the first frame that shows the Setup screen. Quit: from
pressing `q` (once Keras has loaded, the slow case) to the process having exited (the shell prompt back).
Median of `--repeats` launches, each with its own empty runs folder.

    .venv/bin/python bench/app_startup.py --repeats 5
"""

from __future__ import annotations

import argparse
import os
import pty
import select
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

SEQTUI = str(Path(sys.executable).with_name("seqtui"))


def read_until(fd: int, needle: bytes, timeout: float, seen: bytearray) -> bool:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.01)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                return False
            seen.extend(chunk)
            if needle in seen:
                return True
    return False


def one_launch() -> tuple[float, float, float]:
    """(seconds to the first Setup frame, seconds until Keras is ready, seconds from q to exit)."""
    runs = tempfile.mkdtemp(prefix="seqtui-bench-")
    env = dict(os.environ, SEQTUI_RUNS_DIR=runs, COLUMNS="80", LINES="24", TERM="xterm-256color")
    env["XDG_STATE_HOME"] = runs  # never the user's remembered setup
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(SEQTUI, [SEQTUI], env)
    seen = bytearray()
    try:
        assert read_until(fd, b"Setup", 60, seen), "no Setup screen"
        first = time.perf_counter() - start
        assert read_until(fd, b"ready:", 120, seen), "Keras never got ready"
        ready = time.perf_counter() - start
        time.sleep(0.5)
        pressed = time.perf_counter()
        os.write(fd, b"q")
        while True:
            read_until(fd, b"\x00never", 0.01, seen)  # keep the pty drained
            done, _status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
        quit_s = time.perf_counter() - pressed
    finally:
        os.close(fd)
        shutil.rmtree(runs, ignore_errors=True)
    return first, ready, quit_s


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    rows = [one_launch() for _ in range(args.repeats)]
    for name, values in zip(
        ("first screen", "Keras ready", "quit -> exit"), zip(*rows, strict=True), strict=True
    ):
        print(
            f"{name:13} median {statistics.median(values):.2f} s  (min {min(values):.2f}, max {max(values):.2f})"
        )
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
