"""Loading a scenario file: YAML, the pydantic format, then every reference resolved.

Every refusal is an :class:`InvalidScenarioError` naming the file, the dotted key and the
reason (``docs/scenarios.md`` lists them).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from capacity import (
    CapacityError,
    InvalidCaseError,
    InvalidRulebookError,
    Rulebook,
    bundled_rulebook,
    load_rulebook,
)
from capacity.criteria import NATIONAL, REGIONAL_VARIATION
from capacity.criteria.rulebook import CRITERIA_DIR
from capacity.demo import ProfileClass
from capacity.regions import region_ids
from scenarios.demand import DEFAULT_KEY, DemandModel, fixed_case, stay_specs
from scenarios.errors import InvalidScenarioError
from scenarios.spec import (
    MAX_REPLICATIONS,
    MAX_SIMULATED_DAYS,
    Cadence,
    DemandClass,
    FixedProfile,
    Policy,
    ScenarioSpec,
    SpecRuleError,
)
from scenarios.supply import Supply, build_supply

MAX_BASE_DEPTH = 5  # a variant of a variant of ... at most this deep
_TYPE_TAGS = {"str", "int", "float", "bool", "list", "dict", "tuple", "none"}


@dataclass(frozen=True, slots=True)
class Scenario:
    """A validated scenario, ready to run.

    Parameters
    ----------
    spec
        The file's contents.
    source
        Where it was loaded from.
    rulebook
        The rulebook the policy applies.
    supply
        Facilities, streams, the starting state and the changes.
    demand
        The demand classes.
    """

    spec: ScenarioSpec
    source: str
    rulebook: Rulebook
    supply: Supply
    demand: tuple[DemandModel, ...]

    @property
    def name(self) -> str:
        return self.spec.name

    def with_replications(self, replications: int) -> Scenario:
        """The same scenario with another number of replications."""
        if not 1 <= replications <= MAX_REPLICATIONS:
            reason = f"must be from 1 to {MAX_REPLICATIONS}"
            raise InvalidScenarioError(self.source, "replications", reason)
        return replace(self, spec=self.spec.model_copy(update={"replications": replications}))

    def with_horizon(self, days: int) -> Scenario:
        """The same scenario simulated for ``days`` days (the demo's quick run, issue 17)."""
        if days <= self.spec.warmup_days:
            raise InvalidScenarioError(
                self.source,
                "horizon_days",
                f"must be above warmup_days ({self.spec.warmup_days})",
            )
        if days > MAX_SIMULATED_DAYS:
            reason = f"must be from 1 to {MAX_SIMULATED_DAYS} days"
            raise InvalidScenarioError(self.source, "horizon_days", reason)
        return replace(self, spec=self.spec.model_copy(update={"horizon_days": days}))


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario file.

    Parameters
    ----------
    path
        The YAML file.

    Returns
    -------
    Scenario

    Raises
    ------
    InvalidScenarioError
        When the file is missing, is not YAML, breaks the format or refers to something
        that does not exist; the error names the file, the key and the reason.
    """
    path = Path(path)
    text = _read_text(path, source=str(path), key="")
    return parse_scenario(text, source=str(path), base_dir=path.parent)


def _read_text(path: Path, *, source: str, key: str) -> str:
    """The file's text, refused at ``key`` when it cannot be read or is not UTF-8 (a
    Latin-1 file was a ``UnicodeDecodeError``); a base file (``key``) is named."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        reason = f"cannot read {path}" if key else "cannot be read"
        raise InvalidScenarioError(source, key, f"{reason} ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        where = f"byte 0x{exc.object[exc.start]:02x} at position {exc.start}"
        reason = f"{path} is not UTF-8 text" if key else "is not UTF-8 text"
        raise InvalidScenarioError(source, key, f"{reason} ({where}); save it as UTF-8") from None


def parse_scenario(
    text: str, *, source: str = "<string>", base_dir: str | Path | None = None
) -> Scenario:
    """Validate scenario YAML given as text (see :func:`load_scenario`).

    Parameters
    ----------
    text
        The YAML.
    source
        Name used in errors.
    base_dir
        Folder that a relative ``rulebook`` path is relative to (default: the working folder).
    """
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else ""
        raise InvalidScenarioError(
            source, where, f"is not valid YAML ({getattr(exc, 'problem', exc)})"
        ) from exc
    if not isinstance(data, dict):
        raise InvalidScenarioError(source, "", "must be a mapping of keys at the top level")
    folder = Path(base_dir) if base_dir is not None else Path.cwd()
    data = with_base(data, source, folder)
    try:
        spec = ScenarioSpec.model_validate(data)
    except ValidationError as exc:
        raise pydantic_error(source, exc) from None
    return resolve(spec, source, folder)


def with_base(data: dict[str, Any], source: str, folder: Path, depth: int = 0) -> dict[str, Any]:
    """The file's keys over those of its ``base`` file (mappings merged, lists replaced)."""
    if "base" not in data:
        return data
    ref = data.pop("base")
    if not isinstance(ref, str) or depth >= MAX_BASE_DEPTH:
        reason = "must name a scenario file" if depth < MAX_BASE_DEPTH else "bases nest too deep"
        raise InvalidScenarioError(source, "base", reason)
    path = Path(ref) if Path(ref).is_absolute() else folder / ref
    text = _read_text(path, source=source, key="base")
    try:
        parent = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidScenarioError(source, "base", f"{path} is not valid YAML") from exc
    if not isinstance(parent, dict):
        raise InvalidScenarioError(source, "base", f"{path} is not a mapping of keys")
    return _merged(with_base(parent, source, path.parent, depth + 1), data)


def _merged(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merged(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def resolve(spec: ScenarioSpec, source: str, base_dir: Path) -> Scenario:
    """Check every reference of a validated file and resolve rulebook, supply and demand."""
    if spec.policy is Policy.HINDSIGHT and spec.cadence is Cadence.EVENT:
        raise InvalidScenarioError(
            source, "cadence", "hindsight plans whole days; use cadence: daily"
        )
    rulebook = _rulebook(spec, source, base_dir)
    classes = [c.name for c in bundled_rulebook(NATIONAL).rules.priority.complexity.classes]
    for name in spec.optimiser.class_weight_factors:
        if name not in classes:  # the classes the KPIs and the records use (national)
            raise InvalidScenarioError(
                source,
                f"optimiser.class_weight_factors.{name}",
                f"unknown complexity class (one of: {', '.join(classes)})",
            )
    demand = tuple(_demand(spec, i, cls, source) for i, cls in enumerate(spec.demand))
    names = [d.name for d in demand]
    for i, name in enumerate(names):
        if name in names[:i]:
            raise InvalidScenarioError(
                source, f"demand[{i}].name", f"class {name!r} is defined twice"
            )
    try:
        supply = build_supply(spec, rulebook, source)
    except CapacityError as exc:  # a value the domain refuses that the format let through
        raise InvalidScenarioError(source, "supply", str(exc)) from None
    return Scenario(spec, source, rulebook, supply, demand)


def default_rulebook_name(policy: Policy) -> str:
    """``regional-variation-v1`` for current practice, ``national-v1`` for the others."""
    return REGIONAL_VARIATION if policy is Policy.CURRENT_PRACTICE else NATIONAL


def _rulebook(spec: ScenarioSpec, source: str, base_dir: Path) -> Rulebook:
    name = spec.rulebook or default_rulebook_name(spec.policy)
    try:
        if (CRITERIA_DIR / f"{name}.yaml").is_file() and "/" not in name:
            return bundled_rulebook(name)
        path = Path(name)
        return load_rulebook(path if path.is_absolute() else base_dir / path)
    except InvalidRulebookError as exc:
        raise InvalidScenarioError(source, "rulebook", f"cannot be used ({exc})") from None


def _demand(spec: ScenarioSpec, i: int, cls: DemandClass, source: str) -> DemandModel:
    key = f"demand[{i}]"
    for name in cls.stay:
        if name != DEFAULT_KEY and name not in _placement_type_values():
            raise InvalidScenarioError(
                source,
                f"{key}.stay.{name}",
                f"unknown placement type (one of: {', '.join(sorted(_placement_type_values()))}"
                f", or {DEFAULT_KEY})",
            )
    for j, t in enumerate(cls.at_days):
        if t >= spec.horizon_days:
            raise InvalidScenarioError(source, f"{key}.at_days[{j}]", "lies after the horizon")
    refs: tuple[tuple[float, ProfileClass | FixedProfile], ...]
    if cls.profile is not None:
        refs = ((1.0, _profile(cls.profile, source, f"{key}.profile")),)
    else:
        assert cls.profiles is not None
        refs = tuple(
            (p.share, _profile(p.profile, source, f"{key}.profiles[{j}].profile"))
            for j, p in enumerate(cls.profiles)
        )
    return DemandModel(
        name=cls.name,
        arrivals_per_day=cls.arrivals_per_day,
        groups=cls.groups,
        at_days=cls.at_days,
        profiles=refs,
        stays=stay_specs(cls.stay),
    )


def _placement_type_values() -> set[str]:
    from capacity import PlacementType

    return {t.value for t in PlacementType}


def _profile(ref: str | FixedProfile, source: str, key: str) -> ProfileClass | FixedProfile:
    if isinstance(ref, str):
        try:
            return ProfileClass(ref)
        except ValueError:
            allowed = ", ".join(c.value for c in ProfileClass)
            raise InvalidScenarioError(
                source, key, f"unknown profile class {ref!r} (one of: {allowed})"
            ) from None
    for name in ("region_signalled", "region_of_exploitation"):
        value = getattr(ref, name)
        if value is not None and value not in region_ids():
            raise InvalidScenarioError(source, f"{key}.{name}", f"unknown region {value!r}")
    try:
        fixed_case(ref, "S-CHECK", date(2000, 1, 1))
    except InvalidCaseError as exc:
        raise InvalidScenarioError(source, f"{key}.{exc.field}", exc.reason) from None
    return ref


def pydantic_error(source: str, exc: ValidationError) -> InvalidScenarioError:
    """The most specific error of a pydantic failure, as file, dotted key and reason."""
    errors = exc.errors()
    best = max(errors, key=lambda e: len(_clean(e["loc"])))
    key = format_key(_clean(best["loc"]))
    ctx_error: Any = (best.get("ctx") or {}).get("error")
    if isinstance(ctx_error, SpecRuleError):
        inner = ctx_error.key
        key = f"{key}.{inner}" if key and inner else (key or inner)
        return InvalidScenarioError(source, key, ctx_error.reason)
    reason = best["msg"]
    if best["type"] == "missing":
        reason = "is required"
    elif best["type"] == "extra_forbidden":
        reason = "is not a known key"
    return InvalidScenarioError(source, key, reason)


def _clean(loc: tuple[int | str, ...]) -> tuple[int | str, ...]:
    """Drop pydantic's union-branch tags (``FixedProfile``, ``str``, ``function-after[..]``)."""
    return tuple(
        part
        for part in loc
        if isinstance(part, int)
        or not (part in _TYPE_TAGS or part[:1].isupper() or "[" in part or part == "[key]")
    )


def format_key(loc: tuple[int | str, ...]) -> str:
    """``('demand', 0, 'stay')`` -> ``demand[0].stay``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
