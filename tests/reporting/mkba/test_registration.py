"""MKBA 2.0: every input line derived from a registration, checked against counts made by hand
(tests/reporting/mkba/factories.py describes the households and what each one must count for)."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.selectors import household_type
from reporting.mkba import selectors, services
from reporting.mkba.models import Scenario
from tests.reporting.mkba.factories import EXPECTED, YEAR, build_registration

pytestmark = pytest.mark.django_db


@pytest.fixture
def registration():
    return build_registration()


def lines_by_key(items):
    return {item["key"]: item for item in items}


def test_every_derived_input_line_matches_the_hand_count(registration):
    doc = services.registration_document(registration.team.pk, YEAR)
    reg = doc["registration"]

    assert reg["households"] == EXPECTED["households"]
    assert reg["householdsByType"] == EXPECTED["householdsByType"]
    assert reg["householdsByCategory"] == EXPECTED["householdsByCategory"]
    assert reg["newlyFound"] == EXPECTED["newlyFound"]
    assert reg["newlyFoundShare"] == EXPECTED["newlyFoundShare"]
    assert reg["caseloadPerFte"] == EXPECTED["caseloadPerFte"]
    assert reg["extraCareUnjudged"] == EXPECTED["extraCareUnjudged"]
    assert reg["unpricedTrajectories"] == {"extraTrajectories": EXPECTED["unpricedExtra"]}
    assert reg["escalationsPrevented"] == EXPECTED["escalationsPrevented"]
    assert reg["qualityOfLifeImprovements"] == EXPECTED["qaly"]
    assert reg["intoWork"] == EXPECTED["intoWork"]

    # Team: fte from the staff memberships, costs per fte from the price book.
    assert doc["team"]["memberFte"] == EXPECTED["memberFte"]
    assert doc["team"]["leaderFte"] == EXPECTED["leaderFte"]
    assert (doc["team"]["memberCostPerFte"], doc["team"]["leaderCostPerFte"]) == (85000, 92000)
    assert doc["sources"]["team.memberFte"] == "registratie"
    assert doc["sources"]["team.memberCostPerFte"] == "prijsboek"
    assert doc["sources"]["effects.attribution"] == "standaard"

    # Extra care and substitution by trajectory type, each line marked as coming from the registration.
    assert {line["type"]: line["count"] for line in doc["extraTrajectories"]} == EXPECTED["extraCare"]
    assert {line["type"]: line["count"] for line in doc["substitutedTrajectories"]} == EXPECTED["substitution"]
    assert all(line["source"] == "registratie" for line in doc["extraTrajectories"] + doc["substitutedTrajectories"])
    assert any("Verslavingszorg (1)" in warning for warning in doc["warnings"])

    # Coordination.
    assert doc["coordination"]["households"] == EXPECTED["multiProblemHouseholds"]
    assert doc["coordination"]["interventionsPerHousehold"] == EXPECTED["interventionsPerHousehold"]
    assert reg["multiProblemInterventions"] == EXPECTED["multiProblemInterventions"]
    assert (doc["coordination"]["hoursSavedPerIntervention"], doc["coordination"]["hourlyCost"]) == (0.5, 71)

    # Benefit lines: prevented escalations, quality of life, work.
    benefits = lines_by_key(doc["benefits"])
    assert benefits["escalation_huisuitzetting"]["count"] == 1
    assert benefits["escalation_uhp"]["count"] == 2
    assert benefits["escalation_opname_ggz"]["count"] == 0  # prevented last year
    assert benefits["escalation_ots"]["count"] == benefits["escalation_opname_vv"]["count"] == 0
    assert benefits["qaly_financien"]["count"] == 1 and benefits["qaly_dagbesteding"]["count"] == 1
    assert benefits["qaly_financien"]["factor"] == 0.05 and benefits["qaly_financien"]["priceKey"] == "qaly"
    assert benefits["work"]["count"] == 1
    assert doc["effects"] == {"attribution": 0.5, "relapse": 0.2}


def test_household_types_computed_in_sql_agree_with_the_python_rule(registration):
    from cases.models import HouseholdMembership

    cases = selectors.cases_in_scope(registration.team.pk, YEAR)
    on = selectors.year_bounds(YEAR)[1]
    by_rule = {"gezin": 0, "ouderen": 0, "overig": 0}
    for household_id in cases.values_list("household_id", flat=True).distinct():
        members = list(HouseholdMembership.objects.filter(household_id=household_id).select_related("person"))
        by_rule[household_type(members, on)] += 1
    assert selectors.registration_figures(registration.team.pk, YEAR).households_by_type == by_rule


def test_all_teams_add_up_the_teams(registration):
    doc = services.registration_document(None, YEAR)
    assert doc["registration"]["households"] == EXPECTED["households"] + 1
    assert doc["team"]["memberFte"] == EXPECTED["memberFte"] + 1
    assert {line["type"]: line["count"] for line in doc["extraTrajectories"]} == {
        "re_integratie": 1, "schuldhulpverlening": 2}
    assert doc["scope"] == {"team": None, "teamName": "Alle teams"}


def test_the_figures_take_a_fixed_number_of_queries_whatever_the_data(registration):
    with CaptureQueriesContext(connection) as small:
        selectors.registration_figures(registration.team.pk, YEAR)
    with CaptureQueriesContext(connection) as small_all:
        selectors.registration_figures(None, YEAR)
    extra = build_registration(names=("Wijkteam Oost", "Wijkteam West"))
    with CaptureQueriesContext(connection) as large:
        selectors.registration_figures(registration.team.pk, YEAR)
    with CaptureQueriesContext(connection) as large_all:
        selectors.registration_figures(None, YEAR)
    assert len(large.captured_queries) == len(small.captured_queries)
    assert len(large_all.captured_queries) == len(small_all.captured_queries)
    assert selectors.registration_figures(extra.team.pk, YEAR).households == EXPECTED["households"]
    assert selectors.registration_figures(None, YEAR).households == 2 * (EXPECTED["households"] + 1)


def test_the_task_fills_the_base_scenario_from_the_registration_and_computes_it(registration):
    from reporting.mkba import tasks

    assert tasks.refresh_scope.delay(registration.team.pk, YEAR).get() == 1
    base = Scenario.objects.get(team=registration.team, year=YEAR, is_base=True)
    assert base.input_document["registration"]["households"] == EXPECTED["households"]
    assert base.price_book.version == 1 and base.result["priceBookVersion"] == 1
    # extra care: re_integratie 5,500 + schuldhulpverlening 2,000
    assert base.result["costs"]["extraCare"] == 7500.0
    # substitution: activerende dagbesteding 600 + maatschappelijke dienstverlening 1,000 + schuldhulpverlening 2,000
    assert base.result["benefits"]["substitution"] == 3600.0
    # coordination: 2 households x 3 trajectories x 0.5 h x 71
    assert base.result["benefits"]["coordination"] == 213.0
    # escalations in year 1, x 0.5 attribution x (1 - 0.2 relapse), per line:
    # 20,000 x 0.4 / 1.055 = 7,582.94 and 2 x 50,000 x 0.4 / 1.055 = 37,914.69
    assert base.result["benefits"]["escalation"] == 45497.63
    # quality of life in year 0: 2 improvements x 0.05 QALY x 20,000 x 0.4
    assert base.result["benefits"]["intangible"] == 800.0
    # work in year 1: 1 x 15,000 x 0.4 / 1.055
    assert base.result["benefits"]["effectiveness"] == 5687.2
    assert "escalation_huisuitzetting" in base.result["placeholderPricesUsed"]


def test_the_nightly_task_recomputes_every_team_and_all_teams_for_this_and_last_year(registration):
    from reporting.mkba import tasks

    computed = tasks.recompute_all.delay().get()
    # 2 teams + all teams, this year and last year, one base scenario each
    assert computed == 6
    assert Scenario.objects.filter(is_base=True).count() == 6
    assert Scenario.objects.get(team__isnull=True, year=YEAR).input_document["registration"]["households"] == 6
    # idempotent
    assert tasks.recompute_all.delay().get() == 6 and Scenario.objects.count() == 6


def test_the_nightly_recompute_is_scheduled_with_celery_beat():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["mkba-recompute-nightly"]
    assert entry["task"] == "reporting.mkba.tasks.recompute_all"
    from reporting.mkba import tasks

    assert tasks.recompute_all.name == entry["task"]
    assert entry["schedule"].hour == {2}
