"""The `.keras` archive looked at before Keras opens it: what the zip file says of itself, read from its list
of entries alone (milliseconds, whatever the archive claims to hold).

Keras reads an archive's weights into memory before it checks anything, and its own guard lets a member of
up to 4 GiB through: an 8 MB file whose zero-filled weights declare 4 GiB cost 9.3 GB of memory and 85 s
before being refused. Keras writes every member uncompressed, so a member that declares far more bytes than
it stores is a decompression bomb, never a model. An entry named `../x` or `/x` is not one Keras writes
either: such an archive was tampered with, whatever its weights hold.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from seqtui.common.files import UnreadableFile, open_regular

KERAS_ENTRIES = ("config.json", "metadata.json", "model.weights.h5")
"""What every Keras 3 `.keras` archive of a model holds (assets/ besides, for layers that have some)."""
ASSETS = "assets/"
SMALL_ENTRY_LIMIT = 16 * 2**20
"""The most a config.json or metadata.json entry may declare (a model's config is a few KiB)."""
MAX_EXPANSION = 20
"""How many times its stored size an entry may declare (Keras stores them uncompressed: 1)."""
EXPANSION_FLOOR = 2**20
"""Entries declaring less than this are never counted as bombs, whatever their ratio."""
MAX_ENTRIES = 10_000


def _size(n: int) -> str:
    return f"{n / 2**30:.1f} GiB" if n >= 2**30 else f"{n / 2**20:.1f} MiB" if n >= 2**20 else f"{n:,} bytes"


def _outside(name: str) -> bool:
    """Whether an entry's name points outside the folder it would be extracted to."""
    return (
        name.startswith(("/", "\\")) or bool(re.match(r"[A-Za-z]:", name)) or ".." in re.split(r"[/\\]", name)
    )


def _entry_problem(info: zipfile.ZipInfo) -> str | None:
    name = info.filename
    if _outside(name):
        return f"it holds an entry named {name[:80]!r}, outside the archive"
    if name not in KERAS_ENTRIES and not name.startswith(ASSETS):
        return f"it holds {name[:80]!r}, which no Keras model archive holds"
    if name in KERAS_ENTRIES[:2] and info.file_size > SMALL_ENTRY_LIMIT:
        return f"its {name} declares {_size(info.file_size)} (a model's {name} holds a few KiB)"
    if info.file_size > EXPANSION_FLOOR and info.file_size > MAX_EXPANSION * max(info.compress_size, 1):
        return (
            f"its {name[:80]} declares {_size(info.file_size)} but stores {_size(info.compress_size)}: "
            "a decompression bomb, not a model Keras saved"
        )
    return None


def entries_problem(infos: list[zipfile.ZipInfo]) -> str | None:
    """What is wrong with an archive's list of entries for a Keras model; None when nothing is."""
    if len(infos) > MAX_ENTRIES:
        return f"it holds {len(infos):,} entries (a Keras model holds 3)"
    names = [info.filename for info in infos]
    twice = next((n for n in names if names.count(n) > 1), None)
    if twice is not None:
        return f"it holds two entries named {twice[:80]!r}"
    for info in infos:
        problem = _entry_problem(info)
        if problem:
            return problem
    missing = [n for n in KERAS_ENTRIES if n not in names]
    if missing:
        return f"it lacks {', '.join(missing)}, which every Keras model archive holds"
    return None


def archive_problem(path: Path) -> str | None:
    """Why `path` is not a Keras model archive safe to hand to Keras, from its entry list alone; None when
    it is one, or when there is no file at all. Only a regular file is opened (a link to /dev/zero or a
    FIFO is refused unread)."""
    try:
        with open_regular(path) as fh, zipfile.ZipFile(fh) as archive:
            infos = archive.infolist()
    except FileNotFoundError:
        return None  # nothing to look at: the loader says the file is missing, in its own words
    except UnreadableFile as exc:
        return f"it {exc}"
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        return f"it is not a Keras model archive ({exc})"
    return entries_problem(infos)
