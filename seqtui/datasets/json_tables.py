"""JSON tables: JSON lines (one object per line) or one JSON array of objects, with each text and label
checked to be a JSON string (a label may be a whole number, the same kind on every row)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from seqtui.datasets.errors import DataError
from seqtui.datasets.table_source import Lines, Rows, TableSource, check_width, first_line

_KEY_SAMPLE = 1000
"""JSON lines: the columns are the keys seen in the first this-many objects."""


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _json_objects(
    path: Path, head: str, whole: Callable[[], str]
) -> tuple[str, list[tuple[int, dict[str, Any]]] | None]:
    """A JSON array of objects is parsed whole ("item" positions); JSON lines are left for walking."""
    if not head.lstrip("\ufeff \t\r\n").startswith("["):
        return "line", None
    text = whole()
    try:
        items = json.loads(text.lstrip("\ufeff"))
    except (ValueError, RecursionError) as exc:
        line = getattr(exc, "lineno", "?")
        if _first_line_is_array(text):
            raise DataError(
                f'{path}, line 1: a JSON array, not an object; each line must be an object like {{"text": ..., '
                '"label": ...} (or the whole file one array of such objects)'
            ) from None
        raise DataError(f"{path}, line {line}: not valid JSON ({getattr(exc, 'msg', exc)})") from None
    for i, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise DataError(f'{path}, item {i}: expected an object like {{"text": ..., "label": ...}}')
    return "item", list(enumerate(items, start=1))


def _first_line_is_array(text: str) -> bool:
    """Whether the first line alone is a whole JSON array: JSON lines whose lines are arrays."""
    try:
        return isinstance(json.loads(first_line(text).lstrip("\ufeff")), list)
    except (ValueError, RecursionError):
        return False


def _json_lines(path: Path, lines: Lines) -> Iterator[tuple[int, dict[str, Any]]]:
    for line, raw in enumerate(lines(), start=1):
        raw = raw.strip().lstrip("\ufeff")
        if not raw:
            continue
        try:
            obj = json.loads(raw)
        except (ValueError, RecursionError) as exc:
            raise DataError(f"{path}, line {line}: not valid JSON ({getattr(exc, 'msg', exc)})") from None
        if not isinstance(obj, dict):
            raise DataError(f'{path}, line {line}: expected a JSON object like {{"text": ..., "label": ...}}')
        yield line, obj


def json_table(path: Path, head: str, lines: Lines, encoding: str) -> TableSource:
    unit, items = _json_objects(path, head, lambda: "".join(lines()))

    def objects() -> Iterator[tuple[int, dict[str, Any]]]:
        return iter(items) if items is not None else _json_lines(path, lines)

    keys: dict[str, None] = {}
    for n, (_, obj) in enumerate(objects()):
        keys.update(dict.fromkeys(str(k) for k in obj))
        if n >= _KEY_SAMPLE:
            break
    if not keys:
        raise DataError(
            f'{path} holds no JSON objects with fields; expected lines like {{"text": ..., "label": ...}}'
        )
    header = list(keys)
    check_width(path, header)

    roles: dict[str, str] = {}

    def walk() -> Rows:
        yield 0, header
        labels: dict[str, tuple[type, int]] = {}  # label column -> (str or int, the first line)
        for line, obj in objects():
            fields = {str(k): v for k, v in obj.items()}
            for key, role in roles.items():
                _check_kind(f"{path}, {unit} {line}", key, role, fields.get(key), labels, line, unit)
            yield line, [_cell(fields.get(k)) for k in header]

    return TableSource(path, header, encoding, unit, walk, roles)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()} (a JSON boolean)"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    return "a list" if isinstance(value, list) else "an object"


def _check_kind(
    where: str, key: str, role: str, value: Any, labels: dict[str, tuple[type, int]], line: int, unit: str
) -> None:
    """A text must be a JSON string; a label a string or a whole number, the same kind on every row (a
    `true` or `1.5` label would silently become a class named "true" or "1.5")."""
    if value is None or isinstance(value, str):
        kind: type | None = str
    elif role == "label" and isinstance(value, int) and not isinstance(value, bool):
        kind = int
    else:
        kind = None
    if kind is None:
        allowed = "a string" if role == "text" else 'a string ("positive") or a whole number (1)'
        raise DataError(f"{where}: the {role} ({key!r}) is {_kind(value)}, not {allowed}; fix that line")
    if role != "label" or value is None:
        return
    first_kind, first_line = labels.setdefault(key, (kind, line))
    if first_kind is not kind:
        this = _kind(value) if kind is int else "a string"
        then = "a string" if first_kind is str else "a number"
        raise DataError(
            f"{where}: the label ({key!r}) is {this}, but {unit} {first_line} gives {then}; "
            "write every label the same way (all strings or all whole numbers)"
        )
