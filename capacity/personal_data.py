"""Texts that look like identity data: a case stays pseudonymous (issue 16).

A case's free text (the responsible organisation), a decline's text, the names on the list
of organisations and the texts of a regional table being imported must never carry a
person's contact details or identity numbers. A name alone
cannot be told from an organisation's; what travels with a name can: a phone number, an
e-mail address, a date (of birth), a postcode or a citizen service number (BSN).
"""

from __future__ import annotations

import re

MIN_NUMBER_DIGITS = 8  # digits in a row, separators allowed: a phone number or a BSN (9)

_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[A-Za-z]{2,}")
_NUMBER = re.compile(r"\+?\d[\d\s().-]*\d")
_DATE = re.compile(r"\b\d{1,2}[-/.]\d{1,2}[-/.](?:19|20)\d{2}\b|\b(?:19|20)\d{2}-\d{2}-\d{2}\b")
_POSTCODE = re.compile(r"\b[1-9]\d{3}\s?[A-Z]{2}\b")


def personal_data_in(text: str) -> str | None:
    """Why a text looks like it holds identity data, or ``None``.

    Parameters
    ----------
    text
        A free text (an organisation's name, a facility's name, a decline's text).

    Returns
    -------
    str or None
        ``"looks like an e-mail address"`` and the like; ``None`` when nothing was found.
    """
    if _EMAIL.search(text):
        return "looks like an e-mail address (a case is pseudonymous)"
    if _DATE.search(text):
        return "looks like a date, perhaps of birth (a case is pseudonymous)"
    for number in _NUMBER.findall(text):
        if sum(ch.isdigit() for ch in number) >= MIN_NUMBER_DIGITS:
            return "looks like a phone number or a BSN (a case is pseudonymous)"
    if _POSTCODE.search(text):
        return "looks like a postcode (a case is pseudonymous)"
    return None
