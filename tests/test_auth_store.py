"""File token store: 0600, atomic replace, SIGKILL safety, cross-process single refresh."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any

import anyio
import pytest
from _json_server import JSONServer, form_fields

from upwork_gql._exceptions import TokenStoreError
from upwork_gql._files import temp_files
from upwork_gql.auth import FileTokenStore, MemoryTokenStore, Token, TokenStore
from upwork_gql.auth.stores import InsecureTokenFileWarning

OLD = {
    "access_token": "at-old",
    "refresh_token": "rt-old",
    "token_type": "Bearer",
    "expires_in": 86400,
    "expires_at": 1_900_000_000,
}
NEW = {**OLD, "access_token": "at-new", "refresh_token": "rt-new"}


async def test_save_load_roundtrip_mode_0600(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "token.json"
    store = FileTokenStore(path)
    assert await store.load() is None
    token = Token.from_dict(OLD)
    await store.save(token)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert await store.load() == token
    assert json.loads(path.read_text()) == OLD
    # Replacing keeps 0600 even if someone loosened the old file.
    path.chmod(0o644)
    await store.save(Token.from_dict(NEW))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []
    await store.clear()
    assert not path.exists()
    assert await store.load() is None


async def test_reads_existing_python_upwork_oauth2_file(tmp_path: Path) -> None:
    path = tmp_path / "token.json"
    path.write_text(json.dumps({**OLD, "expires_at": 1_900_000_000.5, "scope": "a b"}))
    path.chmod(0o600)
    token = await FileTokenStore(path).load()
    assert token is not None
    assert token.access == "at-old"
    assert token.scope == "a b"


async def test_corrupt_file_is_a_store_error_without_content(tmp_path: Path) -> None:
    path = tmp_path / "token.json"
    path.write_text('{"access_token": "at-SECRET-partial')
    path.chmod(0o600)
    with pytest.raises(TokenStoreError) as info:
        await FileTokenStore(path).load()
    assert "SECRET" not in str(info.value)
    path.write_text('{"refresh_token": "rt-SECRET"}')
    with pytest.raises(TokenStoreError) as info:
        await FileTokenStore(path).load()
    assert "SECRET" not in str(info.value)


async def test_unwritable_location_raises_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    with pytest.raises(TokenStoreError, match="cannot write"):
        await FileTokenStore(blocker / "token.json").save(Token.from_dict(OLD))


async def test_unusable_lock_location_raises_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    store = FileTokenStore(blocker / "token.json")
    with pytest.raises(TokenStoreError, match="cannot lock"):
        async with store.lock():
            pass


def test_stores_satisfy_protocol(tmp_path: Path) -> None:
    assert isinstance(MemoryTokenStore(), TokenStore)
    assert isinstance(FileTokenStore(tmp_path / "t.json"), TokenStore)


def test_lock_excludes_other_processes(tmp_path: Path) -> None:
    path = tmp_path / "token.json"
    store = FileTokenStore(path, lock_timeout=0.3)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, filelock, time\n"
            "lock = filelock.FileLock(sys.argv[1], preserve_lock_file=True)\n"
            "lock.acquire()\nprint('held', flush=True)\ntime.sleep(30)\n",
            str(store.lock_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(TokenStoreError, match="timed out"):
            anyio.run(enter_lock, store)
    finally:
        holder.kill()
        holder.wait(10)
    anyio.run(enter_lock, store)  # released by the kernel when the holder died


async def enter_lock(store: FileTokenStore) -> None:
    async with store.lock():
        pass


# --- SIGKILL while writing -----------------------------------------------------------------

KILL_CHILD = """
import os, signal, sys
import anyio
from upwork_gql.auth import FileTokenStore, Token

path, mode = sys.argv[1], sys.argv[2]
new = Token.from_dict({"access_token": "at-new", "refresh_token": "rt-new",
                       "token_type": "Bearer", "expires_in": 86400, "expires_at": 1900000000})
