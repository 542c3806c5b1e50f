"""The casus page reads each part once: the ZRM panel's measurements also give the plan's low domains and the
schedule, intervention types come from the code list, and every read of personal data is audited in one
INSERT. These tests pin that the shortcuts show exactly what the separate selectors show."""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import selectors, services
from cases.models import HouseholdMembership, InterventionType, MemberRole
from common.models import AuditAction, AuditEvent
from tests.cases.test_views_plan import actor_of, finalised, start
from tests.factories import MembershipFactory, PersonFactory
from tests.zrm.factories import all_scores, case_with_adult, record
from zrm import selectors as zrm_selectors

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def url(name, *args):
    return reverse(f"cases:{name}", args=args)


def kind(code):
    return InterventionType.objects.get(code=code)


def intervention(case, **fields):
    data = services.InterventionData(**{"team_action": "gestart", "deliverer": "extern", **fields})
    return services.record_intervention(actor=actor_of(case), case=case, data=data)[0]


@pytest.fixture
def world(client):
    case, adult = case_with_adult()
    client.force_login(case.regisseur.user)
    return case, adult


def test_every_intervention_shows_its_types_the_one_it_bridges_and_what_it_prevented(client, world):
    case, adult = world
    waiting = intervention(case, type=kind("ggz_ambulant"), on_waiting_list=True)
    item = intervention(case, type=kind("anders"), subcategory="begeleiding", person=adult,
                        most_appropriate_type=kind("ggz_ambulant"), deviation_reason="wachtlijst",
                        replaces_type=kind("begeleiding"), bridging_for=waiting)
    services.record_escalation(actor=actor_of(case), case=case, kind="huisuitzetting", prevented=True,
                               prevented_by=item, date=TODAY)
    services.record_escalation(actor=actor_of(case), case=case, kind="ots", prevented=False, date=TODAY)

    response = client.get(url("case_detail", case.pk))
    shown = response.context["interventions"]
    assert shown == [waiting, item]
    assert (shown[1].type, shown[1].most_appropriate_type, shown[1].replaces_type, shown[1].bridging_for) == (
        kind("anders"), kind("ggz_ambulant"), kind("begeleiding"), waiting)
    assert shown[1].bridging_for.type == kind("ggz_ambulant") and shown[0].most_appropriate_type is None
    escalations = response.context["escalations"]
    assert [e.prevented_by for e in escalations] == [item, None]
    content = response.content.decode()
    assert f"vervangt: {kind('begeleiding').label}" in content
    assert f"Meest passend: {kind('ggz_ambulant').label} (" in content
    assert f"overbrugt: {kind('ggz_ambulant').label}" in content
    assert f'<td class="utrecht-table__cell">{kind("anders").label}</td>' in content  # voorkomen door
    assert adult.full_name in content


def test_the_zrm_panel_shows_latest_corrected_drafts_and_former_members_as_its_own_selectors(client, world):
    case, adult = world
    other = MembershipFactory(household=case.household, role=MemberRole.PARTNER).person
    original = record(case, adult, date=TODAY - dt.timedelta(days=3), scores={**all_scores(3), "financien": 2})
    correction = record(case, adult, date=TODAY - dt.timedelta(days=2), supersedes=original,
                        correction_reason="Typfout", scores={**all_scores(3), "financien": 1})
    draft = record(case, adult, type="tussenmeting", finalise=False)
    former = record(case, other, date=TODAY - dt.timedelta(days=2))
    HouseholdMembership.objects.filter(household=case.household, person=other).update(valid_to=TODAY)
    start_at = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    response = client.get(url("case_detail", case.pk))
    panel = response.context["zrm_panel"]
    assert [(row["person"], row["latest"], row["drafts"], row["count"], row["is_member"]) for row in panel.rows] == [
        (adult, correction, [draft], 3, True), (other, former, [], 1, False)]
    assert panel.schedule == zrm_selectors.case_schedule(case, TODAY)
    assert panel.schedule[0].done_on == correction.date
    content = response.content.decode()
    assert f"{other.full_name} (geen huidig gezinslid)" in content
    assert reverse("zrm:measurement_edit", args=[draft.pk]) in content
    assert reverse("zrm:measurement_detail", args=[correction.pk]) in content
    assert reverse("zrm:measurement_detail", args=[original.pk]) not in content
    read = AuditEvent.objects.filter(pk__gt=start_at, action=AuditAction.READ, object_type="measurement")
    assert sorted(read.values_list("object_id", "person_id", "case_id")) == sorted(
        [(str(m.pk), m.person_id, case.pk) for m in (correction, draft, former)])


