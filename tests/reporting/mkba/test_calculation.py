"""The MKBA calculation against examples computed by hand (DOMAIN.md §5). No database needed."""
import copy

import pytest

from reporting.mkba.calculation import InvalidInput, calculate

PRICES = {
    "team_member_fte": 85000, "team_leader_fte": 92000, "team_hour": 71, "schuldhulpverlening": 2000,
    "ggz_ambulant": 2100, "maatschappelijke_opvang": 15100, "uitkering": 14400, "qaly": 20000, "work_year": 15000,
    "escalation_huisuitzetting": 20000,
}


def document(**changes):
    doc = {
        "name": "Voorbeeld", "year": 2025,
        "team": {"memberFte": 10, "memberCostPerFte": 85000, "leaderFte": 1, "leaderCostPerFte": 92000,
                 "otherCosts": 50000, "additionalShare": 0},
        "friction": {"share": 0, "otherOneOffCosts": 0},
    }
    for path, value in changes.items():
        target = doc
        *parents, last = path.split("__")
        for part in parents:
            target = target.setdefault(part, {})
        target[last] = value
    return doc


def test_friction_counts_the_team_members_only_not_the_team_leader():
    result = calculate(document(friction__share=0.4, friction__otherOneOffCosts=10000), PRICES)
    # 0.4 x 10 fte x 85,000 + 10,000 one-off; with the leader it would have been 0.4 x 942,000 + 10,000 = 386,800.
    assert result["costs"]["friction"] == 350000.0
    # the new approach: 10 x 85,000 + 1 x 92,000 + 50,000
    assert result["costs"]["newApproach"] == 992000.0
    assert result["costs"]["total"] == 1342000.0


def test_nieuw_voor_oud_without_additional_financing_equals_the_cost_of_the_new_approach():
    result = calculate(document(team__additionalShare=0), PRICES)
    assert result["benefits"]["newForOld"] == 992000.0


def test_nieuw_voor_oud_with_sixty_percent_additional_financing_is_forty_percent_of_the_new_approach():
    result = calculate(document(team__additionalShare=0.6), PRICES)
    assert result["benefits"]["newForOld"] == 396800.0  # (1 - 0.6) x 992,000


def test_a_benefit_in_year_three_is_discounted_at_five_and_a_half_percent():
    doc = document(benefits=[{"category": "escalation", "label": "Voorkomen huisuitzettingen", "amount": 100000,
                              "year": 3, "actor": "woningcorporatie"}])
    result = calculate(doc, PRICES)
    # 100,000 / 1.055^3 = 100,000 / 1.174241375 = 85,161.37
    assert result["benefits"]["escalation"] == 85161.37
    line = next(line for line in result["lines"] if line["category"] == "escalation")
    assert (line["amount"], line["presentValue"], line["year"]) == (100000.0, 85161.37, 3)


def test_the_discount_rate_can_be_set_in_the_input():
    doc = document(discountRate=0.1, benefits=[{"category": "effectiveness", "label": "x", "amount": 12100,
                                                 "year": 2}])
    assert calculate(doc, PRICES)["benefits"]["effectiveness"] == 10000.0  # 12,100 / 1.1^2


def test_organisation_savings_and_costs_are_not_discounted():
    doc = document(discountRate=0.5, substitutedTrajectories=[{"type": "schuldhulpverlening", "count": 3}],
                   coordination={"households": 10, "interventionsPerHousehold": 4})
    result = calculate(doc, PRICES)
    assert result["benefits"]["substitution"] == 6000.0
    assert result["benefits"]["coordination"] == 1420.0  # 10 x 4 x 0.5 h (default) x 71 (price team_hour)
    assert result["costs"]["newApproach"] == 992000.0


RATIO_DOC = {
    "name": "Ratio's", "year": 2025,
    "team": {"memberFte": 1, "memberCostPerFte": 100000, "leaderFte": 0, "leaderCostPerFte": 0, "otherCosts": 0,
             "additionalShare": 0.5},
    "friction": {"share": 0},
    "substitutedTrajectories": [{"type": "schuldhulpverlening", "count": 10}],
    "coordination": {"households": 10, "interventionsPerHousehold": 2, "hoursSavedPerIntervention": 0.5,
                     "hourlyCost": 71},
    "benefits": [
        {"category": "effectiveness", "label": "Schuldhulp slaagt vaker", "amount": 19290, "year": 0},
        {"category": "intangible", "label": "Kwaliteit van leven", "amount": 30000, "year": 0},
    ],
}


