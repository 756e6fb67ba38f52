"""Asking the process that trains a run to stop, as Ctrl+C would: the Stop of the app's watch view.

The trainer is the process run.json names (its id and start time, `RunFolder.mark_running`). It gets SIGTERM,
which `seqtui train` takes as it takes Ctrl+C (the current batch ends, the folder is kept consistent, the
status becomes `interrupted`, `--resume` goes on exactly). SIGINT is not used: a job started with `&` from a
script ignores it. A run on another machine, one that no longer trains, or a process of another user is
answered with a RunFolderError that says so; nothing is ever sent to a process that is not the trainer.

Nothing here imports Keras.
"""

from __future__ import annotations

import os
import signal
import socket

from seqtui.common.text import inert
from seqtui.core.runs.folder import RUN, RunFolder, RunFolderError, process_alive

STOP_SIGNAL = signal.SIGTERM


def trainer_pid(folder: RunFolder) -> int | None:
    """The id of the process on this machine that trains the run now (run.json's, checked against its start
    time), or None: the run ended, its process died, or it trains on another machine."""
    state = folder.read_json(RUN)
    pid = state.get("pid")
    if state.get("status") != "running" or state.get("host") != socket.gethostname():
        return None
    return pid if process_alive(pid, state.get("pid_started")) else None


def ask_to_stop(folder: RunFolder) -> int:
    """Send the run's trainer STOP_SIGNAL; return its process id. RunFolderError when there is no trainer
    here to ask (with what to do instead)."""
    state = folder.read_json(RUN)
    name = folder.path.name
    if state.get("status") != "running":
        raise RunFolderError(f"{name} is not training (it is {inert(str(state.get('status')), '')})")
    host = state.get("host")
    if host != socket.gethostname():
        raise RunFolderError(f"{name} trains on {inert(str(host), '')}: stop it there (Ctrl+C or kill)")
    pid = trainer_pid(folder)
    if pid is None:
        raise RunFolderError(f"{name}'s training process has ended; `seqtui runs` shows how it ended")
    try:
        os.kill(pid, STOP_SIGNAL)
    except PermissionError:
        raise RunFolderError(
            f"{name}'s training process ({pid}) belongs to another user: stop it as that user"
        ) from None
    except ProcessLookupError:
        raise RunFolderError(f"{name}'s training process has just ended") from None
    return pid
