"""The one atomic file writer, and both of its callers (token file store, schema writer)."""

from __future__ import annotations

import fcntl
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from upwork_gql import _files
from upwork_gql._exceptions import SchemaError, TokenStoreError
from upwork_gql._files import NEW_FILE_MODE, remove_stale_temp_files, temp_files, write_atomic
from upwork_gql.auth import FileTokenStore, Token
from upwork_gql.schema import write_atomic as write_schema

TOKEN = {"access_token": "at-new", "refresh_token": "rt-new", "expires_in": 3600}


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_writes_bytes_with_the_given_mode(tmp_path: Path) -> None:
    target = tmp_path / "f.bin"
    target.write_bytes(b"old")
    target.chmod(0o644)
    write_atomic(target, b"new\x00bytes", mode=0o600)
    assert target.read_bytes() == b"new\x00bytes"
    assert mode_of(target) == 0o600
    assert leftovers(tmp_path) == []


def test_mode_none_keeps_the_old_mode_and_defaults_for_a_new_file(tmp_path: Path) -> None:
    old = tmp_path / "old.txt"
    old.write_text("x")
    old.chmod(0o640)
    write_atomic(old, b"y", mode=None)
    assert old.read_bytes() == b"y"
    assert mode_of(old) == 0o640
    new = tmp_path / "new.txt"
    write_atomic(new, b"z", mode=None)
    assert mode_of(new) == NEW_FILE_MODE


def test_a_relative_path_in_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write_atomic("plain.txt", b"ok", mode=None)
    assert (tmp_path / "plain.txt").read_bytes() == b"ok"


@pytest.mark.parametrize("error", [KeyboardInterrupt, OSError, RuntimeError])
@pytest.mark.parametrize("where", ["fsync", "replace"])
def test_temp_file_removed_whatever_interrupts_the_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: type[BaseException], where: str
) -> None:
    target = tmp_path / "f.txt"
    target.write_bytes(b"old")

    def boom(*args: Any) -> None:
        raise error("interrupted")

    monkeypatch.setattr(_files.os, where, boom)
    with pytest.raises(error):
        write_atomic(target, b"new", mode=0o600)
    monkeypatch.undo()
    assert target.read_bytes() == b"old"
    assert leftovers(tmp_path) == []


def test_the_temp_file_is_in_the_target_directory_and_fsynced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[int] = []
    replaced: list[tuple[str, str]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        synced.append(fd)
        real_fsync(fd)

    def replace(src: str, dst: Any) -> None:
        replaced.append((src, str(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(_files.os, "fsync", fsync)
    monkeypatch.setattr(_files.os, "replace", replace)
    write_atomic(tmp_path / "f.txt", b"data", mode=0o600)
    assert len(replaced) == 1
    assert Path(replaced[0][0]).parent == tmp_path
    assert len(synced) == (2 if os.name == "posix" else 1)  # the file, then the directory


# -- the callers --------------------------------------------------------------------------------


async def test_token_store_writes_0600_through_the_shared_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[Path, int | None]] = []
    real = _files.write_atomic

    def spy(path: Any, data: bytes, *, mode: int | None) -> None:
        calls.append((Path(path), mode))
        real(path, data, mode=mode)

    monkeypatch.setattr("upwork_gql.auth.stores.write_atomic", spy)
    path = tmp_path / "sub" / "token.json"
    await FileTokenStore(path).save(Token.from_dict(TOKEN))
    assert calls == [(path, 0o600)]
    assert mode_of(path) == 0o600


async def test_token_store_interrupted_write_leaves_no_temp_and_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "token.json"
    store = FileTokenStore(path)
    await store.save(Token.from_dict({**TOKEN, "access_token": "at-old"}))
    before = path.read_bytes()

    def boom(*args: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(_files.os, "replace", boom)
    with pytest.raises(TokenStoreError, match="No space left"):
        await store.save(Token.from_dict(TOKEN))
    assert path.read_bytes() == before
    assert leftovers(tmp_path) == []


def test_schema_writer_keeps_mode_and_cleans_up_on_keyboard_interrupt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "schema.graphql"
    target.write_text("type Query { a: Int }\n")
    target.chmod(0o664)
    write_schema(target, "type Query { b: Int }\n")
    assert target.read_text() == "type Query { b: Int }\n"
    assert mode_of(target) == 0o664

    def interrupt(*args: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(_files.os, "replace", interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_schema(target, "type Query { c: Int }\n")
    monkeypatch.undo()
    assert target.read_text() == "type Query { b: Int }\n"
    assert leftovers(tmp_path) == []


def test_schema_writer_turns_os_errors_into_schema_error(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match="cannot write"):
        write_schema(tmp_path / "missing-dir" / "schema.graphql", "type Query { a: Int }\n")


# -- temp files of dead writers -------------------------------------------------------------------


@pytest.mark.skipif(os.name != "posix", reason="needs flock")
def test_the_temp_file_is_locked_until_it_is_renamed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "token.json"
    seen: list[list[Path]] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        real_fsync(fd)
        if stat.S_ISREG(os.fstat(fd).st_mode):  # the temp file, written, not yet renamed
            seen.append(remove_stale_temp_files(target))
            seen.append(temp_files(target))

    monkeypatch.setattr(_files.os, "fsync", fsync)
    write_atomic(target, b"new", mode=0o600)
    removed, present = seen
    assert removed == []  # a cleaner never takes a live writer's temp file
    assert len(present) == 1
    assert target.read_bytes() == b"new"
    assert temp_files(target) == []


@pytest.mark.skipif(os.name != "posix", reason="needs flock")
def test_a_temp_file_removed_before_it_was_locked_is_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A cleaner may run between mkstemp and flock: the writer notices and takes a new name.
    target = tmp_path / "token.json"
    real_flock = fcntl.flock
    calls: list[int] = []

    def flock(fd: int, operation: int) -> None:
        calls.append(fd)
        if len(calls) == 1:
            for leftover in temp_files(target):
                leftover.unlink()
        real_flock(fd, operation)

    monkeypatch.setattr(fcntl, "flock", flock)
    write_atomic(target, b"data", mode=0o600)
    assert len(calls) == 2
    assert target.read_bytes() == b"data"
    assert temp_files(target) == []


@pytest.mark.skipif(os.name != "posix", reason="needs flock")
def test_only_unlocked_temp_files_of_that_target_are_stale(tmp_path: Path) -> None:
    target = tmp_path / "token.json"
    dead = tmp_path / ".token.json.k1ll3d.tmp"
    other = tmp_path / ".schema.graphql.abc.tmp"
    live = tmp_path / ".token.json.al1ve.tmp"
    for path in (dead, other, live):
        path.write_text("x")
    fd = os.open(live, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        assert remove_stale_temp_files(target) == [dead]
    finally:
        os.close(fd)
    assert sorted(p.name for p in tmp_path.iterdir()) == [other.name, live.name]
    assert remove_stale_temp_files(target) == [live]
