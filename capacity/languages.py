"""Interpreter languages: ISO 639 codes from the maintained list of ``pycountry`` (issue 14).

Intake took "romanian" and stored "rom" (Romany, another language) without a word. A
language is now a code on the ISO 639 list: a two-letter ISO 639-1 code where the
language has one (``ro``), else its three-letter ISO 639-3 code (``rom``). Three-letter
codes of a language with a two-letter one (``ron``, or the bibliographic ``rum``) are
accepted and written as the two-letter code, the form the facilities' languages use. A
name ("romanian") is refused with the code to use; nothing is guessed.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from capacity.errors import InvalidFieldError


def _languages() -> Any:
    import pycountry  # loaded on first use: the CLI's start-up does not need its tables

    return pycountry.languages


def _code(language: Any) -> str:
    return str(getattr(language, "alpha_2", None) or language.alpha_3)


def language_code(text: str, *, field: str = "interpreter_language") -> str:
    """The canonical ISO 639 code of a language code.

    Parameters
    ----------
    text
        A two-letter ISO 639-1 or three-letter ISO 639-3 (or ISO 639-2/B) code, any case.
    field
        The field named in the error.

    Returns
    -------
    str
        The ISO 639-1 code where the language has one, else the ISO 639-3 code.

    Raises
    ------
    InvalidFieldError
        When ``text`` is no code on the ISO 639 list (a language's name included).
    """
    code = text.strip().lower() if isinstance(text, str) else ""
    languages = _languages()
    found = None
    if len(code) == 2 and code.isascii() and code.isalpha():
        found = languages.get(alpha_2=code)
    elif len(code) == 3 and code.isascii() and code.isalpha():
        found = languages.get(alpha_3=code) or languages.get(bibliographic=code)
    if found is None:
        raise InvalidFieldError(field, _refusal(text))
    return _code(found)


def language_name(code: str) -> str:
    """The English name of a canonical code (the code itself when unknown)."""
    try:
        return str(_languages().lookup(code).name)
    except LookupError:
        return code


def _refusal(text: object) -> str:
    shown = str(text)[:40]
    try:
        named = _languages().lookup(str(text).strip())
    except LookupError:
        named = None
    if named is not None:
        return f"{shown!r} is not an ISO 639 language code; {named.name} is {_code(named)!r}"
    return f"{shown!r} is not an ISO 639 language code (two letters such as 'ro', or three)"


@cache
def pick_list() -> tuple[tuple[str, str], ...]:
    """(code, name) of every language with a two-letter code, by name, for the intake form.

    The ISO 639-3 languages without one (``rom``: Romany) are taken as codes by the API.
    """
    rows = {(_code(lang), str(lang.name)) for lang in _languages() if hasattr(lang, "alpha_2")}
    return tuple(sorted(rows, key=lambda row: row[1]))
