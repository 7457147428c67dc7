"""`roadmap serve` under attack (issue 22, and issue 14's listing): every test is the attack.

Servers listen on an ephemeral port of 127.0.0.1 only, and every request goes there.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from jinja2 import Environment, FileSystemLoader

from roadmap.commands.serve import Preview, allowed_hosts, make_server
from roadmap.errors import InputError, Problem
from roadmap.load.layers import BUILTIN_TEMPLATES
from tests.conftest import REPO

NOT_FOUND = "<p>Not in this guide.</p>"
SECRET = "root:x:0:0:SECRET"


def _quiet_preview() -> Preview:
    return Preview(build=lambda: None, watched=list, report=lambda lines: None)


@contextmanager
def serving(root: Path, preview: Preview | None = None, **options: Any) -> Iterator[int]:
    """Serve `root` from a thread on an ephemeral loopback port; yield the port."""
    server = make_server(preview or _quiet_preview(), root, "127.0.0.1", 0, **options)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def ask(port: int, target: str, host: str | None = "own", method: str = "GET") -> tuple[int, dict[str, str], str]:
    """Send one raw request, exactly as written (no client-side clean-up); host None sends no Host."""
    host = f"127.0.0.1:{port}" if host == "own" else host
    lines = [f"{method} {target} HTTP/1.1", *([f"Host: {host}"] if host is not None else []), "Connection: close"]
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in header_lines)
    return int(status_line.split()[1]), headers, body.decode("utf-8")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A built site, with a secret folder beside it that nothing may reach."""
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "passwd").write_text(SECRET)
    root = tmp_path / "out"
    (root / "assets").mkdir(parents=True)
    (root / "modules").mkdir()
    (root / "index.html").write_text("<html><body><h1>Home</h1></body></html>")
    (root / "404.html").write_text(f"<html><body>{NOT_FOUND}</body></html>")
    (root / "modules" / "index.html").write_text("<html><body><h1>Modules</h1></body></html>")
    (root / "assets" / "style.css").write_text("body { color: black; }")
    (root / "plan.json").write_text('{"name": "Jordan Rivera"}')
    return root


# ---------- symlinks and listings ----------


@pytest.mark.parametrize("target", ["/passwd", "/etc", "/etc/", "/etc/passwd", "/modules/up/passwd"])
def test_a_link_out_of_the_served_folder_is_not_found(site: Path, target: str) -> None:
    """Issue 22: a link inside the served folder served /etc/passwd and listed /etc."""
    secret = site.parent / "secret"
    (site / "passwd").symlink_to(secret / "passwd")
    (site / "etc").symlink_to(secret, target_is_directory=True)
    (site / "modules" / "up").symlink_to(site.parent, target_is_directory=True)
    with serving(site) as port:
        status, _, body = ask(port, target)
    assert status == 404
    assert NOT_FOUND in body
    assert "SECRET" not in body and "passwd" not in body


def test_a_link_that_stays_inside_the_folder_is_served(site: Path) -> None:
    (site / "home.html").symlink_to(site / "index.html")
    with serving(site) as port:
        status, headers, body = ask(port, "/home.html")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert body.startswith("<html><body><h1>Home</h1><script>")


@pytest.mark.parametrize("target", ["/assets/", "/assets", "/assets/?C=M;O=D"])
def test_a_folder_without_an_index_gets_the_404_page_never_a_listing(site: Path, target: str) -> None:
    """Issue 14: a folder without index.html showed Python's directory listing."""
    with serving(site) as port:
        status, _, body = ask(port, target)
    assert status == 404
    assert NOT_FOUND in body
    assert "style.css" not in body


def test_a_plan_preview_has_its_own_404_page_in_the_sites_style(site: Path) -> None:
    (site / "404.html").unlink()  # a plan preview builds no 404 page
    with serving(site) as port:
        status, headers, body = ask(port, "/assets/")
    assert status == 404
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert "<h1>Page not found</h1>" in body
    assert '<link rel="stylesheet" href="/assets/style.css">' in body
    assert "/__roadmap__/version" in body  # it reloads when the page appears


def test_a_folder_with_an_index_is_redirected_to_its_slash_then_served(site: Path) -> None:
    with serving(site) as port:
        moved = ask(port, "/modules")
        shown = ask(port, "/modules/")
    assert (moved[0], moved[1]["Location"]) == (301, "/modules/")
    assert shown[0] == 200 and "<h1>Modules</h1>" in shown[2]


def test_a_fifo_or_a_huge_name_is_not_found_and_does_not_hang(site: Path) -> None:
    os.mkfifo(site / "pipe")
    with serving(site) as port:
        assert ask(port, "/pipe")[0] == 404
        assert ask(port, "/" + "a" * 5000)[0] == 404


# ---------- the Host header (DNS rebinding) ----------


