"""How the project installs: a lean core, extras that say when they are missing, the console
script, and (marked ``wheel``, run once by ``.ci/run``) the built sdist and wheel installed with
no extras into a fresh virtualenv."""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
import tarfile
import textwrap
import tomllib
import venv
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

from upwork_gql import MissingExtraError
from upwork_gql._extras import EXTRAS, install_hint

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
#: What a library-only install must never bring: a web server stack and a CLI toolkit (with
#: click, rich and pygments importable, ``import httpx`` also loads httpx's own CLI module).
NOT_IN_CORE = {
    "ariadne",
    "starlette",
    "uvicorn",
    "typer",
    "click",
    "rich",
    "pygments",
    "graphql-core",
}


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower()


def test_core_dependencies_hold_no_server_or_cli_stack() -> None:
    core = {_name(r) for r in PYPROJECT["project"]["dependencies"]}
    assert core == {"httpx", "pydantic", "anyio", "authlib", "filelock", "platformdirs"}
    assert not core & NOT_IN_CORE


def test_all_extra_holds_every_user_extra() -> None:
    extras = PYPROJECT["project"]["optional-dependencies"]
    (all_line,) = extras["all"]
    match = re.fullmatch(r"upwork-gql\[(.*)\]", all_line)
    assert match is not None
    listed = set(match.group(1).split(","))
    assert listed == set(extras) - {"all", "dev"}
    assert listed == set(EXTRAS)


def test_every_extra_module_comes_from_its_extra() -> None:
    # The import names the runtime checks match the distributions the extra installs.
    distribution = {"graphql": "graphql-core", "opentelemetry": "opentelemetry-api"}
    extras = PYPROJECT["project"]["optional-dependencies"]
    for extra, modules in EXTRAS.items():
        installs = {_name(r) for r in extras[extra]}
        for module in modules:
            assert distribution.get(module, module) in installs, (extra, module)


def test_console_script_without_its_extra_says_which_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from upwork_gql.cli import main

    monkeypatch.setitem(sys.modules, "typer", None)  # as if the `cli` extra were not installed
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == ("error: the upwork-gql command needs its extra: pip install 'upwork-gql[cli]'\n")


@pytest.mark.parametrize(
    ("package", "hidden", "extra"),
    [
        ("upwork_gql.schema", "graphql", "cli"),
        ("upwork_gql.sandbox", "starlette", "sandbox"),
        ("upwork_gql.sandbox", "uvicorn", "sandbox"),
    ],
)
def test_optional_packages_name_their_extra(
    monkeypatch: pytest.MonkeyPatch, package: str, hidden: str, extra: str
) -> None:
    for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, hidden, None)
    with pytest.raises(MissingExtraError, match=re.escape(install_hint(extra))) as raised:
        importlib.import_module(package)
    assert isinstance(raised.value, ImportError)
    assert hidden in str(raised.value)


def test_version_option_prints_the_installed_version() -> None:
    from typer.testing import CliRunner

    from upwork_gql.cli import app

    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"upwork-gql {metadata.version('upwork-gql')}\n"


def test_root_help_has_no_type_noise_for_flags() -> None:
    from typer.testing import CliRunner

    from upwork_gql.cli import app

    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "--version" in result.output
    assert "<bool>" not in result.output


# -- the built distributions (network: the build backend and the core dependencies) ----------

#: Run inside the fresh virtualenv: a generated method and an ad-hoc document through the public
#: client against a mock transport, then what got imported.
CALL_SCRIPT = textwrap.dedent(
    """
    import json, sys

    import anyio
    import httpx

    from upwork_gql import UpworkClient


    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["Authorization"] == "Bearer t0ken"
        body = json.loads(request.content)
        if body["operationName"] == "contract":  # a generated method
            assert body["variables"] == {"id": "7"}
            return httpx.Response(200, json={"data": {"contract": None}})
        assert "organization" in body["query"]
        return httpx.Response(200, json={"data": {"organization": {"id": "org-1"}}})


    async def main() -> None:
        http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        async with UpworkClient(access_token="t0ken", http_client=http, rate_limit=None) as client:
            typed = await client.contract(id="7")
            data = await client.execute("query org { organization { id } }")
        await http.aclose()
        print(json.dumps({
            "typed": [type(typed).__name__, typed.contract],
            "data": data,  # an ad-hoc document returns its data as plain JSON
            "httpx_cli_loaded": "httpx._main" in sys.modules,
            "graphql_loaded": "graphql" in sys.modules,
        }))


    anyio.run(main)
    """
)


