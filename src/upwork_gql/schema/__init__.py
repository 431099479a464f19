"""The schema workflow: pull the live schema by introspection, diff two schemas, check operations.

```python
from upwork_gql.schema import pull_schema, print_sorted, diff_schemas, check_operations
```
The ``upwork-gql schema pull | diff | check`` commands are thin wrappers around these functions.
Needs graphql-core, which the ``cli`` extra installs (``pip install 'upwork-gql[cli]'``).
"""

from __future__ import annotations

from upwork_gql._extras import missing_extra

if (_missing := missing_extra("cli", "upwork_gql.schema", ("graphql",))) is not None:
    raise _missing

from upwork_gql.schema._check import (
    RESERVED_CLIENT_NAMES,
    CheckReport,
    OperationReport,
    Problem,
    check_operations,
    client_reserved_names,
    collect_query_files,
    method_name,
)
from upwork_gql.schema._diff import Change, SchemaDiff, diff_schemas
from upwork_gql.schema._printing import load_schema, print_sorted, write_atomic
from upwork_gql.schema._pull import (
    auth_headers,
    build_schema_from_introspection,
    fetch_introspection,
    introspection_query,
    pull_schema,
    pull_to_file,
)

__all__ = [
    "RESERVED_CLIENT_NAMES",
    "Change",
    "CheckReport",
    "OperationReport",
    "Problem",
    "SchemaDiff",
    "auth_headers",
    "build_schema_from_introspection",
    "check_operations",
    "client_reserved_names",
    "collect_query_files",
    "diff_schemas",
    "fetch_introspection",
    "introspection_query",
    "load_schema",
    "method_name",
    "print_sorted",
    "pull_schema",
    "pull_to_file",
    "write_atomic",
]
