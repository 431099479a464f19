"""Secrets redaction: one rule for every secret the client knows, in every form it travels in.

A :class:`Redactor` holds secrets (access tokens, refresh tokens, client secrets, ...) and
replaces each of them by ``***`` in text (:meth:`Redactor.redact`), in JSON-like payloads
(:meth:`Redactor.redact_obj`: ``errors`` / ``data`` a server sent back) and in log records
(:class:`RedactingFilter`). Each secret is also looked for in the forms a server may echo:

* as is, and JSON-escaped (a body excerpt is raw JSON text);
* URL-encoded (``%20`` for a space, ``/`` escaped or not, upper- or lower-case hex);
* form-encoded (``application/x-www-form-urlencoded``: ``+`` for a space);
* Basic-encoded: ``base64(client_id:client_secret)``, with and without the form-encoding RFC 6749
  asks for, padded or not (:meth:`Redactor.add_basic`).

**The rule, the same for every value whatever its length:** every non-empty secret is redacted
wherever it stands on its own, that is wherever it is not glued to a longer run of ASCII letters
and digits (at an edge where the secret itself ends in a letter or digit). So a token is hidden
inside ``Bearer …``, quotes, JSON, a query string, a path or ``oauth2v2_…``, while a short value
such as ``"42"`` does not turn ``HTTP 404`` into ``HTTP ***4``. Longer forms are replaced first.

The library shares one process-wide :data:`REDACTOR`: the token manager registers its client
secret and every token it loads or obtains, the error builders redact with it, and the loggers
made by :func:`get_logger` carry a :class:`RedactingFilter` over it. It keeps the
:data:`~upwork_gql._constants.REDACT_MAX_SECRETS` most recently added secrets (older tokens
were rotated away long ago). Redacting with no secret registered costs one attribute check.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any, Protocol, TypeVar
from urllib.parse import quote, quote_plus

from upwork_gql._constants import REDACT_MAX_SECRETS

__all__ = [
    "MASK",
    "REDACTOR",
    "RedactingFilter",
    "Redactor",
    "encodings",
    "get_logger",
    "redact_text",
    "strings_in",
]

#: What a redacted secret becomes.
MASK = "***"

T = TypeVar("T")

_WORD = "A-Za-z0-9"
_HEX_ESCAPE = re.compile(r"%[0-9A-F]{2}")


class _SecretLike(Protocol):
    def get_secret_value(self) -> str: ...


def _lower_hex(text: str) -> str:
    return _HEX_ESCAPE.sub(lambda m: m.group(0).lower(), text)


def encodings(secret: str) -> set[str]:
    """Every form of ``secret`` that :class:`Redactor` looks for (``secret`` itself included)."""
    if not secret:
        return set()
    forms = {secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]}
    for encoded in (
        quote(secret, safe=""),
        quote(secret),
        quote_plus(secret, safe=""),
        quote_plus(secret),
    ):
        forms.add(encoded)
        forms.add(_lower_hex(encoded))
    forms.discard("")
    return forms


def _basic_forms(client_id: str, client_secret: str) -> set[str]:
    forms = set()
    for user, password in (
        (client_id, client_secret),
        (quote_plus(client_id, safe=""), quote_plus(client_secret, safe="")),
    ):
        raw = f"{user}:{password}".encode()
        for encoded in (base64.b64encode(raw), base64.urlsafe_b64encode(raw)):
            forms.add(encoded.decode("ascii").rstrip("="))  # unpadded: covers the padded form
    return forms


def _pattern_for(form: str) -> str:
    """``form`` as a regex, not glued to letters or digits at an edge that is one itself."""
    head = f"(?<![{_WORD}])" if form[0].isascii() and form[0].isalnum() else ""
    tail = f"(?![{_WORD}])" if form[-1].isascii() and form[-1].isalnum() else ""
    return f"{head}{re.escape(form)}{tail}"


class Redactor:
    """Replaces registered secrets by ``***``; thread-safe, cheap when empty.

    ``max_secrets`` bounds how many secrets are kept (the least recently added go first). The
    repr never shows a secret.
    """

    __slots__ = ("_forms", "_lock", "_max", "_needles", "_pattern")

    def __init__(self, secrets: Iterable[str] = (), *, max_secrets: int = REDACT_MAX_SECRETS):
        if max_secrets < 1:
            raise ValueError("max_secrets must be at least 1")
        self._max = max_secrets
        self._lock = threading.Lock()
        # secret (or Basic pair) -> its forms, oldest first
        self._forms: OrderedDict[tuple[str, ...], frozenset[str]] = OrderedDict()
        self._needles: tuple[str, ...] | None = None  # every form, longest first
        self._pattern: re.Pattern[str] | None = None  # compiled from ``_needles`` when needed
        for secret in secrets:
            self.add(secret)

    def __repr__(self) -> str:
        return f"Redactor({len(self._forms)} secret(s))"

    def __len__(self) -> int:
        return len(self._forms)

    def __bool__(self) -> bool:
        return True  # a Redactor is never "falsy" just because it holds no secret yet

    def _register(self, key: tuple[str, ...], forms: set[str]) -> None:
        with self._lock:
            if key in self._forms:
                self._forms.move_to_end(key)
                return
            self._forms[key] = frozenset(forms)
            while len(self._forms) > self._max:
                self._forms.popitem(last=False)
            self._rebuild()

    def _rebuild(self) -> None:
        # The longest form first, so that it wins over any form it contains. The regex itself
        # is compiled on first use (adding a run of secrets costs one compilation).
        every = {form for forms in self._forms.values() for form in forms}
        self._needles = tuple(sorted(every, key=lambda f: (-len(f), f))) or None
        self._pattern = None

    def _compiled(self, needles: tuple[str, ...]) -> re.Pattern[str]:
        with self._lock:
            pattern = self._pattern
            if pattern is None or self._needles is not needles:
                pattern = re.compile("|".join(_pattern_for(form) for form in needles))
                if self._needles is needles:
                    self._pattern = pattern
            return pattern

    def add(self, secret: str | _SecretLike | None) -> None:
        """Register a secret (a ``str`` or a pydantic ``SecretStr``); ``None`` and ``""`` are
        ignored."""
        if secret is None:
            return
        value = secret if isinstance(secret, str) else secret.get_secret_value()
        if value:
            self._register((value,), encodings(value))

    def add_basic(self, client_id: str, client_secret: str | _SecretLike | None) -> None:
        """Register a client secret and its HTTP Basic forms ``base64(client_id:secret)``."""
        if client_secret is None:
            return
        value = (
            client_secret if isinstance(client_secret, str) else client_secret.get_secret_value()
        )
        if not value:
            return
        self.add(value)
        self._register(("basic", client_id, value), _basic_forms(client_id, value))

    def discard(self, secret: str) -> None:
        """Forget a secret (and any Basic pair built on it)."""
        with self._lock:
            stale = [key for key in self._forms if key[-1] == secret]
            for key in stale:
                del self._forms[key]
            if stale:
                self._rebuild()

    def clear(self) -> None:
        """Forget every secret."""
        with self._lock:
            self._forms.clear()
            self._needles = None
            self._pattern = None

    def redact(self, text: str) -> str:
        """``text`` with every registered secret, in every form, replaced by ``***``."""
        needles = self._needles
        if needles is None or not text:
            return text
        # Substring checks first: most texts hold no secret, and they are much cheaper than
        # the regex (which then runs once, over every form, to apply the boundary rule).
        for needle in needles:
            if needle in text:
                return self._compiled(needles).sub(MASK, text)
        return text

    def redact_obj(self, obj: T) -> T:
        """A deep copy of ``obj`` (dicts, lists, tuples) with every string, keys included,
        redacted; other values are returned as they are."""
        if self._needles is None:
            return obj
        return self._walk(obj)  # type: ignore[no-any-return]

    def _walk(self, obj: Any) -> Any:
        if isinstance(obj, str):
            return self.redact(obj)
        if isinstance(obj, dict):
            return {self._walk(k): self._walk(v) for k, v in obj.items()}
        if isinstance(obj, list):
            return [self._walk(v) for v in obj]
        if isinstance(obj, tuple):
            return tuple(self._walk(v) for v in obj)
        return obj

    def logging_filter(self) -> RedactingFilter:
        """A :class:`logging.Filter` over this redactor."""
        return RedactingFilter(self)


class RedactingFilter(logging.Filter):
    """Redacts a log record's message, arguments, exception text and stack in place.

    A filter on a *logger* sees only the records made by that very logger (not its children's);
    put it on a handler to cover everything that handler writes. With no secret registered, a
    record goes through untouched.
    """

    def __init__(self, redactor: Redactor | None = None, name: str = "") -> None:
        super().__init__(name)
        self.redactor = redactor if redactor is not None else REDACTOR

    def filter(self, record: logging.LogRecord) -> bool:
        redactor = self.redactor
        if redactor._needles is None:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format: leave it to the handler to report
            return True
        record.msg = redactor.redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redactor.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redactor.redact(record.stack_info)
        return True


#: The process-wide redactor the library registers its secrets with.
REDACTOR = Redactor()

_FILTER = RedactingFilter(REDACTOR)


def get_logger(name: str) -> logging.Logger:
    """``logging.getLogger(name)`` with the process-wide :class:`RedactingFilter` attached."""
    logger = logging.getLogger(name)
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)
    return logger


def strings_in(obj: Any) -> list[str]:
    """Every string value inside nested dicts, lists and tuples (e.g. a call's variables)."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    walk(obj)
    return found


def redact_text(text: str, extra: Iterable[str | None] = ()) -> str:
    """``text`` with every secret of :data:`REDACTOR`, and every ``extra`` value (a call's
    variable values, an authorization code, a PKCE verifier...), redacted by the same rule."""
    text = REDACTOR.redact(text)
    values = [value for value in extra if value]
    if values and text:
        text = Redactor(values, max_secrets=len(values)).redact(text)
    return text
