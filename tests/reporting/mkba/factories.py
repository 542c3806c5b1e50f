"""A registration for MKBA tests, built through the real services (cases and zrm), with every count the
MKBA 2.0 derives from it written down by hand in `EXPECTED` (team A, year YEAR).

Year YEAR is last year, so every date is in the past. Households of team A:

H1 gezin (parent 40, partner 40, child 10), case melding YEAR-02-01, open. Newly found.
   parent  ZRM YEAR-02-15: financien 2, geestelijke_gezondheid 2, tijdsbesteding 1, rest 4 -> meervoudig
           niet-zelfredzaam; YEAR-08-01 financien 4, tijdsbesteding 3, then corrected by a measurement dated
           YEAR-07-31 (financien 2, tijdsbesteding 3): Financiën not improved (the superseded measurement,
           though later, no longer counts), Tijdsbesteding 1 -> 3 improved.
   partner ZRM YEAR-02-15 financien 1, rest 4 (enkelvoudig); YEAR-09-01 financien 3: improved.
   trajectories: schuldhulpverlening started by extern, not without the team (extra care);
   ggz_ambulant started by extern, would have started anyway (no extra care);
   jeugd_opvoedhulp_ambulant started by extern, no judgement (left out, counted apart).
   escalations: huisuitzetting prevented YEAR-06-01; uithuisplaatsing of 2 children prevented YEAR-07-01.
H2 ouderen (two persons 75), case melding YEAR-1-11-01, open. Not newly found (a running trajectory).
   person A ZRM YEAR-1-11-15 financien 2, rest 4; YEAR-1-12-20 financien 3 (improved last year);
           YEAR-03-01 financien 4: not counted again this year.
   person B ZRM YEAR-1-11-15 financien 1, rest 4; YEAR-05-01 financien 2: not improved above 2.
   -> enkelvoudig.
   trajectories: wmo_huishoudelijke_hulp running at the start; maatschappelijke_dienstverlening by
   extern stopped by the team YEAR-05-01 (substitution).
   escalation: opname_ggz prevented YEAR-1-12-01 (last year: not counted).
H3 overig (single adult 30), case melding YEAR-04-01 closed YEAR-10-01; an earlier case closed two
   years ago (not newly found).
   ZRM YEAR-04-10 financien 3, sociaal_netwerk 3, rest 4, ladder 3 -> meervoudig zelfredzaam;
   YEAR-09-01 same scores, ladder 5 (into work).
   trajectories: 'anders' by the network replacing activerende_dagbesteding (substitution);
   re_integratie by extern, not without the team (extra care); verslavingszorg by extern, not without
   the team (extra care, but no price in the price book: left out with a warning).
H4 gezin, case YEAR-1-01-10 closed YEAR-1-12-01: outside the year; its extra-care trajectory not counted.
H5 overig (single 50), case melding YEAR-09-01, open. Not newly found (a trajectory stopped).
   trajectories: schuldhulpverlening by extern stopped YEAR-10-01 and schuldhulpverlening taken over by
   the team itself from YEAR-10-01: one substitution, not two.
H6 overig (single 50), case melding YEAR-11-01, open. Newly found. Escalation huisuitzetting occurred
   (not prevented): not counted.

Staff of team A: sociaal werkers 0.8 and 1.0 fte, an inactive one (1.0, not counted), teamleider 0.5.
Team B: one sociaal werker (1.0) and one household (case YEAR-03-01) with an extra-care schuldhulpverlening.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cases import services as case_services
from cases.models import CaseStatus, InterventionType, MemberRole
from cases.services import InterventionData
from common.audit import Actor
from tests.factories import (
    CaseFactory,
    HouseholdFactory,
    MembershipFactory,
    PersonFactory,
    StaffFactory,
    TeamFactory,
    closure_reason,
)
from tests.zrm.factories import CODES_2017, record

YEAR = dt.date.today().year - 1


def day(month: int, dom: int, year: int = YEAR) -> dt.date:
    return dt.date(year, month, dom)


EXPECTED = {
    "households": 5,
    "householdsByType": {"gezin": 1, "ouderen": 1, "overig": 3},
    "householdsByCategory": {"enkelvoudig": 1, "meervoudig_zelfredzaam": 1, "meervoudig_niet_zelfredzaam": 1,
                             "onbekend": 2},
    "newlyFound": 2,
    "newlyFoundShare": 0.4,
    "memberFte": 1.8,
    "leaderFte": 0.5,
    "caseloadPerFte": 2.8,  # 5 households / 1.8 fte
    "extraCare": {"re_integratie": 1, "schuldhulpverlening": 1},
    "extraCareUnjudged": 1,
    "unpricedExtra": {"verslavingszorg": 1},
    "substitution": {"activerende_dagbesteding": 1, "maatschappelijke_dienstverlening": 1, "schuldhulpverlening": 1},
    "multiProblemHouseholds": 2,  # H1, H3
    "multiProblemInterventions": 6,  # H1: 3, H3: 3
    "interventionsPerHousehold": 3,
    "escalationsPrevented": {"huisuitzetting": 1, "uhp": 2},
    "qaly": {"financien": 1, "dagbesteding": 1},
    "intoWork": 1,
}


def scores(**changes) -> dict:
    return {code: 4 for code in CODES_2017} | changes


def intervention(case, code: str, action: str, deliverer: str, **fields):
    data = InterventionData(type=InterventionType.objects.get(code=code), team_action=action, deliverer=deliverer,
                            **fields)
    if "replaces_type" in fields and isinstance(fields["replaces_type"], str):
        data.replaces_type = InterventionType.objects.get(code=fields["replaces_type"])
    return case_services.record_intervention(actor=Actor(user=case.regisseur.user), case=case, data=data)[0]


def escalation(case, kind: str, *, prevented: bool, date: dt.date, **fields):
    return case_services.record_escalation(actor=Actor(user=case.regisseur.user), case=case, kind=kind,
                                           prevented=prevented, date=date, **fields)


def household(*members: tuple[str, dt.date]):
    hh = HouseholdFactory()
    persons = [MembershipFactory(household=hh, role=role, person=PersonFactory(date_of_birth=born)).person
               for role, born in members]
    return hh, persons


def open_case(hh, worker, melding: dt.date):
    return CaseFactory(household=hh, regisseur=worker, team=worker.team, melding_date=melding)


def closed_case(hh, worker, melding: dt.date, closed: dt.date):
    return CaseFactory(household=hh, regisseur=worker, team=worker.team, melding_date=melding,
                       status=CaseStatus.CLOSED, closed_on=closed, closure_reason=closure_reason())


@dataclass
class Registration:
    team: object
    other_team: object
    worker: object
    leader: object
    cases: dict


def build_registration(names: tuple[str, str] = ("Wijkteam Noord", "Wijkteam Zuid")) -> Registration:
    team, other_team = TeamFactory(name=names[0]), TeamFactory(name=names[1])
    worker = StaffFactory(team=team, fte=0.8)
    StaffFactory(team=team, fte=1)
    StaffFactory(team=team, fte=1, active=False)
    leader = StaffFactory(team=team, leader=True, fte=0.5)
    StaffFactory(municipality=True, fte=1)
    other_worker = StaffFactory(team=other_team, fte=1)
    parent_born, senior_born, child_born = dt.date(YEAR - 40, 5, 1), dt.date(YEAR - 75, 5, 1), dt.date(YEAR - 10, 5, 1)
    cases = {}

    # H1
    hh, (parent, partner, _child) = household((MemberRole.PARENT, parent_born), (MemberRole.PARTNER, parent_born),
                                              (MemberRole.CHILD, child_born))
    h1 = cases["H1"] = open_case(hh, worker, day(2, 1))
    record(h1, parent, date=day(2, 15), scores=scores(financien=2, geestelijke_gezondheid=2, tijdsbesteding=1))
    wrong = record(h1, parent, date=day(8, 1), type="tussenmeting", scores=scores(financien=4, tijdsbesteding=3))
    record(h1, parent, date=day(7, 31), type="tussenmeting", scores=scores(financien=2, tijdsbesteding=3),
           supersedes=wrong, correction_reason="Financiën verkeerd gescoord en datum gecorrigeerd")
    record(h1, partner, date=day(2, 15), scores=scores(financien=1))
    record(h1, partner, date=day(9, 1), type="tussenmeting", scores=scores(financien=3))
    debt = intervention(h1, "schuldhulpverlening", "gestart", "extern", start_date=day(3, 1),
                        would_have_started_without_team=False)
    intervention(h1, "ggz_ambulant", "gestart", "extern", start_date=day(3, 15), would_have_started_without_team=True)
    intervention(h1, "jeugd_opvoedhulp_ambulant", "gestart", "extern", start_date=day(4, 1))
    escalation(h1, "huisuitzetting", prevented=True, date=day(6, 1), prevented_by=debt)
    escalation(h1, "uhp", prevented=True, date=day(7, 1), children_count=2)

    # H2
    hh, (person_a, person_b) = household((MemberRole.PARENT, senior_born), (MemberRole.PARTNER, senior_born))
    h2 = cases["H2"] = open_case(hh, worker, day(11, 1, YEAR - 1))
    record(h2, person_a, date=day(11, 15, YEAR - 1), scores=scores(financien=2))
    record(h2, person_a, date=day(12, 20, YEAR - 1), type="tussenmeting", scores=scores(financien=3))
    record(h2, person_a, date=day(3, 1), type="tussenmeting", scores=scores(financien=4))
    record(h2, person_b, date=day(11, 15, YEAR - 1), scores=scores(financien=1))
    record(h2, person_b, date=day(5, 1), type="tussenmeting", scores=scores(financien=2))
    intervention(h2, "wmo_huishoudelijke_hulp", "lopend", "extern", start_date=day(6, 1, YEAR - 2))
    intervention(h2, "maatschappelijke_dienstverlening", "gestopt", "extern", start_date=day(1, 1, YEAR - 2),
                 end_date=day(5, 1))
    escalation(h2, "opname_ggz", prevented=True, date=day(12, 1, YEAR - 1))

    # H3
    hh, (adult,) = household((MemberRole.OTHER, dt.date(YEAR - 30, 1, 1)))
    closed_case(hh, worker, day(1, 5, YEAR - 2), day(3, 1, YEAR - 2))
    h3 = cases["H3"] = open_case(hh, worker, day(4, 1))
    record(h3, adult, date=day(4, 10), scores=scores(financien=3, sociaal_netwerk=3), participatieladder=3)
    record(h3, adult, date=day(9, 1), type="tussenmeting", scores=scores(financien=3, sociaal_netwerk=3),
           participatieladder=5)
    intervention(h3, "anders", "gestart", "netwerk", subcategory="begeleiding", start_date=day(5, 1),
                 replaces_type="activerende_dagbesteding")
    intervention(h3, "re_integratie", "gestart", "extern", start_date=day(6, 1), would_have_started_without_team=False)
    intervention(h3, "verslavingszorg", "gestart", "extern", start_date=day(6, 15),
                 would_have_started_without_team=False)
    case_services.close_case(actor=Actor(user=worker.user), case=h3, reason=closure_reason(), closed_on=day(10, 1))

    # H4 (outside the year)
    hh, _ = household((MemberRole.PARENT, parent_born), (MemberRole.CHILD, child_born))
    h4 = cases["H4"] = open_case(hh, worker, day(1, 10, YEAR - 1))
    intervention(h4, "schuldhulpverlening", "gestart", "extern", start_date=day(2, 1, YEAR - 1),
                 would_have_started_without_team=False)
    case_services.close_case(actor=Actor(user=worker.user), case=h4, reason=closure_reason(),
                             closed_on=day(12, 1, YEAR - 1))

    # H5
    hh, _ = household((MemberRole.OTHER, dt.date(YEAR - 50, 1, 1)))
    h5 = cases["H5"] = open_case(hh, worker, day(9, 1))
    intervention(h5, "schuldhulpverlening", "gestopt", "extern", start_date=day(1, 1, YEAR - 1), end_date=day(10, 1))
    intervention(h5, "anders", "gestart", "team", subcategory="praktische_zaken", start_date=day(10, 1),
                 replaces_type="schuldhulpverlening")

    # H6
    hh, _ = household((MemberRole.OTHER, dt.date(YEAR - 50, 1, 1)))
    h6 = cases["H6"] = open_case(hh, worker, day(11, 1))
    escalation(h6, "huisuitzetting", prevented=False, date=day(11, 15))

    # Team B
    hh, _ = household((MemberRole.OTHER, dt.date(YEAR - 50, 1, 1)))
    hb = cases["HB"] = open_case(hh, other_worker, day(3, 1))
    intervention(hb, "schuldhulpverlening", "gestart", "extern", start_date=day(4, 1),
                 would_have_started_without_team=False)
    return Registration(team=team, other_team=other_team, worker=worker, leader=leader, cases=cases)
