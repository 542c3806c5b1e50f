"""`seed_demo` and `demo_logins`: a realistic, consistent demo data set in one command."""
import datetime as dt
from io import StringIO

import pytest
from django.http import HttpRequest
from django.core.management import CommandError, call_command
from django.db.models import Count, Q

from cases.models import (
    TEAM_ROLES,
    Case,
    CaseEvent,
    CaseEventKind,
    CaseStatus,
    DirectorAssignment,
    Household,
    MeldingSource,
    Person,
    Role,
    StaffMembership,
    Team,
)
from cases.selectors import household_type
from common.validators import is_valid_bsn, validate_postcode
from demo import small as demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_demo_has_two_teams_in_groningen_with_postcode_areas(seeded):
    teams = list(Team.objects.all())
    assert len(teams) >= 2
    assert {"Wijkteam Oosterparkwijk", "Wijkteam Vinkhuizen"} <= {t.name for t in teams}
    for team in teams:
        assert team.municipality == "Groningen"
        assert team.postcode_areas and all(len(area) == 4 and area.isdigit() for area in team.postcode_areas)


def test_demo_staff_covers_every_role_with_fixed_logins_and_home_organisations(seeded, client):
    staff = list(StaffMembership.objects.select_related("user", "team", "home_organisation"))
    assert len(staff) >= 10
    assert {m.role for m in staff} == set(Role.values)
    assert all(m.home_organisation is not None for m in staff)
    assert all(m.team is not None for m in staff if m.role in TEAM_ROLES)
    assert all(m.user.is_staff == (m.role == Role.ADMINISTRATOR) for m in staff)
    usernames = {m.user.username: m.role for m in staff}
    assert usernames["sociaalwerker"] == Role.SOCIAL_WORKER
    assert usernames["teamleider"] == Role.TEAM_LEADER
    assert usernames["gemeente"] == Role.MUNICIPALITY
    assert usernames["beheerder"] == Role.ADMINISTRATOR
    for username in ("sociaalwerker", "teamleider", "gemeente", "beheerder"):
        assert client.login(request=HttpRequest(), username=username, password=demo.DEMO_PASSWORD), username


@pytest.mark.parametrize(
    ("username", "landing"),
    [("sociaalwerker", "/casussen/mijn-caseload"), ("teamleider", "/casussen/mijn-caseload"),
     ("gemeente", "/rapportage/gemeente"), ("beheerder", "/beheer/")],
)
def test_each_demo_login_lands_on_its_own_page(seeded, client, username, landing):
    assert client.login(request=HttpRequest(), username=username, password=demo.DEMO_PASSWORD)
    response = client.get("/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == landing


def test_the_demo_social_worker_opens_a_case_from_their_caseload(seeded, client):
    worker = StaffMembership.objects.get(user__username="sociaalwerker")
    case = Case.objects.filter(regisseur=worker).exclude(status=CaseStatus.CLOSED).first()
    assert case is not None
    client.login(request=HttpRequest(), username="sociaalwerker", password=demo.DEMO_PASSWORD)
    caseload = client.get("/casussen/mijn-caseload")
    assert caseload.status_code == 200 and f"/casussen/{case.pk}" in caseload.content.decode()
    assert client.get(f"/casussen/{case.pk}").status_code == 200


def test_demo_has_200_households_with_dutch_addresses_in_their_teams_area(seeded):
    households = list(Household.objects.all())
    assert len(households) == 200
    addresses = set()
    for household in households:
        validate_postcode(household.postcode)
        assert household.street and household.city == "Groningen" and household.house_number >= 1
        addresses.add((household.postcode, household.house_number, household.house_number_addition))
    assert len(addresses) == 200
    for case in Case.objects.select_related("household", "team"):
        assert case.household.postcode[:4] in case.team.postcode_areas


def test_demo_households_mix_gezin_ouderen_and_overig(seeded):
    households = Household.objects.prefetch_related("memberships__person")
    types = [household_type(list(h.memberships.all())) for h in households]
    for kind in ("gezin", "ouderen", "overig"):
        assert types.count(kind) >= 20, (kind, types.count(kind))
    assert all(h.memberships.all() for h in households)


def test_demo_bsns_are_elfproef_valid_and_unique_for_most_persons(seeded):
    bsns = list(Person.objects.values_list("bsn", flat=True))
    given = [bsn for bsn in bsns if bsn]
    assert len(given) >= 0.8 * len(bsns)
    assert all(is_valid_bsn(bsn) for bsn in given)
    assert len(set(given)) == len(given)


def test_demo_cases_cover_every_status_source_and_reopening(seeded):
    cases = Case.objects.all()
    assert set(cases.values_list("status", flat=True)) == set(CaseStatus.values)
    assert set(cases.values_list("melding_source_id", flat=True)) == set(MeldingSource.objects.values_list("pk", flat=True))
    closed = cases.filter(status=CaseStatus.CLOSED)
    assert not closed.filter(Q(closed_on__isnull=True) | Q(closure_reason__isnull=True)).exists()
    assert closed.values("closure_reason").distinct().count() >= 5
    reopened = list(cases.filter(reopened_from__isnull=False).select_related("reopened_from"))
    assert reopened
    for case in reopened:
        old = case.reopened_from
        assert old.status == CaseStatus.CLOSED and old.household_id == case.household_id
        assert 0 <= (case.melding_date - old.closed_on).days <= 365
    assert not cases.filter(status=CaseStatus.IN_PROGRESS, first_contact_date__isnull=True).exists()
    assert not cases.filter(status=CaseStatus.REGISTERED, first_contact_date__isnull=False).exists()


def test_every_household_has_at_most_one_open_case_directed_by_its_own_team(seeded):
    open_cases = Case.objects.exclude(status=CaseStatus.CLOSED).select_related("regisseur")
    assert not Household.objects.annotate(
        n=Count("cases", filter=~Q(cases__status=CaseStatus.CLOSED))
    ).filter(n__gt=1).exists()
    for case in open_cases:
        assert case.regisseur.team_id == case.team_id
        assert case.regisseur.role in TEAM_ROLES and case.regisseur.active


def test_director_history_has_transfers_and_matches_the_current_director(seeded):
    transfers = DirectorAssignment.objects.exclude(reason="Eerste toewijzing")
    assert transfers.count() >= 5
    for case in Case.objects.prefetch_related("director_assignments"):
        history = list(case.director_assignments.all())
        assert history[0].started_on == case.melding_date
        for earlier, later in zip(history, history[1:]):
            assert earlier.ended_on == later.started_on and earlier.regisseur_id != later.regisseur_id
        assert history[-1].regisseur_id == case.regisseur_id
        if case.status == CaseStatus.CLOSED:
            assert history[-1].ended_on == case.closed_on
        else:
            assert history[-1].ended_on is None


def test_case_timelines_follow_the_case(seeded):
    for case in Case.objects.prefetch_related("events"):
        kinds = [event.kind for event in case.events.all()]
        assert CaseEventKind.MELDING in kinds and CaseEventKind.DIRECTOR in kinds
        assert (CaseEventKind.FIRST_CONTACT in kinds) == (case.first_contact_date is not None)
        assert (CaseEventKind.CLOSED in kinds) == (case.status == CaseStatus.CLOSED)
        assert (CaseEventKind.REOPENED in kinds) == (case.reopened_from_id is not None)
    assert CaseEvent.objects.filter(kind=CaseEventKind.TRANSFER).exists()


def test_summary_line_counts_without_personal_data(seeded):
    lines = [line for line in seeded.splitlines() if line.strip()]
    assert len(lines) == 1
    assert "200 huishoudens" in lines[0] and "casussen" in lines[0]
    some_person = Person.objects.exclude(bsn__isnull=True).first()
    assert some_person.bsn not in seeded and some_person.last_name not in seeded


def test_seed_demo_if_empty_is_a_no_op_the_second_time():
    call_command("seed_demo", "--if-empty", stdout=StringIO())
    before = (Household.objects.count(), Person.objects.count(), Case.objects.count(), StaffMembership.objects.count())
    out = StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)
    after = (Household.objects.count(), Person.objects.count(), Case.objects.count(), StaffMembership.objects.count())
    assert after == before
    assert "niet geladen" in out.getvalue()


