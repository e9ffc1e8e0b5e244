"""Shapes every module's API shares: errors, times, text and pagination (API.md).

Use them so all operations answer alike::

    @router.get("/shifts/{shift_id}", response={200: ShiftOut, **errors(401, 404)},
                summary="One shift")
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination
from pydantic import AfterValidator, PlainSerializer, WithJsonSchema

if TYPE_CHECKING:
    from peerwork.core.models import Membership


class ErrorOut(Schema):
    """Every error but 422: a translated sentence, and per-field sentences where a field is
    at fault."""

    detail: str
    errors: dict[str, list[str]] | None = None


class ValidationErrorOut(Schema):
    """422: django-ninja's own body, a list of what did not fit the schema."""

    detail: list[dict[str, Any]]


_ERROR_SCHEMAS: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ValidationErrorOut,
}


def errors(*codes: int) -> dict[int, type[Schema]]:
    """The error responses an operation may give, for its ``response=`` mapping.

    401 and 422 are added to every call: every operation needs a member and reads input.
    """
    wanted = sorted({*codes, 401, 422})
    return {code: _ERROR_SCHEMAS[code] for code in wanted}


def _in_active_zone(value: datetime) -> str:
    # The organisation's zone is active for the request (peerwork.api.auth), so a time
    # reads as the people there see it, and still carries its offset.
    return timezone.localtime(value).isoformat()


Time = Annotated[datetime, PlainSerializer(_in_active_zone, return_type=str)]
"""A moment, answered as ISO 8601 with the organisation's offset (API.md "Times")."""


def _no_nul(value: str) -> str:
    # PostgreSQL refuses NUL characters in text; refusing them here makes such input a
    # 422 rather than a database error.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]
"""Free text from a client: any string the database can keep."""


class PersonRef(Schema):
    """A colleague, by id and the name they chose to be shown."""

    id: uuid.UUID
    name: str


def person_ref(member: Membership | None) -> dict[str, object] | None:
    """A ``PersonRef`` answer (None for nobody)."""
    return None if member is None else {"id": member.pk, "name": member.name}


def codes(choices: type[models.TextChoices]) -> WithJsonSchema:
    """A choice's codes inline in the schema: Django's enums share class names ("Kind",
    "State"), which would otherwise collide as schema components."""
    return WithJsonSchema({"type": "string", "enum": list(choices.values)})


# Dates a client sends must fall in these years: the services add and subtract days and
# weeks, which would overflow at the ends of what Python's dates can hold.
EARLIEST_YEAR, LATEST_YEAR = 1970, 2200


def check_year(value: date | None, field: str) -> None:
    """Refuse a date (or moment) outside ``EARLIEST_YEAR``..``LATEST_YEAR``, naming the
    field."""
    if value is not None and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValidationError(
            {
                field: [
                    _("Choose a date between the years %(first)d and %(last)d.")
                    % {"first": EARLIEST_YEAR, "last": LATEST_YEAR}
                ]
            }
        )


class Pages(PageNumberPagination):
    """django-ninja's page numbers, with a page number the database can take.

    Without a bound, ``?page=10**20`` reaches the database as an offset too large for a
    64-bit integer and fails there.
    """

    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int | None = Field(None, ge=1, le=1_000)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(page_size=50, max_page_size=200, **kwargs)
