"""Who may use `seqtui serve`: the addresses it answers to, the pages that may drive it, the launch's token.

A browser lets any web page send requests to localhost, so a server that only listens on 127.0.0.1 is not
private: a page can open its websocket (cross-origin websockets are allowed) or, by DNS rebinding, load its
pages under a name of its own. Three checks close that, each a short 403:

- `Host` must name an address the server was bound to (a rebinding page names its own domain);
- `Origin`, when a browser sends one, must be one of those addresses (a websocket opened by another page
  carries that page's origin), or an origin given with `--allow-origin` (a reverse proxy, an SSH tunnel
  on another port);
- the secret token of this launch, in the printed URL (`/?token=...`) or in the cookie the page then gets.

Nothing here imports aiohttp: the rules are plain functions, tested without a server.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from seqtui.common.errors import SeqtuiError

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
ANY_ADDRESS = ("0.0.0.0", "::", "")
DEFAULT_PORTS = {"http": 80, "https": 443}
TOKEN_HINT = "open the link with ?token=... that `seqtui serve` printed when it started"


class AccessError(SeqtuiError):
    """An --allow-origin that is not an origin."""

    title = "Could not start the server"


def url_of(scheme: str, name: str, port: int) -> str:
    """`scheme://name:port`, without the port where it is the scheme's own, an IPv6 address in brackets."""
    shown = f"[{name}]" if ":" in name else name
    return f"{scheme}://{shown}" if DEFAULT_PORTS.get(scheme) == port else f"{scheme}://{shown}:{port}"


def split_origin(origin: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an origin (`https://example.org`, `http://[::1]:8000`); None when it is not
    one (`null`, a path, a user name, another scheme)."""
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname or "@" in parts.netloc:
        return None
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        return None
    return parts.scheme, parts.hostname.lower(), port or DEFAULT_PORTS[parts.scheme]


def split_host(value: str) -> tuple[str, int | None] | None:
    """(host, port or None when not written) of a `Host` header; None when it is malformed."""
    if not value or any(c in value for c in "@/?#\\ \t"):
        return None
    try:
        parts = urlsplit(f"http://{value}")
        port = parts.port
    except ValueError:
        return None
    return (parts.hostname.lower(), port) if parts.hostname else None


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def machine_names() -> list[str]:
    """This machine's addresses (every interface, non-loopback IPv4 first) and its host names."""
    import psutil

    found = [
        a.address.split("%")[0]  # a link-local address's scope (`%eth0`) is not part of a Host
        for addresses in psutil.net_if_addrs().values()
        for a in addresses
        if a.family in (socket.AF_INET, socket.AF_INET6)
    ]
    found.sort(key=lambda a: (is_loopback(a), ":" in a))
    return [*found, socket.gethostname().lower(), socket.getfqdn().lower()]


def addresses_of(host: str) -> list[str]:
    try:
        return [info[4][0] for info in socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)]
    except OSError:
        return []


def reachable_names(host: str) -> list[str]:
    """The names a browser may use for a server bound to `host`, the one to print first: every address and
    name of the machine for 0.0.0.0 and ::, the loopback names for a loopback address, else `host` itself."""
    if host in ANY_ADDRESS:
        names = [*machine_names(), *LOCAL_HOSTS]
    elif is_loopback(host):
        names = [host, *LOCAL_HOSTS]
    else:
        names = [host, *addresses_of(host)]
    return list(dict.fromkeys(n.lower() for n in names if n))


def allowed_origin(text: str) -> tuple[str, str, int]:
    """An --allow-origin, normalised; AccessError when it is not `scheme://name[:port]`."""
    found = split_origin(text)
    if found is None:
        raise AccessError(
            f"--allow-origin {text!r}: give the origin a browser uses, scheme://NAME[:PORT] (e.g. "
            "https://seqtui.example.org for a reverse proxy, http://localhost:9000 for an SSH tunnel)"
        )
    return found


@dataclass(frozen=True)
class Access:
    """Who may use one server: the `Host` values it answers to, the origins whose pages may use it, and the
    launch's secret token. `urls` are what to open (token included), the first the one to print first."""

    port: int
    token: str
    hosts: frozenset[tuple[str, int | None]]
    origins: frozenset[tuple[str, str, int]]
    urls: tuple[str, ...]
    proxies: tuple[tuple[str, str, int], ...] = ()

    @property
    def cookie(self) -> str:
        """The cookie that keeps the token after the first visit (one per port: servers side by side)."""
        return f"seqtui-token-{self.port}"

    def refusal(self, host: str | None, origin: str | None, token: str | None) -> str | None:
        """Why a request is refused, in one plain sentence; None when it may go on. `origin` is None where
        the browser sends none (opening the page itself), `token` the one in the URL or the cookie."""
        if host is None or split_host(host) not in self.hosts:
            return (
                f"refused: Host {(host or '')[:100]!r} is not an address of this seqtui server (a guard against "
                "DNS rebinding); behind a proxy or a tunnel, start it with --allow-origin http://NAME:PORT"
            )
        if origin is not None and split_origin(origin) not in self.origins:
            return f"refused: a page from {origin[:100]!r} may not use this seqtui server"
        if token is None or not hmac.compare_digest(token.encode(), self.token.encode()):
            return f"refused: {TOKEN_HINT}"
        return None

    def page_origin(self, host: str) -> str:
        """Where the page served for `Host: host` points its scripts and websocket: the address the browser
        used (its cookie goes only there), through the proxy's scheme when it is an --allow-origin."""
        where = split_host(host)
        for scheme, name, port in self.proxies:
            if where == (name, port) or (where == (name, None) and port == DEFAULT_PORTS[scheme]):
                return url_of(scheme, name, port)
        return f"http://{host}"


def access_for(host: str, port: int, allow_origins: Iterable[str] = (), token: str | None = None) -> Access:
    """The rules for a server bound to `host:port`, with a new token unless one is given."""
    proxies = tuple(dict.fromkeys(allowed_origin(o) for o in allow_origins))
    names = reachable_names(host)
    hosts = {(n, port) for n in names} | {(n, p) for _, n, p in proxies}
    hosts |= {(n, None) for n, p in hosts if p == DEFAULT_PORTS["http"]}
    hosts |= {(n, None) for s, n, p in proxies if p == DEFAULT_PORTS[s]}
    token = token or secrets.token_urlsafe(32)
    shown = names[:1] if host not in ANY_ADDRESS else [names[0], "127.0.0.1"]
    urls = [f"{url_of('http', n, port)}/?token={token}" for n in dict.fromkeys(shown)]
    urls += [f"{url_of(*p)}/?token={token}" for p in proxies]
    origins = {("http", n, port) for n in names} | set(proxies)
    return Access(port, token, frozenset(hosts), frozenset(origins), tuple(urls), proxies)
