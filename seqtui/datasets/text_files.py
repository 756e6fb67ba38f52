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


def _declared(head: bytes, path: Path, encoding: str | None) -> str | None:
    """The encoding given, else the one a byte-order mark declares, else None (to be tried); a file with a
    NUL byte in its first 8 KiB and no such mark is binary, not text."""
    if encoding is None:
        encoding = next((name for bom, name in _BOMS.items() if head.startswith(bom)), None)
    if encoding is None and b"\x00" in head[:8192]:
        raise DataError(f"{path} looks like a binary file, not text (CSV, TSV, JSON lines or plain text)")
    return encoding


def decode_bytes(raw: bytes, path: Path, encoding: str | None = None) -> tuple[str, str]:
    """Bytes -> text and the encoding used: the given one, else UTF-8, Korean CP949, then latin-1."""
    encoding = _declared(raw, path, encoding)
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


CHUNK = 1 << 20
"""Bytes decoded at a time when a file is checked without being held whole (`stream_encoding`)."""


def _decodes_whole(path: Path, encoding: str) -> tuple[int, int] | None:
    """None when the whole file decodes as `encoding`, read a chunk at a time; else (byte offset, line) of
    the first byte that doesn't."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset, lines = 0, 0
    with path.open("rb") as fh:
        while True:
            chunk = fh.read(CHUNK)
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                at = max(0, exc.start - len(exc.object) + len(chunk))  # the decoder may hold a partial char
                return offset + at, lines + chunk.count(b"\n", 0, at) + 1
            if not chunk:
                return None
            offset, lines = offset + len(chunk), lines + chunk.count(b"\n")


def stream_encoding(path: Path, encoding: str | None = None) -> str:
    """The encoding of a file too large to hold whole, chosen as `decode_bytes` chooses it (the given one, a
    BOM's, UTF-8, Korean CP949, then latin-1) by decoding it a chunk at a time: memory stays one chunk."""
    head = read_head(path, CHUNK)
    if not head.strip():
        raise DataError(f"{path} is empty")
    encoding = _declared(head, path, encoding)
    if encoding:
        try:
            bad = _decodes_whole(path, encoding)
        except LookupError:
            raise DataError(f"unknown encoding {encoding!r}; try utf-8, cp949 or latin-1") from None
        except (UnicodeError, ValueError, TypeError) as exc:  # punycode, idna...: no position to name
            raise DataError(
                f"{path} is not valid {encoding} ({exc}); pass the file's real encoding with --encoding "
                "(e.g. utf-8, cp949 or latin-1)"
            ) from None
        if bad is not None:
            raise DataError(
                f"{path}, line {bad[1]}: not valid {encoding}; "
                "pass the file's real encoding with --encoding (e.g. cp949 or latin-1)"
            )
        return encoding
    if _decodes_whole(path, "utf-8") is None:
        return "utf-8"
    if _decodes_whole(path, "cp949") is None and _hangul_share(head.decode("cp949", "ignore")) > 0.9:
        return "cp949"
    return "latin-1"


def read_head(path: Path, size: int) -> bytes:
    """The first `size` bytes of a regular file (the checks and messages of `read_bytes`)."""
    try:
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            raise DataError(f"{path} is a folder, not a file")
        if not stat.S_ISREG(mode):
            raise DataError(f"{path} is not a regular file (a device?); pass a file with your data")
        with path.open("rb") as fh:
            return fh.read(size)
    except FileNotFoundError:
        raise DataError(f"{path} does not exist; check the path") from None
    except PermissionError:
        raise DataError(f"{path} can't be read (permission denied)") from None
    except OSError as exc:
        raise DataError(f"{path} can't be read: {exc.strerror or exc}") from None


def read_text(path: Path, encoding: str | None = None) -> tuple[str, str]:
    """The file's text and the encoding used: the given one, else UTF-8, Korean CP949, then latin-1."""
    raw = read_bytes(path)
    if not raw.strip():
        raise DataError(f"{path} is empty")
    text, used = decode_bytes(raw, path, encoding)
    if not text.strip():
        raise DataError(f"{path} is empty")
    return text, used
