"""The interactive authorization-code login, reusable by the CLI and the demo.

With a loopback redirect URI (``http://127.0.0.1:PORT/...``, ``localhost``, ``[::1]``) a one-shot
local callback server catches the redirect; otherwise the user pastes the URL they landed on.
``consent`` replaces the browser: it receives the authorization URL and must make the redirect
happen (e.g. :func:`http_consent` against a server that consents automatically).
"""

from __future__ import annotations

import ipaddress
import logging
import sys
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

import anyio
import anyio.abc
import anyio.to_thread
import httpx

from upwork_gql._constants import DEFAULT_TIMEOUT, ENV_REDIRECT_URI, LOGIN_TIMEOUT
from upwork_gql._exceptions import ConfigurationError, OAuthError
from upwork_gql.auth._token import Token
from upwork_gql.auth.manager import TokenManager

__all__ = ["ConsentFunc", "http_consent", "is_loopback_redirect", "run_login"]

logger = logging.getLogger("upwork_gql.auth")

ConsentFunc = Callable[[str], Awaitable[object]]

_MAX_REQUEST_HEAD = 16 * 1024
_CONNECTION_TIMEOUT = 10.0
_CONSENT_GRACE = 10.0

_PAGE = (
    "<!DOCTYPE html><html><head><meta charset='utf-8'><title>upwork-gql</title></head>"
    "<body style='font-family:sans-serif'><h2>{title}</h2><p>{body}</p></body></html>"
)


def is_loopback_redirect(redirect_uri: str) -> bool:
    """True for ``http://`` redirect URIs on 127.0.0.0/8, ``::1`` or ``localhost``."""
    parts = urlsplit(redirect_uri)
    if parts.scheme != "http" or not parts.hostname:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


async def http_consent(url: str, *, client: httpx.AsyncClient | None = None) -> None:
    """ "Visit" the authorization URL with httpx, following redirects to the callback.

    For an authorization server that consents automatically (the embedded sandbox).
    """
    if client is None:
        async with httpx.AsyncClient(follow_redirects=True, timeout=DEFAULT_TIMEOUT) as own:
            await own.get(url)
        return
    await client.get(url, follow_redirects=True)


def _default_echo(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def _default_read_redirect(prompt: str) -> str:
    def ask() -> str:
        print(prompt, end="", file=sys.stderr, flush=True)
        return sys.stdin.readline()

    return (await anyio.to_thread.run_sync(ask, abandon_on_cancel=True)).strip()


async def _open_browser(url: str) -> None:
    import webbrowser

    try:
        await anyio.to_thread.run_sync(webbrowser.open, url)
    except Exception:  # a missing browser is not an error: the URL was printed
        logger.debug("could not open a browser", exc_info=True)


async def _read_head(stream: anyio.abc.ByteStream) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data and len(data) < _MAX_REQUEST_HEAD:
        try:
            chunk = await stream.receive(4096)
        except (anyio.EndOfStream, anyio.BrokenResourceError):
            break
        data += chunk
    return data


def _response(status: str, title: str, body: str) -> bytes:
    html = _PAGE.format(title=title, body=body).encode()
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\n"
        f"Content-Length: {len(html)}\r\nConnection: close\r\nCache-Control: no-store\r\n\r\n"
    )
    return head.encode() + html


async def _serve_callback(
    listener: anyio.abc.Listener[anyio.abc.SocketStream], redirect_uri: str
) -> str:
    """Serve until the redirect path is hit once; return the full callback URL."""
    parts = urlsplit(redirect_uri)
    expected_path = parts.path or "/"
    base = f"{parts.scheme}://{parts.netloc}"
    result: list[str] = []

    async with anyio.create_task_group() as tg:

        async def handle(stream: anyio.abc.SocketStream) -> None:
            async with stream:
                with anyio.move_on_after(_CONNECTION_TIMEOUT):
                    head = await _read_head(stream)
                    request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
                    pieces = request_line.split(" ")
                    if len(pieces) != 3 or pieces[0] not in ("GET", "POST"):
                        await stream.send(_response("400 Bad Request", "Bad request", ""))
                        return
                    target = pieces[1]
                    if urlsplit(target).path != expected_path or result:
                        await stream.send(_response("404 Not Found", "Not found", ""))
                        return
                    result.append(base + target)
                    query = urlsplit(target).query
                    if "error=" in query and "code=" not in query:
                        page = _response(
                            "200 OK", "Authorization failed", "Return to the terminal for details."
                        )
                    else:
                        page = _response(
                            "200 OK",
                            "upwork-gql: authorization received",
                            "You can close this tab and return to the terminal.",
                        )
                    await stream.send(page)
                    tg.cancel_scope.cancel()

        tg.start_soon(listener.serve, handle, tg)
    if not result:  # pragma: no cover - only when cancelled from outside
        raise OAuthError("the login callback server stopped before receiving the redirect")
    return result[0]


