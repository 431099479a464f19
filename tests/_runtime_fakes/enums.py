"""Enums of the fake package (generated shape: ``OpenEnum`` members)."""

from .base_model import OpenEnum


class SortOrder(OpenEnum):
    ASC = "ASC"
    DESC = "DESC"
