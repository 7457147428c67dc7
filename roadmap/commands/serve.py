"""`roadmap serve`: a local preview that rebuilds when a profile, module or template changes
and reloads the open page. Localhost only unless told otherwise; it rides on the same builds.

The server answers only its own address, only with regular files inside the built folder, and
never lists a folder; the watcher outlives any failed build and shows the error in the page.
"""

from __future__ import annotations

import contextlib
import html
import mimetypes
import os
import re
import shutil
import socket
import socketserver
import stat
import sys
import threading
import traceback
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

from roadmap.errors import InputError, Problem

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import date

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
VERSION_PATH = "/__roadmap__/version"
POLL_SECONDS = 0.4
# A connection that sends nothing for this long is closed, so idle sockets cannot pile up.
IDLE_SECONDS = 15.0
# One thread per connection, at most this many at once: a browser opens six per host.
MAX_CONNECTIONS = 32
# Added to every HTML page served: ask for the build version each second, reload when it moves.
RELOAD_SCRIPT = (
    "<script>(function(){var v=null;setInterval(function(){fetch('" + VERSION_PATH + "',{cache:'no-store'})"
    ".then(function(r){return r.text()}).then(function(t){if(v!==null&&t!==v){location.reload()}v=t})"
    ".catch(function(){})},1000)})();</script>"
)
BUSY = b"HTTP/1.0 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
_BROKEN_ESCAPE = re.compile("%(?![0-9A-Fa-f]{2})")


def check_host(host: str, allow_remote: bool) -> None:
    """Refuse to listen beyond this machine unless the user asked for it."""
    if host not in LOCAL_HOSTS and not allow_remote:
        message = "serve listens on localhost only; pass --allow-remote to expose the preview on the network"
        raise InputError([Problem("--host", 1, 1, "host", message, host)])


def allowed_hosts(host: str, port: int) -> frozenset[str]:
    """The Host headers a browser sends to this preview; any other name (DNS rebinding) is refused."""
    names = {"localhost", "127.0.0.1", "[::1]", f"[{host}]" if ":" in host else host}
    spelled = {f"{name}:{port}" for name in names} | (names if port == 80 else set())
    return frozenset(name.lower() for name in spelled)


def parse_target(target: str) -> tuple[list[str], bool]:
    """The decoded path segments of a request target, and whether it ends with a slash.

    ValueError for what no browser sends: a target that is not a path, a broken %-escape, bytes
    that are not UTF-8, NUL or another control character, or a `..` segment.
    """
    path = target.split("?", 1)[0].split("#", 1)[0]
    if not path.startswith("/") or _BROKEN_ESCAPE.search(path):
        raise ValueError(target)
    text = unquote(path, errors="strict")
    segments = [segment for segment in text.split("/") if segment not in ("", ".")]
    if ".." in segments or not all(segment.isprintable() for segment in segments):
        raise ValueError(target)
    return segments, text.endswith("/")


def regular_file(root: Path, path: Path) -> Path | None:
    """`path` with its links resolved, if that is a regular file inside `root` (already resolved)."""
    try:
        real = path.resolve()
        if real.is_relative_to(root) and stat.S_ISREG(real.stat().st_mode):
            return real
    except OSError:  # missing, unreadable, a name too long: all simply not there
        pass
    return None


def locate(root: Path, segments: list[str], slash: bool) -> Path | str | None:
    """The file a request names inside `root`, a folder's address with its slash, or None.

    A folder is its index.html; a folder without one, a link leading out of `root`, or anything
    but a regular file is not found. Nothing is ever listed.
    """
    real_root = root.resolve()
    try:
        target = real_root.joinpath(*segments).resolve()
        is_folder = target.is_relative_to(real_root) and target.is_dir()
    except OSError:
        return None
    if not is_folder:
        return regular_file(real_root, target)
    index = regular_file(real_root, target / "index.html")
    if index is not None and segments and not slash:
        return "/" + "/".join(quote(segment) for segment in segments) + "/"  # so relative links work
    return index


def failure_lines(exc: Exception) -> list[str]:
    """What a failed build says, one line per problem: the user's mistakes, or our bug in one line."""
    if isinstance(exc, InputError):
        return [problem.format() for problem in exc.problems]
    first = (str(exc).splitlines() or [""])[0]
    return [f"roadmap: internal error: {type(exc).__name__}: {first[:300]}"]