async def _wait_loopback(
    url: str,
    redirect_uri: str,
    *,
    open_browser: bool,
    consent: ConsentFunc | None,
    echo: Callable[[str], None],
    redirect_timeout: float,
) -> str:
    parts = urlsplit(redirect_uri)
    host = parts.hostname or "127.0.0.1"
    port = parts.port or 80
    try:
        listener = await anyio.create_tcp_listener(local_host=host, local_port=port)
    except OSError as exc:
        raise OAuthError(
            f"cannot listen on {host}:{port} for the login callback ({exc.strerror or exc})"
        ) from None
    errors: list[BaseException] = []
    callback: list[str] = []
    async with listener:
        echo(f"Open this URL to authorize upwork-gql:\n\n  {url}\n")
        echo(f"Waiting for the redirect to {parts.scheme}://{parts.netloc}{parts.path} ...")
        if consent is None and open_browser:
            await _open_browser(url)
        with anyio.move_on_after(redirect_timeout) as scope:
            async with anyio.create_task_group() as tg:

                async def server() -> None:
                    try:
                        callback.append(await _serve_callback(listener, redirect_uri))
                    except Exception as exc:
                        errors.append(exc)
                    tg.cancel_scope.cancel()

                async def visit() -> None:
                    assert consent is not None
                    try:
                        await consent(url)
                    except Exception as exc:
                        errors.append(exc)
                        tg.cancel_scope.cancel()
                        return
                    # The visit is over; the redirect must have arrived by now (or very soon).
                    await anyio.sleep(_CONSENT_GRACE)
                    errors.append(
                        OAuthError("the consent step finished without reaching the login callback")
                    )
                    tg.cancel_scope.cancel()

                tg.start_soon(server)
                if consent is not None:
                    tg.start_soon(visit)
    if callback:
        return callback[0]
    if errors:
        first = errors[0]
        if isinstance(first, OAuthError):
            raise first
        reason = f"{type(first).__name__}: {first}"[:200]
        raise OAuthError(f"the consent step failed ({reason})") from first
    if scope.cancelled_caught:
        raise OAuthError(
            f"timed out after {redirect_timeout:g}s waiting for the authorization redirect"
        )
    raise OAuthError("the login was interrupted before the redirect arrived")  # pragma: no cover


async def run_login(
    manager: TokenManager,
    *,
    open_browser: bool = True,
    consent: ConsentFunc | None = None,
    pkce: bool = False,
    redirect_timeout: float = LOGIN_TIMEOUT,
    echo: Callable[[str], None] | None = None,
    read_redirect: Callable[[str], Awaitable[str]] | None = None,
) -> Token:
    """Run the authorization-code login and save the token through ``manager``'s store.

    ``consent`` (e.g. :func:`http_consent`) replaces the browser for automated logins;
    ``read_redirect`` replaces the terminal prompt for non-loopback redirect URIs. Nothing is
    saved unless the whole flow succeeds (state checked, code exchanged).
    """
    echo = echo or _default_echo
    redirect_uri = manager.redirect_uri
    if not redirect_uri:
        raise ConfigurationError(
            f"a redirect URI is required for the login ({ENV_REDIRECT_URI}); it must match the "
            "callback URL registered with your Upwork API key"
        )
    url, state, verifier = manager.create_authorization_url(pkce=pkce)
    if is_loopback_redirect(redirect_uri):
        callback = await _wait_loopback(
            url,
            redirect_uri,
            open_browser=open_browser,
            consent=consent,
            echo=echo,
            redirect_timeout=redirect_timeout,
        )
    else:
        echo(f"Open this URL to authorize upwork-gql:\n\n  {url}\n")
        if consent is not None:
            await consent(url)
        elif open_browser:
            await _open_browser(url)
        reader = read_redirect or _default_read_redirect
        callback = ""
        with anyio.move_on_after(redirect_timeout) as scope:
            callback = (await reader("Paste the full URL you were redirected to: ")).strip()
        if scope.cancelled_caught:
            raise OAuthError(f"timed out after {redirect_timeout:g}s waiting for the redirect URL")
        if not callback:
            raise OAuthError("no redirect URL was given")
        if "#" in callback and "access_token=" in urlsplit(callback).fragment:
            token = manager.parse_implicit_redirect(callback, expected_state=state)
            return await manager.set_token(token)
    return await manager.exchange_code(callback, expected_state=state, code_verifier=verifier)
