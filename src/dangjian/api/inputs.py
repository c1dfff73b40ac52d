"""The bases of the API's input schemas: unknown fields and loose types are errors.

Pydantic's lax mode would take `true` for 1, `1` for true and `0` (a Unix timestamp) for 1970-01-01; a
client that sends `"capacity": true` or `?since=0` has a bug, and the API says so (422 naming the field)
instead of storing 1 or listing everything since 1970. Request bodies (`Input`) get all these checks;
query parameters (`Filters`) arrive as text, so only dates and times are checked there.
"""

import datetime
import re
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


_NUMERIC_TEXT = re.compile(r"\s*[+-]?\d+(\.\d*)?\s*")


def _refuse_timestamps(kinds: set[type], value: Any) -> None:
    """A date or time is ISO 8601 text (2024-05-17, 2024-05-17T08:30), not a number of seconds."""
    if not any(issubclass(kind, datetime.date) for kind in kinds) or isinstance(value, datetime.date):
        return
    if isinstance(value, int | float) or (isinstance(value, str) and _NUMERIC_TEXT.fullmatch(value)):
        if any(issubclass(kind, datetime.datetime) for kind in kinds):
            raise PydanticCustomError("datetime_type", "Input should be a date and time in ISO 8601 format")
        raise PydanticCustomError("date_type", "Input should be a date in the format YYYY-MM-DD")


def _field_types(cls: type[Schema], name: str) -> set[type]:
    return _scalar_types(cls.model_fields[name].annotation) - {type(None)}


class Filters(Schema):
    """The base of query parameter schemas (filters of list operations)."""

    @field_validator("*", mode="before")
    @classmethod
    def _no_timestamps(cls, value: Any, info: ValidationInfo) -> Any:
        _refuse_timestamps(_field_types(cls, info.field_name), value)
        return value


class Input(Schema):
    # A misspelt field (`organ` for `organ_id`) is an error, not silently ignored.
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _strict_types(cls, value: Any, info: ValidationInfo) -> Any:
        """A number field takes numbers, not booleans; a boolean field takes true or false, not 0 or "yes";
        a date or time field takes ISO 8601 text, not a timestamp."""
        kinds = _field_types(cls, info.field_name)
        _refuse_timestamps(kinds, value)
        numbers = {kind for kind in kinds if _is_number(kind)}
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, bool) and numbers and bool not in kinds:
                if all(issubclass(kind, int) for kind in numbers):
                    raise PydanticCustomError("int_type", "Input should be a valid integer")
                raise PydanticCustomError("decimal_type", "Input should be a valid number")
            if kinds == {bool} and item is not None and not isinstance(item, bool):
                raise PydanticCustomError("bool_type", "Input should be a valid boolean")
        return value
