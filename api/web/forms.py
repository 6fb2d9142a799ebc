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

from api.errors import FieldError
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


def validation_errors(exc: ValidationError) -> FieldErrors:
    """Pydantic's errors, one message per field (the first)."""
    out: FieldErrors = {}
    for error in exc.errors(include_url=False):
        msg = str(error["msg"]).removeprefix("Value error, ")
        out.setdefault(_first_name(error["loc"]), msg)
    return out


def api_errors(exc: FieldError | InvalidFieldError | InvalidInputError) -> FieldErrors:
    """The field an API, domain or use-case error names, with its reason."""
    if isinstance(exc, FieldError):
        return {_first_name(exc.loc): exc.detail}
    if isinstance(exc, InvalidInputError):
        return {exc.field: exc.reason}
    name = re.split(r"[.\[]", exc.field, maxsplit=1)[0]
    return {name or "form": exc.reason}


def values_of(form: FormData, names: Mapping[str, str]) -> dict[str, str]:
    """The text of several fields, for showing a form again as it was filled in."""
    return {name: text(form, name) for name in names}
