"""A small HTTP/1.1 server on asyncio + httptools: keep-alive, pipelining, and the transport
faults a framework would not let us make (truncated bodies, dropped connections).

A bare protocol rather than an ASGI server because (a) faults must act on the socket and
(b) the simulator must never bound an extraction benchmark: this serves well over 2,000
requests/s on one core.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from http import HTTPStatus

import httptools

from spotify_etl.simulator.app import JSON, App, Reply

log = logging.getLogger(__name__)
_REASONS = {s.value: s.phrase for s in HTTPStatus}
_BROKEN = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
MAX_BODY = 1 << 20  # no endpoint here takes more than a form


class HttpProtocol(asyncio.Protocol):
    def __init__(self, app: App, connections: set[HttpProtocol]) -> None:
        self.app = app
        self.connections = connections
        self.parser = httptools.HttpRequestParser(self)
        self.transport: asyncio.Transport | None = None
        self.loop = asyncio.get_running_loop()
        self._url = b""
        self._headers: dict[str, str] = {}
        self._body: list[bytes] = []
        self._too_large = False
        self._queue: deque[tuple[float, Reply, bool, bool]] = deque()

    # ---- asyncio ---------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        self.connections.discard(self)

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._write(Reply(400, b'{"error":{"status":400,"message":"Bad request"}}'), False)
        except httptools.HttpParserError:
            self._write(Reply(400, b'{"error":{"status":400,"message":"Bad request"}}'), False)

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()

    # ---- httptools callbacks ---------------------------------------------------------
    def on_message_begin(self) -> None:
        self._url = b""
        self._headers = {}
        self._body = []
        self._too_large = False

    def on_url(self, url: bytes) -> None:
        self._url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers[name.decode("latin-1").lower()] = value.decode("latin-1")

    def on_body(self, body: bytes) -> None:
        if sum(map(len, self._body)) + len(body) <= MAX_BODY:
            self._body.append(body)
        else:
            self._too_large = True

    def on_message_complete(self) -> None:
        method = self.parser.get_method().decode("ascii", "replace")
        keep_alive = self.parser.should_keep_alive()
        if self._too_large:
            body = b'{"error":{"status":413,"message":"Request entity too large"}}'
            self._write(Reply(413, body), False)
            return
        try:
            reply = self.app.handle(
                method, self._url.decode("latin-1"), self._headers, b"".join(self._body)
            )
        except Exception:  # a simulator bug must be a 500, never a hung client
            log.exception("simulator failed on %s %s", method, self._url[:200])
            reply = Reply(500, b'{"error":{"status":500,"message":"Internal simulator error"}}')
        head_only = method == "HEAD"
        if reply.delay_s or self._queue:
            self._queue.append((self.loop.time() + reply.delay_s, reply, keep_alive, head_only))
            self.loop.call_later(reply.delay_s, self._drain)
        else:
            self._write(reply, keep_alive, head_only)

    # ---- replies ---------------------------------------------------------------------
    def _drain(self) -> None:
        now = self.loop.time()
        while self._queue and self._queue[0][0] <= now + 0.0005:
            _, reply, keep_alive, head_only = self._queue.popleft()
            self._write(reply, keep_alive, head_only)
        if self._queue:
            self.loop.call_later(max(0.0, self._queue[0][0] - now), self._drain)

    def _write(self, reply: Reply, keep_alive: bool, head_only: bool = False) -> None:
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        if reply.fault == "dropped":
            transport.close()
            return
        body = reply.body
        if reply.fault == "malformed":
            body = _BROKEN + body[:64]  # still claims application/json
        lines = [
            f"HTTP/1.1 {reply.status} {_REASONS.get(reply.status, 'Unknown')}",
            f"Content-Type: {reply.content_type or JSON}",
            f"Content-Length: {len(body)}",
            "Connection: " + ("keep-alive" if keep_alive else "close"),
        ]
        lines += [f"{k}: {v}" for k, v in reply.headers]
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        if head_only:
            transport.write(head)
        elif reply.fault == "truncated":
            transport.write(head + body[: len(body) // 2])
            transport.close()
            return
        else:
            transport.write(head + body)
        if not keep_alive:
            transport.close()
