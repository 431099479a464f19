"""Atomic file replacement, shared by the token file store and the schema writer."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

__all__ = ["NEW_FILE_MODE", "write_atomic"]

#: Mode of a file created by :func:`write_atomic` with ``mode=None``.
NEW_FILE_MODE = 0o644


def write_atomic(path: str | os.PathLike[str], data: bytes, *, mode: int | None) -> None:
    """Replace ``path`` with ``data`` so that readers see the old file or the new one, never a
    mix: a temp file in the same directory, fsync, ``os.replace``, then an fsync of the directory
    (POSIX) so the rename itself is durable.

    ``mode`` is the new file's permission bits; ``None`` keeps those of the file being replaced
    (:data:`NEW_FILE_MODE` for a new file). The temp file carries its final mode before any byte
    is written. It is removed whatever interrupts the write (``OSError``, ``KeyboardInterrupt``,
    cancellation). The directory must exist; ``OSError`` propagates.
    """
    target = Path(path)
    directory = target.parent
    if mode is None:
        try:
            mode = target.stat().st_mode & 0o777
        except FileNotFoundError:
            mode = NEW_FILE_MODE
    fd, tmp_name = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.", suffix=".tmp")
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
        finally:
            os.close(fd)
        os.replace(tmp_name, target)
        replaced = True
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