def page(title: str, body: str) -> bytes:
    """A bare page in the preview's style, for answers the build did not write."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)} · roadmap preview</title>\n"
        '<link rel="icon" href="data:,">\n<link rel="stylesheet" href="/assets/style.css">\n</head>\n'
        f'<body>\n<main id="main">\n<h1>{html.escape(title)}</h1>\n{body}\n</main>\n</body>\n</html>\n'
    ).encode()


NOT_FOUND_PAGE = page(
    "Page not found", '<p>That page is not in this preview. Start from the <a href="/">home page</a>.</p>'
)


def error_page(lines: tuple[str, ...]) -> bytes:
    """The page shown for every HTML request while the last build failed."""
    items = "".join(f"<li><code>{html.escape(line)}</code></li>" for line in lines)
    body = (
        f'<div class="warnings" role="alert"><ul>{items}</ul></div>\n'
        "<p>The preview shows this until a build succeeds; it reloads by itself after your next save.</p>"
    )
    return page("The build failed", body)


@dataclass
class Preview:
    """The watched inputs, the build to run, and the version the browser polls.

    The version moves after every successful build and whenever the build's errors change, so
    an open page reloads into the error and back out of it.
    """

    build: Callable[[], None]
    watched: Callable[[], list[Path]]
    report: Callable[[list[str]], None]
    verbose: bool = False
    version: int = 0
    errors: tuple[str, ...] = ()
    _stamps: dict[str, int] = field(default_factory=dict)

    def snapshot(self) -> dict[str, int]:
        stamps: dict[str, int] = {}
        for path in self.watched():
            with contextlib.suppress(OSError):
                stamps[str(path)] = path.stat().st_mtime_ns
        return stamps

    def rebuild(self) -> None:
        """Build; on failure keep the last good files and put the error in every page."""
        try:
            self.build()
        except Exception as exc:  # noqa: BLE001 - a typo mid-edit must not end the preview
            self.fail(exc)
            return
        self.errors = ()
        self.version += 1

    def fail(self, exc: Exception) -> None:
        if self.verbose and not isinstance(exc, InputError):
            traceback.print_exception(type(exc), exc, exc.__traceback__)
        lines = tuple(failure_lines(exc))
        if lines != self.errors:  # said once, not at every poll
            self.report(list(lines))
            self.errors = lines  # before the version moves, so the reload finds them
            self.version += 1

    def check(self) -> None:
        """One poll: rebuild if a watched file changed. Never raises, so the watcher lives on."""
        try:
            stamps = self.snapshot()
        except Exception as exc:  # noqa: BLE001 - a folder that vanished mid-edit, say
            self.fail(exc)
            return
        if stamps != self._stamps:
            self._stamps = stamps
            self.rebuild()

    def first_build(self) -> None:
        """Note the inputs' stamps, then build: an edit saved during this build is seen by the first check."""
        with contextlib.suppress(Exception):  # a failing look is reported by the first check
            self._stamps = self.snapshot()
        self.rebuild()

    def watch(self, stop: threading.Event) -> None:
        while not stop.wait(POLL_SECONDS):
            self.check()


class _Handler(BaseHTTPRequestHandler):
    """GET and HEAD for the built folder and the reload poll; nothing else."""

    preview: Preview
    root: Path
    hosts: frozenset[str] = frozenset()
    server_version = "roadmap-preview"
    sys_version = ""

    def do_GET(self) -> None:
        self._answer(head=False)

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def _answer(self, head: bool) -> None:
        if self.headers.get("Host", "").lower() not in self.hosts:
            self._send(421, "text/plain", b"This preview answers only to its own address.\n", head)
            return
        try:
            segments, slash = parse_target(self.path)
        except ValueError:
            self._send(400, "text/plain", b"Bad request path.\n", head)
            return
        if "/" + "/".join(segments) == VERSION_PATH:
            self._send(200, "text/plain", str(self.preview.version).encode(), head)
            return
        found = locate(self.root, segments, slash)
        if isinstance(found, str):
            self.send_response(301)
            self.send_header("Location", found)
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif found is None:
            self._not_found(head)
        elif found.suffix == ".html":
            self._page(200, found, head)
        else:
            self._file(found, head)

    def _not_found(self, head: bool) -> None:
        built = regular_file(self.root.resolve(), self.root / "404.html")  # the site has one
        self._page(404, built, head)

    def _page(self, status: int, file: Path | None, head: bool) -> None:
        """An HTML answer with the reload script; the build's error instead while it fails."""
        if self.preview.errors:
            status, body = 500, error_page(self.preview.errors)
        else:
            try:
                body = file.read_bytes() if file else NOT_FOUND_PAGE
            except OSError:  # gone since it was found
                status, body = 404, NOT_FOUND_PAGE
        body = body.replace(b"</body>", RELOAD_SCRIPT.encode() + b"</body>", 1)
        self._send(status, "text/html", body, head)

    def _file(self, file: Path, head: bool) -> None:
        try:
            handle = file.open("rb")
        except OSError:
            self._not_found(head)
            return
        with handle:
            self._headers(200, _content_type(file.name), os.fstat(handle.fileno()).st_size)
            if not head:
                shutil.copyfileobj(handle, self.wfile)

    def _send(self, status: int, content_type: str, body: bytes, head: bool) -> None:
        self._headers(status, content_type + "; charset=utf-8", len(body))
        if not head:
            self.wfile.write(body)

    def _headers(self, status: int, content_type: str, length: int) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(length))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the CLI says what matters
        return


