"""Write files atomically, only inside one output folder, and never over or through what is not ours.

Each file goes to a temporary name in its final folder (`.<name>.roadmap-<random>.part`), is
flushed to disk, then renamed over the final name: a killed run leaves the old file or the new
one, never half of one. A write never follows a link below the folder's root, a file is deleted
(or, where the folder keeps a record, overwritten) only when it still holds the bytes we wrote,
and one run at a time writes into a folder.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import itertools
import json
import os
import random
import re
import stat
import sys
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from roadmap.errors import InputError, Problem

# A folder holding one of these is someone's project: a mistyped --out must not write into it.
PROJECT_MARKERS = ("pyproject.toml", ".git")
# Our temporary files, and only ours: the final file's name, our mark, 8 random hex digits.
TEMP_NAME = re.compile(r"\.(?P<name>.+)\.roadmap-[0-9a-f]{8}\.part")
# The folder's record of what roadmap wrote there: relative path -> sha256 of the bytes written.
RECORD_FILE = ".roadmap-files.json"
# roadmap's own bookkeeping (this record, the site's, a batch profile's row) is named so: a user's
# file never is, and such a file is only ever read as a claim, so it is overwritten without proof.
BOOKKEEPING_PREFIX = ".roadmap-"
SHA256_HEX = re.compile(r"[0-9a-f]{64}")
NOT_OURS = "not written by roadmap (or changed since); move it away or pass --force-out"
# Open flags that keep a new file ours: never through a link, never inherited by a program run.
_SAFE_OPEN = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


class Written(NamedTuple):
    """What one write put in a file: the sha256 of its bytes, and how many there were."""

    sha256: str
    size: int


class OutDirBusy(InputError):
    """Another run holds the folder's lock (exit 2: nothing is wrong with the input, try later)."""


class NotOurs(Exception):
    """A file the record names no longer holds what we wrote there, so it is left alone."""


