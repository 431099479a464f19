"""Issue 14, end to end against the sandbox over real loopback HTTP: the operations beyond the
first five (tenants, the current user, messages read, walked and sent exactly once, time reports)
through the public client and the ``upwork-gql`` command line, and open enums in variables
(``sortOrder: "DESC"`` reaches the server, logged once on ``upwork_gql.drift``).

The sandbox is the shared session one (conftest): every test that sends a message uses a room of
its own, and counts relative to what the room holds when the test starts.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _live_sandbox import ClientFactory, CounterDelta
from _sandbox_login import sandbox_env, save_login
from graphql import GraphQLField
from typer.testing import CliRunner

from upwork_gql import (
    APIConnectionError,
    GraphQLValidationError,
    InternalServerError,
    InvalidVariablesError,
    UpworkClient,
)
from upwork_gql import _models as models
from upwork_gql._generated import operations as generated_operations
from upwork_gql.cli import app
from upwork_gql.sandbox import DEFAULT_ORG_ID, SECOND_ORG_ID, RunningSandbox
from upwork_gql.sandbox.data import STORIES_IN_FIRST_ROOM
from upwork_gql.types import (
    DateTimeRange,
    Pagination,
    RoomFilter,
    RoomStoryCreateInputV2,
    RoomStoryFilter,
    SortOrder,
    StoryFilter,
    TimeReportFilter,
)

ORGS = {DEFAULT_ORG_ID: "Acme Robotics LLC", SECOND_ORG_ID: "Globex Design Studio"}

# Rooms of the default organization this module writes to, one per test (room 0 is only read).
ROOM_SENT_THEN_READ = 20
ROOM_FAULT_503_AFTER = 21
ROOM_FAULT_DROP_AFTER = 22
ROOM_FAULT_503_BEFORE = 23
ROOM_CLI_NO_TERMINAL = 24
ROOM_CLI_TERMINAL = 25


@pytest.fixture(scope="module")
def token_file(
    live_sandbox_server: RunningSandbox, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A saved login for the session sandbox, as ``upwork-gql auth login`` writes it."""
    return save_login(live_sandbox_server, tmp_path_factory.mktemp("login") / "token.json")


