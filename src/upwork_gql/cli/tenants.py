"""`upwork-gql tenants`: the organizations the login can act for (Upwork's ``companySelector``).

Each organization's id is the value of the ``X-Upwork-API-TenantId`` header: pass it as
``--tenant ID`` to ``call``, as ``UPWORK_TENANT_ID``, or as ``UpworkClient(tenant_id=...)``.
"""

from __future__ import annotations

import enum
import sys
from pathlib import Path
from typing import IO, Annotated, Any

import typer

from upwork_gql._constants import ENV_API_URL, ENV_TENANT_ID, ENV_TOKEN_FILE
from upwork_gql.cli._errors import fail

__all__ = ["COLUMNS", "register"]

#: The columns shown, as GraphQL paths of a ``companySelector`` item.
COLUMNS = [
    "organizationId",
    "title",
    "typeTitle",
    "organizationType",
    "organizationLegacyType",
    "legacyEnterpriseOrganization",
    "organizationRid",
]


class TenantsFormat(enum.StrEnum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"


async def fetch_organizations(
    *, api_url: str | None = None, token_file: Path | None = None
) -> list[Any]:
    """The ``companySelector`` items of the login (generated models)."""
    from upwork_gql.cli._runner import open_api_client

    async with open_api_client(api_url=api_url, token_file=token_file) as client:
        result = await client.company_selector()
    return [item for item in (result.company_selector.items or []) if item is not None]


def write_organizations(items: list[Any], output_format: str, out: IO[str]) -> None:
    """Write the organizations in the chosen format."""
    from upwork_gql.cli._output import make_writer

    writer = make_writer(output_format, out, columns=COLUMNS, title="Organizations", select=COLUMNS)
    for item in items:
        writer.write(item)
    writer.close()


def tenants(
    output_format: Annotated[
        TenantsFormat, typer.Option("--format", "-f", help="Output format.")
    ] = TenantsFormat.table,
    api_url: Annotated[
        str | None, typer.Option("--api-url", envvar=ENV_API_URL, help="GraphQL endpoint.")
    ] = None,
    token_file: Annotated[
        Path | None,
        typer.Option("--token-file", envvar=ENV_TOKEN_FILE, help="Saved login (JSON)."),
    ] = None,
) -> None:
    """List the organizations (tenants) the login can act for, with the id to use for each."""
    import anyio

    from upwork_gql._exceptions import UpworkError
    from upwork_gql.cli._runner import describe_error

    try:
        items = anyio.run(lambda: fetch_organizations(api_url=api_url, token_file=token_file))
    except UpworkError as exc:
        raise fail(describe_error(exc)) from None
    except KeyboardInterrupt:
        raise fail("interrupted", 130) from None
    write_organizations(items, output_format.value, sys.stdout)
    if output_format is TenantsFormat.table and items:
        typer.echo(
            f"Act for one with --tenant ID, {ENV_TENANT_ID}=ID or UpworkClient(tenant_id=ID).",
            err=True,
        )


def register(app: typer.Typer) -> None:
    """Attach ``tenants`` to the root app."""
    app.command(name="tenants")(tenants)
