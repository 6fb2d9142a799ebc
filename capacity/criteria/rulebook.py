"""Loading a rulebook file and the :class:`Rulebook` facade the other packages use."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from capacity.cases import Case
from capacity.criteria.eligibility import (
    Eligibility,
    TypeEligibility,
    case_categories,
    evaluate,
    evaluate_type,
    safety_requires_distance,
)
from capacity.criteria.priority import Priority, placement_penalty_days, priority
from capacity.criteria.schema import RulebookFile, RuleError
from capacity.errors import InvalidRulebookError
from capacity.facilities import Facility
from capacity.funding import FundingStream
from capacity.placement_types import PlacementType

CRITERIA_DIR = Path(__file__).parent
NATIONAL = "national-v1"
REGIONAL_VARIATION = "regional-variation-v1"


@dataclass(frozen=True, slots=True)
class Rulebook:
    """A validated, versioned set of uniform access criteria.

    Parameters
    ----------
    rules
        The validated file contents.
    source
        Where it was loaded from.
    content_hash
        SHA-256 of the canonical JSON of the contents (formatting and comments do not
        change it; any rule change does).
    """

    rules: RulebookFile
    source: str
    content_hash: str

    @property
    def version(self) -> str:
        """The rulebook's version label."""
        return self.rules.version

    def categories(self, case: Case) -> frozenset[str]:
        """The rulebook's case categories the case belongs to."""
        return case_categories(self.rules, case)

    def evaluate(
        self,
        case: Case,
        facility: Facility,
        stream: FundingStream | None,
        *,
        categories: frozenset[str] | None = None,
    ) -> Eligibility:
        """Eligibility of the pair with every failed rule (see :func:`evaluate`).

        ``categories``: :meth:`categories` of the case, when the caller has them already.
        """
        return evaluate(self.rules, case, facility, stream, categories=categories)

    def evaluate_type(self, case: Case, placement_type: PlacementType) -> TypeEligibility:
        """Whether the case belongs to the placement type's target group, with reasons."""
        return evaluate_type(self.rules, case, placement_type)

    def eligible_types(
        self, case: Case, *, genders: bool = True, categories: frozenset[str] | None = None
    ) -> dict[PlacementType, TypeEligibility]:
        """The verdict for every placement type of the catalogue.

        ``genders=False`` leaves the types' genders out: a pre-filter before the pairs,
        where each facility's own gender policy decides. ``categories``: as in
        :meth:`evaluate`.
        """
        cats = self.categories(case) if categories is None else categories
        return {
            t: evaluate_type(self.rules, case, t, genders=genders, categories=cats)
            for t in PlacementType
        }

    def priority(self, case: Case, today: date) -> Priority:
        """Complexity class, urgency and ageing of the case on ``today``."""
        return priority(self.rules, case, today)

    def penalty_days(self, case: Case, facility: Facility) -> float:
        """Distance and preferred-region penalty of the pair, in waiting days."""
        return placement_penalty_days(self.rules, case, facility)

    def safety_requires_distance(self, case: Case) -> bool:
        """Whether the case's safety risk requires a facility outside its own region."""
        return safety_requires_distance(self.rules, case)


def load_rulebook(path: str | Path) -> Rulebook:
    """Load and validate a rulebook file.

    Raises
    ------
    InvalidRulebookError
        Naming the file, the path inside it and the reason, when the file is missing,
        is not YAML, or breaks a rule of the format.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidRulebookError(str(path), "", f"cannot be read ({exc.strerror})") from exc
    return parse_rulebook(text, source=str(path))


def parse_rulebook(text: str, *, source: str = "<string>") -> Rulebook:
    """Validate rulebook YAML given as text (see :func:`load_rulebook`)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else ""
        raise InvalidRulebookError(
            source, where, f"is not valid YAML ({getattr(exc, 'problem', exc)})"
        ) from exc
    if not isinstance(data, dict):
        raise InvalidRulebookError(source, "", "must be a mapping of keys at the top level")
    try:
        rules = RulebookFile.model_validate(data)
    except ValidationError as exc:
        raise _first_error(source, exc) from None
    return Rulebook(rules, source, content_hash(rules))


def canonical_json(value: Any) -> str:
    """JSON of ``value`` that is the same in every process: keys sorted, sets as sorted lists.

    ``model_dump(mode="json")`` turns a frozenset into a list in the set's iteration order,
    which depends on the interpreter's string-hash seed (issue 10: the fingerprint differed
    in every process), so sets are sorted here, by their own canonical JSON.

    Parameters
    ----------
    value
        Plain data: mappings, sequences, sets, enums, strings, numbers, dates, ``None``.

    Returns
    -------
    str
        Compact JSON text.
    """
    return json.dumps(_canonical(value), sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def _canonical(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(_canonical(k)): _canonical(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        items = [_canonical(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, Enum):
        return _canonical(value.value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def content_hash(rules: RulebookFile) -> str:
    """SHA-256 of the rules' canonical JSON: equal across processes and machines.

    Parameters
    ----------
    rules
        Validated rulebook contents.

    Returns
    -------
    str
        Hex digest; formatting, comments and the order of set entries do not change it.
    """
    return hashlib.sha256(canonical_json(rules.model_dump(mode="python")).encode()).hexdigest()


def _first_error(source: str, exc: ValidationError) -> InvalidRulebookError:
    err = exc.errors()[0]
    path = _format_loc(err["loc"])
    ctx_error: Any = (err.get("ctx") or {}).get("error")
    if isinstance(ctx_error, RuleError):
        inner = ctx_error.path
        path = f"{path}.{inner}" if path and inner else (path or inner)
        return InvalidRulebookError(source, path, ctx_error.reason)
    reason = err["msg"]
    if "[key]" in err["loc"]:
        reason = f"is not an allowed key here ({reason})"
    elif err["type"] == "missing":
        reason = "is required"
    elif err["type"] == "extra_forbidden":
        reason = "is not a known key"
    return InvalidRulebookError(source, path, reason)


def _format_loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if part == "[key]":
            continue
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


@cache
def bundled_rulebook(name: str = NATIONAL) -> Rulebook:
    """A rulebook shipped in ``capacity/criteria`` (``national-v1``, ``regional-variation-v1``)."""
    return load_rulebook(CRITERIA_DIR / f"{name}.yaml")


def rulebook_from(name_or_path: str) -> Rulebook:
    """A rulebook as settings name one: bundled, or a file.

    A name ending in ``.yaml`` or ``.yml``, or holding a ``/``, is a file's path;
    any other is a bundled rulebook (``national-v1``).

    Parameters
    ----------
    name_or_path
        The bundled rulebook's name or the file's path.

    Returns
    -------
    Rulebook

    Raises
    ------
    InvalidRulebookError
        When the file is missing or invalid, or no bundled rulebook has that name.
    """
    if name_or_path.endswith((".yaml", ".yml")) or "/" in name_or_path:
        return load_rulebook(Path(name_or_path))
    return bundled_rulebook(name_or_path)