def test_seed_demo_refuses_a_database_that_holds_data():
    Team.objects.create(name="Bestaand team", municipality="Groningen", postcode_areas=["9711"])
    with pytest.raises(CommandError, match="lege database"):
        call_command("seed_demo", stdout=StringIO())
    assert Household.objects.count() == 0 and Team.objects.count() == 1


def test_seed_demo_only_offers_known_scales():
    with pytest.raises(CommandError):
        call_command("seed_demo", "--scale", "rotterdam", stdout=StringIO())


def test_same_seed_gives_the_same_data_and_another_seed_differs():
    scale = demo.SCALES["demo"]
    today = dt.date(2026, 3, 1)

    def plan(seed):
        return demo.plan_staff(scale, seed), list(demo.plan_households(scale, demo.plan_staff(scale, seed), seed, today))

    assert plan(7) == plan(7)
    assert plan(7)[1] != plan(8)[1]
    # Usernames (the demo logins) do not depend on the seed.
    assert [s.username for s in plan(7)[0]] == [s.username for s in plan(8)[0]]


def test_plan_dates_are_consistent_on_a_leap_day():
    scale = demo.SCALES["demo"]
    today = dt.date(2028, 2, 29)
    staff = demo.plan_staff(scale, 3)
    for household in demo.plan_households(scale, staff, 3, today):
        for member in household.members:
            assert member.date_of_birth <= today
        for case in household.cases:
            assert case.melding_date <= today
            if case.first_contact_date:
                assert case.melding_date <= case.first_contact_date <= today
            if case.closed_on:
                assert case.melding_date <= case.closed_on <= today


def test_demo_logins_prints_one_login_per_role_with_the_password_and_url(seeded):
    out = StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    assert demo.DEMO_PASSWORD in text and "http://127.0.0.1:8000/" in text
    rows = {line.split()[0]: line for line in text.splitlines() if line.strip()}
    assert "Sociaal werker" in rows["sociaalwerker"] and "Wijkteam Oosterparkwijk" in rows["sociaalwerker"]
    assert "Teamleider" in rows["teamleider"]
    assert "Gemeente" in rows["gemeente"]
    assert "Functioneel beheerder" in rows["beheerder"]


def test_two_demo_beheerders_can_try_the_four_eyes_rule(seeded):
    """Issue 15: access to personal data is requested by one beheerder and approved by another."""
    out = StringIO()
    call_command("demo_logins", stdout=out)
    rows = {line.split()[0]: line for line in out.getvalue().splitlines() if line.strip()}
    assert "Functioneel beheerder" in rows["beheerder"] and "Functioneel beheerder" in rows["beheerder2"]
    beheerders = StaffMembership.objects.filter(role=Role.ADMINISTRATOR, active=True)
    assert sorted(beheerders.values_list("user__username", flat=True)) == ["beheerder", "beheerder2"]
    assert not StaffMembership.objects.filter(user__in=beheerders.values("user"), role__in=TEAM_ROLES).exists()


def test_demo_logins_without_demo_data_says_how_to_load_them():
    out = StringIO()
    call_command("demo_logins", stdout=out)
    assert "seed_demo" in out.getvalue()