real_fsync, real_replace = os.fsync, os.replace

def die(*args):
    os.kill(os.getpid(), signal.SIGKILL)

if mode == "before-rename":
    os.fsync = die  # temp file written, not yet renamed
elif mode == "after-rename":
    def replace_then_die(a, b):
        real_replace(a, b)
        die()
    os.replace = replace_then_die
anyio.run(FileTokenStore(path).save, new)
"""

LOOP_CHILD = """
import sys, anyio
from upwork_gql.auth import FileTokenStore, Token

path = sys.argv[1]
pairs = [Token.from_dict({"access_token": f"at-{n}", "refresh_token": f"rt-{n}",
                          "token_type": "Bearer", "expires_in": 86400,
                          "expires_at": 1900000000, "pad": "x" * 20000}) for n in ("old", "new")]

async def main():
    store = FileTokenStore(path)
    await store.save(pairs[1])  # the file exists before the first kill can land
    print("ready", flush=True)
    i = 0
    while True:
        await store.save(pairs[i % 2])
        i += 1

anyio.run(main)
"""


@pytest.mark.slow
@pytest.mark.parametrize(("mode", "expected"), [("before-rename", OLD), ("after-rename", NEW)])
async def test_sigkill_mid_write_leaves_old_or_new(
    tmp_path: Path, mode: str, expected: dict[str, Any]
) -> None:
    path = tmp_path / "token.json"
    store = FileTokenStore(path)
    await store.save(Token.from_dict(OLD))
    with anyio.fail_after(60):
        proc = await anyio.run_process(
            [sys.executable, "-c", KILL_CHILD, str(path), mode], check=False
        )
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()[-2000:]
    assert json.loads(path.read_text()) == expected
    assert len(temp_files(path)) == (1 if mode == "before-rename" else 0)  # the killed writer's
    assert await FileTokenStore(path).load() == Token.from_dict(expected)
    assert temp_files(path) == []  # gone on the next open, though only seconds old


@pytest.mark.slow
def test_sigkill_at_random_points_while_rewriting(tmp_path: Path) -> None:
    path = tmp_path / "token.json"
    valid = {"at-old", "at-new"}
    for delay in (0.05, 0.11, 0.17, 0.23, 0.29):
        proc = subprocess.Popen(
            [sys.executable, "-c", LOOP_CHILD, str(path)], stdout=subprocess.PIPE, text=True
        )
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(delay)  # let it rewrite the file many times, then kill it wherever it is
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        assert proc.returncode == -signal.SIGKILL
        data = json.loads(path.read_text())  # always parses
        assert data["access_token"] in valid
        assert data["refresh_token"] == data["access_token"].replace("at-", "rt-")
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


# --- 4 processes across the expiry point ---------------------------------------------------


class TokenServer(JSONServer):
    """A loopback token endpoint (threads) that rotates refresh tokens and counts refreshes."""

    def __init__(self, delay: float = 0.3) -> None:
        super().__init__()
        self.delay = delay
        self.lock = threading.Lock()
        self.refresh_tokens_sent: list[str] = []
        self.live = {"rt-0"}
        self.counter = 0
        self.url = self.base_url + "/api/v3/oauth2/token"

    def respond(self, path: str, headers: Message, raw: str) -> tuple[int, dict[str, Any]]:
        form = form_fields(raw)
        if form.get("grant_type") != "refresh_token":
            return 400, {"error": "unsupported_grant_type"}
        time.sleep(self.delay)
        with self.lock:
            rt = form.get("refresh_token", "")
            self.refresh_tokens_sent.append(rt)
            if rt not in self.live:
                return 400, {"error": "invalid_grant"}
            self.live.discard(rt)
            self.counter += 1
            new_rt = f"rt-{self.counter}"
            self.live.add(new_rt)
            return 200, {
                "access_token": f"at-{self.counter}",
                "refresh_token": new_rt,
                "token_type": "Bearer",
                "expires_in": 86400,
            }


@pytest.fixture
def token_server() -> Iterator[TokenServer]:
    with TokenServer() as server:
        yield server


WORKER = """
import json, sys, time
import anyio
from upwork_gql.auth import FileTokenStore, TokenManager