def test_financial_ratio_leaves_out_intangibles_and_societal_ratio_includes_them():
    result = calculate(RATIO_DOC, PRICES)
    # costs 100,000; financial benefits 50,000 + 20,000 + 710 + 19,290 = 90,000; plus 30,000 intangible
    assert result["costs"]["total"] == 100000.0
    assert result["benefits"]["financialTotal"] == 90000.0
    assert result["benefits"]["total"] == 120000.0
    assert result["ratioFinancial"] == 0.9
    assert result["ratioSocietal"] == 1.2
    assert result["balanceFinancial"] == -10000.0
    assert result["balanceSocietal"] == 20000.0


def test_without_intangibles_the_two_ratios_coincide():
    doc = copy.deepcopy(RATIO_DOC)
    doc["benefits"] = doc["benefits"][:1]
    result = calculate(doc, PRICES)
    assert result["ratioFinancial"] == result["ratioSocietal"] == 0.9


def test_municipal_ratio_takes_only_what_the_gemeente_pays_and_gains():
    doc = copy.deepcopy(RATIO_DOC)
    doc["extraTrajectories"] = [{"type": "ggz_ambulant", "count": 10}]  # paid by the zorgverzekeraar: 21,000
    doc["benefits"].append({"category": "escalation", "label": "Huisuitzetting", "amount": 40000, "year": 0,
                            "actor": "woningcorporatie"})
    result = calculate(doc, PRICES)
    # gemeente: costs 100,000; benefits new-for-old 50,000 + substitution 20,000 + coordination 710 +
    # effectiveness 19,290 = 90,000 (intangible goes to huishoudens, the eviction to the woningcorporatie)
    assert result["ratioMunicipal"] == 0.9
    actors = {row["actor"]: row for row in result["byActor"]}
    assert actors["zorgverzekeraar"]["costs"] == 21000.0
    assert actors["woningcorporatie"]["benefits"] == 40000.0
    assert actors["huishoudens"]["benefits"] == 30000.0


def test_by_actor_sums_equal_the_totals():
    doc = copy.deepcopy(RATIO_DOC)
    doc["extraTrajectories"] = [{"type": "ggz_ambulant", "count": 3.7}, {"type": "maatschappelijke_opvang",
                                                                         "count": 1.25, "actor": "rijk_wlz"}]
    doc["benefits"] += [
        {"category": "escalation", "label": "UHP", "amount": 33333.33, "year": 2, "actor": "gemeente"},
        {"category": "escalation", "label": "Huisuitzetting", "count": 3, "priceKey": "escalation_huisuitzetting",
         "year": 1, "actor": "woningcorporatie"},
        {"category": "intangible", "label": "QALY", "count": 7, "factor": 0.05, "priceKey": "qaly", "year": 0},
    ]
    doc["effects"] = {"attribution": 0.5, "relapse": 0.2}
    result = calculate(doc, PRICES)
    assert round(sum(row["costs"] for row in result["byActor"]), 2) == result["costs"]["total"]
    assert round(sum(row["benefits"] for row in result["byActor"]), 2) == result["benefits"]["total"]
    assert len(result["byActor"]) >= 4


def test_count_based_benefits_are_priced_and_corrected_for_attribution_and_relapse():
    doc = document(effects={"attribution": 0.5, "relapse": 0.2}, benefits=[
        {"category": "escalation", "label": "Huisuitzetting", "count": 4, "priceKey": "escalation_huisuitzetting",
         "year": 0},
        {"category": "intangible", "label": "QALY", "count": 10, "factor": 0.05, "priceKey": "qaly", "year": 0},
    ])
    result = calculate(doc, PRICES)
    assert result["benefits"]["escalation"] == 32000.0  # 4 x 20,000 x 0.5 x 0.8
    assert result["benefits"]["intangible"] == 4000.0  # 10 x 0.05 QALY x 20,000 x 0.5 x 0.8


def test_trajectory_prices_come_from_the_price_book_and_can_be_overridden_in_the_input():
    doc = document(extraTrajectories=[{"type": "schuldhulpverlening", "count": 2.5}])
    assert calculate(doc, PRICES)["costs"]["extraCare"] == 5000.0
    doc["priceBook"] = {"schuldhulpverlening": 3000}
    result = calculate(doc, PRICES, price_book_version=7)
    assert result["costs"]["extraCare"] == 7500.0
    assert result["priceBookVersion"] == 7 and result["pricesUsed"]["schuldhulpverlening"] == 3000.0


def test_team_costs_per_fte_default_to_the_price_book():
    doc = document()
    del doc["team"]["memberCostPerFte"], doc["team"]["leaderCostPerFte"]
    assert calculate(doc, PRICES)["costs"]["newApproach"] == 992000.0


