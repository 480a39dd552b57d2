"""Users in and out: validated creation input and the public view of a user."""

from __future__ import annotations

import re
from datetime import datetime

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from tenure.errors import Invalid
from tenure.models.types import Role

MIN_PASSWORD_LENGTH = 8
# Argon2 hashes anything, but a megabyte "password" is an attack, not a password.
MAX_PASSWORD_LENGTH = 1024

# Deliberately simple: one @, no spaces, a dot in the domain. Deliverability is checked
# by sending mail, not by a regular expression.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalize_email(email: str) -> str:
    return email.strip().lower()


class UserCreate(BaseModel):
    """A new user, or a password and role for a placeholder user (no password yet)."""

    model_config = ConfigDict(str_strip_whitespace=True)

    email: str
    role: Role
    password: str
    name: str | None = None

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        value = normalize_email(value)
        if len(value) > 320 or not _EMAIL.match(value):
            raise ValueError(f"{value!r} is not an email address")
        return value

    @field_validator("role", mode="before")
    @classmethod
    def _role(cls, value: object) -> object:
        if isinstance(value, str) and value.strip().lower() not in Role.__members__:
            roles = " ".join(role.value for role in Role)
            raise ValueError(f"role must be one of {roles}, not {value!r}")
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("password", mode="plain")
    @classmethod
    def _password(cls, value: object) -> str:
        # mode="plain": passwords are taken exactly as typed, never stripped.
        if not isinstance(value, str):
            raise ValueError("the password must be text")
        if len(value) < MIN_PASSWORD_LENGTH:
            raise ValueError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")
        if len(value) > MAX_PASSWORD_LENGTH:
            raise ValueError(f"the password must be at most {MAX_PASSWORD_LENGTH} characters")
        return value

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return value or None

    @classmethod
    def parse(cls, **fields: object) -> UserCreate:
        """Validate, turning pydantic's report into one readable `Invalid` error."""
        try:
            return cls.model_validate(fields)
        except ValidationError as error:
            first = error.errors()[0]
            message = str(first["msg"]).removeprefix("Value error, ")
            raise Invalid(message) from None


class UserOut(BaseModel):
    """A user as shown to people and the API: never the password hash."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str | None
    role: str
    is_active: bool
    has_password: bool
    created_at: datetime | None