class OutDir:
    """An output folder that refuses any path that would land outside it or go through a link."""

    def __init__(self, root: Path, *, links_checked_from: Path | None = None) -> None:
        self.root = root
        # Every folder from here down to a written file must be a real folder, not a link.
        self._top = links_checked_from if links_checked_from is not None else root
        self._written: dict[str, Written] = {}  # relative path -> what this run wrote there
        self._checked_dirs: set[Path] = set()  # folders already proven to be real folders below the top
        self._leftovers: dict[Path, dict[str, list[str]]] = {}  # folder -> final name -> our temporary files
        self._lock_fds: list[int] = []
        # The folder's record as this run found it; None: no record is kept here (the site keeps
        # its own richer one), and files are overwritten without proof.
        self._record: dict[str, str] | None = None
        self._force = False  # --force-out: the record is kept, but not asked before overwriting

    def keep_record(self, *, force: bool, warn: Callable[[Problem], None]) -> None:
        """Overwrite from now on only files the folder's record proves we wrote (unless `force`).

        The record is a claim anyone who can write the folder can forge: it is checked against
        each file's bytes before it allows anything, and one that is not a mapping of paths to
        sha256 hashes is ignored with a warning.
        """
        path = self.root / RECORD_FILE
        self._record = _read_record(path, lambda message: warn(self._problem(path, message)))
        self._force = force

    def save_record(self) -> None:
        """Write the record atomically, after this run's files: them, and the earlier ones still there."""
        if self._record is None:
            return
        entries = {name: sha for name, sha in self._record.items() if self._still_there(name)}
        entries.update((name, self.written_sha256(name)) for name in self._written)
        if not entries:
            return  # nothing of ours here: leave no trace in a folder we only refused to write into
        path = self.target(RECORD_FILE)
        try:
            self._remove_leftovers(path)
            write_atomic(path, (json.dumps(entries, indent=1, sort_keys=True) + "\n").encode())
        except OSError as exc:
            raise InputError([self._problem(path, f"cannot write: {exc.strerror or exc}")]) from None

    def _still_there(self, relative: str) -> bool:
        try:
            return self.target(relative).is_file()
        except (ValueError, InputError):
            return False

    def _refuse_foreign(self, relative: str, path: Path, data: bytes) -> None:
        """Refuse to replace a file the record does not prove ours (bytes equal to `data` lose nothing)."""
        if self._record is None or self._force or path.name.startswith(BOOKKEEPING_PREFIX):
            return
        try:
            if not stat.S_ISREG(os.lstat(path).st_mode):
                raise InputError([self._problem(path, NOT_OURS)])
            current = file_sha256(path)
        except FileNotFoundError:
            return
        if current not in (self._record.get(relative), sha256_hex(data)):
            raise InputError([self._problem(path, NOT_OURS)])

    def subfolder(self, name: str) -> OutDir:
        """A folder inside this one, with its own run-once record; it must not be a link either."""
        return OutDir(self.root / name, links_checked_from=self._top)

    def claim(self, *, force: bool = False, share: str | None = None) -> None:
        """Make the folder this run's: refuse one not safe to write into, create it, take its lock.

        `share` (a lock file's path below the folder) names a share of the work that writes only
        its own files, such as a batch shard: runs of different shares may write at once, two runs
        of one share may not, and a run without a share excludes them all. The lock lasts until
        `release` or the end of the process (the kernel drops it even after SIGKILL); forked
        helpers share it and never take it again.
        """
        if not force:
            self._refuse_unsafe()
        self.prepare()
        if sys.platform != "win32":  # no flock there: one writer per folder is up to the user
            self._lock(None, exclusive=share is None)
            if share is not None:
                self._lock(share, exclusive=True)

    def release(self) -> None:
        """Give the locks back (the same process may claim the folder again later)."""
        while self._lock_fds:
            os.close(self._lock_fds.pop())  # closing the only descriptor drops its lock

    def prepare(self) -> None:
        """Create the folder; a file or unwritable folder in the way is an input error."""
        if self.root != self._top:
            self._refuse_links(self.root)
        if self.root.exists() and not self.root.is_dir():
            raise InputError([self._problem(self.root, "is a file, not a folder")])
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError([self._problem(self.root, f"cannot create folder: {exc.strerror}")]) from None
        if not os.access(self.root, os.W_OK):
            raise InputError([self._problem(self.root, "folder is not writable")])

    def _refuse_unsafe(self) -> None:
        """Refuse `/`, the home folder and a project's folder: a typo there would bury or overwrite files."""
        resolved = self.root.resolve()
        if resolved.parent == resolved:
            why = "the root of the file system"
        elif resolved == _home():
            why = "your home folder"
        elif markers := [marker for marker in PROJECT_MARKERS if os.path.lexists(resolved / marker)]:
            why = f"a project's folder, which holds {' and '.join(markers)}"
        else:
            return
        raise InputError([self._problem(self.root, f"refusing to write into {why} (use --force-out to override)")])

    def _lock(self, relative: str | None, *, exclusive: bool) -> None:
        """Lock, without waiting, the folder itself (None) or a share's lock file below it.

        Locking the folder leaves no lock file among the outputs, whose every byte a run decides.
        """
        path = self.root if relative is None else self.target(relative)
        try:
            if relative is None:
                fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                # No O_TRUNC and no link followed: the lock file is only ever opened, never rewritten.
                fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NONBLOCK", 0) | _SAFE_OPEN, 0o644)
        except OSError as exc:
            raise InputError([self._problem(path, f"cannot take the lock: {exc.strerror}")]) from None
        if relative is not None and not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise InputError([self._problem(path, "the lock file is not a regular file")])
        if not _try_lock(fd, exclusive=exclusive):
            holder = _lock_holder(fd)
            os.close(fd)
            by = f"pid {holder}" if holder else "another process"
            raise OutDirBusy([self._problem(self.root, f"another roadmap run is writing here (lock held by {by})")])
        self._lock_fds.append(fd)

    def target(self, relative: str) -> Path:
        """Resolve `relative` inside the folder, refusing traversal and any link on the way."""
        parts = PurePosixPath(relative).parts
        if not parts or PurePosixPath(relative).is_absolute() or ".." in parts:
            raise ValueError(f"refusing to write outside the output folder: {relative!r}")
        path = self.root.joinpath(*parts)
        self._refuse_links(path)
        return path

    def _refuse_links(self, path: Path) -> None:
        """Refuse `path` if it, or any folder between the top and it, is a link (checked with lstat).

        A link there could send a write, a rename or a delete to any folder the user can write.
        """
        if path.parent in self._checked_dirs:  # the usual case: only the last step is new
            with contextlib.suppress(FileNotFoundError):
                if stat.S_ISLNK(os.lstat(path).st_mode):
                    raise InputError([self._problem(path, "is a link; roadmap writes only into real folders")])
            return
        current = self._top
        for part in path.relative_to(self._top).parts:
            current = current / part
            if current in self._checked_dirs:
                continue
            try:
                mode = os.lstat(current).st_mode
            except FileNotFoundError:
                return  # nothing further down exists yet; mkdir and O_EXCL create real entries
            if stat.S_ISLNK(mode):
                raise InputError([self._problem(current, "is a link; roadmap writes only into real folders")])
            if stat.S_ISDIR(mode):
                self._checked_dirs.add(current)

    def write(self, relative: str, data: bytes, *, durable: bool = True) -> Path:
        """Write `data` to `relative` atomically; the same file twice in one run is a bug.

        `durable=False` skips the fsync: for files that can be made again, whose writer checks
        them on the next run (a site page's size is in the site's record).
        """
        if relative in self._written:
            raise ValueError(f"{relative} was already written in this run")
        path = self.target(relative)
        try:
            if path.parent not in self._checked_dirs:
                path.parent.mkdir(parents=True, exist_ok=True)
                self.target(relative)  # the folders just made must not have been links either
            self._refuse_foreign(relative, path, data)
            self._remove_leftovers(path)
            write_atomic(path, data, durable=durable)
        except OSError as exc:
            # A full disk or a read-only folder is the user's to fix, not a bug: say so plainly.
            raise InputError([self._problem(path, f"cannot write: {exc.strerror or exc}")]) from None
        self._written[relative] = Written(sha256_hex(data), len(data))
        return path

    def _remove_leftovers(self, path: Path) -> None:
        """Delete the temporary files a killed run of ours left for this very file.

        Only in a folder this run writes, only names of our exact pattern for the file now being
        written, only plain files, and the folder's lock is ours: nobody else's file, and no other
        process's write in flight (each file is written by one process of one run).
        """
        folder = self._leftovers.get(path.parent)
        if folder is None:
            folder = self._leftovers[path.parent] = _find_leftovers(path.parent)
        for name in folder.pop(path.name, []):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path.parent / name)

    def written_count(self) -> int:
        return len(self._written)

    def written_since(self, count: int) -> dict[str, Written]:
        """What this run wrote after its first `count` files (how a forked helper reports its share)."""
        return dict(itertools.islice(self._written.items(), count, None))

    def adopt(self, written: dict[str, Written]) -> None:
        """Record files that forked helpers wrote into this folder on this run's behalf."""
        for relative, what in written.items():
            if relative in self._written:
                raise ValueError(f"{relative} was already written in this run")
            self._written[relative] = what

    def written_sha256(self, relative: str) -> str:
        """The sha256 of the bytes this run wrote to `relative`."""
        return self._written[relative].sha256

    def written_size(self, relative: str) -> int:
        """How many bytes this run wrote to `relative`."""
        return self._written[relative].size

    def remove_if_ours(self, relative: str, sha256: str | None) -> bool:
        """Delete `relative` if it is a plain file still holding the bytes we wrote (their sha256).

        Returns whether a file was removed; a file that is not provably ours raises NotOurs.
        """
        try:
            path = self.target(relative)
        except ValueError:
            raise NotOurs("not a path inside the out dir") from None
        except InputError:
            raise NotOurs("a link is on its path") from None
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            return False
        if not stat.S_ISREG(mode):
            raise NotOurs("not a plain file")
        if sha256 is None:
            raise NotOurs("the record holds no hash of what roadmap wrote there")
        try:
            if file_sha256(path) != sha256:
                raise NotOurs("it does not hold what roadmap wrote there")
            path.unlink()
            self._remove_leftovers(path)
        except OSError as exc:
            raise NotOurs(f"cannot remove it: {exc.strerror or exc}") from None
        return True

    def _problem(self, path: Path, message: str) -> Problem:
        return Problem(path.as_posix(), 1, 1, "--out", message)


