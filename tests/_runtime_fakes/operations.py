"""The fake package's operation registry, in the shape ``scripts/codegen_plugins/registry.py``
writes: one ``Operation`` per document, read by the runtime (variables, body, result model)."""

from upwork_gql._operation import Operation, Variable

# The fake stands for a schema pulled from the live API: every enum value is known, so a value
# outside them is refused before sending (the real registry says False until then).
ENUM_VALUES_COMPLETE = True

PACKAGE = "_runtime_fakes"

CONTRACT_QUERY = """query contract($id: ID!) {
  contract(id: $id) {
    id
    title
    createdAt
    amount
    count
  }
}
"""

ROOMS_QUERY = """query rooms($filter: RoomFilter, $pagination: Pagination, $sort: SortOrder, $ids: [ID!], $since: DateTime, $limit: Int, $ratio: Float, $flag: Boolean) {
  rooms(filter: $filter, pagination: $pagination, sort: $sort, ids: $ids, since: $since, limit: $limit, ratio: $ratio, flag: $flag) {
    totalCount
    edges {
      cursor
      node {
        id
      }
    }
  }
}
"""  # noqa: E501

PAY_MUTATION = """mutation pay($input: PayInput!) {
  pay(input: $input)
}
"""


def _optional(name: str, python_name: str, graphql_type: str, python_type: str) -> Variable:
    return Variable(
        name=name,
        python_name=python_name,
        graphql_type=graphql_type,
        python_type=f"Union[Optional[{python_type}], UnsetType]",
        required=False,
    )


CONTRACT = Operation(
    name="contract",
    kind="query",
    method="contract",
    document=CONTRACT_QUERY,
    variables=(Variable("id", "id", "ID!", "str", required=True),),
    result_module="contract",
    result_class="Contract",
    package=PACKAGE,
)

ROOMS = Operation(
    name="rooms",
    kind="query",
    method="rooms",
    document=ROOMS_QUERY,
    variables=(
        _optional("filter", "filter_", "RoomFilter", "RoomFilter"),
        _optional("pagination", "pagination", "Pagination", "Pagination"),
        _optional("sort", "sort", "SortOrder", "SortOrder"),
        _optional("ids", "ids", "[ID!]", "list[str]"),
        _optional("since", "since", "DateTime", "Any"),
        _optional("limit", "limit", "Int", "int"),
        _optional("ratio", "ratio", "Float", "float"),
        _optional("flag", "flag", "Boolean", "bool"),
    ),
    result_module="rooms",
    result_class="Rooms",
    package=PACKAGE,
)

PAY = Operation(
    name="pay",
    kind="mutation",
    method="pay",
    document=PAY_MUTATION,
    variables=(Variable("input", "input", "PayInput!", "PayInput", required=True),),
    result_module="pay",
    result_class="Pay",
    package=PACKAGE,
)

OPERATIONS: dict[str, Operation] = {op.name: op for op in (CONTRACT, ROOMS, PAY)}
