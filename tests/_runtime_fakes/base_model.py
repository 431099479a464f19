"""The fake package's model bases: the runtime's, as ``_generated/base_model.py`` has them."""

from upwork_gql._models import UNSET, BaseInputModel, BaseModel, OpenEnum, UnsetType
from upwork_gql._scalars import (
    GraphQLBoolean,
    GraphQLCustomScalar,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLString,
)

__all__ = [
    "UNSET",
    "BaseInputModel",
    "BaseModel",
    "GraphQLBoolean",
    "GraphQLCustomScalar",
    "GraphQLFloat",
    "GraphQLID",
    "GraphQLInt",
    "GraphQLString",
    "OpenEnum",
    "UnsetType",
]
