"""Where tokens live: a small async :class:`TokenStore` protocol, a memory store and a file store.

The file store writes JSON with mode 0600 by atomic replace (temp file in the same directory,
fsync, rename, fsync of the directory), so a reader (or a process killed mid-write) only ever
sees the old or the new pair. Its :meth:`FileTokenStore.lock` is a cross-process lock that the
token manager holds across read-refresh-write.

File safety:

* **Symlinks** are written through: when the token path is a symbolic link, the file it points
  to is replaced atomically (the link stays a link), and the lock lives next to that file, so
  processes using the link and processes using the target share one lock.
* **Permissions**, like ssh: a token file that others may read or write (any group/other bit),
  that belongs to another user, or that sits in a world-writable directory is used with an
  :class:`InsecureTokenFileWarning` (once per file and problem in a process); with
  ``strict_permissions=True`` (or ``UPWORK_TOKEN_FILE_STRICT=1``) it is refused with a
  :class:`~upwork_gql.TokenStoreError`. Every save writes mode 0600 whatever the old mode was.
* **Temp files** a killed writer left behind (``.token.json.*.tmp``) are removed when the store
  is first read and after every save, as soon as no live writer holds them, whatever their age.
* **A lock file that cannot be created** (a read-only or pseudo file system such as ``/proc``)
  fails at once with the operating system's reason instead of waiting for the lock timeout.
"""

from __future__ import annotations

import contextlib
import inspect
import json
import os
import stat
import time
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import anyio
import anyio.to_thread

from upwork_gql._constants import (
    CONFIG_DIR_NAME,
    ENV_TOKEN_FILE_STRICT,
    TOKEN_FILE_LOCK_TIMEOUT,
    TOKEN_FILE_NAME,
)
from upwork_gql._exceptions import OAuthError, TokenStoreError
from upwork_gql._files import remove_stale_temp_files, write_atomic
from upwork_gql.auth._token import Token

__all__ = [
    "FileTokenStore",
    "InsecureTokenFileWarning",
    "LockableTokenStore",
    "MemoryTokenStore",
    "TokenStore",
    "TokenUpdateHook",
    "default_token_path",
    "save_token",
    "store_lock",
]

#: Called with every token saved (``TokenManager(on_token_update=...)``), sync or async.
TokenUpdateHook = Callable[[Token], Awaitable[None] | None]


class InsecureTokenFileWarning(UserWarning):
    """A token file others could read or replace (see :class:`FileTokenStore`)."""


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


def store_lock(store: TokenStore) -> contextlib.AbstractAsyncContextManager[bool | None]:
    """The store's cross-process lock, when it has one (else a no-op).

    A store's lock may yield ``False``: entered without the lock because the stored token changed
    while waiting (the Redis store); anything else means the lock is held.
    """
    lock = getattr(store, "lock", None)
    if callable(lock):
        cm: contextlib.AbstractAsyncContextManager[bool | None] = lock()
        return cm
    return contextlib.nullcontext()


async def save_token(
    store: TokenStore,
    token: Token,
    *,
    replaces: Token | None = None,
    hook: TokenUpdateHook | None = None,
) -> bool:
    """Save ``token`` (after a refresh: compare-and-set against ``replaces``, when the store
    can), then call ``hook``; ``False`` when the store holds a newer pair and ``token`` was not
    saved. Any failure is a :class:`~upwork_gql.TokenStoreError`."""
    save_rotated = getattr(store, "save_rotated", None)
    try:
        if replaces is not None and callable(save_rotated):
            if not await save_rotated(token, replaces):
                return False
        else:
            await store.save(token)
    except TokenStoreError:
        raise
    except Exception as exc:
        raise TokenStoreError(
            f"could not save the new token ({type(exc).__name__}); it was not used"
        ) from exc
    if hook is not None:
        try:
            result = hook(token)
            if inspect.isawaitable(result):
                await result
        except Exception as exc:
            raise TokenStoreError(f"on_token_update hook failed ({type(exc).__name__})") from exc
    return True


def default_token_path() -> Path:
    """``<user config dir>/upwork-gql/token.json`` (platformdirs)."""
    import platformdirs

    return platformdirs.user_config_path(CONFIG_DIR_NAME) / TOKEN_FILE_NAME


_TRUE = frozenset({"1", "true", "yes", "on"})

#: (file, problem) pairs already warned about in this process: each is said once.
_warned: set[tuple[str, str]] = set()


def _strict_from_env() -> bool:
    return os.environ.get(ENV_TOKEN_FILE_STRICT, "").strip().lower() in _TRUE


def _resolve(path: Path) -> Path:
    """The file that really holds the token: ``path``, or where its symlink chain ends."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def _permission_problems(target: Path, *, file: bool = True) -> list[str]:
    """What makes ``target`` (``file=False``: only its directory) unsafe for secrets, like
    ssh's StrictModes."""
    if os.name != "posix":  # pragma: no cover - Windows ACLs are not modes
        return []
    problems = []
    info: os.stat_result | None = None
    if file:
        with contextlib.suppress(OSError):
            info = target.stat()
    if info is not None:
        mode = stat.S_IMODE(info.st_mode)
        if mode & 0o077:
            problems.append(
                f"token file {target} is accessible by others (mode {mode:04o}); "
                f"run `chmod 600 {target}`"
            )
        if info.st_uid != os.geteuid():
            problems.append(f"token file {target} belongs to another user (uid {info.st_uid})")
    dir_mode = 0
    with contextlib.suppress(OSError):
        dir_mode = target.parent.stat().st_mode
    if dir_mode & stat.S_IWOTH:
        problems.append(
            f"the directory {target.parent} of the token file is world-writable "
            "(others could replace or pre-create the token and lock files)"
        )
    return problems


