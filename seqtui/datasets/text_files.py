"""Reading a user's text file: encoding detection with clear errors for binary and undecodable files."""

from __future__ import annotations

import codecs
import stat
from pathlib import Path

from seqtui.datasets.errors import DataError

MAX_FILE_BYTES = 4 << 30

_BOMS = {codecs.BOM_UTF8: "utf-8-sig", codecs.BOM_UTF16_LE: "utf-16", codecs.BOM_UTF16_BE: "utf-16"}


def _hangul_share(text: str) -> float:
    wide = [c for c in text if ord(c) > 127]
    if not wide:
        return 0.0
    return sum("\uac00" <= c <= "\ud7a3" or c.isspace() for c in wide) / len(wide)


def _line_of(raw: bytes, offset: int) -> int:
    return raw.count(b"\n", 0, offset) + 1


def read_bytes(path: Path) -> bytes:
    """The file's bytes, or a DataError that says why they can't be read."""
    too_big = DataError(
        f"{path} is larger than {MAX_FILE_BYTES / 2**30:g} GiB; seqtui reads files up to that"
    )
    try:
        info = path.stat()
        mode = info.st_mode
        if stat.S_ISDIR(mode):
            raise DataError(f"{path} is a folder, not a file")
        if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):  # /dev/zero would never end
            raise DataError(f"{path} is not a regular file (a device?); pass a file with your data")
        if info.st_size > MAX_FILE_BYTES:
            raise too_big
        with path.open("rb") as fh:  # bounded whatever stat said: a pipe or a growing file
            chunks, total = [], 0
            while chunk := fh.read(min(1 << 24, MAX_FILE_BYTES + 1 - total)):
                chunks.append(chunk)
                total += len(chunk)
                if total > MAX_FILE_BYTES:
                    raise too_big
        return b"".join(chunks)
    except FileNotFoundError:
        raise DataError(f"{path} does not exist; check the path") from None
    except PermissionError:
        raise DataError(f"{path} can't be read (permission denied)") from None
    except OSError as exc:
        raise DataError(f"{path} can't be read: {exc.strerror or exc}") from None


def decode_bytes(raw: bytes, path: Path, encoding: str | None = None) -> tuple[str, str]:
    """Bytes -> text and the encoding used: the given one, else UTF-8, Korean CP949, then latin-1."""
    if encoding is None:
        encoding = next((name for bom, name in _BOMS.items() if raw.startswith(bom)), None)
    if encoding is None and b"\x00" in raw[:8192]:
        raise DataError(f"{path} looks like a binary file, not text (CSV, TSV, JSON lines or plain text)")
    if encoding:
        try:
            return raw.decode(encoding), encoding
        except LookupError:
            raise DataError(f"unknown encoding {encoding!r}; try utf-8, cp949 or latin-1") from None
        except UnicodeDecodeError as exc:
            raise DataError(
                f"{path}, line {_line_of(raw, exc.start)}: not valid {encoding}; "
                "pass the file's real encoding with --encoding (e.g. cp949 or latin-1)"
            ) from None
        except (UnicodeError, ValueError, TypeError) as exc:  # punycode, idna...: no position to name
            raise DataError(
                f"{path} is not valid {encoding} ({exc}); pass the file's real encoding with --encoding "
                "(e.g. utf-8, cp949 or latin-1)"
            ) from None
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("cp949")
        if _hangul_share(text) > 0.9:
            return text, "cp949"
    except UnicodeDecodeError:
        pass
    return raw.decode("latin-1"), "latin-1"


def read_text(path: Path, encoding: str | None = None) -> tuple[str, str]:
    """The file's text and the encoding used: the given one, else UTF-8, Korean CP949, then latin-1."""
    raw = read_bytes(path)
    if not raw.strip():
        raise DataError(f"{path} is empty")
    text, used = decode_bytes(raw, path, encoding)
    if not text.strip():
        raise DataError(f"{path} is empty")
    return text, used
