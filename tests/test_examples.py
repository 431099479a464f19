"""The examples run as a user would run them, against a sandbox started here:
the notebook headless (nbclient + ipykernel) and the service as a process (rounds, then SIGTERM).
``make lint`` type-checks the service with mypy --strict (``files`` in pyproject.toml)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from _sandbox_login import sandbox_env, save_login

from upwork_gql.sandbox import (
    DEFAULT_ORG_ID,
    SECOND_ORG_ID,
    RunningSandbox,
    SandboxConfig,
    serve_in_thread,
)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
KERNEL_NAME = "upwork-gql-tests"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    # A short token lifetime: the examples must ride through refreshes unnoticed.
    with serve_in_thread(SandboxConfig(access_token_ttl=5)) as running:
        yield running


@pytest.fixture
def user_env(
    sandbox: RunningSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """A user's environment after `upwork-gql auth login` against the sandbox."""
    token = save_login(sandbox, tmp_path / "token.json", ttl=5)
    values = sandbox_env(sandbox, token)
    monkeypatch.delenv("UPWORK_TENANT_ID", raising=False)
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values


def _kernelspec(root: Path) -> Path:
    """A kernelspec for this interpreter, found first through JUPYTER_PATH: whatever a machine
    has installed (or not) under ``python3``, the notebook runs in the venv under test."""
    spec = root / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "upwork-gql tests",
                "language": "python",
            }
        )
    )
    return root


def test_notebook_runs_headless_without_errors(
    user_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    jupyter = _kernelspec(tmp_path / "jupyter")
    monkeypatch.setenv("JUPYTER_PATH", str(jupyter))
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")

    notebook = nbformat.read(EXAMPLES / "explore.ipynb", as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        kernel_name=KERNEL_NAME,
        timeout=120,
        startup_timeout=120,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()  # raises CellExecutionError on the first failing cell

    def text_of(cell: dict[str, object]) -> str:
        parts: list[str] = []
        for output in cell.get("outputs", []):  # type: ignore[attr-defined]
            parts.append(output.get("text", ""))
            data = output.get("data", {})
            parts.append(data.get("text/plain", ""))
        return "\n".join(parts)

    code_cells = [c for c in notebook.cells if c.cell_type == "code"]
    outputs = {c.source.splitlines()[0]: text_of(c) for c in code_cells if c.source}
    everything = "\n".join(outputs.values())
    assert not any(o.get("output_type") == "error" for c in code_cells for o in c.outputs)
    # A paginated search became a DataFrame; the error cells printed typed, readable errors.
    assert "matching jobs" in everything
    assert "MissingScopeError" in everything
    assert "Query.roomList" in everything
    assert "InvalidVariablesError" in everything
    assert f"'{SECOND_ORG_ID}': 72" in everything
    # Models display concisely, not as a wall of nested text.
    contract_cell = next(c for c in code_cells if c.source.strip().endswith("contract"))
    shown = text_of(contract_cell)
    assert "ContractContract(" in shown
    assert len(shown) < 600, f"the contract model printed {len(shown)} characters"


def _service_command(*args: str) -> list[str]:
    return [sys.executable, str(EXAMPLES / "service.py"), *args]


def test_service_runs_rounds_for_two_tenants(
    user_env: dict[str, str], sandbox: RunningSandbox
) -> None:
    unauthorized_before = sandbox.state.counters["unauthorized"]
    proc = subprocess.run(
        _service_command(
            "--tenant",
            DEFAULT_ORG_ID,
            "--tenant",
            SECOND_ORG_ID,
            "--rounds",
            "2",
            "--interval",
            "0.2",
            "--jobs",
            "12",
            "--concurrency",
            "6",
        ),
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ),
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "service stopped cleanly after 4 rounds" in proc.stdout
    logs = proc.stderr
    assert re.search(rf"tenant {DEFAULT_ORG_ID}: 64 rooms, 12 jobs", logs), logs
    assert re.search(rf"tenant {SECOND_ORG_ID}: 72 rooms, 12 jobs", logs), logs
    assert "round failed" not in logs
    # One shared token manager: refreshed proactively, never a rejected token.
    assert sandbox.state.counters["unauthorized"] == unauthorized_before


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_service_shuts_down_gracefully_on_sigterm(user_env: dict[str, str]) -> None:
    proc = subprocess.Popen(
        _service_command("--interval", "30", "--jobs", "5", "--grace", "5"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
    try:
        assert proc.stderr is not None
        deadline = time.monotonic() + 60
        seen = ""
        while "tenant default:" not in seen:
            line = proc.stderr.readline()
            assert line, f"service exited early: {seen}"
            seen += line
            assert time.monotonic() < deadline, "no round finished in time"
        # It is now sleeping between rounds: SIGTERM must end it promptly and cleanly.
        sent = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    assert proc.returncode == 0, err
    assert "SIGTERM: finishing the rounds in flight" in err
    assert "service stopped cleanly after 1 rounds" in out
    assert took < 10


def test_service_survives_a_failed_task_in_the_pool(
    user_env: dict[str, str], sandbox: RunningSandbox
) -> None:
    """A task of the proposals pool that fails (its error arrives wrapped in the task group's
    ExceptionGroup) fails that round only: the service logs it and goes on."""
    # Two pages of rooms and one of jobs pass; the first proposals request gets a 400.
    sandbox.push_faults({"next": [{"delay": 0.001, "times": 3}, {"status": 400}]})
    proc = subprocess.run(
        _service_command(
            "--tenant", DEFAULT_ORG_ID, "--rounds", "2", "--interval", "0.1", "--jobs", "4"
        ),
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ),
        check=False,
    )
    sandbox.state.faults.clear()
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    assert re.search(rf"tenant {DEFAULT_ORG_ID}: round failed: \w+Error: .*400", proc.stderr)
    assert "service stopped cleanly after 2 rounds" in proc.stdout
    assert "1 failed rounds" in proc.stdout