def _write_atomic(path: Path, payload: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_atomic(path, payload, mode=0o600)
    remove_stale_temp_files(path)


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _create_lock_file(lock_path: Path) -> None:
    """Make sure the lock file can exist (``OSError`` with the system's reason otherwise)."""
    lock_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(fd)


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


class FileTokenStore:
    """A JSON token file (mode 0600), replaced atomically, with a cross-process lock.

    The file holds the python-upwork-oauth2 token dict, so an existing ``token.json`` from that
    library can be pointed at directly. The lock file is ``<file>.lock`` next to the file that
    holds the token (the symlink's target when ``path`` is a symlink).

    ``strict_permissions``: refuse (``TokenStoreError``) a file others can read or write, or a
    world-writable directory, instead of warning; ``None`` reads ``UPWORK_TOKEN_FILE_STRICT``.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        lock_timeout: float = TOKEN_FILE_LOCK_TIMEOUT,
        poll_interval: float = 0.01,
        strict_permissions: bool | None = None,
    ) -> None:
        self.path = Path(path) if path is not None else default_token_path()
        self.lock_timeout = lock_timeout
        self.poll_interval = poll_interval
        self.strict_permissions = (
            _strict_from_env() if strict_permissions is None else strict_permissions
        )
        self._local_lock = anyio.Lock()
        self._file_lock: Any = None
        self._file_lock_path: Path | None = None
        self._cleaned = False

    def __repr__(self) -> str:
        return f"FileTokenStore(path={str(self.path)!r})"

    @property
    def target(self) -> Path:
        """The file that holds the token: :attr:`path`, or its symlink's target."""
        return _resolve(self.path)

    @property
    def lock_path(self) -> Path:
        """The cross-process lock file, next to :attr:`target`."""
        target = self.target
        return target.with_name(target.name + ".lock")

    def _problems(self, target: Path, *, file: bool) -> list[str]:
        """What is unsafe about ``target`` (``file=False``: its directory only); raises
        ``TokenStoreError`` in strict mode. Runs in a worker thread."""
        problems = _permission_problems(target, file=file)
        if problems and self.strict_permissions:
            raise TokenStoreError(f"refusing the token file: {problems[0]}")
        return problems

    def _warn(self, problems: list[str]) -> None:
        for problem in problems:
            key = (str(self.path), problem)
            if key not in _warned:
                _warned.add(key)
                warnings.warn(
                    f"{problem} (set {ENV_TOKEN_FILE_STRICT}=1 to refuse such files)",
                    InsecureTokenFileWarning,
                    stacklevel=3,
                )

    def _open_read(self) -> tuple[list[str], bytes | None]:
        target = self.target
        if not self._cleaned:
            self._cleaned = True
            remove_stale_temp_files(target)
        problems = self._problems(target, file=True)
        return problems, _read(target)

    def _open_write(self, payload: bytes) -> list[str]:
        target = self.target
        problems = self._problems(target, file=False)  # the file itself is rewritten 0600
        _write_atomic(target, payload)
        self._cleaned = True
        return problems

    async def load(self) -> Token | None:
        try:
            problems, raw = await anyio.to_thread.run_sync(self._open_read)
        except OSError as exc:
            raise TokenStoreError(f"cannot read token file {self.path}: {_reason(exc)}") from None
        self._warn(problems)
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
            problems = await anyio.to_thread.run_sync(self._open_write, payload)
        except OSError as exc:
            raise TokenStoreError(f"cannot write token file {self.path}: {_reason(exc)}") from None
        self._warn(problems)

    async def clear(self) -> None:
        """Delete the file that holds the token (a symlink itself is kept)."""
        try:
            self.target.unlink(missing_ok=True)
        except OSError as exc:
            raise TokenStoreError(f"cannot remove token file {self.path}: {_reason(exc)}") from None

    def _get_file_lock(self) -> Any:
        lock_path = self.lock_path
        if self._file_lock is None or self._file_lock_path != lock_path:
            from filelock import FileLock

            # filelock reports a lock file it cannot create as a lock held by someone else:
            # create it first, so that the real reason comes out at once.
            _create_lock_file(lock_path)
            self._file_lock = FileLock(
                lock_path, mode=0o600, thread_local=False, preserve_lock_file=True
            )
            self._file_lock_path = lock_path
        return self._file_lock

    @contextlib.asynccontextmanager
    async def lock(self) -> AsyncIterator[None]:
        """Hold the cross-process lock (polled without blocking the event loop)."""
        from filelock import Timeout

        async with self._local_lock:
            try:
                file_lock = self._get_file_lock()
            except OSError as exc:
                raise TokenStoreError(f"cannot lock {self.lock_path}: {_reason(exc)}") from None
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
                    raise TokenStoreError(f"cannot lock {self.lock_path}: {_reason(exc)}") from None
            try:
                yield
            finally:
                file_lock.release()
