"""Interventions (trajectories) and escalations, occurred or prevented."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from common import audit
from common.audit import Actor
from common.models import AuditAction

from ..models import (
    Case,
    Deliverer,
    DeviationReason,
    Escalation,
    EscalationKind,
    Intervention,
    InterventionType,
    OtherSubcategory,
    Person,
    TeamAction,
)
from ..signals import case_changed
from .base import _not_in_future, _raise

@dataclass
class InterventionData:
    type: InterventionType
    team_action: str
    deliverer: str
    person: Person | None = None
    subcategory: str = ""
    provider: str = ""
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    would_have_started_without_team: bool | None = None
    monthly_hours: Decimal | None = None
    most_appropriate_type: InterventionType | None = None
    deviation_reason: str = ""
    replaces_type: InterventionType | None = None
    on_waiting_list: bool = False
    bridging_for: Intervention | None = None
    carried_out_at_6_months: bool | None = None


def _validate_intervention(case: Case, data: InterventionData) -> tuple[dict, list[str]]:
    errors: dict = {}
    warnings: list[str] = []
    if data.type is None:
        errors.setdefault("type", []).append("Kies de soort traject.")
    elif data.type.code == "anders" and data.subcategory not in OtherSubcategory.values:
        errors.setdefault("subcategory", []).append("Kies bij 'anders' een subcategorie.")
    if data.team_action not in TeamAction.values:
        errors.setdefault("team_action", []).append("Geef aan of het traject al liep, of door het team is gestart "
                                                    "of gestopt.")
    if data.deliverer not in Deliverer.values:
        errors.setdefault("deliverer", []).append("Geef aan wie het traject uitvoert.")
    _not_in_future(errors, "start_date", data.start_date)
    if data.start_date and data.end_date and data.end_date < data.start_date:
        errors.setdefault("end_date", []).append("De einddatum ligt vóór de startdatum.")
    if data.team_action == TeamAction.STOPPED and data.end_date is None:
        errors.setdefault("end_date", []).append("Een gestopt traject heeft een einddatum.")
    if data.monthly_hours is not None and data.monthly_hours < 0:
        errors.setdefault("monthly_hours", []).append("Het aantal uren kan niet negatief zijn.")
    if data.monthly_hours is not None and data.deliverer != Deliverer.TEAM:
        errors.setdefault("monthly_hours", []).append("Uren lichte ondersteuning gelden alleen voor het team zelf.")
    cap = settings.WIJKREGIE["LIGHT_SUPPORT_MONTHLY_CAP_HOURS"]
    if data.monthly_hours is not None and data.monthly_hours > cap:
        warnings.append(f"Lichte ondersteuning door het team is begrensd op {cap} uur per maand; "
                        f"hier is {data.monthly_hours} uur geregistreerd.")
    if (data.most_appropriate_type is not None and data.type is not None
            and data.most_appropriate_type.pk != data.type.pk and not data.deviation_reason):
        errors.setdefault("deviation_reason", []).append(
            "De ingezette hulp wijkt af van de meest passende hulp: geef de reden.")
    if data.deviation_reason and data.deviation_reason not in DeviationReason.values:
        errors.setdefault("deviation_reason", []).append("Kies een reden uit de lijst.")
    if data.bridging_for is not None and data.bridging_for.case_id != case.pk:
        errors.setdefault("bridging_for", []).append("Overbrugging kan alleen voor een traject in deze casus.")
    if data.person is not None and not case.household.memberships.filter(person=data.person).exists():
        errors.setdefault("person", []).append("Dit is geen gezinslid van dit huishouden.")
    return errors, warnings


def record_intervention(*, actor: Actor, case: Case, data: InterventionData) -> tuple[Intervention, list[str]]:
    """Register a trajectory. Returns it with warnings (e.g. light support above the monthly cap)."""
    errors, warnings = _validate_intervention(case, data)
    _raise(errors)
    with transaction.atomic():
        intervention = Intervention.objects.create(case=case, **{f: getattr(data, f) for f in _INTERVENTION_FIELDS})
        audit.record(actor, AuditAction.CREATE, intervention, person=data.person, case=case)
        case_changed.send(sender=Case, case_id=case.pk)  # after commit: reporting facts and aggregates
    return intervention, warnings


def update_intervention(*, actor: Actor, intervention: Intervention, data: InterventionData
                        ) -> tuple[Intervention, list[str]]:
    errors, warnings = _validate_intervention(intervention.case, data)
    if data.bridging_for is not None and data.bridging_for.pk == intervention.pk:
        errors.setdefault("bridging_for", []).append("Een traject kan geen overbrugging voor zichzelf zijn.")
    _raise(errors)
    with transaction.atomic():
        for name in _INTERVENTION_FIELDS:
            setattr(intervention, name, getattr(data, name))
        intervention.save()
        audit.record(actor, AuditAction.UPDATE, intervention, person=data.person, case=intervention.case)
        case_changed.send(sender=Case, case_id=intervention.case_id)  # after commit: reporting facts and aggregates
    return intervention, warnings


_INTERVENTION_FIELDS = [f for f in InterventionData.__dataclass_fields__]


def record_escalation(*, actor: Actor, case: Case, kind: str, prevented: bool, date: dt.date,
                      prevented_by: Intervention | None = None, children_count: int | None = None,
                      note: str = "") -> Escalation:
    """An escalation that occurred, or was prevented (optionally by one of the case's interventions)."""
    errors: dict = {}
    if kind not in EscalationKind.values:
        errors.setdefault("kind", []).append("Kies de soort escalatie.")
    if date is None:
        errors.setdefault("date", []).append("Vul de datum in.")
    _not_in_future(errors, "date", date)
    if kind == EscalationKind.UHP and not children_count:
        errors.setdefault("children_count", []).append("Vul bij een uithuisplaatsing het aantal kinderen in.")
    if prevented_by is not None and not prevented:
        errors.setdefault("prevented_by", []).append("Alleen een voorkomen escalatie heeft een voorkomend traject.")
    if prevented_by is not None and prevented_by.case_id != case.pk:
        errors.setdefault("prevented_by", []).append("Kies een traject van deze casus.")
    _raise(errors)
    with transaction.atomic():
        escalation = Escalation.objects.create(
            case=case, kind=kind, prevented=prevented, prevented_by=prevented_by,
            children_count=children_count if kind == EscalationKind.UHP else None, date=date, note=note.strip(),
        )
        audit.record(actor, AuditAction.CREATE, escalation, case=case)
        case_changed.send(sender=Case, case_id=case.pk)  # after commit: reporting facts and aggregates
    return escalation

