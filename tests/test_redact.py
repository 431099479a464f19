"""Secrets redaction: every encoding, one rule for every length, payloads, log records."""

from __future__ import annotations

import base64
import json
import logging
import re
import threading
from typing import Any
from urllib.parse import quote, quote_plus, urlencode

import pytest
from pydantic import SecretStr

from upwork_gql._redact import (
    MASK,
    REDACTOR,
    RedactingFilter,
    Redactor,
    encodings,
    get_logger,
    redact_text,
    strings_in,
)

TOKEN = "oauth2v2_0123456789abcdef0123456789abcdef"
AWKWARD = 'se cr/et+%&="\\ü'  # space, slash, plus, percent, ampersand, quote, backslash, non-ASCII


def test_an_empty_redactor_returns_the_text_itself() -> None:
    text = f"nothing registered: {TOKEN}"
    assert Redactor().redact(text) is text
    payload = {"errors": [{"message": TOKEN}]}
    assert Redactor().redact_obj(payload) is payload


@pytest.mark.parametrize(
    "echo",
    [
        f"Invalid token provided: {TOKEN}",
        f'{{"message": "Access denied for token {TOKEN}"}}',
        f"Authorization: Bearer {TOKEN}",
        f"https://example.test/cb?access_token={TOKEN}&x=1",
    ],
)
def test_the_access_token_is_redacted_wherever_a_server_echoes_it(echo: str) -> None:
    redactor = Redactor([TOKEN])
    out = redactor.redact(echo)
    assert TOKEN not in out
    assert MASK in out


def test_every_encoding_of_an_awkward_secret() -> None:
    redactor = Redactor([AWKWARD])
    forms = {
        "raw": AWKWARD,
        "url": quote(AWKWARD, safe=""),
        "url keeping /": quote(AWKWARD),
        "url lower-case hex": re.sub(
            r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), quote(AWKWARD, safe="")
        ),
        "form": quote_plus(AWKWARD, safe=""),
        "form via urlencode": urlencode({"client_secret": AWKWARD}).split("=", 1)[1],
        "json": json.dumps(AWKWARD)[1:-1],
        "json non-ascii": json.dumps(AWKWARD, ensure_ascii=False)[1:-1],
    }
    for name, form in forms.items():
        text = f"echo [{form}] end"
        assert redactor.redact(text) == f"echo [{MASK}] end", name
    assert AWKWARD in encodings(AWKWARD)
    assert encodings("") == set()


def test_form_body_with_every_secret_of_a_refresh_request() -> None:
    redactor = Redactor()
    redactor.add("refresh token/with+plus")
    redactor.add_basic("client id", "client secret")
    body = urlencode(
        {
            "grant_type": "refresh_token",
            "refresh_token": "refresh token/with+plus",
            "client_id": "client id",
            "client_secret": "client secret",
        }
    )
    out = redactor.redact(f"400 Bad Request: echoed {body}")
    assert "refresh" in out  # the field names are not secrets
    assert "with" not in out
    assert "secret" not in out.replace("client_secret", "")
    assert out.count(MASK) == 2


@pytest.mark.parametrize(
    ("client_id", "secret"),
    [("sandbox-client", "sandbox-secret"), ("id with space", "s3cr:t/+="), ("a", "b")],
)
def test_basic_forms(client_id: str, secret: str) -> None:
    redactor = Redactor()
    redactor.add_basic(client_id, SecretStr(secret))
    plain = f"{client_id}:{secret}".encode()
    form = f"{quote_plus(client_id, safe='')}:{quote_plus(secret, safe='')}".encode()
    for raw in (plain, form):
        for encoded in (base64.b64encode(raw), base64.urlsafe_b64encode(raw)):
            padded = encoded.decode()
            out = redactor.redact(f"WWW-Authenticate failed for Basic {padded}")
            assert padded.rstrip("=") not in out
            assert out.startswith("WWW-Authenticate failed for Basic ***")
    assert redactor.redact(f"echo {secret} echo") == f"echo {MASK} echo"
    assert redactor.redact(f"client {client_id}") == f"client {client_id}"  # not a secret


@pytest.mark.parametrize("secret", ["x", "42", "abc", "abcd", TOKEN])
def test_one_rule_for_every_length(secret: str) -> None:
    redactor = Redactor([secret])
    # Standing on its own: redacted, whatever its length.
    for text in (secret, f"{secret} left", f"right {secret}", f'"{secret}"', f"id={secret}&"):
        assert redactor.redact(text) == text.replace(secret, MASK)
    # Glued to a longer run of letters and digits: another word, left alone.
    for text in (f"A{secret}", f"{secret}9", f"HTTP 5{secret}0"):
        assert redactor.redact(text) == text


def test_a_secret_after_an_underscore_or_dash_is_still_redacted() -> None:
    redactor = Redactor(["abc123"])
    assert redactor.redact("oauth2v2_abc123 and key-abc123-x") == "oauth2v2_*** and key-***-x"


def test_short_values_do_not_eat_status_codes() -> None:
    redactor = Redactor(["40", "1"])
    assert redactor.redact("HTTP 401 Unauthorized: contract 1 not found (40 left)") == (
        "HTTP 401 Unauthorized: contract *** not found (*** left)"
    )


def test_edges_that_are_not_letters_need_no_boundary() -> None:
    redactor = Redactor(["-secret-"])
    assert redactor.redact("x-secret-y") == "x***y"


