"""The specialised national and regional provision: every facility except women's shelters.

Locations and operators follow ``../shared/domain-nl.md`` section 6 and table B; bed counts
are sourced where the fact sheet has them (OMM split, ACM places, Goirle's six) and
estimates otherwise. The supply is fixed: it does not depend on the seed.
"""

from __future__ import annotations

from capacity.cases import Need
from capacity.demo.costs import COST_PER_BED_DAY, stream_for
from capacity.facilities import Facility, GenderPolicy, Provider
from capacity.placement_types import PlacementType as T
from capacity.regions import region

F, M, X = GenderPolicy.FEMALE_ONLY, GenderPolicy.MALE_ONLY, GenderPolicy.MIXED
TRAUMA, MH, ADD, LVB = Need.TRAUMA_CARE, Need.MENTAL_HEALTH, Need.ADDICTION, Need.LVB
MED, PREG = Need.MEDICAL, Need.PREGNANCY

# Named organisations (fact sheet) and the generic operators used where it names none.
NAMED_PROVIDERS: dict[str, str] = {
    "hvo-querido": "HVO-Querido",
    "humanitas": "Humanitas",
    "jade": "Jade",
    "blijf-groep": "Blijf Groep",
    "fier": "Fier",
    "kadera": "Kadera",
    "spirit": "Spirit",
    "horizon": "Horizon",
    "wende-perspektief": "Wende Perspektief",
    "kompaan-en-de-bocht": "Kompaan en De Bocht",
}
GENERIC_PROVIDERS: dict[str, str] = {
    "mannenopvang-amsterdam": "Mannenopvang Amsterdam",
    "mannenopvang-den-haag": "Mannenopvang Den Haag",
    "mannenopvang-rotterdam": "Mannenopvang Rotterdam",
    "mannenopvang-utrecht": "Mannenopvang Utrecht",
    "mannenopvang-zwolle": "Mannenopvang Zwolle",
    "jeugdzorg-utrecht": "Jeugdzorg Utrecht",
    "jeugdzorg-eindhoven": "Jeugdzorg Eindhoven",
    "ggz-amsterdam": "GGZ-instelling Amsterdam",
    "ggz-den-haag": "GGZ-instelling Den Haag",
    "ggz-eindhoven": "GGZ-instelling Eindhoven",
    "beschermd-wonen-utrecht": "Beschermd Wonen Utrecht",
    "beschermd-wonen-groningen": "Beschermd Wonen Groningen",
    "beschermd-wonen-nijmegen": "Beschermd Wonen Nijmegen",
}


def specialised_providers() -> list[Provider]:
    """Providers of the specialised provision (women's-shelter organisations come apart)."""
    return [Provider(pid, name) for pid, name in {**NAMED_PROVIDERS, **GENERIC_PROVIDERS}.items()]


def _fac(
    fid: str,
    name: str,
    provider: str,
    region_id: str,
    ptype: T,
    beds: int,
    *,
    needs: frozenset[Need] = frozenset(),
    gender: GenderPolicy = X,
    ages: tuple[int, int] = (18, 120),
    children: int = 0,
    secret: bool = False,
    languages: tuple[str, ...] = (),
    wheelchair: bool = False,
    at: tuple[float, float] | None = None,
) -> Facility:
    return Facility(
        id=fid,
        name=name,
        provider_id=provider,
        region_id=region_id,
        placement_type=ptype,
        beds=beds,
        funding_stream_id=stream_for(ptype, region_id),
        cost_per_bed_day=COST_PER_BED_DAY[ptype],
        specialisms=needs,
        gender_policy=gender,
        min_age=ages[0],
        max_age=ages[1],
        max_children=children,
        secret_address=secret,
        languages=frozenset({"nl", "en", *languages}),
        wheelchair_access=wheelchair,
        lat=at[0] if at else None,
        lon=at[1] if at else None,
    )


GEEUWENBRUG = (52.87, 6.30)  # lat, lon: Geeuwenbrug (Drenthe), in the "emmen" region
VRIES = (53.07, 6.58)  # lat, lon: Vries (Drenthe), in the "emmen" region
GOIRLE = (51.52, 5.07)  # lat, lon: Goirle, in the "tilburg" region
COSM_LANGUAGES = ("fr", "es", "pt")  # West African and Latin American victims (estimate)
UAM_LANGUAGES = ("ar", "ti", "fa", "sq", "vi", "fr")  # Ter Apel arrivals (sourced countries)

# The rows below are data: one facility per call, aligned by hand for reading.
# fmt: off


