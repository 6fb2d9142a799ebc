"""Each rule family of the national rulebook: one case where it holds, one where it fails."""

from __future__ import annotations

from capacity import Gender, GenderPolicy, Need, PlacementType, ResidenceStatus, Rule, SafetyRisk


def rules_failed(verdict) -> list[str]:
    return [r.rule for r in verdict.failed]


def test_a_fitting_pair_is_eligible_with_what_it_meets(
    national, make_case, make_facility, make_stream
):
    verdict = national.evaluate(make_case(), make_facility(), make_stream())
    assert verdict.eligible
    assert verdict.summary() == "eligible"
    assert "admits all genders" in verdict.met
    assert "paid by Test stream" in verdict.met


def test_category_rule_cosm_serves_only_b8_adults(national, make_case, make_facility, make_stream):
    cosm = make_facility(placement_type=PlacementType.COSM)
    b8 = make_case(residence_status=ResidenceStatus.THIRD_COUNTRY_B8)
    assert national.evaluate(b8, cosm, make_stream()).eligible
    verdict = national.evaluate(make_case(residence_status=ResidenceStatus.EU), cosm, make_stream())
    assert rules_failed(verdict) == ["category"]
    assert verdict.failed[0].text == (
        "COSM (categorical shelter) serves: adult third-country national in the B8 reflection "
        "period. This case (30, female, EU citizen) is none of these."
    )


def test_type_needs_rule_omm_requires_a_multi_problem_need(
    national, make_case, make_facility, make_stream
):
    omm = make_facility(placement_type=PlacementType.OMM, specialisms=frozenset({Need.ADDICTION}))
    assert national.evaluate(
        make_case(needs=frozenset({Need.ADDICTION})), omm, make_stream()
    ).eligible
    verdict = national.evaluate(make_case(), omm, make_stream())
    assert rules_failed(verdict) == ["type_needs"]
    assert (
        "OMM (multi-problem shelter) is for cases that need at least one of"
        in verdict.failed[0].text
    )
    assert "this case needs none of these" in verdict.failed[0].text


def test_youth_serves_young_adults_only_by_exception(
    national, make_case, make_facility, make_stream
):
    youth = make_facility(placement_type=PlacementType.YOUTH_SPECIALISED, min_age=12, max_age=23)
    stream = make_stream(case_categories=frozenset({"minor_nl_eu", "young_adult_vulnerable"}))
    assert national.evaluate(make_case(age=15), youth, stream).eligible
    assert national.evaluate(
        make_case(age=20, needs=frozenset({Need.TRAUMA_CARE})), youth, stream
    ).eligible
    assert rules_failed(national.evaluate(make_case(age=20), youth, stream)) == [
        "category",
        "funding",
    ]


def test_gender_rule(national, make_case, make_facility, make_stream):
    women_only = make_facility(gender_policy=GenderPolicy.FEMALE_ONLY)
    assert national.evaluate(make_case(), women_only, make_stream()).eligible
    verdict = national.evaluate(make_case(gender=Gender.MALE), women_only, make_stream())
    assert rules_failed(verdict) == ["gender"]
    assert verdict.failed[0].text == "Test House admits women and girls only; this case is male."


def test_age_rule(national, make_case, make_facility, make_stream):
    fac = make_facility(min_age=18, max_age=25)
    assert national.evaluate(make_case(age=25), fac, make_stream()).eligible
    verdict = national.evaluate(make_case(age=26), fac, make_stream())
    assert verdict.failed[0].text == "Test House admits ages 18-25; this case is 26."
    # issue 17: no upper limit reads as one, not as "ages 18-120"
    older = make_facility(min_age=30, max_age=120)
    verdict = national.evaluate(make_case(age=26), older, make_stream())
    assert verdict.failed[0].text == "Test House admits ages 30 and over; this case is 26."


