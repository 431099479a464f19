"""Where tokens live: a small async :class:`TokenStore` protocol, a memory store and a file store.

The file store writes JSON with mode 0600 by atomic replace (temp file in the same directory,
fsync, rename, fsync of the directory), so a reader (or a process killed mid-write) only ever
sees the old or the new pair. Its :meth:`FileTokenStore.lock` is a cross-process lock that the
token manager holds across read-refresh-write.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import anyio
import anyio.to_thread

from upwork_gql._constants import CONFIG_DIR_NAME, TOKEN_FILE_LOCK_TIMEOUT, TOKEN_FILE_NAME
from upwork_gql._exceptions import OAuthError, TokenStoreError
from upwork_gql._files import write_atomic
from upwork_gql.auth._token import Token

__all__ = [
    "FileTokenStore",
    "LockableTokenStore",
    "MemoryTokenStore",
    "TokenStore",
    "default_token_path",
]


@runtime_checkable
class TokenStore(Protocol):
    """Persist one credential's token. Implement these three coroutines for your own backend.

    ``save`` must not return before the token is durable: the token manager uses a rotated
    refresh token only after ``save`` returned, and a raised exception fails the call.
    """

    async def load(self) -> Token | None: ...

    async def save(self, token: Token) -> None: ...

    async def clear(self) -> None: ...


@runtime_checkable
class LockableTokenStore(TokenStore, Protocol):
    """A store shared between processes: ``lock()`` guards read-refresh-write across them."""

    def lock(self) -> contextlib.AbstractAsyncContextManager[None]: ...


class MemoryTokenStore:
    """Keeps the token in memory (tests, short scripts, or a store of your own around it)."""

    def __init__(self, token: Token | None = None) -> None:
        self._token = token

    async def load(self) -> Token | None:
        return self._token

    async def save(self, token: Token) -> None:
        self._token = token

    async def clear(self) -> None:
        self._token = None

    def __repr__(self) -> str:
        return f"MemoryTokenStore(has_token={self._token is not None})"


def default_token_path() -> Path:
    """``<user config dir>/upwork-gql/token.json`` (platformdirs)."""
    import platformdirs

    return platformdirs.user_config_path(CONFIG_DIR_NAME) / TOKEN_FILE_NAME


def _write_atomic(path: Path, payload: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_atomic(path, payload, mode=0o600)
    _remove_stale_temp_files(path)


_STALE_TEMP_AGE = 600.0


def _remove_stale_temp_files(path: Path) -> None:
    """Temp files left by a writer that was killed mid-write (never the live file)."""
    cutoff = time.time() - _STALE_TEMP_AGE
    for leftover in path.parent.glob(f".{path.name}.*.tmp"):
        with contextlib.suppress(OSError):
            if leftover.stat().st_mtime < cutoff:
                leftover.unlink()


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


class FileTokenStore:
    """A JSON token file (mode 0600), replaced atomically, with a cross-process lock.

    The file holds the python-upwork-oauth2 token dict, so an existing ``token.json`` from that
    library can be pointed at directly. The lock file is ``<path>.lock`` next to it.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        lock_timeout: float = TOKEN_FILE_LOCK_TIMEOUT,
        poll_interval: float = 0.01,
    ) -> None:
        self.path = Path(path) if path is not None else default_token_path()
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self.lock_timeout = lock_timeout
        self.poll_interval = poll_interval
        self._local_lock = anyio.Lock()
        self._file_lock: Any = None

    def __repr__(self) -> str:
        return f"FileTokenStore(path={str(self.path)!r})"

    async def load(self) -> Token | None:
        try:
            raw = await anyio.to_thread.run_sync(_read, self.path)
        except OSError as exc:
            raise TokenStoreError(
                f"cannot read token file {self.path}: {exc.strerror or type(exc).__name__}"
            ) from None
        if raw is None:
            return None
        try:
            data = json.loads(raw)
        except ValueError:
            raise TokenStoreError(f"token file {self.path} is not valid JSON") from None
        try:
            return Token.from_dict(data)
        except OAuthError as exc:
            raise TokenStoreError(f"token file {self.path} is not a token: {exc}") from None

    async def save(self, token: Token) -> None:
        payload = json.dumps(token.to_dict(), indent=2, sort_keys=True).encode() + b"\n"
        try:
            await anyio.to_thread.run_sync(_write_atomic, self.path, payload)
        except OSError as exc:
            raise TokenStoreError(
                f"cannot write token file {self.path}: {exc.strerror or type(exc).__name__}"
            ) from None

    async def clear(self) -> None:
        try:
            self.path.unlink(missing_ok=True)
        except OSError as exc:
            raise TokenStoreError(
                f"cannot remove token file {self.path}: {exc.strerror or type(exc).__name__}"
            ) from None

    def _get_file_lock(self) -> Any:
        if self._file_lock is None:
            from filelock import FileLock

            self.lock_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            self._file_lock = FileLock(
                self.lock_path, mode=0o600, thread_local=False, preserve_lock_file=True
            )
        return self._file_lock

    @contextlib.asynccontextmanager
    async def lock(self) -> AsyncIterator[None]:
        """Hold the cross-process lock (polled without blocking the event loop)."""
        from filelock import Timeout

        async with self._local_lock:
            try:
                file_lock = self._get_file_lock()
            except OSError as exc:
                raise TokenStoreError(
                    f"cannot lock {self.lock_path}: {exc.strerror or type(exc).__name__}"
                ) from None
            deadline = time.monotonic() + self.lock_timeout
            while True:
                try:
                    file_lock.acquire(blocking=False)
                    break
                except Timeout:
                    if time.monotonic() >= deadline:
                        raise TokenStoreError(
                            f"timed out after {self.lock_timeout:g}s waiting for the token file "
                            f"lock {self.lock_path}"
                        ) from None
                    await anyio.sleep(self.poll_interval)
                except OSError as exc:
                    raise TokenStoreError(
                        f"cannot lock {self.lock_path}: {exc.strerror or type(exc).__name__}"
                    ) from None
            try:
                yield
            finally:
                file_lock.release()