def sha256_hex(data: bytes) -> str:
    """The sha256 by which records name the bytes roadmap wrote (this folder's and the site's)."""
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str:
    return sha256_hex(path.read_bytes())


def _read_record(path: Path, warn: Callable[[str], None]) -> dict[str, str]:
    """The folder's record; empty when there is none, or (with a warning) when it is not one we could write."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        data = None
    if isinstance(data, dict) and all(isinstance(v, str) and SHA256_HEX.fullmatch(v) for v in data.values()):
        return data  # JSON keys are always strings
    warn("warning: ignoring roadmap's record of the files it wrote: not a mapping of file names to sha256 hashes")
    return {}


def write_atomic(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Replace `path` with `data` so readers see the old file or the new one, never a mix.

    The rename alone is what makes a killed run safe; `durable` also survives a power cut. The
    file is created with its final mode (0644 less the umask, as any new file), so no chmod
    follows: a site build writes thousands of these.
    """
    fd, temp = _create_temp(path)
    try:
        try:
            view = memoryview(data)
            while view:  # os.write may write less than asked (a signal, a full pipe-like device)
                view = view[os.write(fd, view) :]
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def _create_temp(path: Path) -> tuple[int, str]:
    """A new temporary file beside `path`, named so that only we would recognise it as ours.

    Its name is a plain string: pathlib interns every part of a path it builds, and a random
    name per file written would grow the interpreter's table of interned strings for good.
    """
    folder, name = os.path.split(os.fspath(path))
    while True:
        # Only a name no one else uses, not a secret (O_EXCL and O_NOFOLLOW keep the file ours):
        # `random` costs no system call, unlike `secrets`, and reseeds itself in a forked helper.
        temp = os.path.join(folder, f".{name}.roadmap-{random.getrandbits(32):08x}.part")
        try:
            return os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _SAFE_OPEN, 0o644), temp
        except FileExistsError:
            continue


