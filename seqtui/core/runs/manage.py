"""Keeping the list of runs tidy: rename a run, note something about it, delete it.

Names and notes live in run.json (the folder keeps its name: paths already copied into `--resume`,
`predict` or a notebook go on working). Deleting refuses a run that trains now and anything that is not a
run folder inside the runs folder.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from seqtui.common.names import clean_name, clean_text
from seqtui.core.runs.folder import RUN, RunFolder, RunFolderError
from seqtui.core.runs.lock import RunLocked, training_lock

NOTE_LIMIT = 2000
"""A note is a few lines about a run, not a document."""


def rename_run(folder: RunFolder, name: str) -> str:
    """Give the run the display name `name` (Korean and spaces kept; control characters dropped); returns
    the name as stored."""
    cleaned = clean_name(name)
    if not cleaned:
        raise RunFolderError(f"a run's name needs at least one visible character (got {name!r})")
    folder.read_json(RUN)  # a damaged run.json says so rather than being replaced
    folder.update_status(name=cleaned)
    return cleaned


def note_run(folder: RunFolder, text: str) -> str:
    """Set the run's note (empty text removes it); returns the note as stored."""
    cleaned = clean_text(text, NOTE_LIMIT, lines=True)
    folder.read_json(RUN)
    folder.update_status(note=cleaned or None)
    return cleaned


def _inside(path: Path, root: Path) -> bool:
    return path.parent == root or root in path.parents


def delete_run(folder: RunFolder, root: Path) -> None:
    """Delete a run folder under `root`, or a RunFolderError saying why not: it trains now, it is not a
    direct child of the runs folder, or it is a link leading out of it. A link inside the runs folder is
    removed itself, never what it points to."""
    path, top = Path(os.path.abspath(folder.path)), Path(root).resolve()
    if path.parent.resolve() != top:
        raise RunFolderError(
            f"{folder.path} is not a run folder in {root}; only runs listed by `seqtui runs` can be deleted"
        )
    if path.is_symlink():
        if not _inside(path.resolve(), top):
            raise RunFolderError(
                f"{folder.path} is a link to {path.resolve()}, outside {root}; nothing deleted"
            )
        path.unlink()
        return
    try:
        running = folder.status == "running"  # also a run on another host, whose process can't be checked
    except RunFolderError:  # a damaged run.json: the lock below still tells
        running = False
    busy = f"{folder.path.name} is training now; stop it first, then delete it"
    if running:
        raise RunFolderError(busy)
    # Moved aside first: gone from the list at once, even if the removal is cut short.
    hidden = path.with_name(f".deleting-{path.name}")
    try:
        with training_lock(path):  # no resume can start between the check and the move
            path.rename(hidden)
    except RunLocked as exc:
        raise RunFolderError(busy) from exc
    except OSError as exc:
        raise RunFolderError(f"could not delete {folder.path}: {exc.strerror or exc}") from exc
    try:
        shutil.rmtree(hidden)
    except OSError as exc:
        raise RunFolderError(f"could not delete {folder.path}: {exc.strerror or exc}") from exc
