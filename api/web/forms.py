"""Reading posted forms, and putting validation errors next to the fields they are about.

Forms send text; the API's models take JSON values. These helpers turn form text into
values (a whole number, a list, a flag) and turn the API's errors (pydantic's, a
:class:`api.errors.FieldError`, a domain :class:`capacity.InvalidFieldError`) into
``{field name: message}``, so a page shows each message beside its field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from api.errors import FieldError, field_path
from capacity import InvalidFieldError
from flows import InvalidInputError

FieldErrors = dict[str, str]
WHOLE_NUMBER = re.compile(r"^-?\d{1,9}$")


def text(form: FormData, name: str) -> str:
    """A text field, stripped (a missing field or a file is empty)."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def texts(form: FormData, name: str) -> list[str]:
    """Every value of a multi-valued field (checkboxes, a multiple select)."""
    return [v.strip() for v in form.getlist(name) if isinstance(v, str) and v.strip()]


def whole_number(
    form: FormData, name: str, errors: FieldErrors, *, required: bool = True
) -> int | None:
    """A whole-number field; an error is noted when it is not one (or missing)."""
    value = text(form, name)
    if not value:
        if required:
            errors[name] = "is required"
        return None
    if not WHOLE_NUMBER.fullmatch(value):
        errors[name] = "must be a whole number"
        return None
    return int(value)


def _first_name(loc: Any) -> str:
    names = [str(part) for part in loc if isinstance(part, str) and part != "body"]
    return names[0] if names else "form"


FIELD_FORMS = {  # what a field's pattern asks for, in words
    "interpreter_language": "must be the language's ISO 639 code: 2 or 3 letters (ro: Romanian)",
    "search": "must be a case id or part of one: letters, digits and hyphens",
}
DATE = "enter a date as YYYY-MM-DD (for example 2026-12-03)"
MESSAGES: dict[str, str] = {  # pydantic's error types in a person's words (issue 14)
    "missing": "is required",
    "extra_forbidden": "is not a field of this form",
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "bool_parsing": "must be yes or no",
    "bool_type": "must be yes or no",
    "enum": "choose one of the options in the list",
    "literal_error": "choose one of the options in the list",
    "date_parsing": DATE,
    "date_type": DATE,
    "date_from_datetime_parsing": DATE,
    "date_from_datetime_inexact": DATE,
    "datetime_parsing": "enter a date and time as YYYY-MM-DD HH:MM",
    "datetime_type": "enter a date and time as YYYY-MM-DD HH:MM",
    "datetime_from_date_parsing": "enter a date and time as YYYY-MM-DD HH:MM",
    "timezone_aware": "needs a time zone",
    "less_than_equal": "must be at most {le}",
    "greater_than_equal": "must be at least {ge}",
    "less_than": "must be less than {lt}",
    "greater_than": "must be more than {gt}",
    "string_too_long": "must have at most {max_length} characters",
    "too_long": "may hold at most {max_length} choices",
    "string_type": "must be text",
    "list_type": "must be a list of choices",
}


def human_message(error: Mapping[str, Any]) -> str:
    """One pydantic error in a person's words (never "Input should be ...")."""
    kind, ctx = str(error.get("type", "")), dict(error.get("ctx") or {})
    field = _first_name(error.get("loc", ()))
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    if kind == "string_too_short":
        length = ctx.get("min_length", 1)
        return "is required" if length == 1 else f"must have at least {length} characters"
    if kind == "string_pattern_mismatch":
        return FIELD_FORMS.get(field, "is not in the form this field takes")
    if kind in MESSAGES:
        try:
            return MESSAGES[kind].format(**ctx)
        except (KeyError, IndexError):
            pass
    msg = str(error.get("msg", "is not valid"))
    return msg.replace("Input should be", "must be").replace("Input ", "The value ")


def validation_errors(exc: ValidationError) -> FieldErrors:
    """Pydantic's errors in a person's words, one message per field (the first)."""
    out: FieldErrors = {}
    for error in exc.errors(include_url=False):
        out.setdefault(_first_name(error["loc"]), human_message(error))
    return out


def api_errors(exc: FieldError | InvalidFieldError | InvalidInputError) -> FieldErrors:
    """The fields an API, domain or use-case error names, with their reasons.

    A domain refusal names every field its value object refused (``.others``), as the
    API's 422 does: a form that showed the first alone sent a coordinator back once per
    bad field. A field refused twice (two of its list's items) shows its first reason.
    """
    if isinstance(exc, FieldError):
        return {_first_name(exc.loc): exc.detail}
    if isinstance(exc, InvalidInputError):
        return {exc.field: exc.reason}
    out: FieldErrors = {}
    for refused in (exc, *exc.others):
        out.setdefault(_first_name(field_path(refused.field)), refused.reason)
    return out


def values_of(form: FormData, names: Mapping[str, str]) -> dict[str, str]:
    """The text of several fields, for showing a form again as it was filled in."""
    return {name: text(form, name) for name in names}
