"""`upwork-gql sandbox` commands."""

from __future__ import annotations

import errno
import ipaddress
import json
import socket
from pathlib import Path
from typing import Annotated

import typer

from upwork_gql.cli._errors import fail
from upwork_gql.cli._help import hide_flag_types

hide_flag_types()

app = typer.Typer(help="Run the embedded fake Upwork API.", no_args_is_help=True)

_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@app.command()
def serve(
    host: Annotated[
        str,
        typer.Option(
            help="Interface to bind (loopback by default; the sandbox has no real security)."
        ),
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(min=0, max=65535, help="Port to bind (0-65535); 0 picks a free one.")
    ] = 8000,
    seed: Annotated[int, typer.Option(help="Seed of the generated data.")] = 42,
    access_token_ttl: Annotated[
        float, typer.Option(help="Access-token lifetime in seconds (Upwork: 86400).")
    ] = 86400.0,
    refresh_token_ttl: Annotated[
        float, typer.Option(help="Refresh-token lifetime in seconds (Upwork: 14 days).")
    ] = 14 * 86400.0,
    refresh_grace: Annotated[
        float,
        typer.Option(help="Life left to a refresh token after it was rotated (Upwork: 86400)."),
    ] = 86400.0,
    latency: Annotated[float, typer.Option(help="Seconds added to each GraphQL response.")] = 0.0,
    rate_limit: Annotated[
        float, typer.Option(help="GraphQL requests per second before 429 (0: unlimited).")
    ] = 0.0,
    schema: Annotated[
        Path | None,
        typer.Option(help="Schema SDL to serve (default: the project's schema.graphql)."),
    ] = None,
    faults: Annotated[
        str | None,
        typer.Option(help='Initial fault plan as JSON, e.g. \'{"next": [{"status": 503}]}\'.'),
    ] = None,
    deny_consent: Annotated[
        bool, typer.Option("--deny-consent", help="The authorize endpoint answers access_denied.")
    ] = False,
) -> None:
    """Serve the sandbox (GraphQL, OAuth2 and fault control endpoints) until Ctrl-C."""
    from upwork_gql.sandbox import SandboxConfig, create_app
    from upwork_gql.sandbox.faults import FaultPlanError, parse_plan
    from upwork_gql.sandbox.server import RunningSandbox, bind_socket, make_server

    _check_host(host)
    plan = None
    if faults:
        try:
            plan = json.loads(faults)
            parse_plan(plan)
        except (ValueError, FaultPlanError) as exc:
            raise fail(f"bad --faults plan: {exc}", 2) from None
    config = SandboxConfig(
        seed=seed,
        access_token_ttl=access_token_ttl,
        refresh_token_ttl=refresh_token_ttl,
        refresh_grace=refresh_grace,
        latency=latency,
        rate_limit=rate_limit or None,
        schema_path=schema,
        faults=plan,
        auto_consent=not deny_consent,
    )
    from graphql import GraphQLError

    try:
        application = create_app(config)
    except (OSError, ValueError, TypeError, GraphQLError) as exc:
        # TypeError: graphql-core's verdict on an invalid SDL; GraphQLError: a syntax error.
        reason = exc.message if isinstance(exc, GraphQLError) else str(exc)
        where = exc.locations[0] if isinstance(exc, GraphQLError) and exc.locations else None
        at = f" (line {where.line}, column {where.column})" if where else ""
        raise fail(f"cannot load the schema: {' '.join(reason.split())}{at}") from None
    try:
        sock = bind_socket(host, port)
    except OSError as exc:
        raise fail(_bind_failure(host, port, exc)) from None
    actual_port = sock.getsockname()[1]
    url_host = f"[{host}]" if ":" in host else host
    base = f"http://{url_host}:{actual_port}"
    urls = RunningSandbox(url=base, config=config, state=application.state.sandbox, app=application)
    client = config.default_client
    limited = config.clients[1] if len(config.clients) > 1 else None
    lines = [
        f"upwork-gql sandbox listening on {base}",
        f"  GraphQL:    {urls.graphql_url}",
        f"  token:      {urls.token_url}",
        f"  authorize:  {urls.authorize_url}",
        f"  faults:     POST {urls.faults_url}   state: GET {base}/_sandbox/state",
        f"  demo client: id={client.client_id} secret={client.client_secret}",
    ]
    if limited is not None:
        missing = ", ".join(sorted(client.scopes - limited.scopes)) or "nothing"
        lines.append(
            f"  limited client (lacks {missing}): "
            f"id={limited.client_id} secret={limited.client_secret}"
        )
    orgs = ", ".join(f"{o.id} ({o.name})" for o in config.organizations)
    lines += [
        f"  organizations (X-Upwork-API-TenantId): {orgs}; the first is the default",
        "  environment for the client:",
        f"    export UPWORK_API_URL={urls.graphql_url}",
        f"    export UPWORK_TOKEN_URL={urls.token_url}",
        f"    export UPWORK_AUTHORIZE_URL={urls.authorize_url}",
        f"    export UPWORK_CLIENT_ID={client.client_id}",
        f"    export UPWORK_CLIENT_SECRET={client.client_secret}",
        # A sandbox login must never overwrite the user's real one (the default token file).
        f"    export UPWORK_TOKEN_FILE={Path.cwd() / 'sandbox-token.json'}",
    ]
    if host not in _LOOPBACK:
        lines.append(
            "  warning: bound to a non-loopback interface; anyone on the network can use it"
        )
    typer.echo("\n".join(lines))
    server = make_server(application, own_logging=True)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()


def _check_host(host: str) -> None:
    """A usage error (exit 2) unless ``host`` is an IP address or a name that resolves."""
    try:
        ipaddress.ip_address(host)
        return
    except ValueError:
        pass
    looks_numeric = all(part.isdigit() for part in host.split(".")) or ":" in host
    if not looks_numeric:
        try:
            socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
            return
        except (OSError, UnicodeError):
            pass
    raise fail(
        f"invalid --host {host!r}: not an IP address or a host name this machine resolves", 2
    )


def _bind_failure(host: str, port: int, exc: OSError) -> str:
    reason = exc.strerror or str(exc) or type(exc).__name__
    if exc.errno == errno.EADDRINUSE:
        return f"cannot bind {host}:{port}: {reason} (another server uses it; try --port 0)"
    return f"cannot bind {host}:{port}: {reason}"
