"""Atomic file replacement, shared by the token file store and the schema writer.

A writer holds an exclusive ``flock`` on its temp file from creation to rename (POSIX), so a temp
file nobody holds a lock on belongs to a writer that died: :func:`remove_stale_temp_files`
removes those at once, whatever their age, and never one that a live writer (in this process or
another, in any PID namespace sharing the file system) is still writing.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "NEW_FILE_MODE",
    "STALE_TEMP_AGE",
    "remove_stale_temp_files",
    "temp_files",
    "write_atomic",
]

#: Mode of a file created by :func:`write_atomic` with ``mode=None``.
NEW_FILE_MODE = 0o644

#: Without ``flock`` (Windows), a temp file is stale once it is this old (seconds).
STALE_TEMP_AGE = 600.0

_TEMP_SUFFIX = ".tmp"


def _temp_prefix(target: Path) -> str:
    return f".{target.name}."


def temp_files(path: str | os.PathLike[str]) -> list[Path]:
    """The temp files :func:`write_atomic` may have left next to ``path``."""
    target = Path(path)
    return sorted(target.parent.glob(f"{_temp_prefix(target)}*{_TEMP_SUFFIX}"))


def _same_file(fd: int, name: str) -> bool:
    try:
        return os.path.samestat(os.fstat(fd), os.stat(name, follow_symlinks=False))
    except FileNotFoundError:
        return False


def _create_locked_temp(target: Path) -> tuple[int, str]:
    """A new temp file next to ``target``, exclusively locked (POSIX) before anyone can see it
    unlocked for long: if a cleaner removed it in between, another one is made."""
    while True:
        fd, name = tempfile.mkstemp(
            dir=target.parent, prefix=_temp_prefix(target), suffix=_TEMP_SUFFIX
        )
        if fcntl is None:  # pragma: no cover - Windows
            return fd, name
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            if _same_file(fd, name):
                return fd, name
        except BaseException:
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(name)
            raise
        os.close(fd)  # removed by a cleaner between mkstemp and flock: take another name


def write_atomic(path: str | os.PathLike[str], data: bytes, *, mode: int | None) -> None:
    """Replace ``path`` with ``data`` so that readers see the old file or the new one, never a
    mix: a temp file in the same directory, fsync, ``os.replace``, then an fsync of the directory
    (POSIX) so the rename itself is durable.

    ``mode`` is the new file's permission bits; ``None`` keeps those of the file being replaced
    (:data:`NEW_FILE_MODE` for a new file). The temp file carries its final mode before any byte
    is written, and stays locked until it has been renamed. It is removed whatever interrupts the
    write (``OSError``, ``KeyboardInterrupt``, cancellation). The directory must exist;
    ``OSError`` propagates.
    """
    target = Path(path)
    directory = target.parent
    if mode is None:
        try:
            mode = target.stat().st_mode & 0o777
        except FileNotFoundError:
            mode = NEW_FILE_MODE
    fd, tmp_name = _create_locked_temp(target)
    replaced = False
    try:
        try:
            if hasattr(os, "fchmod"):
                os.fchmod(fd, mode)
            else:  # pragma: no cover - Windows
                os.chmod(tmp_name, mode)
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
            # Renamed while still locked: a cleaner never sees this temp file unlocked.
            os.replace(tmp_name, target)
            replaced = True
        finally:
            os.close(fd)
    finally:
        if not replaced:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
    if os.name == "posix":  # make the rename itself durable
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _remove_if_unlocked(name: Path) -> bool:
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(name, flags)
    except OSError:
        return False
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False  # a live writer holds it
        if not _same_file(fd, str(name)):
            return False  # renamed or replaced meanwhile: not ours to remove
        os.unlink(name)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def remove_stale_temp_files(path: str | os.PathLike[str]) -> list[Path]:
    """Remove the temp files that dead writers left next to ``path``; return them.

    POSIX: a temp file is stale when no process holds its lock (a killed writer's lock is
    released by the kernel), however recent it is. Elsewhere: when older than
    :data:`STALE_TEMP_AGE`. Errors are ignored (another cleaner may be at work).
    """
    removed = []
    cutoff = time.time() - STALE_TEMP_AGE
    for leftover in temp_files(path):
        if fcntl is not None:
            if _remove_if_unlocked(leftover):
                removed.append(leftover)
            continue
        with contextlib.suppress(OSError):  # pragma: no cover - Windows
            if leftover.stat().st_mtime < cutoff:
                leftover.unlink()
                removed.append(leftover)
    return removed
