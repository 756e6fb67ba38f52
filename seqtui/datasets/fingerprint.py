"""A fingerprint of the user's data (SHA-256 of a file, or of a folder's file names and contents), saved
with a run so that a resume can tell the same data at a new place from different data."""

from __future__ import annotations

import hashlib
from pathlib import Path

CHUNK = 1 << 20


def _feed(digest: hashlib._Hash, path: Path) -> None:
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)


def data_fingerprint(path: str | Path) -> str | None:
    """The SHA-256 of a file, or of every file under a folder (relative names and bytes, in sorted order);
    None when the path can't be read."""
    path = Path(path)
    digest = hashlib.sha256()
    try:
        if path.is_dir():
            for item in sorted(p for p in path.rglob("*") if p.is_file()):
                digest.update(str(item.relative_to(path)).encode("utf-8", "surrogateescape") + b"\0")
                _feed(digest, item)
        elif path.is_file():
            _feed(digest, path)
        else:
            return None
    except OSError:
        return None
    return digest.hexdigest()