def test_children_rule_and_family_size(national, make_case, make_facility, make_stream):
    fac = make_facility(max_children=2, beds=3)
    assert national.evaluate(make_case(accompanying_children=2), fac, make_stream()).eligible
    too_many = national.evaluate(make_case(accompanying_children=3), fac, make_stream())
    assert too_many.failed[0].text == (
        "Test House admits at most 2 accompanying children; this case comes with 3."
    )
    # issue 17: "at most 1 accompanying children" read wrongly
    one = make_facility(max_children=1, beds=3)
    verdict = national.evaluate(make_case(accompanying_children=2), one, make_stream())
    assert verdict.failed[0].text == (
        "Test House admits at most 1 accompanying child; this case comes with 2."
    )
    none = make_facility(max_children=0, beds=3)
    verdict = national.evaluate(make_case(accompanying_children=1), none, make_stream())
    assert verdict.failed[0].text == (
        "Test House admits no accompanying children; this case comes with 1."
    )
    small = make_facility(max_children=4, beds=2)
    verdict = national.evaluate(make_case(accompanying_children=2), small, make_stream())
    assert verdict.failed[0].rule == "size"
    assert verdict.failed[0].text == "Test House has 2 beds in all; this family needs 3."


def test_hard_need_must_be_covered(national, make_case, make_facility, make_stream):
    case = make_case(needs=frozenset({Need.ADDICTION, Need.WHEELCHAIR}))
    covered = make_facility(specialisms=frozenset({Need.ADDICTION}), wheelchair_access=True)
    assert national.evaluate(case, covered, make_stream()).eligible
    verdict = national.evaluate(case, make_facility(), make_stream())
    assert [r.text for r in verdict.failed] == [
        "Test House offers no addiction care.",
        "Test House is not wheelchair accessible.",
    ]


def test_soft_need_costs_a_penalty_but_does_not_exclude(
    national, make_case, make_facility, make_stream
):
    case = make_case(
        needs=frozenset({Need.INTERPRETER, Need.TRAUMA_CARE}), interpreter_language="ro"
    )
    fac = make_facility(specialisms=frozenset(), languages=frozenset({"nl"}))
    verdict = national.evaluate(case, fac, make_stream())
    assert verdict.eligible
    assert verdict.soft_penalty_days == 3.0  # trauma care 2 + interpreter 1 in national-v1
    assert [r.text for r in verdict.unmet_preferences] == [
        "Test House offers no trauma care.",
        "Test House has no staff speaking 'ro' (interpreter needed).",
    ]
    speaks = make_facility(languages=frozenset({"nl", "ro"}))
    assert national.evaluate(case, speaks, make_stream()).soft_penalty_days == 0.0


def test_high_risk_needs_secret_address_away_from_exploitation(
    national, make_case, make_facility, make_stream
):
    case = make_case(safety_risk=SafetyRisk.HIGH, region_of_exploitation="utrecht")
    far_secret = make_facility(region_id="groningen", secret_address=True)
    verdict = national.evaluate(case, far_secret, make_stream())
    assert verdict.eligible
    assert "secret address" in verdict.met

    near_public = make_facility(region_id="utrecht", secret_address=False)
    texts = [r.text for r in national.evaluate(case, near_public, make_stream()).failed]
    assert texts == [
        "A high safety risk needs a secret address; Test House's address is known.",
        "A high safety risk needs placement outside Utrecht, the region of exploitation; "
        "Test House is in it.",
        "A high safety risk needs at least 50 km from Utrecht; Test House is 0 km away.",
    ]
    neighbour = make_facility(region_id="amersfoort", secret_address=True)  # about 20 km
    texts = [r.text for r in national.evaluate(case, neighbour, make_stream()).failed]
    assert len(texts) == 1
    assert texts[0].startswith(
        "A high safety risk needs at least 50 km from Utrecht; Test House is 2"
    )


def test_low_risk_may_stay_in_region(national, make_case, make_facility, make_stream):
    fac = make_facility(region_id="utrecht")
    assert national.evaluate(make_case(safety_risk=SafetyRisk.LOW), fac, make_stream()).eligible
    medium = national.evaluate(make_case(safety_risk=SafetyRisk.MEDIUM), fac, make_stream())
    assert rules_failed(medium) == ["safety"]