def national_facilities() -> list[Facility]:
    """COSM, labour-exploitation beds and OMM: the provision CoMensha places in."""
    return [
        _fac("cosm-amsterdam", "COSM Amsterdam", "hvo-querido", "amsterdam", T.COSM, 22,
             needs=frozenset({TRAUMA, MED, PREG}), gender=F, children=2, secret=True,
             languages=COSM_LANGUAGES, wheelchair=True),
        _fac("cosm-rotterdam", "COSM Rotterdam", "humanitas", "rotterdam", T.COSM, 14,
             needs=frozenset({TRAUMA}), gender=F, children=2, secret=True, languages=("fr", "es")),
        _fac("cosm-geeuwenbrug", "COSM Geeuwenbrug", "jade", "emmen", T.COSM, 14,
             needs=frozenset({TRAUMA, MED}), gender=M, secret=True, languages=("ar", "uk", "ru"),
             at=GEEUWENBRUG),
        _fac("labour-amsterdam", "Labour-exploitation beds Amsterdam", "hvo-querido", "amsterdam",
             T.LABOUR_EXPLOITATION, 2, languages=("pl", "ro", "bg")),
        _fac("labour-geeuwenbrug", "Labour-exploitation beds Geeuwenbrug", "jade", "emmen",
             T.LABOUR_EXPLOITATION, 2, gender=M, languages=("pl", "ro", "uk"), at=GEEUWENBRUG),
        _fac("labour-utrecht", "Labour-exploitation beds Wende Perspektief", "wende-perspektief",
             "utrecht", T.LABOUR_EXPLOITATION, 2, languages=("pl", "bg", "hu")),
        _fac("omm-amsterdam-crisis", "OMM Amsterdam crisis", "hvo-querido", "amsterdam", T.OMM, 10,
             needs=frozenset({TRAUMA, MH, ADD, LVB, MED}), languages=("pl", "ro")),
        _fac("omm-amsterdam-follow-on", "OMM Amsterdam follow-on", "hvo-querido", "amsterdam",
             T.OMM, 4, needs=frozenset({TRAUMA, MH, LVB}), children=1, wheelchair=True),
        _fac("omm-alkmaar", "OMM Alkmaar", "blijf-groep", "alkmaar", T.OMM, 3,
             needs=frozenset({TRAUMA, MH, LVB}), gender=F, children=1, secret=True),
        _fac("omm-almere", "OMM Almere", "blijf-groep", "almere", T.OMM, 3,
             needs=frozenset({TRAUMA, MH, LVB}), gender=F, children=1, secret=True,
             wheelchair=True),
        _fac("omm-rotterdam", "OMM Rotterdam", "fier", "rotterdam", T.OMM, 6,
             needs=frozenset({TRAUMA, MH, ADD, LVB}), gender=F, children=2, secret=True,
             languages=("es",)),
        _fac("omm-zwolle", "OMM Zwolle", "fier", "zwolle", T.OMM, 4,
             needs=frozenset({TRAUMA, MH, ADD, LVB}), children=1, secret=True),
        _fac("omm-enschede", "OMM Enschede", "kadera", "enschede", T.OMM, 6,
             needs=frozenset({TRAUMA, MH, ADD, LVB}), gender=F, children=1, secret=True,
             languages=("de",)),
    ]