def test_the_longest_form_wins() -> None:
    redactor = Redactor(["abc", "abc def"])
    assert redactor.redact("abc def / abc") == "*** / ***"


def test_redact_obj_is_a_deep_copy() -> None:
    redactor = Redactor([TOKEN])
    payload: dict[str, Any] = {
        "errors": [
            {
                "message": f"Access denied for token {TOKEN}",
                "extensions": {"token": TOKEN, "code": 403, "ok": False, TOKEN: None},
                "path": ["contract", 0],
                "locations": ({"line": 1},),
            }
        ],
        "data": None,
    }
    before = json.dumps(payload, sort_keys=True, default=list)
    out = redactor.redact_obj(payload)
    assert TOKEN not in json.dumps(out, default=list)
    assert out["errors"][0]["extensions"] == {"token": MASK, "code": 403, "ok": False, MASK: None}
    assert out["errors"][0]["path"] == ["contract", 0]
    assert out["errors"][0]["locations"] == ({"line": 1},)
    assert json.dumps(payload, sort_keys=True, default=list) == before  # untouched


def test_capacity_keeps_the_most_recent_secrets() -> None:
    redactor = Redactor(max_secrets=2)
    for secret in ("first", "second", "third"):
        redactor.add(secret)
    assert len(redactor) == 2
    assert redactor.redact("first second third") == "first *** ***"
    redactor.add("second")  # re-adding refreshes it
    redactor.add("fourth")
    assert redactor.redact("second third fourth") == "*** third ***"
    redactor.discard("second")
    assert redactor.redact("second fourth") == "second ***"
    redactor.clear()
    assert redactor.redact("fourth") == "fourth"
    with pytest.raises(ValueError, match="max_secrets"):
        Redactor(max_secrets=0)


def test_none_and_empty_are_ignored_and_repr_shows_no_secret() -> None:
    redactor = Redactor()
    redactor.add(None)
    redactor.add("")
    redactor.add(SecretStr(""))
    redactor.add_basic("id", None)
    assert len(redactor) == 0
    redactor.add(SecretStr(TOKEN))
    assert TOKEN not in repr(redactor)
    assert repr(redactor) == "Redactor(1 secret(s))"


def test_concurrent_adds_and_redactions() -> None:
    redactor = Redactor(max_secrets=1000)
    secrets = [f"secret-{i:04d}-value" for i in range(200)]
    errors: list[BaseException] = []

    def add(part: list[str]) -> None:
        for s in part:
            redactor.add(s)

    def read() -> None:
        try:
            for _ in range(200):
                out = redactor.redact(" ".join(secrets[:5]))
                assert out.count(MASK) + out.count("secret-") == 5
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(secrets[i::4],)) for i in range(4)]
    threads += [threading.Thread(target=read) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert redactor.redact(" ".join(secrets)) == " ".join([MASK] * len(secrets))


def test_logging_filter_redacts_message_args_exception_and_stack(
    caplog: pytest.LogCaptureFixture,
) -> None:
    redactor = Redactor([TOKEN])
    logger = logging.getLogger("test_redact.filter")
    log_filter = RedactingFilter(redactor)
    logger.addFilter(log_filter)
    try:
        with caplog.at_level(logging.DEBUG, logger="test_redact.filter"):
            logger.debug("token %s in args, %r in a repr", TOKEN, {"t": TOKEN})
            try:
                raise RuntimeError(f"echoed {TOKEN}")
            except RuntimeError:
                logger.exception("failed", stack_info=True)
            logger.info("%d%%", 5)
    finally:
        logger.removeFilter(log_filter)
    text = caplog.text
    assert TOKEN not in text
    assert "token *** in args, {'t': '***'} in a repr" in text
    assert "RuntimeError: echoed ***" in text
    assert "5%" in text
    for record in caplog.records:
        assert TOKEN not in record.getMessage()
        assert TOKEN not in (record.exc_text or "")
        assert TOKEN not in (record.stack_info or "")


def test_logging_filter_without_secrets_leaves_records_alone() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "a %s", ("b",), None)
    assert RedactingFilter(Redactor()).filter(record)
    assert record.args == ("b",)


def test_get_logger_attaches_the_process_wide_filter_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = "process-wide-secret-value"
    logger = get_logger("upwork_gql.test_redact")
    assert get_logger("upwork_gql.test_redact") is logger
    assert sum(isinstance(f, RedactingFilter) for f in logger.filters) == 1
    REDACTOR.add(secret)
    try:
        with caplog.at_level(logging.DEBUG, logger="upwork_gql.test_redact"):
            logger.warning("echo %s", secret)
    finally:
        REDACTOR.discard(secret)
    assert secret not in caplog.text
    assert "echo ***" in caplog.text


def test_redact_text_with_the_process_wide_secrets_and_extra_values() -> None:
    secret = "process-wide-token-value"
    variables = {"id": "7", "filter": {"names": ["Ann Lee", None, 3]}, "first": 10}
    assert strings_in(variables) == ["7", "Ann Lee"]
    REDACTOR.add(secret)
    try:
        text = f"HTTP 400: contract 7 of Ann+Lee not found for {secret} (try 17)"
        assert redact_text(text, strings_in(variables)) == (
            "HTTP 400: contract *** of *** not found for *** (try 17)"
        )
        assert redact_text("nothing here", [None, ""]) == "nothing here"
    finally:
        REDACTOR.discard(secret)
