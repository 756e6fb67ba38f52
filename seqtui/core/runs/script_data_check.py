"""The check a train.py makes before it reads the user's file or folder: is it the data the run read? seqtui
records the SHA-256 of a run's data (`datasets.fingerprint`); the script computes the same and, when they
differ, says its numbers will not be the run's (it still trains: reading other data is the point of --data).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

_SHA256 = re.compile(r"[0-9a-f]{64}")
_DATA_LINE = re.compile(r'^DATA = Path\(("(?:[^"\\]|\\.)*")\)', re.MULTILINE)


def data_check(config: dict[str, Any], reader_section: str) -> str:
    """The recorded fingerprint and the function that computes it, or "" where the run recorded none or the
    script's DATA is not the path the run fingerprinted (NSMC given as its folder reads the file in it)."""
    sha, path = config.get("data_sha256"), config.get("data", {}).get("data_path")
    if not (isinstance(sha, str) and _SHA256.fullmatch(sha) and path):
        return ""
    found = _DATA_LINE.search(reader_section)
    if not found or Path(json.loads(found.group(1))) != Path(str(path)).expanduser().resolve():
        return ""
    return f'''DATA_SHA256 = "{sha}"  # the run's data as seqtui recorded it


def fingerprint(path):
    """The SHA-256 of a file, or of every file under a folder (relative names and bytes, in sorted order), as
    seqtui records a run's data."""
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for item in files:
        if path.is_dir():
            digest.update(str(item.relative_to(path)).encode("utf-8", "surrogateescape") + b"\\0")
        with open(item, "rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()'''


CHECK_IN_MAIN = """    if args.data.exists() and fingerprint(args.data) != DATA_SHA256:
        print(f"note: {args.data} is not the data the run read (its SHA-256 differs): expect other numbers")
"""
"""The lines `main` runs after reading its options, where the script has `fingerprint`."""