def regional_facilities() -> list[Facility]:
    """Crisis beds, men's shelters, mental-health clinical beds and sheltered housing."""
    crisis = [
        _fac(f"crisis-{rid}", f"Police crisis beds {region(rid).name}", f"vrouwenopvang-{rid}",
             rid, T.CRISIS, 2)
        for rid in ("rotterdam", "den-haag", "utrecht", "eindhoven", "groningen")
    ]
    mens = [
        _fac(f"mens-shelter-{rid}", f"Men's shelter {region(rid).name}", f"mannenopvang-{rid}",
             rid, T.MENS_SHELTER, 6, needs=needs, gender=M, secret=secret, languages=langs)
        for rid, needs, secret, langs in (
            ("amsterdam", frozenset({TRAUMA, ADD}), False, ("pl", "ro")),
            ("den-haag", frozenset({TRAUMA}), True, ("pl", "bg")),
            ("rotterdam", frozenset({TRAUMA, MED}), False, ("ro", "ar")),
            ("utrecht", frozenset({MED}), True, ("pl",)),
            ("zwolle", frozenset({TRAUMA}), False, ("uk",)),
        )
    ]
    return [
        _fac("crisis-amsterdam-acm", "ACM police crisis places", "hvo-querido", "amsterdam",
             T.CRISIS, 6, languages=("ro", "pl", "es")),
        _fac("crisis-amsterdam-72h", "ACM 72-hour places", "hvo-querido", "amsterdam",
             T.CRISIS, 3, languages=("ro", "pl", "es")),
        *crisis,
        *mens,
        _fac("mens-shelter-goirle", "Men's shelter Goirle", "kompaan-en-de-bocht", "tilburg",
             T.MENS_SHELTER, 6, needs=frozenset({TRAUMA}), gender=M, children=3, secret=True,
             wheelchair=True, at=GOIRLE),
        _fac("mh-clinical-amsterdam", "Clinical mental-health ward Amsterdam", "ggz-amsterdam",
             "amsterdam", T.MENTAL_HEALTH_CLINICAL, 4,
             needs=frozenset({TRAUMA, MH, ADD, MED}), wheelchair=True, languages=("ar",)),
        _fac("mh-clinical-den-haag", "Clinical mental-health ward Den Haag", "ggz-den-haag",
             "den-haag", T.MENTAL_HEALTH_CLINICAL, 3, needs=frozenset({TRAUMA, MH, LVB, MED})),
        _fac("mh-clinical-eindhoven", "Clinical mental-health ward Eindhoven", "ggz-eindhoven",
             "eindhoven", T.MENTAL_HEALTH_CLINICAL, 3, needs=frozenset({TRAUMA, MH, ADD}),
             languages=("pl",)),
        _fac("sheltered-housing-utrecht", "Sheltered housing Utrecht", "beschermd-wonen-utrecht",
             "utrecht", T.SHELTERED_HOUSING, 4, needs=frozenset({MH, LVB})),
        _fac("sheltered-housing-groningen", "Sheltered housing Groningen",
             "beschermd-wonen-groningen", "groningen", T.SHELTERED_HOUSING, 3,
             needs=frozenset({MH, LVB}), wheelchair=True),
        _fac("sheltered-housing-nijmegen", "Sheltered housing Nijmegen", "beschermd-wonen-nijmegen",
             "nijmegen", T.SHELTERED_HOUSING, 3, needs=frozenset({TRAUMA, MH, LVB})),
    ]


def youth_facilities() -> list[Facility]:
    """Youth specialised shelter (Jeugdwet) and protected reception for unaccompanied minors."""
    return [
        _fac("youth-leeuwarden-asja", "Asja Leeuwarden", "fier", "leeuwarden",
             T.YOUTH_SPECIALISED, 40, needs=frozenset({TRAUMA, MH, LVB, MED, PREG}), gender=F,
             ages=(12, 23), secret=True),
        _fac("youth-amsterdam-spirit", "Spirit girls' groups Amsterdam", "spirit", "amsterdam",
             T.YOUTH_SPECIALISED, 35, needs=frozenset({TRAUMA, LVB}), gender=F, ages=(12, 17)),
        _fac("youth-amsterdam-pinq", "Pinq Amsterdam", "spirit", "amsterdam", T.YOUTH_SPECIALISED,
             13, needs=frozenset({TRAUMA, MH}), gender=F, ages=(12, 21), secret=True),
        _fac("youth-rotterdam-horizon", "Horizon and Fier Rotterdam", "horizon", "rotterdam",
             T.YOUTH_SPECIALISED, 22, needs=frozenset({TRAUMA, MH, ADD, LVB}), ages=(12, 23),
             secret=True),
        _fac("youth-utrecht-boys", "Boys' shelter criminal exploitation Utrecht",
             "jeugdzorg-utrecht", "utrecht", T.YOUTH_SPECIALISED, 18,
             needs=frozenset({TRAUMA, ADD, LVB}), gender=M, ages=(12, 17)),
        _fac("youth-eindhoven", "Youth shelter Eindhoven", "jeugdzorg-eindhoven", "eindhoven",
             T.YOUTH_SPECIALISED, 22, needs=frozenset({TRAUMA, MH, ADD}), ages=(12, 17),
             secret=True, wheelchair=True),
        _fac("protected-reception-vries", "Beschermde Opvang Vries", "jade", "emmen",
             T.PROTECTED_RECEPTION, 24, needs=frozenset({TRAUMA, MH}), ages=(12, 17), secret=True,
             languages=UAM_LANGUAGES, at=VRIES),
        _fac("protected-reception-amersfoort", "Beschermde Opvang Amersfoort", "jade",
             "amersfoort", T.PROTECTED_RECEPTION, 16, needs=frozenset({TRAUMA}), ages=(12, 17),
             secret=True, languages=UAM_LANGUAGES),
    ]


# fmt: on
