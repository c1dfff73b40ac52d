"""The base of the API's input (request body) schemas: unknown fields and loose types are errors.

Pydantic's lax mode would take `true` for 1 and `1` for true; a client that sends `"capacity": true`
has a bug, and the API says so (422 naming the field) instead of storing 1. Query and path parameters
arrive as text and keep pydantic's parsing; this applies to bodies only.
"""

import types
from decimal import Decimal
from typing import Annotated, Any, Union, get_args, get_origin

from ninja import Schema
from pydantic import ConfigDict, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError


def _scalar_types(annotation: Any) -> set[type]:
    """The plain types a field takes, looking into Annotated, unions and lists."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _scalar_types(get_args(annotation)[0])
    if origin in (Union, types.UnionType, list, set, tuple):
        return set().union(*(_scalar_types(arg) for arg in get_args(annotation)))
    return {annotation} if isinstance(annotation, type) else set()


def _is_number(kind: type) -> bool:
    return issubclass(kind, (int, float, Decimal)) and not issubclass(kind, bool)


class Input(Schema):
    # A misspelt field (`organ` for `organ_id`) is an error, not silently ignored.
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _strict_types(cls, value: Any, info: ValidationInfo) -> Any:
        """A number field takes numbers, not booleans; a boolean field takes true or false, not 0 or "yes"."""
        kinds = _scalar_types(cls.model_fields[info.field_name].annotation) - {type(None)}
        numbers = {kind for kind in kinds if _is_number(kind)}
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, bool) and numbers and bool not in kinds:
                if all(issubclass(kind, int) for kind in numbers):
                    raise PydanticCustomError("int_type", "Input should be a valid integer")
                raise PydanticCustomError("decimal_type", "Input should be a valid number")
            if kinds == {bool} and item is not None and not isinstance(item, bool):
                raise PydanticCustomError("bool_type", "Input should be a valid boolean")
        return value