@pytest.mark.parametrize(
    "host", ["evil.example:{port}", "evil.example", "localhost.evil.example:{port}", "127.0.0.1", "127.0.0.1:1", None]
)
def test_a_foreign_host_is_misdirected(site: Path, host: str | None) -> None:
    """Issue 22: a page on another site could read plan.json through DNS rebinding."""
    with serving(site) as port:
        status, _, body = ask(port, "/plan.json", host=host.format(port=port) if host else None)
        version = ask(port, "/__roadmap__/version", host=host.format(port=port) if host else None)[0]
    assert (status, version) == (421, 421)
    assert "Jordan" not in body


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}", "[::1]:{port}"])
def test_the_previews_own_names_are_answered(site: Path, host: str) -> None:
    with serving(site) as port:
        status, headers, body = ask(port, "/plan.json", host=host.format(port=port))
    assert status == 200
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert body == '{"name": "Jordan Rivera"}'


def test_allow_remote_also_answers_to_the_host_it_listens_on() -> None:
    assert allowed_hosts("192.168.1.10", 8000) == {
        "192.168.1.10:8000",
        "localhost:8000",
        "127.0.0.1:8000",
        "[::1]:8000",
    }
    assert "[fd00::1]:8000" in allowed_hosts("fd00::1", 8000)
    assert "localhost" in allowed_hosts("127.0.0.1", 80)  # a browser leaves out port 80


# ---------- bad URLs ----------


@pytest.mark.parametrize(
    "target",
    [
        "/%00",
        "/a\x00b",
        "/index.html%00.txt",
        "/%zz",
        "/%4",
        "/%ff",
        "/%09",
        "/../secret/passwd",
        "/modules/%2e%2e/%2e%2e/secret/passwd",
        "/..%2fsecret%2fpasswd",
        "http://evil.example/index.html",
    ],
)
def test_a_bad_url_is_400_without_a_traceback(site: Path, target: str, capfd: pytest.CaptureFixture[str]) -> None:
    """Issue 22: a %00 in the URL printed a traceback."""
    with serving(site) as port:
        status, _, body = ask(port, target)
    assert (status, body) == (400, "Bad request path.\n")
    assert capfd.readouterr() == ("", "")


# ---------- idle and too many connections ----------


@pytest.mark.parametrize("sent", [b"", b"GET /index.html HTTP/1.1\r\nHost: 127.0.0.1"])
def test_an_idle_connection_is_closed_by_the_server(site: Path, sent: bytes) -> None:
    """Issue 22: 200 idle connections held 202 threads, for ever."""
    with serving(site, timeout=0.2) as port, socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(sent)
        assert sock.recv(1024) == b""  # closed by the server, long before this socket's own timeout


def test_connections_beyond_the_limit_are_turned_away(site: Path) -> None:
    with serving(site, timeout=10, max_connections=2) as port:
        idle = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(2)]
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as extra:
                answer = extra.recv(1024)
        finally:
            for sock in idle:
                sock.close()
    assert answer.startswith(b"HTTP/1.0 503 Service Unavailable\r\n")


# ---------- the watcher survives failed builds ----------


class Workbench:
    """A tiny site build from one template, with the watched file's stamp moved by hand."""

    def __init__(self, tmp_path: Path) -> None:
        self.templates = tmp_path / "templates"
        self.templates.mkdir()
        self.template = self.templates / "page.html"
        self.out = tmp_path / "out"
        self.out.mkdir()
        self.failure: Exception | None = None
        self.reported: list[str] = []
        self.stamp = 1_000_000_000_000_000_000
        self.preview = Preview(self.build, lambda: [self.template], self.reported.extend)

    def build(self) -> None:
        if self.failure:
            raise self.failure
        env = Environment(loader=FileSystemLoader(self.templates), autoescape=True)
        (self.out / "index.html").write_text(env.get_template("page.html").render(title="Plan"))

    def save(self, text: str, failure: Exception | None = None) -> None:
        self.template.write_text(text)
        self.failure = failure
        self.stamp += 1
        os.utime(self.template, ns=(self.stamp, self.stamp))

    def edit(self, text: str, failure: Exception | None = None) -> None:
        self.save(text, failure)
        self.preview.check()


