"""Reading query strings and forms into pydantic models with readable errors."""

from __future__ import annotations

from typing import TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError

from tenure.errors import Invalid

M = TypeVar("M", bound=BaseModel)


def parse(model: type[M], values: dict[str, object], where: str = "query") -> M:
    """Validate; the first problem becomes an `Invalid` naming the field."""
    try:
        return model.model_validate(values)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or where
        message = str(first["msg"]).removeprefix("Value error, ")
        raise Invalid(f"{where} field {field!r}: {message}") from None


def query_of(request: Request) -> dict[str, object]:
    return dict(request.query_params)


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"
