"""Dashboard passwords: salted scrypt, the right one accepted, everything else refused."""

from __future__ import annotations

import pytest

from api.auth.passwords import MIN_LENGTH, hash_password, password_problem, verify_password

PASSWORD = "correct horse battery staple"


def test_a_password_is_stored_salted_and_never_in_clear():
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first != second  # a fresh salt each time
    assert first.startswith("scrypt$16384$8$1$")
    assert PASSWORD not in first


def test_only_the_right_password_matches():
    stored = hash_password(PASSWORD)
    assert verify_password(PASSWORD, stored)
    assert not verify_password(PASSWORD + " ", stored)
    assert not verify_password("", stored)


@pytest.mark.parametrize(
    "stored",
    [None, "", "garbage", "bcrypt$1$2$3$4$5", "scrypt$3$8$1$AAAA$AAAA", "scrypt$x$8$1$AA$AA"],
)
def test_without_a_usable_hash_nothing_matches(stored):
    assert not verify_password(PASSWORD, stored)


def test_too_long_input_is_refused_without_error():
    stored = hash_password(PASSWORD)
    assert not verify_password(PASSWORD + "x" * 5000, stored)


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short", f"at least {MIN_LENGTH}"),
        (" " * 20, "only spaces"),
        ("x" * 2000, "at most"),
        (PASSWORD, None),
    ],
)
def test_new_passwords_are_checked(password, problem):
    found = password_problem(password)
    assert (found is None) if problem is None else (problem in (found or ""))
