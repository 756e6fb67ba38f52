"""textual-serve's server with seqtui's door in front: an aiohttp middleware that answers 403 to what
`serve_access.Access` refuses, and pages whose links point where the browser already is.

textual-serve is used as it ships (no fork): its aiohttp application gets one middleware more, its start
banner is left out (seqtui prints the URL with the token), and its page is told the address the browser
used, so that the page's scripts and websocket go back to it with the token's cookie.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from textual_serve.server import Server

from seqtui.common.redact import redact_text
from seqtui.tui.serve_access import Access, url_of

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def guard(access: Access) -> Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]:
    """A middleware: 403 with the reason in plain text for a refused request; after a visit with the right
    `?token=`, a cookie that carries it for the page's scripts and websocket."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        given = request.query.get("token") if "token" in request.query else request.cookies.get(access.cookie)
        refusal = access.refusal(request.headers.get("Host"), request.headers.get("Origin"), given)
        if refusal is not None:
            return web.Response(status=403, text=refusal + "\n")
        response = await handler(request)
        if "token" in request.query and not response.prepared:
            response.set_cookie(access.cookie, access.token, httponly=True, samesite="Strict", path="/")
        return response

    return middleware


def hide_token(record: logging.LogRecord) -> bool:
    """A logging filter: the access log shows `?token=***` (a log file must not open the app)."""
    record.msg, record.args = redact_text(record.getMessage()), ()
    return True


class GuardedServer(Server):
    """textual-serve's Server, answering only what `access` lets in."""

    def __init__(self, command: str, host: str, port: int, access: Access) -> None:
        super().__init__(command, host=host, port=port, title="seqtui", public_url=url_of("http", host, port))
        self.access = access

    def initialize_logging(self) -> None:
        super().initialize_logging()
        logging.getLogger("aiohttp.access").addFilter(hide_token)

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(guard(self.access))
        return app

    async def on_startup(self, app: web.Application) -> None:
        """No banner: its URL has no token (the command printed the one to open)."""

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        # textual-serve writes `public_url` into the page; the page is built without awaiting anything,
        # so setting it for this request cannot leak into another one.
        self.public_url = self.access.page_origin(request.headers["Host"])
        return await super().handle_index(request)