def test_the_watcher_survives_failed_builds_shows_them_and_recovers(tmp_path: Path) -> None:
    """Issue 22: a template typo while previewing killed the watcher, and stale pages were served."""
    bench = Workbench(tmp_path)
    bench.edit("<html><body><h1>{{ title }}, first</h1></body></html>")
    pages = []
    with serving(bench.out, bench.preview) as port:
        pages.append(ask(port, "/index.html"))
        bench.edit("<html><body><h1>{{ title }</h1></body></html>")  # the typo
        pages.append(ask(port, "/index.html"))
        pages.append(ask(port, "/nowhere.html"))
        bench.edit("", InputError([Problem("me.yaml", 3, 7, "name", "must be text", "<script>")]))
        pages.append(ask(port, "/index.html"))
        bench.edit("", RuntimeError("disk <b>on fire</b>\nand a second line"))
        pages.append(ask(port, "/index.html"))
        head = ask(port, "/index.html", method="HEAD")
        bench.edit("<html><body><h1>{{ title }}, fixed</h1></body></html>")
        pages.append(ask(port, "/index.html"))
    assert [status for status, _, _ in pages] == [200, 500, 500, 500, 500, 200]
    assert "<h1>Plan, first</h1>" in pages[0][2]
    typo = "<li><code>roadmap: internal error: TemplateSyntaxError: unexpected &#x27;}&#x27;</code></li>"
    assert typo in pages[1][2] and typo in pages[2][2]
    assert "<code>me.yaml:3:7: name: must be text (got &lt;script&gt;)</code>" in pages[3][2]
    assert "<code>roadmap: internal error: RuntimeError: disk &lt;b&gt;on fire&lt;/b&gt;</code>" in pages[4][2]
    assert "/__roadmap__/version" in pages[4][2]  # the error page reloads by itself too
    assert (head[0], head[2]) == (500, "")
    assert "<h1>Plan, fixed</h1>" in pages[5][2]
    assert bench.reported == [
        "roadmap: internal error: TemplateSyntaxError: unexpected '}'",
        "me.yaml:3:7: name: must be text (got <script>)",
        "roadmap: internal error: RuntimeError: disk <b>on fire</b>",
    ]
    assert bench.preview.version == 5  # each change of state moved it, so the open page followed


def test_the_watcher_survives_a_failing_look_at_the_files(tmp_path: Path) -> None:
    bench = Workbench(tmp_path)
    bench.edit("<p>{{ title }}</p>")

    def unreadable() -> list[Path]:
        raise PermissionError("cannot read the content folder")

    bench.preview.watched = unreadable
    bench.preview.check()
    bench.preview.check()  # said once, not at every poll
    assert bench.reported == ["roadmap: internal error: PermissionError: cannot read the content folder"]
    bench.preview.watched = lambda: [bench.template]
    bench.edit("<p>{{ title }} again</p>")
    assert bench.preview.errors == ()
    assert (bench.out / "index.html").read_text() == "<p>Plan again</p>"


def test_an_edit_saved_during_the_first_build_is_not_missed(tmp_path: Path) -> None:
    bench = Workbench(tmp_path)
    bench.template.write_text("<p>{{ title }}, first</p>")
    build = bench.build

    def build_while_the_user_saves() -> None:
        build()
        bench.save("<p>{{ title }}, saved meanwhile</p>")

    bench.preview.build = build_while_the_user_saves
    bench.preview.first_build()
    bench.preview.build = build
    bench.preview.check()
    assert (bench.out / "index.html").read_text() == "<p>Plan, saved meanwhile</p>"


def _wait_for(port: int, path: str, needle: str, seconds: float = 30) -> tuple[int, str]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            status, _, body = ask(port, path)
            if needle in body:
                return status, body
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{needle!r} never appeared at {path}")


def test_a_template_typo_while_previewing_is_shown_then_fixed(tmp_path: Path) -> None:
    """Issue 22, end to end: the real command, a real template override, a real typo."""
    templates = tmp_path / "templates"
    templates.mkdir()
    good = (BUILTIN_TEMPLATES / "plan.html").read_text()
    typo_line = good.split("{{ plan.profile.name }}", 1)[0].count("\n") + 1
    shutil.copy(BUILTIN_TEMPLATES / "plan.html", templates / "plan.html")
    args = [sys.executable, "-m", "roadmap", "serve", str(REPO / "profiles/jordan-rivera.yaml"), "--port", "0"]
    args += ["--out", "out", "--templates", "templates", "--today", "2027-03-01"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(args, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert process.stdout is not None
        line = ""
        while "Serving" not in line:
            line = process.stdout.readline()
            assert line or process.poll() is None
        port = int(line.split()[1].rstrip("/").rsplit(":", 1)[1])
        _wait_for(port, "/index.html", "Jordan Rivera")
        (templates / "plan.html").write_text(good.replace("{{ plan.profile.name }}", "{{ plan.profile.name }", 1))
        status, body = _wait_for(port, "/index.html", "The build failed")
        assert status == 500
        assert f"<code>templates/plan.html:{typo_line}:1: template: unexpected &#x27;}}&#x27;</code>" in body
        (templates / "plan.html").write_text(good)
        status, body = _wait_for(port, "/index.html", "Jordan Rivera")
        assert status == 200
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=10)
    assert f"templates/plan.html:{typo_line}:1: template: unexpected '}}'\n" in stderr
    assert "Traceback" not in stderr


def test_our_own_bug_while_answering_is_one_line_never_a_traceback(
    site: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("a bug\nwith a second line")

    monkeypatch.setattr("roadmap.commands.serve.locate", broken)
    reported: list[str] = []
    preview = Preview(build=lambda: None, watched=list, report=reported.extend)
    with serving(site, preview) as port, socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(f"GET /index.html HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        assert sock.recv(1024) == b""  # the connection is dropped
    assert reported == ["roadmap: internal error: RuntimeError: a bug"]
    assert capfd.readouterr() == ("", "")