def test_a_ratio_without_costs_is_null():
    doc = document(team={"memberFte": 0, "leaderFte": 0, "additionalShare": 0})
    result = calculate(doc, PRICES)
    assert result["ratioFinancial"] is None and result["ratioMunicipal"] is None


# --- Validation ------------------------------------------------------------------------------------

def issues_of(doc, prices=PRICES):
    with pytest.raises(InvalidInput) as caught:
        calculate(doc, prices, price_book_version=1)
    return {issue.path: issue for issue in caught.value.issues}


def test_an_unknown_trajectory_type_is_named_with_its_path():
    issues = issues_of(document(extraTrajectories=[{"type": "toverdrank", "count": 1}]))
    assert issues["extraTrajectories.0.type"].code == "unknown_type"
    assert "Onbekende trajectsoort 'toverdrank'" in issues["extraTrajectories.0.type"].message
    assert "versie 1" in issues["extraTrajectories.0.type"].message


def test_a_price_that_is_not_a_trajectory_cannot_be_used_as_a_type():
    issues = issues_of(document(substitutedTrajectories=[{"type": "qaly", "count": 1}]))
    assert issues["substitutedTrajectories.0.type"].code == "unknown_type"


def test_a_negative_count_is_refused():
    issues = issues_of(document(substitutedTrajectories=[{"type": "schuldhulpverlening", "count": -2}]))
    assert issues["substitutedTrajectories.0.count"].message == "Een aantal mag niet negatief zijn."
    assert issues["substitutedTrajectories.0.count"].code == "negative"


@pytest.mark.parametrize("path", ["friction__share", "team__additionalShare", "discountRate"])
@pytest.mark.parametrize("value", [1.4, -0.1])
def test_a_share_outside_zero_and_one_is_refused(path, value):
    issues = issues_of(document(**{path: value}))
    issue = issues[path.replace("__", ".")]
    assert issue.code == "out_of_range" and "tussen 0 en 1" in issue.message


def test_missing_keys_are_all_listed_at_once():
    issues = issues_of({"year": 2025, "team": {"memberCostPerFte": 1}})
    assert {"name", "team.memberFte", "team.leaderFte", "team.additionalShare", "friction"} <= set(issues)
    assert all(issues[path].code == "required" for path in ("name", "team.memberFte", "friction"))


def test_wrong_types_categories_actors_and_years_are_reported():
    doc = document(benefits=[
        {"category": "geluk", "label": "x", "amount": 1, "year": 0},
        {"category": "intangible", "label": "y", "amount": "veel", "year": 12, "actor": "buurman"},
        {"category": "escalation", "label": "z", "year": 1},
    ])
    issues = issues_of(doc)
    assert issues["benefits.0.category"].code == "unknown_category"
    assert issues["benefits.1.amount"].message == "Moet een getal zijn."
    assert issues["benefits.1.year"].code == "out_of_range"
    assert issues["benefits.1.actor"].code == "unknown_actor"
    assert issues["benefits.2.amount"].code == "required"


def test_a_missing_price_for_the_team_costs_is_reported_on_the_input_that_needs_it():
    doc = document()
    del doc["team"]["memberCostPerFte"]
    issues = issues_of(doc, prices={"team_leader_fte": 1})
    assert "team_member_fte" in issues["team.memberCostPerFte"].message


def test_placeholder_prices_are_reported_only_when_they_weigh_in():
    doc = document(benefits=[
        {"category": "escalation", "label": "Huisuitzetting", "count": 0, "priceKey": "escalation_huisuitzetting",
         "year": 1},
    ])
    placeholders = {"escalation_huisuitzetting"}
    assert calculate(doc, PRICES, placeholder_keys=placeholders)["placeholderPricesUsed"] == []
    doc["benefits"][0]["count"] = 2
    assert calculate(doc, PRICES, placeholder_keys=placeholders)["placeholderPricesUsed"] == [
        "escalation_huisuitzetting"]


def test_the_organisation_lines_go_to_the_gemeente_unless_the_input_names_another_actor():
    result = calculate(document(actors={"newForOld": "rijk_wlz"}), PRICES)
    actors = {row["actor"]: row for row in result["byActor"]}
    assert actors["gemeente"]["costs"] == 992000.0 and actors["gemeente"]["benefits"] == 0.0
    assert actors["rijk_wlz"]["benefits"] == 992000.0
    issues = issues_of(document(actors={"newForOld": "buurman", "lunch": "gemeente"}))
    assert issues["actors.newForOld"].code == "unknown_actor" and "actors.lunch" in issues
