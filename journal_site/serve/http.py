"""What ``journal serve`` answers: the live site, its reload script and event streams.

Why Server-Sent Events and not a WebSocket: the message only goes from server to page,
SSE is a plain HTTP response kept open, and ``EventSource`` reconnects by itself when
the server restarts. A page's script opens ``/__journal__/events?page=...&epoch=...``
and hears, after every change, what live.py's ``verdict`` says.
"""

from __future__ import annotations

import errno
import hashlib
import html
import http.server
import json
import mimetypes
import socket
import sys
import urllib.parse
from collections.abc import Collection, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from journal_site.csp import CONTENT_SECURITY_POLICY
from journal_site.errors import UsageError
from journal_site.serve.live import LiveSite

PREFIX = "/__journal__/"
"""URL space of the server's own files, outside any site's paths."""
KEEPALIVE_S = 15.0
"""A comment line this often on idle event streams, so a vanished client is noticed."""
IMMUTABLE = "max-age=31536000, immutable"
"""Cache-Control for files whose URL names their bytes."""
RELOAD_JS = (resources.files("journal_site") / "serve_assets" / "reload.js").read_bytes()
RELOAD_SCRIPT = f"{PREFIX}reload.{hashlib.blake2b(RELOAD_JS, digest_size=5).hexdigest()}.js"
"""The script's URL names its bytes, so a browser keeps it across reloads."""
NOT_FOUND_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Not found</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="{prefix}reload.css"></head>
<body class="journal-serve-404"><main><h1>Nothing here (yet)</h1>
<p>No page at <code>{path}</code>. If you are writing it now, this page shows it as
soon as you save. Meanwhile, the <a href="{base}timeline/">timeline</a> has every entry.</p>
</main></body></html>
"""


def inject_script(page_html: bytes, tag: bytes) -> bytes:
    """Put ``tag`` before the last ``</body>`` (or at the end when there is none)."""
    at = page_html.lower().rfind(b"</body>")
    return page_html + tag if at < 0 else page_html[:at] + tag + page_html[at:]


def script_tag(page: str, token: str, *, missing: bool = False) -> bytes:
    """The reload script, told which page this is and at which epoch it was served."""
    page, token = html.escape(page), html.escape(token)
    return (
        f'<script src="{RELOAD_SCRIPT}" data-page="{page}" data-epoch="{token}" '
        f'data-missing="{int(missing)}" defer></script>'
    ).encode()


def host_allowed(header: str | None, names: Collection[str], port: int) -> bool:
    """Whether a request's ``Host`` names this server: one of ``names``, and this port
    if it gives one. A page of another site that a DNS trick points at 127.0.0.1 sends
    its own name, so it is refused and cannot read the journal."""
    if not header:
        return False
    header = header.strip().lower()
    end = header.find("]") + 1 if header.startswith("[") else header.rfind(":")
    if end <= 0:
        end = len(header)
    name, rest = header[:end], header[end:]
    return name in names and rest in ("", f":{port}")


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    # server_close() joins every connection thread: streams end when the site closes,
    # and every socket has a timeout, so this never hangs.
    block_on_close = True

    def __init__(self, address: tuple[str, int], live: LiveSite, hosts: Collection[str]) -> None:
        super().__init__(address, Handler)
        self.live = live
        self.hosts = frozenset(hosts)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A browser closing a tab mid-response is normal; anything else is one line.
        exc = sys.exc_info()[1]
        if not isinstance(exc, OSError):
            print(f"journal serve: error answering a request: {exc!r}", file=sys.stderr)


def listen(host: str, port: int, live: LiveSite) -> Server:
    """The server, answering only to this computer's names and ``host`` (see `host_allowed`)."""
    names = {"127.0.0.1", "localhost", "[::1]", f"[{host}]" if ":" in host else host.lower()}
    if host in ("0.0.0.0", "::", ""):  # the name the start-up message gives other devices
        names.add(socket.gethostname().lower())
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return type("Server", (Server,), {"address_family": family})((host, port), live, names)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(
                f"port {port} on {host} is in use (another `journal serve`?); "
                f"try --port {port + 1}"
            ) from exc
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc


