"""The archive check before Keras opens a `.keras` file, on real hostile archives written here: a
decompression bomb, entries outside the archive, a missing or foreign entry, a device. Each is refused from
the archive's list of entries alone, in milliseconds, whatever the archive claims to hold."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import pytest

from seqtui.core.model.archive import EXPANSION_FLOOR, archive_problem

CONFIG = b'{"class_name": "Sequential", "config": {}}'
METADATA = b'{"keras_version": "3.0.0"}'


def keras_like(
    path: Path, weights: bytes = b"\x89HDF\r\n\x1a\n" + bytes(5000), extra: dict | None = None
) -> Path:
    """An archive as Keras writes one: three stored (uncompressed) entries."""
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("metadata.json", METADATA)
        zf.writestr("config.json", CONFIG)
        zf.writestr("model.weights.h5", weights)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return path


def zero_bomb(path: Path, declared: int) -> Path:
    """Keras' entries, with weights that are `declared` zero bytes deflated: about a thousandth on disk."""
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("metadata.json", METADATA)
        zf.writestr("config.json", CONFIG)
        info = zipfile.ZipInfo("model.weights.h5")
        info.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(info, "w", force_zip64=True) as fh:
            chunk = bytes(2**22)
            for _ in range(declared // len(chunk)):
                fh.write(chunk)
    return path


def test_an_archive_as_keras_writes_it_passes(tmp_path):
    assert archive_problem(keras_like(tmp_path / "model.keras")) is None
    assets = keras_like(tmp_path / "with_assets.keras", extra={"assets/vocab.txt": b"a\nb\n"})
    assert archive_problem(assets) is None


def test_a_decompression_bomb_is_refused_from_its_entry_list(tmp_path):
    bomb = zero_bomb(tmp_path / "model.keras", 64 * 2**20)
    assert bomb.stat().st_size < 2**20  # 64 MiB of zeros stored in well under one
    started = time.monotonic()
    problem = archive_problem(bomb)
    assert time.monotonic() - started < 0.5
    assert problem is not None and "model.weights.h5 declares 64.0 MiB but stores" in problem
    assert "decompression bomb" in problem


def test_a_small_deflated_entry_is_not_counted_as_a_bomb(tmp_path):
    path = tmp_path / "model.keras"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:  # someone re-zipped it
        zf.writestr("metadata.json", METADATA)
        zf.writestr("config.json", CONFIG)
        zf.writestr("model.weights.h5", bytes(EXPANSION_FLOOR))  # 1 MiB of zeros: ratio ~1000, tiny
    assert archive_problem(path) is None


@pytest.mark.parametrize(
    "name", ["../evil", "assets/../../evil", "/etc/evil", "\\evil", "C:evil", "..\\evil"]
)
def test_an_entry_outside_the_archive_makes_it_damaged(tmp_path, name):
    problem = archive_problem(keras_like(tmp_path / "model.keras", extra={name: b"x"}))
    assert problem == f"it holds an entry named {name!r}, outside the archive"


def test_a_foreign_entry_a_missing_one_and_a_duplicate_are_refused(tmp_path):
    foreign = keras_like(tmp_path / "a.keras", extra={"payload.py": b"import os"})
    assert archive_problem(foreign) == "it holds 'payload.py', which no Keras model archive holds"
    path = tmp_path / "b.keras"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("metadata.json", METADATA)
        zf.writestr("config.json", CONFIG)
    assert archive_problem(path) == "it lacks model.weights.h5, which every Keras model archive holds"
    with pytest.warns(UserWarning, match="Duplicate name"):
        twice = keras_like(tmp_path / "c.keras", extra={"config.json": b"{}"})
    assert archive_problem(twice) == "it holds two entries named 'config.json'"


def test_a_config_declaring_more_than_a_config_holds_is_refused(tmp_path):
    path = tmp_path / "model.keras"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("metadata.json", METADATA)
        zf.writestr("model.weights.h5", b"h5")
        info = zipfile.ZipInfo("config.json")
        info.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(info, "w") as fh:
            fh.write(b" " * (17 * 2**20))
    assert (
        archive_problem(path) == "its config.json declares 17.0 MiB (a model's config.json holds a few KiB)"
    )


def test_what_is_not_a_zip_or_not_a_file_is_refused(tmp_path):
    (tmp_path / "text.keras").write_text("not a zip")
    assert archive_problem(tmp_path / "text.keras").startswith("it is not a Keras model archive (")
    assert archive_problem(tmp_path) == "it is a folder, not a regular file"
    if Path("/dev/zero").exists():
        (tmp_path / "zero.keras").symlink_to("/dev/zero")
        assert archive_problem(tmp_path / "zero.keras") == "it is a character device, not a regular file"


def test_a_missing_file_is_left_to_the_loader_to_report(tmp_path):
    assert archive_problem(tmp_path / "absent.keras") is None
