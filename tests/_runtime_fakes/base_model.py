"""The fake package's model bases: the runtime's, as ``_generated/base_model.py`` has them."""

from upwork_gql._models import UNSET, BaseInputModel, BaseModel, OpenEnum, UnsetType

__all__ = ["UNSET", "BaseInputModel", "BaseModel", "OpenEnum", "UnsetType"]