class Handler(http.server.BaseHTTPRequestHandler):
    server: Server
    protocol_version = "HTTP/1.0"  # one request per connection: no idle threads linger
    timeout = 10.0  # a client that stops reading is dropped; nobody waits for it
    server_version = "journal-serve"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the terminal is kept for rebuilds and errors."""

    def do_GET(self) -> None:
        self.respond(head=False)

    def do_HEAD(self) -> None:
        self.respond(head=True)

    def send(
        self, status: int, body: bytes, kind: str, head: bool, cache: str = "no-store"
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", cache)
        if kind.startswith("text/html"):
            # The policy the published site gets: what breaks it shows while writing.
            self.send_header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def respond(self, head: bool) -> None:
        if not host_allowed(self.headers.get("Host"), self.server.hosts, self.server.server_port):
            names = ", ".join(sorted(self.server.hosts))
            body = f"journal serve answers only to {names} (see --host).\n".encode()
            self.send(421, body, "text/plain; charset=utf-8", head)
            return
        live = self.server.live
        url = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(url.path)
        if path.startswith(PREFIX):
            self.own_file(path[len(PREFIX) :], urllib.parse.parse_qs(url.query), head)
            return
        if not path.startswith(live.base_path):
            if path in ("/", live.base_path.rstrip("/")):
                self.redirect(live.base_path)
            else:
                self.not_found(path, head)
            return
        rel = path[len(live.base_path) :]
        rel += "index.html" if rel == "" or rel.endswith("/") else ""
        data, token = live.lookup(rel)
        if data is None and live.lookup(rel + "/index.html", wait=False)[0] is not None:
            self.redirect(path + "/" + (f"?{url.query}" if url.query else ""))
            return
        try:
            data = data.read_bytes() if isinstance(data, Path) else data
        except OSError:
            data = None
        if data is None:
            self.not_found(path, head)
            return
        kind = mimetypes.guess_type(rel)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind == "image/svg+xml":
            kind += "; charset=utf-8"
        if rel.endswith(".html"):
            data = inject_script(data, script_tag(rel, token))
        # Fingerprinted theme files never change under their name; everything else may.
        self.send(200, data, kind, head, IMMUTABLE if rel.startswith("static/") else "no-store")

    def not_found(self, path: str, head: bool) -> None:
        base = self.server.live.base_path
        rel = path[len(base) :] if path.startswith(base) else path
        rel += "index.html" if rel == "" or rel.endswith("/") else ""
        token = self.server.live.lookup(rel, wait=False)[1]
        page = NOT_FOUND_HTML.format(prefix=PREFIX, path=html.escape(path), base=html.escape(base))
        body = inject_script(page.encode(), script_tag(rel, token, missing=True))
        self.send(404, body, "text/html; charset=utf-8", head)

    def own_file(self, name: str, query: Mapping[str, list[str]], head: bool) -> None:
        if name == "events":
            self.events(query)
        elif PREFIX + name == RELOAD_SCRIPT:
            self.send(200, RELOAD_JS, "text/javascript; charset=utf-8", head, IMMUTABLE)
        elif name == "reload.css":
            css = (resources.files("journal_site") / "serve_assets" / name).read_bytes()
            self.send(200, css, "text/css; charset=utf-8", head, "no-cache")
        elif name == "files.json":  # what the server holds, for tests and the curious
            body = json.dumps(self.server.live.paths()).encode()
            self.send(200, body, "application/json", head)
        else:
            self.not_found(PREFIX + name, head)

    def events(self, query: Mapping[str, list[str]]) -> None:
        """One page's event stream: a verdict after every change, until reload or gone."""
        live = self.server.live
        page, token = query.get("page", [""])[0], query.get("epoch", [""])[0]
        missing = query.get("missing", ["0"])[0] == "1"
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        last, seen = ("", ""), -1
        try:
            self.wfile.write(b"retry: 500\n\n")  # reconnect quickly after a restart
            while (version := live.next_version(seen, KEEPALIVE_S)) is not None:
                if version == seen:
                    self.wfile.write(b": still here\n\n")
                    continue
                seen = version
                event, data = live.verdict(page, token, missing)
                if (event, data) != last:
                    self.wfile.write(f"event: {event}\ndata: {data}\n\n".encode())
                    last = (event, data)
                if event in ("reload", "gone"):
                    return
        except OSError:
            return  # gone, or too slow to read: only this thread ends
