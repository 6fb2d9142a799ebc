"""Fixtures for the matching tests: the independent reference (``reference.py``).

Test files are not a package (``--import-mode=importlib``), so the reference module is
loaded from its path once and handed out as the session fixture :func:`ref`.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest

from matching.problem import MatchingProblem
from matching.problem_io import problem_from_dict

REFERENCE_NAME = "opvang_tests_matching_reference"


def _load_reference() -> ModuleType:
    if REFERENCE_NAME in sys.modules:
        return sys.modules[REFERENCE_NAME]
    spec = importlib.util.spec_from_file_location(
        REFERENCE_NAME, Path(__file__).with_name("reference.py")
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[REFERENCE_NAME] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def ref() -> ModuleType:
    """The reference module: ``Reference``, ``exhaustive_optimum``, ``mip_optimum``,
    ``random_instance`` (see ``tests/matching/reference.py``)."""
    return _load_reference()


Shaped = Callable[[int, str], tuple[MatchingProblem, float]]


@pytest.fixture(scope="session")
def shaped(ref: ModuleType) -> Shaped:
    """A small round of one of the reference's shapes, and its optimum by the reference.

    ``shaped(seed, shape)``; cached, since hypothesis draws the same seeds again.
    """

    @cache
    def make(seed: int, shape: str) -> tuple[MatchingProblem, float]:
        data = ref.shaped_instance(seed, shape)
        optimum, _ = ref.mip_optimum(ref.Reference.from_dict(data))
        return problem_from_dict(data), optimum

    return make
