"""Renaming, noting, deleting, filtering and sorting runs (`seqtui runs rename/note/delete`, the Runs screen)."""

from __future__ import annotations

import dataclasses
import json
import os
import socket

import pytest

from seqtui.core.config.presets import PRESETS
from seqtui.core.config.run_config import with_overrides
from seqtui.core.runs.folder import RunFolder, RunFolderError
from seqtui.core.runs.listing import list_runs, sorted_runs
from seqtui.core.runs.lock import training_lock
from seqtui.core.runs.manage import delete_run, note_run, rename_run


def run(root, config, status="completed", name=None, **state):
    folder = RunFolder.create(root, config.name)
    folder.write_config(config, {})
    folder.update_status(status=status, epochs=3, epochs_done=3, host=socket.gethostname(), **state)
    if name is not None:
        folder.update_status(name=name)
    return folder


def test_an_old_run_without_a_name_is_named_from_its_config_and_rename_and_note_are_kept(tmp_path):
    gru = with_overrides(PRESETS["topics-ko-lstm"].config, arch="gru", units=128)
    folder = run(tmp_path, gru)
    [row] = list_runs(tmp_path)
    assert (row.name, row.arch, row.dataset, row.note) == (
        "topics-ko-lstm arch=gru units=128",
        "gru",
        "topics-ko",
        "",
    )
    assert rename_run(folder, "  GRU 실험\x1b[31m ") == "GRU 실험[31m"
    assert note_run(folder, "too slow\nretry with 64 units\x07") == "too slow\nretry with 64 units"
    state = json.loads(folder.file("run.json").read_text(encoding="utf-8"))
    assert state["name"] == "GRU 실험[31m" and state["note"] == "too slow\nretry with 64 units"
    assert state["status"] == "completed"  # the rest of run.json is kept
    [row] = list_runs(tmp_path)
    assert (row.name, row.note) == ("GRU 실험[31m", "too slow\nretry with 64 units")
    assert note_run(folder, "   ") == "" and list_runs(tmp_path)[0].note == ""
    with pytest.raises(RunFolderError, match="visible character"):
        rename_run(folder, "\x1b\t ")
    assert list_runs(tmp_path)[0].name == "GRU 실험[31m"


def test_a_rename_never_loses_what_the_trainer_writes_at_the_same_time(tmp_path):
    """Both read, change and write run.json under the folder's lock: no write undoes the other's."""
    import threading

    folder = run(tmp_path, PRESETS["digits-mlp"].config, status="running", pid=os.getpid())
    done = threading.Event()

    def trainer() -> None:
        for epoch in range(1, 201):
            folder.update_status(epochs_done=epoch)
        done.set()

    thread = threading.Thread(target=trainer)
    thread.start()
    for n in range(200):
        rename_run(folder, f"name {n}")
    thread.join()
    state = folder.read_json("run.json")
    assert (state["epochs_done"], state["name"]) == (200, "name 199")


def test_the_filter_looks_at_name_arch_dataset_status_and_note(tmp_path):
    lstm = run(tmp_path, PRESETS["topics-ko-lstm"].config)
    gru = run(tmp_path, with_overrides(PRESETS["digits-mlp"].config, epochs=2), status="interrupted")
    note_run(gru, "베이스라인 비교")
    rows = {r.path: r for r in list_runs(tmp_path)}
    matches = {text: {p for p, r in rows.items() if r.matches(text)} for text in
               ("TOPICS", "mlp", "digits", "interrupt", "베이스", "nothing")}  # fmt: skip
    assert matches == {
        "TOPICS": {lstm.path}, "mlp": {gru.path}, "digits": {gru.path}, "interrupt": {gru.path},
        "베이스": {gru.path}, "nothing": set(),
    }  # fmt: skip


def test_sorting_puts_runs_without_a_value_last_either_way(tmp_path):
    a, b, c = (run(tmp_path, PRESETS[p].config) for p in ("digits-mlp", "topics-ko-lstm", "series-rnn"))
    for folder, seconds in ((a, 30.0), (c, 10.0)):
        folder.update_status(train_seconds=seconds)
    rows = list_runs(tmp_path)
    assert [r.path for r in sorted_runs(rows, "time")] == [c.path, a.path, b.path]
    assert [r.path for r in sorted_runs(rows, "time", descending=True)] == [a.path, c.path, b.path]
    assert [r.name for r in sorted_runs(rows, "run")] == ["digits-mlp", "series-rnn", "topics-ko-lstm"]
    assert [r.arch for r in sorted_runs(rows, "arch", descending=True)] == ["simple_rnn", "mlp", "lstm"]


def test_delete_removes_the_folder_and_refuses_a_run_that_trains_now(tmp_path):
    done = run(tmp_path, PRESETS["digits-mlp"].config)
    delete_run(done, tmp_path)
    assert not done.path.exists() and list_runs(tmp_path) == [] and list(tmp_path.iterdir()) == []

    alive = run(tmp_path, PRESETS["digits-mlp"].config, status="running", pid=os.getpid())
    with pytest.raises(RunFolderError, match="training now"):
        delete_run(alive, tmp_path)
    locked = run(tmp_path, PRESETS["series-rnn"].config, status="interrupted")
    with training_lock(locked.path), pytest.raises(RunFolderError, match="training now"):
        delete_run(locked, tmp_path)
    assert alive.path.is_dir() and locked.path.is_dir()
    locked.file("run.json").write_text("{damaged")  # a damaged run can still be deleted
    delete_run(locked, tmp_path)
    assert not locked.path.exists()


def test_delete_never_reaches_outside_the_runs_folder(tmp_path):
    root, outside = tmp_path / "runs", tmp_path / "elsewhere"
    root.mkdir()
    precious = run(outside, PRESETS["digits-mlp"].config)
    with pytest.raises(RunFolderError, match="not a run folder in"):
        delete_run(precious, root)
    link = root / "20240101T000000Z-link"
    link.symlink_to(precious.path, target_is_directory=True)
    with pytest.raises(RunFolderError, match="outside"):
        delete_run(RunFolder(link), root)
    assert precious.path.is_dir() and link.is_symlink()
    inner = run(root, PRESETS["series-rnn"].config)
    alias = root / "20240101T000001Z-alias"
    alias.symlink_to(inner.path, target_is_directory=True)
    delete_run(RunFolder(alias), root)  # the link goes, never what it points to
    assert not alias.exists() and inner.path.is_dir() and precious.path.is_dir()


def test_a_new_run_folder_is_a_slug_of_its_name_and_keeps_the_name_in_run_json(tmp_path):
    folder = RunFolder.create(tmp_path, "topics-ko-lstm arch=gru", fallback="topics-ko-lstm")
    assert folder.path.name.endswith("Z-topics-ko-lstm")
    odd = RunFolder.create(tmp_path, "=/=", fallback="digits-mlp")
    assert odd.path.name.endswith("Z-digits-mlp") and odd.path.parent == tmp_path
    config = dataclasses.replace(PRESETS["digits-mlp"].config, label="내 실험")
    korean = RunFolder.create(tmp_path, "내 실험", fallback=config.name)
    assert korean.path.name.endswith("Z-내-실험")
