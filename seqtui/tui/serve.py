"""`seqtui serve`: the app in a web browser through textual-serve (the Textual project's own server).

Every browser tab gets its own app process (`python -m seqtui --runs-dir DIR`), all writing to the same
runs folder. Bound to 127.0.0.1 unless told otherwise: the app can read files and start training.

Reaching the port is not enough: like Jupyter, each launch makes a secret token, and only the printed URL
(`/?token=...`, then a cookie) opens the page and its websocket. The `Host` a request names must be an
address the server was bound to (a DNS-rebinding page names its own), and a page that opens the websocket
must come from one of those addresses (`Origin`), or from an origin given with `--allow-origin` (a reverse
proxy, an SSH tunnel on another port). Anything else is a 403 with the reason in plain text; the rules are
in `serve_access.py`, the aiohttp side in `serve_server.py`.
"""

from __future__ import annotations

import errno
import shlex
import socket
import sys
from pathlib import Path

from seqtui.common.errors import SeqtuiError
from seqtui.tui.serve_access import LOCAL_HOSTS, Access


class ServeError(SeqtuiError):
    """The server can't start (a port in use, a bad host), with what to do."""

    title = "Could not start the server"


def app_command(runs_dir: Path) -> str:
    """The command textual-serve starts for each browser tab."""
    return shlex.join([sys.executable, "-m", "seqtui", "--runs-dir", str(runs_dir.resolve())])


def check_port(host: str, port: int) -> None:
    """Raise ServeError when `host:port` can't be bound (in use, or an address this machine doesn't have)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ServeError(f"--host {host}: not an address of this machine ({exc.strerror})") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise ServeError(
                    f"port {port} on {host} is already in use (another seqtui serve?); pick another with --port"
                ) from None
            raise ServeError(f"can't listen on {host}:{port}: {exc.strerror or exc}") from None


def exposure_warning(host: str) -> str | None:
    """A warning when the server is reachable from other machines."""
    if host in LOCAL_HOSTS:
        return None
    return (
        f"serving on {host}: anyone who can reach this port can read files and train models as you. "
        "Use the default 127.0.0.1 (and an SSH tunnel) unless this network is yours alone."
    )


def serve(host: str, port: int, runs_dir: Path, access: Access) -> None:
    """Serve the app until Ctrl+C, only to requests `access` lets in. Raises ServeError before starting when
    the address can't be used."""
    check_port(host, port)
    from seqtui.tui.serve_server import GuardedServer

    server = GuardedServer(app_command(runs_dir), host, port, access)
    try:
        server.serve()
    except OSError as exc:  # lost a race for the port after the check
        raise ServeError(f"can't listen on {host}:{port}: {exc.strerror or exc}") from None