def test_funding_must_cover_type_and_category(national, make_case, make_facility, make_stream):
    fac = make_facility()
    assert national.evaluate(make_case(), fac, make_stream()).eligible
    wrong_type = make_stream(placement_types=frozenset({PlacementType.COSM}))
    assert national.evaluate(make_case(), fac, wrong_type).failed[0].text == (
        "Test stream does not pay for Women's shelter beds."
    )
    wrong_group = make_stream(case_categories=frozenset({"adult_b8"}))
    assert national.evaluate(make_case(), fac, wrong_group).failed[0].text == (
        "Test stream does not pay for this case (30, female, Dutch)."
    )
    assert (
        national.evaluate(make_case(), fac, None).failed[0].text
        == "Test House has no known funding stream."
    )


def test_national_rulebook_lets_regional_streams_pay_for_any_region(
    national, make_case, make_facility, make_stream
):
    wmo_groningen = make_stream(region_id="groningen")
    assert national.evaluate(
        make_case(region_signalled="utrecht"), make_facility(), wmo_groningen
    ).eligible


def test_every_failed_rule_is_reported_not_just_the_first(
    national, make_case, make_facility, make_stream
):
    case = make_case(
        gender=Gender.MALE, age=40, needs=frozenset({Need.LVB}), safety_risk=SafetyRisk.HIGH
    )
    fac = make_facility(
        gender_policy=GenderPolicy.FEMALE_ONLY,
        max_age=30,
        region_id="utrecht",
        placement_type=PlacementType.COSM,
    )
    verdict = national.evaluate(
        case, fac, make_stream(placement_types=frozenset({PlacementType.OMM}))
    )
    assert rules_failed(verdict) == [
        "category",
        "gender",
        "age",
        "safety",
        "safety",
        "safety",
        "needs",
        "funding",
    ]
    assert verdict.summary().startswith("not eligible: COSM (categorical shelter) serves")


def test_eligible_types_for_an_unaccompanied_minor(national, make_case):
    case = make_case(age=15, residence_status=ResidenceStatus.ASYLUM, unaccompanied=True)
    eligible = {t for t, v in national.eligible_types(case).items() if v.eligible}
    assert eligible == {PlacementType.PROTECTED_RECEPTION}


def test_a_woman_is_not_for_a_mens_shelter_nor_a_man_for_a_womens_shelter(national, make_case):
    # issue 14: the case page said "Men's shelter: yes" for a woman
    woman = national.eligible_types(make_case(gender=Gender.FEMALE))
    assert woman[PlacementType.WOMENS_SHELTER].eligible
    mens = woman[PlacementType.MENS_SHELTER]
    assert not mens.eligible
    assert [r.rule for r in mens.failed] == [Rule.GENDER]
    assert mens.failed[0].text == "Men's shelter is for male cases; this case is female."
    man = national.eligible_types(make_case(gender=Gender.MALE))
    assert man[PlacementType.MENS_SHELTER].eligible
    assert not man[PlacementType.WOMENS_SHELTER].eligible
    x = national.eligible_types(make_case(gender=Gender.X))
    assert not x[PlacementType.MENS_SHELTER].eligible
    assert not x[PlacementType.WOMENS_SHELTER].eligible


def test_categories_handed_in_give_the_verdicts_computed_afresh(national):
    # issue 11: build_problem computes a case's categories once and hands them to every
    # pair; every pair of the demo round must get the verdict it got without them
    from benchmarks.matching.live_round import demo_supply

    snapshot, waiting = demo_supply()
    book = national
    streams = {s.id: s for s in snapshot.funding_streams}
    for case in waiting:
        cats = book.categories(case)
        assert book.eligible_types(case, genders=False, categories=cats) == book.eligible_types(
            case, genders=False
        )
        for fac in snapshot.facilities:
            stream = streams.get(fac.funding_stream_id)
            assert book.evaluate(case, fac, stream, categories=cats) == book.evaluate(
                case, fac, stream
            )