@pytest.fixture
def cli_env(
    live_sandbox: RunningSandbox, token_file: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """The environment of a user who logged in to the sandbox (also set for in-process runs)."""
    values = sandbox_env(live_sandbox, token_file)
    monkeypatch.delenv("UPWORK_TENANT_ID", raising=False)
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    env = {**os.environ, **values}
    env.pop("UPWORK_TENANT_ID", None)
    return env


@pytest.fixture
def fresh_drift_log(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget which drift was already logged in this process (it is logged once per process)."""
    monkeypatch.setattr(models, "_drift_seen", set())


def cli(*args: str) -> tuple[int, str, str]:
    """``upwork-gql ARGS`` in process (the real root app)."""
    result = CliRunner().invoke(app, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def cli_process(
    env: dict[str, str], *args: str, stdin: Any = subprocess.DEVNULL, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """``upwork-gql ARGS`` as a separate process, with no terminal unless ``stdin`` is one."""
    return subprocess.run(
        [sys.executable, "-m", "upwork_gql.cli", *args],
        stdin=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )


def stories_filter(room_id: str, first: int | None = None) -> RoomStoryFilter:
    if first is None:
        return RoomStoryFilter(room_id_eq=room_id)
    return RoomStoryFilter(
        room_id_eq=room_id, story_filter=StoryFilter(pagination=Pagination(first=first))
    )


async def newest_stories(
    client: UpworkClient, room_id: str, first: int = 5
) -> tuple[int, list[Any]]:
    """``(totalCount, newest nodes)`` of a room, read with ``roomStories``."""
    result = await client.room_stories(filter_=stories_filter(room_id, first))
    page = result.room_stories
    assert page is not None
    assert page.total_count is not None
    return page.total_count, [edge.node for edge in page.edges or [] if edge and edge.node]


def report_filter(sandbox: RunningSandbox, org_id: str = DEFAULT_ORG_ID) -> TimeReportFilter:
    days = sandbox.state.data.orgs[org_id].diary_dates()
    return TimeReportFilter(
        organization_id_eq=org_id,
        time_report_date_bt=DateTimeRange(range_start=days[0], range_end=days[-1]),
    )


@contextlib.contextmanager
def received_arguments(sandbox: RunningSandbox, field: str) -> Iterator[list[dict[str, Any]]]:
    """The arguments the sandbox's resolver of ``Query.<field>`` is called with (after GraphQL
    parsed the request's variables), for as long as the block runs."""
    schema = sandbox.state.schema
    assert schema is not None
    assert schema.query_type is not None
    gql_field: GraphQLField = schema.query_type.fields[field]
    original = gql_field.resolve
    assert original is not None
    seen: list[dict[str, Any]] = []

    def spy(parent: Any, info: Any, **args: Any) -> Any:
        seen.append(dict(args))
        return original(parent, info, **args)

    gql_field.resolve = spy
    try:
        yield seen
    finally:
        gql_field.resolve = original


def drift_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "upwork_gql.drift"]


def sent_as_given(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """The drift warnings of variables: a value outside a generated enum, sent as given."""
    return [r for r in drift_records(caplog) if "sent as given" in r.getMessage()]


# -- 1. tenants ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_upwork_gql_tenants_prints_both_seeded_organizations(cli_env: dict[str, str]) -> None:
    """The installed command (``python -m upwork_gql.cli``), not only the registered function."""
    proc = cli_process(cli_env, "tenants")
    assert proc.returncode == 0, proc.stderr
    for org_id, name in ORGS.items():
        line = next((ln for ln in proc.stdout.splitlines() if org_id in ln), "")
        assert name in line, proc.stdout
    proc = cli_process(cli_env, "tenants", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert {o["organizationId"]: o["title"] for o in json.loads(proc.stdout)} == ORGS


async def test_company_selector_lists_both_organizations(sandbox_client: ClientFactory) -> None:
    async with sandbox_client() as client:
        selector = await client.company_selector()
        other = await client.with_tenant(SECOND_ORG_ID).company_selector()
    for result in (selector, other):
        items = result.company_selector.items or []
        assert {i.organization_id: i.title for i in items} == ORGS


# -- 2. upwork-gql call roomStories --all-pages --------------------------------------------------


@pytest.mark.parametrize("page_size", [50, None])  # 120 stories: 50 + 50 + 20; the default
def test_cli_room_stories_all_pages_walks_every_message(
    live_sandbox: RunningSandbox,
    cli_env: dict[str, str],
    sandbox_counts: CounterDelta,
    page_size: int | None,
) -> None:
    org = live_sandbox.state.data.default_org
    room_id = org.room_id(0)
    total = len(org.stories(room_id))
    assert total >= STORIES_IN_FIRST_ROOM
    room_filter = json.dumps({"roomId_eq": room_id})
    extra = ["--page-size", str(page_size)] if page_size else []
    code, out, err = cli(
        "call", "roomStories", "--var", f"filter={room_filter}", "--all-pages", *extra,
        "--format", "jsonl",
    )  # fmt: skip
    assert code == 0, err
    nodes = [json.loads(line) for line in out.splitlines()]
    ids = [n["id"] for n in nodes]
    assert len(ids) == total
    assert len(set(ids)) == total
    assert ids == [org.stories(room_id)[i]["id"] for i in range(total)]  # newest first
    times = [n["createdDateTime"] for n in nodes]
    assert times == sorted(times, reverse=True)
    assert {n["room"]["id"] for n in nodes} == {room_id}
    if page_size is not None:
        assert sandbox_counts["operation.roomStories"] == -(-total // page_size) >= 3


def test_cli_room_stories_page_size_from_the_nested_pagination(
    live_sandbox: RunningSandbox, cli_env: dict[str, str], sandbox_counts: CounterDelta
) -> None:
    """``first`` given at ``filter.storyFilter.pagination`` is the page size of the walk, and the
    runtime moves the cursor there on every page (no ``pagination`` variable exists)."""
    org = live_sandbox.state.data.default_org
    room_id = org.room_id(0)
    total = len(org.stories(room_id))
    room_filter = json.dumps({"roomId_eq": room_id, "storyFilter": {"pagination": {"first": 40}}})
    code, out, err = cli(
        "call", "roomStories", "--var", f"filter={room_filter}", "--all-pages", "-f", "jsonl"
    )
    assert code == 0, err
    ids = [json.loads(line)["id"] for line in out.splitlines()]
    assert len(ids) == len(set(ids)) == total
    assert sandbox_counts["operation.roomStories"] == -(-total // 40)


async def test_paginate_room_stories_matches_the_total_count(
    live_sandbox: RunningSandbox, sandbox_client: ClientFactory
) -> None:
    org = live_sandbox.state.data.orgs[SECOND_ORG_ID]
    room_id = org.room_id(0)
    async with sandbox_client(tenant_id=SECOND_ORG_ID) as client:
        paginator = client.paginate_room_stories(filter_=stories_filter(room_id), page_size=25)
        ids = [node.id async for node in paginator]
    assert len(ids) == len(set(ids)) == paginator.total_count == len(org.stories(room_id))
    assert paginator.pages_fetched == -(-len(ids) // 25)


# -- 3. client.paginate_contract_time_report ---------------------------------------------------


async def test_paginate_contract_time_report_walks_a_whole_report(
    live_sandbox: RunningSandbox, sandbox_client: ClientFactory, sandbox_counts: CounterDelta
) -> None:
    org = live_sandbox.state.data.default_org
    async with sandbox_client() as client:
        paginator = client.paginate_contract_time_report(
            filter_=report_filter(live_sandbox), page_size=20
        )
        pages = [page async for page in paginator.pages()]
        rows = [edge.node for page in pages for edge in page.edges or []]
        # The same report in pages of 50: the cursors neither skip nor repeat a row.
        again = await client.paginate_contract_time_report(
            filter_=report_filter(live_sandbox), page_size=50
        ).to_list()
    total = pages[0].total_count
    assert total is not None
    assert total > 60
    assert len(pages) == -(-total // 20) >= 3
    assert len(rows) == total == paginator.total_count
    assert sandbox_counts["operation.contractTimeReport"] == len(pages) + -(-total // 50)
    assert [r.model_dump() for r in rows] == [r.model_dump() for r in again]
    assert {r.date_worked_on for r in rows} == set(org.diary_dates())
    assert {r.contract.id for r in rows if r.contract} == set(org.hourly_contract_ids())
    assert all(r.team is not None and r.team.id == DEFAULT_ORG_ID for r in rows)


async def test_contract_time_report_single_page_and_cursor(
    live_sandbox: RunningSandbox, sandbox_client: ClientFactory
) -> None:
    async with sandbox_client() as client:
        first = await client.contract_time_report(
            filter_=report_filter(live_sandbox), pagination=Pagination(first=10)
        )
        page = first.contract_time_report
        assert page.page_info is not None
        assert page.page_info.has_next_page
        second = await client.contract_time_report(
            filter_=report_filter(live_sandbox),
            pagination=Pagination(first=10, after=page.page_info.end_cursor),
        )
        walked = await client.paginate_contract_time_report(
            filter_=report_filter(live_sandbox), page_size=10, max_items=20
        ).to_list()
    both = [e.node for e in (page.edges or []) + (second.contract_time_report.edges or [])]
    assert [n.model_dump() for n in both] == [n.model_dump() for n in walked]


# -- 4. a sent message is first in the next roomStories ------------------------------------------


async def test_a_sent_message_appears_first_in_the_next_room_stories(
    live_sandbox: RunningSandbox, sandbox_client: ClientFactory
) -> None:
    room_id = live_sandbox.state.data.default_org.room_id(ROOM_SENT_THEN_READ)
    async with sandbox_client() as client:
        total_before, before = await newest_stories(client, room_id)
        sent = await client.create_room_story_v2(
            RoomStoryCreateInputV2(room_id=room_id, message="Invoice sent, thanks!")
        )
        story = sent.create_room_story_v_2
        assert story is not None
        total_after, after = await newest_stories(client, room_id)
    assert story.message == "Invoice sent, thanks!"
    assert story.room.id == room_id
    assert story.user.id == live_sandbox.config.user.id
    assert story.system_story is False
    assert total_after == total_before + 1
    assert after[0].id == story.id
    assert after[0].message == "Invoice sent, thanks!"
    assert after[0].created_date_time == story.created_date_time
    assert after[1].id == before[0].id


# -- 5. a mutation is never sent twice by a retry --------------------------------------------


@pytest.mark.parametrize(
    ("fault", "room_index", "error"),
    [
        ({"status": 503, "after": True}, ROOM_FAULT_503_AFTER, InternalServerError),
        ({"drop": True, "after": True}, ROOM_FAULT_DROP_AFTER, APIConnectionError),
    ],
    ids=["503-after-the-server-ran-it", "connection-dropped-after-the-server-ran-it"],
)
async def test_create_room_story_is_never_resent_by_a_retry(
    live_sandbox: RunningSandbox,
    sandbox_client: ClientFactory,
    sandbox_counts: CounterDelta,
    fault: dict[str, Any],
    room_index: int,
    error: type[Exception],
) -> None:
    """The server stored the message, the client saw a failure: it raises, and does not send
    again (a query would be retried on the same failure: see the last assertions)."""
    room_id = live_sandbox.state.data.default_org.room_id(room_index)
    message = f"exactly once ({room_index})"
    async with sandbox_client(max_retries=3) as client:
        total_before, _ = await newest_stories(client, room_id)
        sandbox_counts.reset()
        live_sandbox.state.faults.push({"next": [fault]})
        with pytest.raises(error):
            await client.create_room_story_v2(
                RoomStoryCreateInputV2(room_id=room_id, message=message)
            )
        assert sandbox_counts["graphql_requests"] == 1
        assert sandbox_counts["mutation.createRoomStoryV2"] == 1
        total_after, newest = await newest_stories(client, room_id)
        assert total_after == total_before + 1
        assert [n.message for n in newest].count(message) == 1
        assert newest[0].message == message
        # The same fault on a query is retried (and succeeds): the difference is the mutation.
        sandbox_counts.reset()
        live_sandbox.state.faults.push({"next": [fault]})
        total_again, _ = await newest_stories(client, room_id)
        assert total_again == total_after
        assert sandbox_counts["graphql_requests"] == 2
    assert live_sandbox.state.data.default_org.stories(room_id).posted == 1


async def test_a_503_before_the_server_ran_the_mutation_stores_nothing_and_is_not_retried(
    live_sandbox: RunningSandbox, sandbox_client: ClientFactory, sandbox_counts: CounterDelta
) -> None:
    """A 503 cannot tell whether the server acted: the client never resends a mutation on it."""
    room_id = live_sandbox.state.data.default_org.room_id(ROOM_FAULT_503_BEFORE)
    async with sandbox_client(max_retries=3) as client:
        total_before, _ = await newest_stories(client, room_id)
        sandbox_counts.reset()
        live_sandbox.state.faults.push({"next": [{"status": 503}]})
        with pytest.raises(InternalServerError):
            await client.create_room_story_v2(
                RoomStoryCreateInputV2(room_id=room_id, message="never arrives")
            )
        assert sandbox_counts["graphql_requests"] == 1
        total_after, _ = await newest_stories(client, room_id)
    assert total_after == total_before
    assert live_sandbox.state.data.default_org.stories(room_id).posted == 0


# -- 6. upwork-gql call createRoomStoryV2: confirmation ------------------------------------------


@pytest.mark.slow
def test_cli_mutation_without_a_terminal_needs_yes(
    live_sandbox: RunningSandbox, cli_env: dict[str, str], sandbox_counts: CounterDelta
) -> None:
    org = live_sandbox.state.data.default_org
    room_id = org.room_id(ROOM_CLI_NO_TERMINAL)
    stories = org.stories(room_id)
    total = len(stories)
    variables = json.dumps({"roomId": room_id, "message": "Sent from the shell"})

    refused = cli_process(cli_env, "call", "createRoomStoryV2", "--var", f"input={variables}")
    assert refused.returncode == 2, refused.stderr
    assert refused.stdout == ""
    assert "--yes" in refused.stderr
    assert refused.stderr.startswith("error: ")
    assert refused.stderr.strip().count("\n") == 0
    assert sandbox_counts["graphql_requests"] == 0
    assert len(stories) == total

    sent = cli_process(cli_env, "call", "createRoomStoryV2", "--var", f"input={variables}", "--yes")
    assert sent.returncode == 0, sent.stderr
    story = json.loads(sent.stdout)["createRoomStoryV2"]
    assert story["message"] == "Sent from the shell"
    assert story["room"]["id"] == room_id
    assert sandbox_counts["graphql_requests"] == 1
    assert sandbox_counts["mutation.createRoomStoryV2"] == 1
    assert len(stories) == total + 1
    assert stories[0]["id"] == story["id"]


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
@pytest.mark.parametrize(("answer", "sent"), [("n", False), ("y", True)])
def test_cli_mutation_on_a_terminal_asks_first(
    live_sandbox: RunningSandbox,
    cli_env: dict[str, str],
    sandbox_counts: CounterDelta,
    answer: str,
    sent: bool,
) -> None:
    org = live_sandbox.state.data.default_org
    room_id = org.room_id(ROOM_CLI_TERMINAL)
    total = len(org.stories(room_id))
    variables = json.dumps({"roomId": room_id, "message": f"answered {answer}"})
    master, slave = os.openpty()
    try:
        os.write(master, f"{answer}\n".encode())
        proc = cli_process(
            cli_env, "call", "createRoomStoryV2", "--var", f"input={variables}", stdin=slave
        )
    finally:
        os.close(slave)
        os.close(master)
    assert "Send the mutation createRoomStoryV2 to Upwork?" in proc.stderr
    if sent:
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["createRoomStoryV2"]["message"] == "answered y"
    else:
        assert proc.returncode == 2, proc.stderr
        assert proc.stdout.strip() == ""  # click's input(" ") puts the prompt's space on stdout
    assert sandbox_counts["mutation.createRoomStoryV2"] == int(sent)
    assert len(org.stories(room_id)) == total + int(sent)


# -- 7. open enums: sortOrder DESC reaches the server, logged once ----------------------------


def test_cli_room_list_sort_order_desc_reaches_the_server(
    live_sandbox: RunningSandbox, cli_env: dict[str, str]
) -> None:
    org = live_sandbox.state.data.default_org
    with received_arguments(live_sandbox, "roomList") as seen:
        code, out, err = cli(
            "call", "roomList", "--var", "sortOrder=DESC", "--var", 'pagination={"first": 3}',
            "-f", "jsonl",
        )  # fmt: skip
        assert code == 0, err
        code_asc, out_asc, err_asc = cli(
            "call", "roomList", "--var", "sortOrder=ASC", "--var", 'pagination={"first": 3}',
            "-f", "jsonl",
        )  # fmt: skip
        assert code_asc == 0, err_asc
    assert [args.get("sortOrder") for args in seen] == ["DESC", "ASC"]
    desc = [json.loads(line)["id"] for line in out.splitlines()]
    asc = [json.loads(line)["id"] for line in out_asc.splitlines()]
    assert desc == [org.room_id(i) for i in range(3)]
    assert asc == [org.room_id(i) for i in (63, 62, 61)]


@pytest.mark.usefixtures("fresh_drift_log")
async def test_sort_order_desc_is_sent_and_logged_once(
    live_sandbox: RunningSandbox, sandbox_client: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="upwork_gql.drift")
    with received_arguments(live_sandbox, "roomList") as seen:
        async with sandbox_client() as client:
            for _ in range(2):
                result = await client.room_list(
                    sort_order="DESC",  # type: ignore[arg-type]  # not generated: sent as given
                    pagination=Pagination(first=2),
                )
                assert len(result.room_list.edges or []) == 2
    assert [args.get("sortOrder") for args in seen] == ["DESC", "DESC"]
    records = sent_as_given(caplog)
    assert len(records) == 1, [r.getMessage() for r in drift_records(caplog)]
    (record,) = records
    assert record.levelno == logging.WARNING
    assert "'DESC'" in record.getMessage()
    assert "SortOrder" in record.getMessage()
    assert "sent as given" in record.getMessage()


@pytest.mark.usefixtures("fresh_drift_log")
async def test_typed_sort_order_desc_is_sent_and_logged_once(
    live_sandbox: RunningSandbox, sandbox_client: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """Typed code writes ``SortOrder("DESC")``; an unknown value is told by ``is_known``."""
    caplog.set_level(logging.WARNING, logger="upwork_gql.drift")
    with received_arguments(live_sandbox, "roomList") as seen:
        desc = SortOrder("DESC")
        assert desc.is_known is False
        assert SortOrder.ASC.is_known is True
        async with sandbox_client() as client:
            for _ in range(2):
                await client.room_list(sort_order=desc, pagination=Pagination(first=2))
    assert [args.get("sortOrder") for args in seen] == ["DESC", "DESC"]
    assert len(sent_as_given(caplog)) == 1, [r.getMessage() for r in drift_records(caplog)]


@pytest.mark.usefixtures("fresh_drift_log")
async def test_an_unknown_enum_variable_is_one_drift_warning_in_all(
    sandbox_client: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="upwork_gql.drift")
    async with sandbox_client() as client:
        for _ in range(2):
            await client.room_list(
                sort_order="DESC",  # type: ignore[arg-type]
                pagination=Pagination(first=1),
            )
    assert len(drift_records(caplog)) == 1, [r.getMessage() for r in drift_records(caplog)]


@pytest.mark.usefixtures("fresh_drift_log")
async def test_an_unknown_enum_value_deep_in_an_input_is_sent_as_given(
    sandbox_client: ClientFactory, caplog: pytest.LogCaptureFixture, sandbox_counts: CounterDelta
) -> None:
    """At any depth: ``filter.roomType_eq`` is sent as given (the server, not the client, has
    the last word: the sandbox does not know this value either, and says so)."""
    caplog.set_level(logging.WARNING, logger="upwork_gql.drift")
    async with sandbox_client() as client:
        with pytest.raises(GraphQLValidationError) as raised:
            await client.room_list(
                filter_=RoomFilter(room_type_eq="NOT_A_ROOM_TYPE"),  # type: ignore[arg-type]
                pagination=Pagination(first=2),
            )
    # The server's answer (its echo of the value is redacted by the client): it got the value.
    assert isinstance(raised.value, GraphQLValidationError)
    assert "'RoomTypeFilter' enum" in str(raised.value)
    assert sandbox_counts["graphql_requests"] == 1
    (record,) = sent_as_given(caplog)
    assert "'NOT_A_ROOM_TYPE'" in record.getMessage()
    assert "filter.roomType_eq" in record.getMessage()


async def test_once_enum_values_are_complete_unknown_ones_are_refused_before_sending(
    sandbox_client: ClientFactory, sandbox_counts: CounterDelta, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What ``make generate`` on a live-pulled schema writes (``ENUM_VALUES_COMPLETE = True``)."""
    op = generated_operations.ROOM_LIST
    monkeypatch.setitem(op._cache, "enums_complete", True)
    async with sandbox_client() as client:
        with pytest.raises(InvalidVariablesError, match="sortOrder"):
            await client.room_list(sort_order="DESC")  # type: ignore[arg-type]
        await client.room_list(sort_order=SortOrder.ASC, pagination=Pagination(first=1))
    assert sandbox_counts["graphql_requests"] == 1


# -- 8. the current user ------------------------------------------------------------------------


async def test_user_is_the_current_user(
    live_sandbox: RunningSandbox, sandbox_client: ClientFactory
) -> None:
    configured = live_sandbox.config.user
    async with sandbox_client() as client:
        result = await client.user()
        in_other_tenant = await client.with_tenant(SECOND_ORG_ID).user()
    user = result.user
    assert user is not None
    assert (user.id, user.nid, user.email) == (configured.id, configured.nid, configured.email)
    assert user.name == "Ada Lovelace"
    assert user.rid
    assert in_other_tenant.user is not None
    assert in_other_tenant.user.id == user.id


def test_cli_call_user(live_sandbox: RunningSandbox, cli_env: dict[str, str]) -> None:
    code, out, err = cli("call", "user")
    assert code == 0, err
    assert json.loads(out)["user"]["id"] == live_sandbox.config.user.id
