"""What every configuration section shares: strict sections and exact amounts."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict


def _no_float(value: object) -> object:
    if isinstance(value, float):
        raise ValueError("write amounts as strings (\"0.5\"), never as TOML floats")
    return value


# A decimal from a TOML string or integer; floats are refused.
Amount = Annotated[Decimal, BeforeValidator(_no_float)]


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")
