"""The generated models, public: input types, enums, fragments and result models.

>>> from upwork_gql.types import MarketplaceJobFilter, ContractType   # doctest: +SKIP

Everything here comes from ``upwork_gql._generated`` (compiled from ``schema.graphql`` and
``queries/`` by ``make generate``); the client classes themselves are exported by
:mod:`upwork_gql`.
"""

from upwork_gql._generated import *  # noqa: F403
from upwork_gql._generated import __all__ as _generated_all

__all__ = [
    name for name in _generated_all if name not in {"GeneratedClient", "AsyncBaseClient", "Upload"}
]
