"""Cursor pagination over Relay-style connections.

Every operation in ``queries/`` whose root field is a connection (``edges { cursor node }`` and
``pageInfo { hasNextPage endCursor }``) gets a generated ``paginate_<operation>`` method on the
client (see :mod:`upwork_gql._codegen_plugins.pagination`). It returns an :class:`AsyncPaginator`::

    paginator = client.paginate_client_proposals(job_posting_id="1", page_size=50)
    page = await paginator                      # the first page (the typed connection model)
    async for proposal in paginator:            # typed nodes across every page
        ...
    async for page in paginator.pages():        # page by page
        ...
    resume_from = paginator.cursor              # where to start again (``after=``)

Memory stays bounded: a walk holds the page being consumed (plus, with ``prefetch=True``, at most
one page fetched ahead; and, in the client's walks, the previous page until the next one is
validated) and never keeps earlier pages.

Guards, each raising :class:`~upwork_gql.PaginationError` with the operation name and the
cursor to resume from (never an endless loop, never a silent stop):

* a cursor that does not advance (``endCursor`` equal to the cursor the page was asked with);
* ``hasNextPage`` true without an ``endCursor``;
* a page size outside the operation's bounds, refused before anything is sent;
* a page that fails (after the client's retries): the original error is the ``__cause__``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import types
from collections.abc import (
    AsyncGenerator,
    AsyncIterator,
    Awaitable,
    Callable,
    Generator,
    Mapping,
    Sequence,
)
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import anyio
from pydantic import BaseModel

from upwork_gql._constants import (
    DEFAULT_MAX_PAGE_SIZE,
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZES,
    MIN_PAGE_SIZE,
)
from upwork_gql._exceptions import PaginationError
from upwork_gql._telemetry import Walk, begin_walk

if TYPE_CHECKING:
    import pandas

__all__ = [
    "AsyncPaginator",
    "FetchPage",
    "max_page_size_for",
]

PageT = TypeVar("PageT")
NodeT = TypeVar("NodeT")
ModelT = TypeVar("ModelT", bound=BaseModel)

FetchPage = Callable[[str | None, int], Awaitable[PageT | None]]
"""``fetch(after, first)``: one request for the page after ``after`` holding ``first`` nodes.

Returns the connection object (a generated model, or a mapping with GraphQL field names), or
``None`` when the connection field itself is null.
"""

_ERROR_DETAIL_LIMIT = 300


def max_page_size_for(field: str) -> int:
    """The largest page size the connection root ``field`` accepts (see ``_constants``)."""
    return MAX_PAGE_SIZES.get(field, DEFAULT_MAX_PAGE_SIZE)


def _get(obj: Any, python_name: str, graphql_name: str) -> Any:
    """Read a field from a generated model (python name) or a raw mapping (GraphQL name)."""
    if obj is None:
        return None
    if isinstance(obj, Mapping):
        if graphql_name in obj:
            return obj[graphql_name]
        return obj.get(python_name)
    return getattr(obj, python_name, None)


def _plain(value: Any) -> Any:
    """``value`` with every enum member (at any depth) replaced by its plain value."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _node_record(node: Any) -> Any:
    """A node as a DataFrame record: dicts and lists of plain values (enums by value; dates,
    numbers and strings as they are)."""
    if isinstance(node, BaseModel):
        return _plain(node.model_dump(mode="python"))
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        return _plain(dataclasses.asdict(node))
    return _plain(node)


class _Prefetch:
    """A page being fetched in the background (look-ahead)."""

    def __init__(self) -> None:
        self.done = anyio.Event()
        self.scope = anyio.CancelScope()
        self.page: Any = None
        self.error: PaginationError | None = None


class _Page:
    """A validated page: what the walk needs from one connection object."""

    __slots__ = ("edges", "end_cursor", "has_next", "raw")

    def __init__(self, raw: Any, edges: Sequence[Any], has_next: bool, end_cursor: str | None):
        self.raw = raw
        self.edges = edges
        self.has_next = has_next
        self.end_cursor = end_cursor


