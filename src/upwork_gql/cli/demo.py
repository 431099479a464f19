"""`upwork-gql demo`: the whole flow against the embedded sandbox."""

from __future__ import annotations

from typing import Annotated

import typer

from upwork_gql.cli._errors import fail

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Attach ``demo`` to the root app."""

    @app.command(name="demo")
    def demo(
        seed: Annotated[int, typer.Option(help="Seed of the sandbox's data.")] = 42,
        ttl: Annotated[
            float,
            typer.Option(
                "--access-token-ttl",
                min=1.0,
                help="Access-token lifetime in seconds (short, to show a refresh mid-run).",
            ),
        ] = 4.0,
        fault: Annotated[
            bool, typer.Option("--fault/--no-fault", help="Inject one 502 to show a retry.")
        ] = True,
    ) -> None:
        """Start the embedded sandbox, log in and run the mission end to end.

        Every job posting across pages, the proposals of one job, a contract, the room list, a
        day of the work diary, a token refresh mid-run and a tenant switch; then a summary.
        Nothing leaves this machine and your real token file is never touched.
        """
        import anyio

        from upwork_gql._demo import DemoOptions, run_demo
        from upwork_gql._exceptions import UpworkError

        options = DemoOptions(seed=seed, access_token_ttl=ttl, inject_fault=fault)
        try:
            anyio.run(run_demo, options)
        except KeyboardInterrupt:
            raise fail("interrupted", 130) from None
        except (UpworkError, OSError, RuntimeError) as exc:
            reason = " ".join(str(exc).split()) or "no details"
            raise fail(f"demo failed: {type(exc).__name__}: {reason}") from None
