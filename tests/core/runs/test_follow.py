"""Following a run's events.jsonl: whole lines only, the end told by run.json and the trainer's process, a
killed trainer told as `crashed`, a resume followed on past its first run_end, two followers at once. No Keras:
the trainer is this test writing the folder by hand (its process, alive, stands for the trainer's)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

from seqtui.core.runs.folder import RunFolder
from seqtui.core.runs.follow import EVENTS, Follower, parse_line


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def running_folder(tmp_path) -> RunFolder:
    folder = RunFolder.create(tmp_path, "demo")
    folder.mark_running(epochs=2, epochs_done=0)  # this process stands for the trainer
    return folder


def append(folder: RunFolder, *events: dict, raw: bytes = b"") -> None:
    with open(folder.file(EVENTS), "ab") as fh:
        fh.write(b"".join(json.dumps(e).encode() + b"\n" for e in events) + raw)


START = {"event": "run_start", "name": "demo", "epochs": 2}
EPOCH = [{"event": "epoch_end", "epoch": e, "logs": {"loss": 1.0 / e}} for e in (1, 2)]


def end(status: str) -> dict:
    return {"event": "run_end", "status": status, "epochs_done": 2}


def follow_in_thread(follower: Follower) -> tuple[threading.Thread, list[dict]]:
    seen: list[dict] = []
    thread = threading.Thread(target=lambda: seen.extend(follower.events()), daemon=True)
    thread.start()
    return thread, seen


def wait_until(check, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_a_follower_sees_every_line_as_it_comes_and_ends_with_the_run(tmp_path):
    folder = running_folder(tmp_path)
    first, second = Follower(folder, poll_s=0.01), Follower(folder, poll_s=0.01)  # two watchers of one run
    (t1, seen1), (t2, seen2) = follow_in_thread(first), follow_in_thread(second)
    append(folder, START, raw=b'{"event": "epoch_end", "ep')  # half a line: not yet an event
    wait_until(lambda: len(seen1) == 1 and len(seen2) == 1)
    time.sleep(0.05)
    assert seen1 == [START] and t1.is_alive()  # the trainer lives: they wait
    append(folder, raw=b'och": 1, "logs": {"loss": 1.0}}\n')
    wait_until(lambda: len(seen1) == 2 and len(seen2) == 2)
    assert seen1[1] == EPOCH[0]
    append(folder, EPOCH[1])
    folder.update_status(status="completed")  # as the runner does: run.json first, then the run_end line
    time.sleep(0.05)
    assert t1.is_alive() and t2.is_alive()  # waiting for the run_end line while the trainer lives
    append(folder, end("completed"))
    t1.join(5), t2.join(5)
    assert not t1.is_alive() and not t2.is_alive()
    assert seen1 == seen2 == [START, *EPOCH, end("completed")]
    assert first.status == second.status == "completed"


def test_a_killed_trainer_reads_as_crashed(tmp_path):
    folder = running_folder(tmp_path)
    append(folder, START, EPOCH[0])
    follower = Follower(folder, poll_s=0.01)
    thread, seen = follow_in_thread(follower)
    wait_until(lambda: len(seen) == 2)
    assert thread.is_alive()
    folder.update_status(pid=dead_pid(), epochs_done=1)  # the trainer was killed: run.json still `running`
    thread.join(5)
    assert not thread.is_alive()
    assert follower.status == "crashed" and seen == [START, EPOCH[0]]
    assert follower.epochs_done() == 1


def test_a_resumed_run_is_followed_past_its_first_run_end(tmp_path):
    folder = running_folder(tmp_path)
    append(folder, START, EPOCH[0], end("interrupted"))  # the first session, stopped; the resume runs now
    follower = Follower(folder, poll_s=0.01)
    thread, seen = follow_in_thread(follower)
    wait_until(lambda: len(seen) == 3)
    time.sleep(0.05)
    assert thread.is_alive()  # run.json says running: the resume goes on
    append(folder, START, EPOCH[1])
    folder.update_status(status="completed")
    append(folder, end("completed"))
    thread.join(5)
    assert follower.status == "completed" and [e["event"] for e in seen][-3:] == [
        "run_start",
        "epoch_end",
        "run_end",
    ]


def test_a_finished_run_is_read_to_its_last_run_end_at_once(tmp_path):
    folder = running_folder(tmp_path)
    append(folder, START, end("interrupted"), START, EPOCH[1], end("diverged"))
    folder.update_status(status="diverged", pid=dead_pid())
    follower = Follower(folder, poll_s=0.01)
    events = list(follower.events())
    assert len(events) == 5 and follower.status == "diverged"


def test_damaged_lines_are_left_out(tmp_path):
    folder = running_folder(tmp_path)
    append(folder, START, raw=b"not json\n[1, 2]\n\xff\xfe\n" + b'{"no_event": 1}\n')
    append(folder, end("completed"))
    folder.update_status(status="completed", pid=dead_pid())
    assert list(Follower(folder, poll_s=0.01).events()) == [START, end("completed")]
    assert parse_line(b'{"event": "log", "message": "\xeb\x82\xa0\xec\x94\xa8"}') == {
        "event": "log",
        "message": "날씨",
    }


def test_a_stop_request_ends_the_following(tmp_path):
    folder = running_folder(tmp_path)
    stop = threading.Event()
    follower = Follower(folder, poll_s=0.01, stop=stop)
    thread, _ = follow_in_thread(follower)
    time.sleep(0.05)
    stop.set()
    thread.join(5)
    assert not thread.is_alive() and follower.status == "running"
    assert not folder.file(EVENTS).exists()  # a follower never writes the folder
    assert sorted(os.listdir(folder.path)) == ["run.json"]
