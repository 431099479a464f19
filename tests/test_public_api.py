"""The public surface: an exact ``__all__``, every name importable, nothing private leaking."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import upwork_gql
import upwork_gql.types
from upwork_gql import _exceptions

#: The whole public surface. Adding a name is a decision: update this list with it.
EXPECTED_ALL = [
    "NOT_GIVEN",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncPaginator",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "ConfigurationError",
    "FileTokenStore",
    "GraphQLError",
    "GraphQLValidationError",
    "Hooks",
    "InsecureTokenFileWarning",
    "InternalServerError",
    "InvalidResponseError",
    "InvalidVariablesError",
    "MemoryTokenStore",
    "MissingExtraError",
    "MissingScopeError",
    "NotFoundError",
    "NotGiven",
    "OAuthError",
    "PaginationError",
    "PermissionDeniedError",
    "QuotaExceededError",
    "RateLimitError",
    "RateLimiter",
    "RawResponse",
    "ReauthenticationRequired",
    "RefreshEvent",
    "RequestEvent",
    "RequestTimeoutError",
    "ResponseEvent",
    "ResponseInfo",
    "ResponseValidationError",
    "RetryEvent",
    "SchemaError",
    "StateMismatchError",
    "Token",
    "TokenEndpointError",
    "TokenManager",
    "TokenStore",
    "TokenStoreError",
    "UpworkClient",
    "UpworkError",
    "__version__",
]


def test_all_is_exactly_the_public_surface() -> None:
    """An exact equality (like httpx's ``test_exported_members``): adding or dropping a public
    name is a deliberate change of this list."""
    assert upwork_gql.__all__ == EXPECTED_ALL


def test_telemetry_module_exports() -> None:
    import upwork_gql.telemetry as telemetry

    assert {"Hooks", "RequestEvent", "ResponseEvent", "RetryEvent", "RefreshEvent"} <= set(
        telemetry.__all__
    )
    for name in ("Hooks", "RequestEvent", "ResponseEvent", "RetryEvent", "RefreshEvent"):
        assert getattr(upwork_gql, name) is getattr(telemetry, name)


def test_all_is_sorted_unique_and_importable() -> None:
    names = upwork_gql.__all__
    assert len(names) == len(set(names))
    for name in names:
        assert getattr(upwork_gql, name) is not None, name


def test_every_exception_is_public() -> None:
    public = set(upwork_gql.__all__)
    assert set(_exceptions.__all__) <= public
    for name in _exceptions.__all__:
        cls = getattr(upwork_gql, name)
        assert issubclass(cls, upwork_gql.UpworkError)


def test_exported_members_match_all() -> None:
    # Every public (non-underscore) attribute is either listed in __all__ or a submodule.
    import types as _types

    extra = {
        name
        for name, value in vars(upwork_gql).items()
        if not name.startswith("_")
        and not isinstance(value, _types.ModuleType)
        and name not in {"annotations", "importlib", "TYPE_CHECKING", "Any"}
    }
    assert extra <= set(upwork_gql.__all__)


def test_unknown_attribute_raises() -> None:
    with pytest.raises(AttributeError, match="DoesNotExist"):
        upwork_gql.DoesNotExist  # type: ignore[attr-defined]  # noqa: B018


def test_import_is_lazy() -> None:
    # `import upwork_gql` must not pull in the generated models or httpx.
    code = (
        "import sys, upwork_gql; "
        "print(any(m.startswith('upwork_gql._generated') for m in sys.modules), "
        "'httpx' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_types_module_exports_generated_models_only() -> None:
    assert "MarketplaceJobFilter" in upwork_gql.types.__all__
    assert "GeneratedClient" not in upwork_gql.types.__all__
    assert upwork_gql.types.MarketplaceJobFilter.__module__.startswith("upwork_gql._generated")


def test_building_a_client_imports_no_generated_model() -> None:
    """Models load with the first call of an operation that returns them; the client, the
    registry and the runtime never need graphql-core."""
    code = (
        "import sys, json; from upwork_gql import UpworkClient; "
        "UpworkClient(access_token='t'); "
        "print(json.dumps([sorted(m for m in sys.modules if m.startswith('upwork_gql._generated')),"
        " 'graphql' in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    modules, graphql = json.loads(out.stdout)
    assert set(modules) <= {
        "upwork_gql._generated",
        "upwork_gql._generated.client",
        "upwork_gql._generated.codegen_base",
        "upwork_gql._generated.operations",
    }
    assert "upwork_gql._generated.operations" in modules
    assert graphql is False


def test_the_insecure_token_file_warning_is_public_and_the_one_the_store_emits() -> None:
    from upwork_gql.auth import stores

    warning = upwork_gql.InsecureTokenFileWarning
    assert warning is stores.InsecureTokenFileWarning
    assert issubclass(warning, UserWarning)
    assert "InsecureTokenFileWarning" in upwork_gql.auth.__all__


def test_importing_the_client_loads_no_pydantic_model_machinery() -> None:
    """pydantic's models (``pydantic.main``, schema generation) load with the first validation,
    not with ``from upwork_gql import UpworkClient`` (see benchmarks/bench_import.py)."""
    code = (
        "import sys; from upwork_gql import UpworkClient; "
        "print('pydantic.main' in sys.modules, "
        "'pydantic._internal._generate_schema' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