path, token_url = sys.argv[1], sys.argv[2]

async def main():
    manager = TokenManager("cid", "csecret", token_url=token_url, store=FileTokenStore(path),
                           retry_base_delay=0.01)
    print("ready", flush=True)
    sys.stdin.readline()  # go
    deadline = time.monotonic() + 30
    seen = set()
    async with manager:
        while time.monotonic() < deadline:
            token = await manager.get_token()
            seen.add(token.access)
            if token.access != "at-0":
                break
            await anyio.sleep(0.002)
    print(json.dumps({"access": token.access, "refresh": token.refresh_token.get_secret_value(),
                      "refreshes": manager.refreshes, "seen": sorted(seen)}), flush=True)

anyio.run(main)
"""


@pytest.mark.slow
def test_four_processes_share_one_refresh(tmp_path: Path, token_server: TokenServer) -> None:
    path = tmp_path / "token.json"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(path), token_server.url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    try:
        for proc in procs:
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "ready"
        # A token with a 1-second lifetime (leeway 0.1s) that every process loads while still
        # valid and then sees cross the refresh point while it keeps asking.
        token = {
            "access_token": "at-0",
            "refresh_token": "rt-0",
            "token_type": "Bearer",
            "expires_in": 1,
            "expires_at": time.time() + 0.8,
        }
        path.write_text(json.dumps(token))
        path.chmod(0o600)
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        results = []
        for proc in procs:
            out, _ = proc.communicate(timeout=60)
            assert proc.returncode == 0
            results.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    assert token_server.refresh_tokens_sent == ["rt-0"], "exactly one refresh in total"
    assert sum(r["refreshes"] for r in results) == 1
    assert {(r["access"], r["refresh"]) for r in results} == {("at-1", "rt-1")}
    saved = json.loads(path.read_text())
    assert (saved["access_token"], saved["refresh_token"]) == ("at-1", "rt-1")
    # Every process really used the old token before the expiry point.
    assert all("at-0" in r["seen"] for r in results)


def hold_temp_lock(path: Path) -> int:
    """Open and ``flock`` ``path`` the way a live writer holds its temp file; returns the fd."""
    fd = os.open(path, os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


async def test_stale_temp_files_are_removed_on_the_next_open_whatever_their_age(
    tmp_path: Path,
) -> None:
    path = tmp_path / "token.json"
    dead_old = tmp_path / ".token.json.abc123.tmp"
    dead_fresh = tmp_path / ".token.json.def456.tmp"
    live = tmp_path / ".token.json.ghi789.tmp"
    unrelated = tmp_path / ".other.json.jkl012.tmp"
    for leftover in (dead_old, dead_fresh, live, unrelated):
        leftover.write_text("{")
    os.utime(dead_old, (time.time() - 3600, time.time() - 3600))
    writer = hold_temp_lock(live)  # a writer still at work (another fd, as another process)
    try:
        assert await FileTokenStore(path).load() is None  # the first read cleans up
        assert not dead_old.exists()
        assert not dead_fresh.exists()  # seconds old, but nobody holds it: a dead writer's
        assert live.exists()
        assert unrelated.exists()
    finally:
        os.close(writer)
    await FileTokenStore(path).save(Token.from_dict(OLD))  # and so does every save
    assert not live.exists()
    assert unrelated.exists()


# --- symlinks, permissions, lock files ----------------------------------------------------------


async def test_a_symlinked_token_file_is_written_through_atomically(tmp_path: Path) -> None:
    real_dir = tmp_path / "secrets"
    real_dir.mkdir(mode=0o700)
    target = real_dir / "upwork.json"
    link = tmp_path / "config" / "token.json"
    link.parent.mkdir()
    link.symlink_to(target)  # dangling until the first save
    store = FileTokenStore(link)
    assert await store.load() is None
    await store.save(Token.from_dict(OLD))
    await store.save(Token.from_dict(NEW))  # a refresh: the link must not become a file
    assert link.is_symlink()
    assert os.readlink(link) == str(target)
    assert json.loads(target.read_text()) == NEW  # the target holds the new pair...
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert await FileTokenStore(target).load() == Token.from_dict(NEW)  # ...for everyone
    assert [p.name for p in link.parent.iterdir()] == ["token.json"]  # nothing beside the link
    # One lock for the link and the target: processes using either exclude each other.
    assert store.lock_path == FileTokenStore(target).lock_path == real_dir / "upwork.json.lock"
    async with store.lock():
        pass
    assert store.lock_path.exists()
    await store.clear()  # logout forgets the token itself, and keeps the link
    assert not target.exists()
    assert link.is_symlink()


async def test_a_chain_of_symlinks_is_followed_to_the_end(tmp_path: Path) -> None:
    target = tmp_path / "real.json"
    middle = tmp_path / "middle.json"
    link = tmp_path / "token.json"
    middle.symlink_to(target)
    link.symlink_to(middle)
    await FileTokenStore(link).save(Token.from_dict(NEW))
    assert link.is_symlink()
    assert middle.is_symlink()
    assert json.loads(target.read_text()) == NEW


async def test_a_token_file_readable_by_others_warns_once(tmp_path: Path) -> None:
    path = tmp_path / "token.json"
    path.write_text(json.dumps(OLD))
    path.chmod(0o644)
    store = FileTokenStore(path, strict_permissions=False)
    with pytest.warns(InsecureTokenFileWarning, match=r"accessible by others \(mode 0644\)"):
        assert await store.load() == Token.from_dict(OLD)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        await store.load()  # once per file and problem
        await FileTokenStore(path, strict_permissions=False).load()
        await store.save(Token.from_dict(NEW))  # rewrites it 0600 without a word
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize("how", ["argument", "environment"])
async def test_strict_mode_refuses_a_token_file_readable_by_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    path = tmp_path / "token.json"
    path.write_text(json.dumps(OLD))
    path.chmod(0o640)
    if how == "argument":
        store = FileTokenStore(path, strict_permissions=True)
    else:
        monkeypatch.setenv("UPWORK_TOKEN_FILE_STRICT", "1")
        store = FileTokenStore(path)
    assert store.strict_permissions
    with pytest.raises(TokenStoreError, match=r"refusing the token file: .*mode 0640"):
        await store.load()
    path.chmod(0o600)
    assert await store.load() == Token.from_dict(OLD)


async def test_a_world_writable_directory_warns_and_strict_mode_refuses_to_write(
    tmp_path: Path,
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    path = shared / "token.json"
    with pytest.warns(InsecureTokenFileWarning, match="world-writable"):
        await FileTokenStore(path, strict_permissions=False).save(Token.from_dict(OLD))
    path.unlink()
    with pytest.raises(TokenStoreError, match="world-writable"):
        await FileTokenStore(path, strict_permissions=True).save(Token.from_dict(OLD))
    assert not path.exists()  # refused before anything was written
    assert list(shared.iterdir()) == []


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs Linux /proc")
async def test_a_lock_file_that_cannot_be_created_fails_at_once(tmp_path: Path) -> None:
    store = FileTokenStore("/proc/tok.json", lock_timeout=120)
    with anyio.fail_after(5), pytest.raises(TokenStoreError) as info:  # not after 120 s
        async with store.lock():
            pass
    assert str(info.value) == "cannot lock /proc/tok.json.lock: No such file or directory"
    assert "timed out" not in str(info.value)
