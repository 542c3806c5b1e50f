"""Walk every URL pattern (pages and API) for every role, with the own team's and another team's objects,
and fail on any 200 the access rules do not allow.

A new URL fails this test until it is classified in ACCESS below: access is decided on purpose, never by
accident. Only GET is walked (what can be read); writes are covered by each feature's own tests.
"""
import datetime as dt
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from cases import services
from cases.models import Consent, InterventionType
from common.audit import Actor
from reporting.mkba.models import Scenario
from tests.factories import StaffFactory
from tests.zrm.factories import all_scores, case_with_adult, record

pytestmark = pytest.mark.django_db

TEAM = {"sociaal_werker", "teamleider"}
LEADER = {"teamleider"}
EVERYONE = {"sociaal_werker", "teamleider", "gemeente", "beheerder", "privacy"}
MKBA = {"teamleider", "gemeente", "beheerder"}

# URL name -> the roles that may get a 200 with their OWN team's objects (or without objects).
# Another team's objects never give a 200, except where OTHER_TEAM_OK says so.
ACCESS = {
    "home": set(),  # redirects to the role's start page
    "login": EVERYONE, "logout": set(), "otp_verify": EVERYONE, "otp_setup": EVERYONE,
    "schema": EVERYONE, "api-docs": EVERYONE, "openapi-json": EVERYONE,
    "cases:my_caseload": TEAM, "cases:new_melding": TEAM, "cases:team": LEADER,
    "cases:regiecheck": TEAM, "cases:subject_access": {"privacy"}, "cases:break_glass_log": LEADER,
    "reporting:my_dashboard": TEAM, "reporting:team_dashboard": LEADER, "reporting:team_export": LEADER,
    "reporting:drilldown": LEADER, "reporting:municipality": {"gemeente", "teamleider"},
    "reporting:municipality_export": {"gemeente", "teamleider"},
}
# Families: every name with this prefix gets these roles (checked after ACCESS).
FAMILIES = [
    ("cases:", TEAM), ("zrm:", TEAM), ("reporting:mkba:", MKBA), ("api-", TEAM), ("zrm-", TEAM),
]
# Machine-only or aggregate API endpoints reachable with a staff session.
API_SESSION = {
    "research-extract": set(), "registration-import": LEADER, "mkba-calculation": MKBA,
    "api-regiecheck": TEAM,
    "aggregates": {"gemeente", "teamleider"}, "aggregates-export": {"gemeente", "teamleider"},
    "aggregates-periods": {"gemeente", "teamleider"},
}
OTHER_TEAM_OK = {"cases:break_glass"}  # the page that asks for a reason to break the glass
# Anonymous: only the login page (2FA pages redirect to login) and the API's OpenAPI document (NL API Design Rules).
PUBLIC = {"login", "otp_verify", "otp_setup", "openapi-json"}

SEGMENT_MODEL = {
    "casussen": "case", "metingen": "measurement", "zrm-metingen": "measurement", "scenario": "scenario",
    "plannen": "plan", "trajecten": "intervention", "huishoudens": "household", "personen": "person",
    "toestemmingen": "consent", "gezinsleden": "person",
}
PARAM_MODEL = {"plan_pk": "plan", "intervention_pk": "intervention", "person_pk": "person", "person_id": "person",
               "case_id": "case", "consent_pk": "consent"}


def walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), namespace + (pattern.name or "")


def routes():
    for route, name in walk(get_resolver().url_patterns):
        if route.startswith(("beheer/", "static/")) or name.endswith("-docs-script"):
            continue
        yield route, name


def allowed_roles(name: str):
    if name in ACCESS:
        return ACCESS[name]
    if name in API_SESSION:
        return API_SESSION[name]
    for prefix, roles in FAMILIES:
        if name.startswith(prefix):
            return roles
    return None


def build_url(route: str, objects: dict) -> str:
    def value(match):
        converter, param = match.group(1), match.group(2)
        if converter == "str":
            return "csv"
        if converter == "slug":
            return "onbekend"
        model = PARAM_MODEL.get(param)
        if model is None:
            segment = route[:match.start()].rstrip("/").split("/")[-1]
            model = SEGMENT_MODEL[segment]
        return str(objects[model])

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", value, route)


def side(name: str) -> dict:
    """A team with a social worker, a team leader and one of every object a URL can name."""
    case, adult = case_with_adult()
    team = case.team
    leader = StaffFactory(leader=True, team=team)
    actor = Actor(user=case.regisseur.user)
    measurement = record(case, adult, scores=all_scores(2))
    plan = services.start_plan(actor=actor, case=case, covered_persons=[adult])
    intervention, _ = services.record_intervention(actor=actor, case=case, data=services.InterventionData(
        type=InterventionType.objects.get(code="schuldhulpverlening"), team_action="gestart", deliverer="extern"))
    consent = Consent.objects.create(household=case.household, purpose="informatiedeling",
                                     given_on=dt.date.today(), recorded_by=case.regisseur.user)
    scenario = Scenario.objects.create(name=f"Basis {name}", team=team, year=dt.date.today().year, is_base=True)
    return {
        "users": {"sociaal_werker": case.regisseur.user, "teamleider": leader.user},
        "objects": {"case": case.pk, "household": case.household_id, "person": adult.pk,
                    "measurement": measurement.pk, "plan": plan.pk, "intervention": intervention.pk,
                    "consent": consent.pk, "scenario": scenario.pk},
    }


def test_every_url_is_classified():
    unclassified = sorted(name for _, name in routes() if allowed_roles(name) is None)
    assert not unclassified, f"classify these URLs in ACCESS/FAMILIES/API_SESSION: {unclassified}"


def test_no_role_reads_what_it_may_not(client):
    own, other = side("A"), side("B")
    users = dict(own["users"])
    users.update({role: StaffFactory(**{flag: True}).user for role, flag in
                  (("gemeente", "municipality"), ("beheerder", "administrator"))})
    users["privacy"] = StaffFactory(role="privacy", team=None).user
    unexpected = []
    for route, name in routes():
        roles = allowed_roles(name)
        for label, objects in (("own", own["objects"]), ("other", other["objects"])):
            url = build_url(route, objects)
            client.logout()
            if client.get(url).status_code == 200 and name not in PUBLIC:
                unexpected.append(("anonymous", label, name, url))
            for role, user in users.items():
                client.force_login(user)
                status = client.get(url).status_code
                # "Another team" only means something for team roles, on URLs that name an object.
                names_object = "<int:" in route or re.search(r"<(?!\w+:)\w+>", route) is not None
                ok = role in roles and (label == "own" or role not in TEAM or not names_object
                                        or name in OTHER_TEAM_OK)
                if status == 200 and not ok:
                    unexpected.append((role, label, name, url))
    assert not unexpected, "unexpected 200s:\n" + "\n".join(map(str, unexpected))