class AsyncPaginator(Generic[PageT, NodeT]):
    """Walks a Relay connection page by page; awaitable (first page) and async-iterable (nodes).

    Parameters:
        fetch: ``fetch(after, first)`` performs one request (see :data:`FetchPage`).
        operation: the operation name, used in errors.
        field: the connection's root field, whose page-size bound applies (default: operation).
        page_size: nodes per request; ``None`` picks a default within the bounds.
        max_items: stop after this many nodes (the last request asks only for what is missing).
        after: the cursor to start after (resume an interrupted walk with ``paginator.cursor``).
        prefetch: fetch the next page while the caller processes the current one (at most one
            page ahead). Needs ``async with paginator:`` so the background fetch is cancelled
            when the walk is abandoned.
        min_page_size / max_page_size: bounds (default: the operation's documented bounds).

    The paginator is not meant to be walked by several tasks at once.
    """

    def __init__(
        self,
        fetch: FetchPage[PageT],
        *,
        operation: str,
        field: str | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
        after: str | None = None,
        prefetch: bool = False,
        min_page_size: int = MIN_PAGE_SIZE,
        max_page_size: int | None = None,
    ) -> None:
        self._fetch = fetch
        self.operation = operation
        self.field = field or operation
        self.min_page_size = min_page_size
        self.max_page_size = (
            max_page_size if max_page_size is not None else max_page_size_for(self.field)
        )
        if page_size is None:
            page_size = max(self.min_page_size, min(DEFAULT_PAGE_SIZE, self.max_page_size))
        if isinstance(page_size, bool) or not isinstance(page_size, int):
            raise self._error(f"page_size must be an int, got {type(page_size).__name__}", after)
        if not self.min_page_size <= page_size <= self.max_page_size:
            raise self._error(
                f"page_size={page_size} is outside the allowed range "
                f"{self.min_page_size}..{self.max_page_size}; nothing was sent",
                after,
            )
        if max_items is not None and (isinstance(max_items, bool) or max_items < 0):
            raise self._error(f"max_items must be a non-negative int, got {max_items!r}", after)
        self.page_size = page_size
        self.max_items = max_items
        self.start_cursor = after
        self.prefetch = prefetch

        self._cursor = after
        self._total_count: int | None = None
        self._has_next: bool | None = None
        self._next_after = after
        self._manual_started = False
        self._task_group: anyio.abc.TaskGroup | None = None
        self.pages_fetched = 0
        # Set by the client when it pauses the collector during validation: the previous page is
        # then released right after the next one is validated, so that its objects leave the
        # collector's count as the new page's enter it, and a walk triggers no collection for
        # its pages. Otherwise a page is released before the next request (a collection during
        # validation would scan and promote it).
        self._release_after_next = False

    # ------------------------------------------------------------------ state

    def _error(self, message: str, cursor: str | None) -> PaginationError:
        return PaginationError(
            f"{self.operation}: {message}", operation=self.operation, cursor=cursor
        )

    @property
    def cursor(self) -> str | None:
        """Where to resume: pass it as ``after=`` to a new paginator.

        It is the cursor of the last node handed out (or the ``endCursor`` of the last page
        handed out by :meth:`pages` / :meth:`next_page`). When the edges do not select
        ``cursor``, a walk stopped mid-page resumes at the start of that page (nodes may repeat,
        none are lost).
        """
        return self._cursor

    @property
    def total_count(self) -> int | None:
        """``totalCount`` of the last page fetched, when the operation selects it."""
        return self._total_count

    def has_next_page(self) -> bool:
        """Whether :meth:`next_page` has a page to return (true before the first fetch)."""
        return self._has_next is not False

    # ------------------------------------------------------------ one request

    def _first_for(self, delivered: int) -> int:
        if self.max_items is None:
            return self.page_size
        return max(self.min_page_size, min(self.page_size, self.max_items - delivered))

    async def _request(self, after: str | None, first: int, walk: Walk | None = None) -> Any:
        try:
            if walk is None:
                page = await self._fetch(after, first)
            else:  # the page's call span goes under the walk's span
                with walk.page():
                    page = await self._fetch(after, first)
        except PaginationError:
            raise
        except Exception as exc:
            detail = str(exc)
            if len(detail) > _ERROR_DETAIL_LIMIT:
                detail = detail[:_ERROR_DETAIL_LIMIT] + "..."
            raise self._error(
                f"fetching the page after cursor {after!r} failed "
                f"({type(exc).__name__}: {detail}); resume with after={after!r}",
                after,
            ) from exc
        self.pages_fetched += 1
        return page

    def _check(self, raw: Any, sent_after: str | None, first_page: bool) -> _Page:
        if raw is None:
            if first_page:
                return _Page(None, (), False, None)
            raise self._error(
                f"the connection was null on the page after cursor {sent_after!r}", sent_after
            )
        total = _get(raw, "total_count", "totalCount")
        if isinstance(total, int) and not isinstance(total, bool):
            self._total_count = total
        page_info = _get(raw, "page_info", "pageInfo")
        if page_info is None:
            raise self._error(
                "the response has no pageInfo (select pageInfo { hasNextPage endCursor })",
                sent_after,
            )
        has_next = bool(_get(page_info, "has_next_page", "hasNextPage"))
        end_cursor = _get(page_info, "end_cursor", "endCursor")
        if has_next and not end_cursor:
            raise self._error(
                f"hasNextPage is true but endCursor is missing (page after cursor {sent_after!r})",
                sent_after,
            )
        if has_next and sent_after is not None and end_cursor == sent_after:
            raise self._error(
                f"the cursor does not advance (endCursor {end_cursor!r} "
                "equals the cursor the page was asked with)",
                sent_after,
            )
        edges = _get(raw, "edges", "edges") or ()
        return _Page(raw, edges, has_next, end_cursor)

    # ------------------------------------------------------- manual stepping

    def __await__(self) -> Generator[Any, None, PageT]:
        """``await paginator``: (re)start at ``after=`` and return the first page."""
        self._next_after = self.start_cursor
        self._has_next = None
        self._manual_started = False
        return self.next_page().__await__()

    async def next_page(self) -> PageT:
        """Fetch the next page (the first one on the first call) and return it.

        Manual stepping asks for ``page_size`` nodes per page and ignores ``max_items``. A null
        connection raises :class:`PaginationError` (walks treat a null first page as empty).
        """
        if self._has_next is False:
            raise self._error("there is no next page", self._cursor)
        after = self._next_after
        raw = await self._request(after, self.page_size)
        if raw is None:
            raise self._error(f"the connection is null (page after cursor {after!r})", after)
        page = self._check(raw, after, not self._manual_started)
        self._manual_started = True
        self._has_next = page.has_next
        if page.end_cursor is not None:
            self._next_after = page.end_cursor
            self._cursor = page.end_cursor
        return raw  # type: ignore[no-any-return]

    # ------------------------------------------------------------------ walks

    async def __aenter__(self) -> AsyncPaginator[PageT, NodeT]:
        if self._task_group is not None:
            raise self._error("the paginator is already entered", self._cursor)
        task_group = anyio.create_task_group()
        await task_group.__aenter__()
        self._task_group = task_group
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: types.TracebackType | None,
    ) -> bool | None:
        task_group, self._task_group = self._task_group, None
        if task_group is None:
            return None
        # Only look-ahead fetches run in the group and they never raise (their errors are
        # handed to the walk), so the caller's own exception propagates unwrapped.
        task_group.cancel_scope.cancel()
        await task_group.__aexit__(None, None, None)
        return None

    def _start_prefetch(self, after: str | None, first: int, walk: Walk | None) -> _Prefetch:
        slot = _Prefetch()
        assert self._task_group is not None

        async def run() -> None:
            try:
                with slot.scope:
                    slot.page = await self._request(after, first, walk)
            except PaginationError as exc:
                slot.error = exc
            finally:
                slot.done.set()

        self._task_group.start_soon(run)
        return slot

    async def _walk(self) -> AsyncGenerator[tuple[_Page, int], None]:
        """Validated pages from ``after=`` on, with the node budget left for each page."""
        if self.prefetch and self._task_group is None:
            raise self._error(
                "prefetch=True needs `async with paginator:` around the walk", self.start_cursor
            )
        self._cursor = self.start_cursor
        after = self.start_cursor
        delivered = 0
        first_page = True
        ahead: _Prefetch | None = None
        walk = begin_walk(self.operation, self.page_size)  # None when nothing traces
        failure: BaseException | None = None
        page: _Page | None = None
        try:
            while self.max_items is None or delivered < self.max_items:
                if ahead is not None:
                    await ahead.done.wait()
                    if ahead.error is not None:
                        raise ahead.error
                    raw, ahead = ahead.page, None
                else:
                    raw = await self._request(after, self._first_for(delivered), walk)
                page = None  # the previous page, held until now (see _release_after_next)
                page = self._check(raw, after, first_page)
                del raw
                first_page = False
                self._has_next = page.has_next
                budget = None if self.max_items is None else self.max_items - delivered
                delivered += len(page.edges) if budget is None else min(len(page.edges), budget)
                if walk is not None:
                    walk.pages += 1
                    walk.items = delivered
                if page.has_next:
                    after = page.end_cursor
                    if self.prefetch and (self.max_items is None or delivered < self.max_items):
                        ahead = self._start_prefetch(after, self._first_for(delivered), walk)
                yield page, (len(page.edges) if budget is None else budget)
                if not page.has_next:
                    return
                if not self._release_after_next:
                    page = None
        except GeneratorExit:  # abandoned by the caller (break, aclose): not a failure
            raise
        except BaseException as exc:
            failure = exc
            raise
        finally:
            if ahead is not None:  # the walk was abandoned: drop the page fetched ahead
                ahead.scope.cancel()
            if walk is not None:
                walk.finish(failure)

    async def pages(self) -> AsyncIterator[PageT]:
        """Every page from ``after=`` on (stops after the page that reaches ``max_items``)."""
        async with contextlib.aclosing(self._walk()) as walk:  # a walk left early ends now
            async for page, _budget in walk:
                if page.raw is None:
                    return
                if page.end_cursor is not None:
                    self._cursor = page.end_cursor
                yield page.raw

    async def _nodes(self) -> AsyncIterator[NodeT]:
        async with contextlib.aclosing(self._walk()) as walk:  # a walk left early ends now
            async for page, budget in walk:
                edges = page.edges
                final = len(edges) - 1
                for index in range(min(len(edges), budget)):
                    edge = edges[index]
                    if isinstance(edge, BaseModel):  # generated edges: plain attribute reads
                        cursor = getattr(edge, "cursor", None)
                        node = getattr(edge, "node", None)
                    else:
                        cursor = _get(edge, "cursor", "cursor")
                        node = _get(edge, "node", "node")
                    if cursor is None and index == final:
                        cursor = page.end_cursor
                    if cursor is not None:
                        self._cursor = cursor
                    if node is not None:
                        yield node
                if budget >= len(edges) and page.end_cursor is not None:
                    self._cursor = page.end_cursor
                del page, edges  # the walk alone decides how long a page is held

    def __aiter__(self) -> AsyncIterator[NodeT]:
        """``async for node in paginator``: every node from ``after=`` on."""
        return self._nodes()

    # --------------------------------------------------------------- helpers

    async def to_list(self) -> list[NodeT]:
        """All nodes (up to ``max_items``) in a list."""
        return [node async for node in self]

    async def to_pandas(self) -> pandas.DataFrame:
        """All nodes (up to ``max_items``) as a DataFrame; nested fields become ``a.b`` columns
        and enum members their plain values (``"ONE_ON_ONE"``, not ``RoomType.ONE_ON_ONE``).

        Needs pandas (``pip install 'upwork-gql[pandas]'``).
        """
        try:
            import pandas
        except ImportError as exc:  # pragma: no cover - exercised with pandas hidden
            raise ImportError("to_pandas() needs pandas: pip install 'upwork-gql[pandas]'") from exc
        records = [_node_record(node) async for node in self]
        return pandas.json_normalize(records, sep=".")

    def __repr__(self) -> str:
        return (
            f"<AsyncPaginator {self.operation} page_size={self.page_size} "
            f"max_items={self.max_items} cursor={self._cursor!r}>"
        )
