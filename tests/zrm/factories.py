"""Helpers for ZRM tests: versions, households with or without a child at home, and measurements
written through the real services."""
from __future__ import annotations

import datetime as dt

from cases.models import MemberRole
from common.audit import Actor
from tests.factories import CaseFactory, MembershipFactory, PersonFactory
from zrm import services
from zrm.models import Domain, InstrumentVersion

CODES_2017 = [
    "financien", "werk_opleiding", "tijdsbesteding", "huisvesting", "huiselijke_relaties", "geestelijke_gezondheid",
    "lichamelijke_gezondheid", "middelengebruik", "basale_adl", "instrumentele_adl", "sociaal_netwerk",
    "maatschappelijke_participatie", "justitie",
]
CODES_2013 = [
    "financien", "dagbesteding", "huisvesting", "huiselijke_relaties", "geestelijke_gezondheid",
    "lichamelijke_gezondheid", "verslaving", "adl", "sociaal_netwerk", "maatschappelijke_participatie", "justitie",
]
CHILD_CODES = ["lichamelijke_verzorging", "opvang", "scholing", "sociaal_emotionele_ondersteuning"]


def version(code: str) -> InstrumentVersion:
    return InstrumentVersion.objects.get(code=code)


def domain(version_code: str, code: str) -> Domain:
    return Domain.objects.get(version__code=version_code, code=code)


def case_with_adult(*, melding_date: dt.date | None = None, child: bool = False, **kwargs):
    """An open case whose household has one adult (returned) and optionally a child living at home."""
    case = CaseFactory(members=False, **({"melding_date": melding_date} if melding_date else {}), **kwargs)
    adult = MembershipFactory(household=case.household, role=MemberRole.PARENT).person
    if child:
        MembershipFactory(household=case.household, role=MemberRole.CHILD,
                          person=PersonFactory(date_of_birth=dt.date(2015, 6, 1)))
    return case, adult


def actor_for(case) -> Actor:
    return Actor(user=case.regisseur.user)


def all_scores(value=3, codes=CODES_2017) -> dict:
    return {code: value for code in codes}


def record(case, person, *, scores=None, date=None, type="nulmeting", finalise=True, version_code=None, **kwargs):
    result = services.record_measurement(
        actor=actor_for(case), case=case, person=person, date=date or dt.date.today(), type=type,
        scores=all_scores() if scores is None else scores,
        version=version(version_code) if version_code else None, finalise=finalise, **kwargs,
    )
    return result.measurement