def _find_leftovers(folder: Path) -> dict[str, list[str]]:
    """Our temporary files in `folder` (not below it), by the name of the file each was for."""
    found: dict[str, list[str]] = {}
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return found
    for entry in entries:
        match = TEMP_NAME.fullmatch(entry.name)
        if match and entry.is_file(follow_symlinks=False):
            found.setdefault(match["name"], []).append(entry.name)
    return found


def _home() -> Path | None:
    try:
        return Path.home().resolve()
    except (RuntimeError, KeyError):  # no HOME and no user database entry
        return None


if sys.platform != "win32":
    import fcntl

    def _try_lock(fd: int, *, exclusive: bool) -> bool:
        """Lock `fd` without waiting; False when another process holds it.

        A file system that cannot lock at all (some network ones refuse a folder) does not stop
        the run: the lock then guards nothing, as on Windows.
        """
        try:
            fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        except OSError as exc:
            if exc.errno not in (errno.EBADF, errno.ENOLCK, errno.EOPNOTSUPP, errno.EINVAL):
                raise
        return True

    def _lock_holder(fd: int) -> str:
        """The pid holding the lock on `fd`'s file or folder, from the kernel's table (Linux; "" elsewhere).

        Nothing is written to say who holds it: the out dir holds only outputs, byte-identical
        from run to run.
        """
        info = os.fstat(fd)
        inode = f"{os.major(info.st_dev):02x}:{os.minor(info.st_dev):02x}:{info.st_ino}"
        try:
            lines = Path("/proc/locks").read_text().splitlines()
        except OSError:
            return ""
        for line in lines:
            fields = line.split()
            # "1: FLOCK  ADVISORY  WRITE 1234 fe:00:56789 0 EOF"; a waiter's line has "->" first
            if len(fields) >= 6 and fields[1] == "FLOCK" and fields[5] == inode:
                return fields[4]
        return ""
