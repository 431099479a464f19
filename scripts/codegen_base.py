"""Template that ariadne-codegen copies into ``_generated/`` as the generated client's base.

It only names the hand-written runtime in :mod:`upwork_gql._base_client`, so that the runtime can
change without regenerating the client.
"""

from upwork_gql._base_client import BaseGraphQLClient


class AsyncBaseClient(BaseGraphQLClient):
    """Base class of the generated client (see ``upwork_gql._base_client``)."""
