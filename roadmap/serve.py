"""`roadmap serve`: a local preview that rebuilds when a profile, module or template changes
and reloads the open page. Localhost only unless told otherwise; it rides on the same builds."""

from __future__ import annotations

import contextlib
import functools
import threading
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from typing import TYPE_CHECKING, Any

from roadmap.errors import InputError, Problem

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
VERSION_PATH = "/__roadmap__/version"
POLL_SECONDS = 0.4
# Added to every HTML page served: ask for the build version each second, reload when it moves.
RELOAD_SCRIPT = (
    "<script>(function(){var v=null;setInterval(function(){fetch('" + VERSION_PATH + "',{cache:'no-store'})"
    ".then(function(r){return r.text()}).then(function(t){if(v!==null&&t!==v){location.reload()}v=t})"
    ".catch(function(){})},1000)})();</script>"
)


def check_host(host: str, allow_remote: bool) -> None:
    """Refuse to listen beyond this machine unless the user asked for it."""
    if host not in LOCAL_HOSTS and not allow_remote:
        message = "serve listens on localhost only; pass --allow-remote to expose the preview on the network"
        raise InputError([Problem("--host", 1, 1, "host", message, host)])


@dataclass
class Preview:
    """The watched inputs, the build to run, and the version the browser polls."""

    build: Callable[[], None]
    watched: Callable[[], list[Path]]
    report: Callable[[list[Problem]], None]
    version: int = 0
    _stamps: dict[str, int] = field(default_factory=dict)

    def snapshot(self) -> dict[str, int]:
        stamps: dict[str, int] = {}
        for path in self.watched():
            with contextlib.suppress(OSError):
                stamps[str(path)] = path.stat().st_mtime_ns
        return stamps

    def rebuild(self) -> None:
        try:
            self.build()
        except InputError as exc:  # keep serving the last good build
            self.report(exc.problems)
            return
        self.version += 1

    def watch(self, stop: threading.Event) -> None:
        self._stamps = self.snapshot()
        while not stop.wait(POLL_SECONDS):
            stamps = self.snapshot()
            if stamps != self._stamps:
                self._stamps = stamps
                self.rebuild()


class _Handler(SimpleHTTPRequestHandler):
    preview: Preview

    def do_GET(self) -> None:
        if self.path.split("?")[0] == VERSION_PATH:
            body = str(self.preview.version).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def send_head(self) -> Any:
        path = self.translate_path(self.path)
        if path.endswith("/"):
            path += "index.html"
        if not path.endswith(".html"):
            return super().send_head()
        try:
            with open(path, "rb") as handle:
                html = handle.read()
        except OSError:
            return super().send_head()
        html = html.replace(b"</body>", RELOAD_SCRIPT.encode() + b"</body>", 1)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(html)))
        self.end_headers()
        return BytesIO(html)

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the CLI says what matters
        return


def make_server(preview: Preview, root: Path, host: str, port: int) -> ThreadingHTTPServer:
    """An HTTP server for `root` that also answers the reload poll."""
    handler = type("PreviewHandler", (_Handler,), {"preview": preview})
    return ThreadingHTTPServer((host, port), functools.partial(handler, directory=str(root)))


def run(preview: Preview, root: Path, host: str, port: int, ready: Callable[[str], None]) -> None:
    """Build once, then serve and watch until interrupted."""
    preview.rebuild()
    server = make_server(preview, root, host, port)
    stop = threading.Event()
    watcher = threading.Thread(target=preview.watch, args=(stop,), daemon=True)
    watcher.start()
    shown = f"[{host}]" if ":" in host else host
    ready(f"http://{shown}:{server.server_address[1]}/")
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.server_close()