def _content_type(name: str) -> str:
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return kind + "; charset=utf-8" if kind.startswith("text/") or kind == "application/json" else kind


class _Server(ThreadingHTTPServer):
    """One thread per connection, at most `max_connections` at once; more are told to come back."""

    block_on_close = False  # Ctrl+C does not wait for idle browsers

    def __init__(self, address: tuple[str, int], handler: type[_Handler], preview: Preview, max_connections: int):
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.preview = preview
        self._slots = threading.BoundedSemaphore(max_connections)
        super().__init__(address, handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind asks DNS for the host's full name, which a preview never uses.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), int(self.server_address[1])

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            with contextlib.suppress(OSError):
                request.setblocking(False)
                request.sendall(BUSY)
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if not isinstance(exc, Exception) or isinstance(exc, (ConnectionError, TimeoutError)):
            return  # the browser went away or went quiet: nothing to say
        if self.preview.verbose:
            traceback.print_exc()
        self.preview.report(failure_lines(exc))


def make_server(
    preview: Preview,
    root: Path,
    host: str,
    port: int,
    *,
    timeout: float = IDLE_SECONDS,
    max_connections: int = MAX_CONNECTIONS,
) -> ThreadingHTTPServer:
    """An HTTP server for `root` that also answers the reload poll."""

    class Handler(_Handler):
        pass

    Handler.preview, Handler.root, Handler.timeout = preview, root, timeout
    server = _Server((host, port), Handler, preview, max_connections)
    Handler.hosts = allowed_hosts(host, server.server_address[1])
    return server


def run(preview: Preview, root: Path, host: str, port: int, ready: Callable[[str], None]) -> None:
    """Build once, then serve and watch until interrupted."""
    preview.first_build()
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


def preview(
    profile: Path | None,
    root: Path,
    *,
    content_dir: Path | None,
    templates_dir: Path | None,
    today: date,
    address: tuple[str, int],
    say: Callable[[str], None],
    report: Callable[[list[Problem]], None],
    show_failure: Callable[[list[str]], None],
    verbose: bool,
    ready: Callable[[str], None],
) -> None:
    """`roadmap serve`: build the site (or the plan of `profile`) into `root`, serve it, and
    rebuild whenever a watched profile, module or template changes."""
    from roadmap.commands.pipeline import document_date, load_inputs, plan_profile, write_plan
    from roadmap.commands.site import build_site
    from roadmap.load.layers import BUILTIN_CONTENT, BUILTIN_TEMPLATES
    from roadmap.write.output import OutDir

    def build() -> None:
        inputs = load_inputs(content_dir, templates_dir)
        if profile is None:
            # Changes are known (no fast path), and this process has threads: render in it alone.
            build_site(inputs, OutDir(root), base_url="/", today=today, warn=lambda problem: report([problem]), jobs=1)
        else:
            plan = plan_profile(profile, inputs, today, display=profile.as_posix())
            write_plan(plan, inputs, OutDir(root), ("html", "ics", "json"), created=document_date(today, None))
        say(f"Built {'the site' if profile is None else profile.name} into {root}/")

    def watched() -> list[Path]:
        folders = [d for d in (content_dir, templates_dir, BUILTIN_CONTENT, BUILTIN_TEMPLATES) if d]
        files = [path for folder in folders for path in sorted(folder.rglob("*")) if path.is_file()]
        return files + ([profile] if profile else [])

    run(Preview(build, watched, show_failure, verbose=verbose), root, *address, ready)
