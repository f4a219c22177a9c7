"""Ids in the JSON API's paths and bodies, as the database can hold them (64-bit): a larger
number is a 422, not a query."""

from typing import Annotated

from ninja import Field

Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