def _clean_env() -> dict[str, str]:
    """The environment without what would point a fresh virtualenv at this checkout."""
    drop = {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP"}
    return {k: v for k, v in os.environ.items() if k not in drop}


def _run(*args: str | Path, cwd: Path | None = None) -> str:
    proc = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, f"{args}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc.stdout


def _copy_checkout(dest: Path) -> None:
    """The tracked files (as a fresh clone has them), plus what a user's checkout accumulates."""
    tracked = _run("git", "ls-files", "-z", cwd=ROOT).split("\0")
    for rel in filter(None, tracked):
        source = ROOT / rel
        if source.is_file():
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
    for litter in (
        "sandbox-token.json",
        "tests/token.json",
        "src/upwork_gql/my-token.json",
        "src/upwork_gql/.token.lock",
        "uv.lock",
        ".venv-3.12/pyvenv.cfg",
        "src/upwork_gql/__pycache__/x.cpython-311.pyc",
    ):
        path = dest / litter
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{}", encoding="utf-8")


@pytest.mark.slow
@pytest.mark.wheel
def test_built_wheel_installs_lean_and_calls(tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    _copy_checkout(checkout)
    dist = tmp_path / "dist"
    # The sdist first, then the wheel built from it: the sdist is complete and clean.
    _run(sys.executable, "-m", "build", "--outdir", dist, checkout)
    (sdist,) = dist.glob("*.tar.gz")
    (wheel,) = dist.glob("*.whl")

    with tarfile.open(sdist) as tar:
        in_sdist = [name.split("/", 1)[1] for name in tar.getnames() if "/" in name]
    assert "schema.graphql" in in_sdist
    assert "src/upwork_gql/_client.py" in in_sdist
    leaked = [n for n in in_sdist if re.search(r"token[^/]*\.json$|\.lock$|^\.venv|\.pyc$", n)]
    assert not leaked

    with zipfile.ZipFile(wheel) as whl:
        in_wheel = whl.namelist()
    assert "upwork_gql/schema.graphql" in in_wheel
    assert "upwork_gql/py.typed" in in_wheel
    assert not [n for n in in_wheel if "_codegen_plugins" in n or n.endswith((".pyc", ".json"))]
    assert not [n for n in in_wheel if not n.startswith(("upwork_gql/", "upwork_gql-"))]

    env = tmp_path / "venv"
    venv.create(env, with_pip=True)
    python = env / "bin" / "python"
    _run(
        python,
        "-m",
        "pip",
        "install",
        "--disable-pip-version-check",
        "--quiet",
        wheel,
        cwd=tmp_path,
    )
    installed = {
        _name(line) for line in _run(python, "-m", "pip", "list", "--format", "freeze").splitlines()
    }
    assert "upwork-gql" in installed
    assert not installed & NOT_IN_CORE, installed & NOT_IN_CORE

    report = json.loads(_run(python, "-c", CALL_SCRIPT, cwd=tmp_path).splitlines()[-1])
    assert report == {
        "typed": ["Contract", None],
        "data": {"organization": {"id": "org-1"}},
        "httpx_cli_loaded": False,
        "graphql_loaded": False,
    }

    # The console script is there and names its extra.
    script = subprocess.run(
        [env / "bin" / "upwork-gql", "--version"],
        cwd=tmp_path,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert script.returncode == 1
    assert script.stderr.strip() == (
        "error: the upwork-gql command needs its extra: pip install 'upwork-gql[cli]'"
    )