def test_the_low_domains_from_the_panel_equal_those_read_on_their_own(client, world):
    case, adult = world
    child = MembershipFactory(household=case.household, role=MemberRole.CHILD,
                              person=PersonFactory(date_of_birth=dt.date(2012, 3, 1))).person
    first = record(case, adult, date=TODAY - dt.timedelta(days=4), scores={**all_scores(4), "huisvesting": 1})
    # the correction is dated before the measurement it corrects: only "not corrected" keeps the latter out
    record(case, adult, date=TODAY - dt.timedelta(days=5), supersedes=first, correction_reason="Typfout",
           scores={**all_scores(4), "financien": 2, "justitie": 3})
    record(case, adult, type="tussenmeting", finalise=False, scores={**all_scores(4), "werk_opleiding": 1})
    record(case, child, scores={**all_scores(4), "financien": 1})
    plan = start(case, [child, adult])
    services.add_goal(actor=actor_of(case), plan=plan, person=adult,
                      domain=selectors.plan_low_domains(selectors.plan_with_details(plan.pk))[0].domain,
                      description="Schulden in beeld", target_date=TODAY + dt.timedelta(days=30), actor_type="client")

    def rows(items):
        return [(i.person.pk, i.domain.code, i.score, i.measured_on, [g.pk for g in i.goals], i.reason) for i in items]

    alone = rows(selectors.plan_low_domains(selectors.plan_with_details(plan.pk)))
    response = client.get(url("case_detail", case.pk))
    assert rows(response.context["low_domains"]) == alone
    assert [(person, code, score) for person, code, score, *_ in alone] == [
        (adult.pk, "financien", 2), (adult.pk, "justitie", 3), (child.pk, "financien", 1)]  # oldest first


def test_every_read_of_the_page_is_audited_in_one_insert_in_page_order(client, world):
    case, adult = world
    child = MembershipFactory(household=case.household, role=MemberRole.CHILD,
                              person=PersonFactory(date_of_birth=dt.date(2014, 1, 1))).person
    measurement = record(case, adult)
    plan = start(case, [adult])
    item = intervention(case, type=kind("ggz_ambulant"), person=child)
    start_at = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url("case_detail", case.pk))
    members = [m.person for m in response.context["members"]]
    assert set(members) == {adult, child}
    rows = list(AuditEvent.objects.filter(pk__gt=start_at, action=AuditAction.READ).order_by("pk"))
    assert [(r.object_type, r.object_id, r.person_id, r.case_id) for r in rows] == [
        ("case", str(case.pk), None, case.pk),
        *(("person", str(person.pk), person.pk, case.pk) for person in members),
        ("plan", str(plan.pk), None, case.pk),
        ("intervention", str(item.pk), child.pk, case.pk),
        ("measurement", str(measurement.pk), adult.pk, case.pk),
    ]
    assert {r.purpose for r in rows} == {"uitvoering wijkteamtaak"} and len({r.at for r in rows}) == 1
    assert sum(q["sql"].startswith("INSERT") and "cases_auditevent" in q["sql"] for q in ctx.captured_queries) == 1


def test_earlier_plan_versions_are_listed_without_reading_their_details(client, world):
    case, adult = world
    record(case, adult, scores=all_scores(4))
    plan = finalised(case, adult)
    services.evaluate_plan(actor=actor_of(case), plan=plan, evaluation="Gelukt",
                           followed={plan.agreements.get().pk: "ja"})
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url("case_detail", case.pk))
    assert response.context["plan"] is None and response.context["earlier_plans"] == [plan]
    content = response.content.decode()
    assert f"Versie {plan.version} van het plan is geëvalueerd op" in content
    assert url("plan_detail", plan.pk) in content and url("plan_start", case.pk) in content
    assert not [q for q in ctx.captured_queries if 'FROM "cases_goal"' in q["sql"]]

