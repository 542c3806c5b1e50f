"""Subject access (AVG art. 15): everything Wijkregie holds on one person, as JSON and as PDF.

`collect` reads (a fixed number of queries per household); `to_json` and `to_pdf` only render. The
privacy officer calls them through services.export_subject_access, which checks the role and writes the
audit row (EXPORT for JSON, PRINT for PDF).

Scope: the person; their household memberships; the cases of those households that overlap a membership
period, each with its timeline, director history, plan versions covering the person (with the person's
goals and reasons, and the plan's agreements), family approach, interventions for the person or the whole
household, and escalations; what the apps above cases hold on the person (extensions.subject_access_sections:
zrm adds the person's ZRM measurements with every score); the households' network and consents;
break-the-glass accesses to those cases; and the audit rows about the person or those cases.
Case texts may mention other household members: the privacy officer checks for third-party data before
handing the export over.
"""
from __future__ import annotations

import datetime as dt
import io
import json

from django.db.models import Prefetch, Q
from django.utils import timezone

from common.models import AuditEvent

from . import extensions
from .models import (
    Agreement,
    BreakGlassAccess,
    Case,
    CaseEvent,
    Consent,
    DirectorAssignment,
    Escalation,
    FamilyApproach,
    Goal,
    HouseholdMembership,
    Intervention,
    LowDomainReason,
    NetworkMember,
    Person,
    Plan,
)


def _name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _overlaps(case: Case, membership: HouseholdMembership) -> bool:
    ends = case.closed_on or dt.date.max
    return case.melding_date <= (membership.valid_to or dt.date.max) and ends >= membership.valid_from


def collect(person: Person) -> dict:
    """All data on `person` as plain JSON-ready values (dates as ISO strings)."""
    memberships = list(HouseholdMembership.objects.filter(person=person).select_related("household")
                       .order_by("valid_from", "pk"))
    household_ids = {m.household_id for m in memberships}
    candidates = (
        Case.objects.filter(household_id__in=household_ids)
        .select_related("team", "melding_source", "closure_reason", "regisseur__user")
        .prefetch_related(
            Prefetch("events", queryset=CaseEvent.objects.select_related("actor")
                     .order_by("occurred_on", "created_at", "pk")),
            Prefetch("director_assignments", queryset=DirectorAssignment.objects.select_related(
                "regisseur__user", "assigned_by").order_by("started_on", "pk")),
            Prefetch("plans", queryset=Plan.objects.filter(covered_persons=person).prefetch_related(
                Prefetch("goals", queryset=Goal.objects.filter(person=person).select_related("domain")
                         .order_by("pk")),
                Prefetch("low_domain_reasons", queryset=LowDomainReason.objects.filter(person=person)
                         .select_related("domain").order_by("pk")),
                Prefetch("agreements", queryset=Agreement.objects.order_by("due_date", "pk")),
            ).order_by("version")),
            Prefetch("family_approach", queryset=FamilyApproach.objects.filter(person=person)),
            Prefetch("interventions", queryset=Intervention.objects.filter(Q(person=person) | Q(person__isnull=True))
                     .select_related("type").order_by("start_date", "pk")),
            Prefetch("escalations", queryset=Escalation.objects.select_related("prevented_by__type")
                     .order_by("date", "pk")),
        )
        .order_by("melding_date", "pk")
    )
    cases = [case for case in candidates
             if any(m.household_id == case.household_id and _overlaps(case, m) for m in memberships)]
    case_ids = [case.pk for case in cases]
    sections = {section.key: section.collect(person) for section in extensions.subject_access_sections}
    network = list(NetworkMember.objects.filter(household_id__in=household_ids).order_by("household_id", "pk"))
    consents = list(Consent.objects.filter(household_id__in=household_ids)
                    .select_related("partner_organisation", "recorded_by", "withdrawn_by").order_by("given_on", "pk"))
    accesses = list(BreakGlassAccess.objects.filter(case_id__in=case_ids).select_related("user")
                    .order_by("at", "pk"))
    audit_rows = list(AuditEvent.objects.filter(Q(person=person) | Q(case_id__in=case_ids))
                      .select_related("user").order_by("at", "pk"))

    return {
        "export": {
            "created_at": timezone.now().isoformat(timespec="seconds"),
            "legal_basis": "AVG artikel 15 (recht op inzage)",
            "note": "Controleer vóór verstrekking of teksten gegevens van andere gezinsleden of derden bevatten.",
        },
        "person": {
            "id": person.pk, "bsn": person.bsn, "first_name": person.first_name, "name_prefix": person.name_prefix,
            "last_name": person.last_name, "date_of_birth": _d(person.date_of_birth),
            "registered_at": person.created_at.isoformat(timespec="seconds"),
        },
        "household_memberships": [
            {"household_id": m.household_id, "address": m.household.address, "wijk": m.household.wijk,
             "role": m.get_role_display(), "living_at_home": m.living_at_home, "valid_from": _d(m.valid_from),
             "valid_to": _d(m.valid_to)}
            for m in memberships
        ],
        "cases": [_case(case) for case in cases],
        **sections,
        "network": [
            {"household_id": n.household_id, "name": n.name, "relation": n.relation, "supportive": n.supportive,
             "agreed_contribution": n.agreed_contribution}
            for n in network
        ],
        "consents": [
            {"household_id": c.household_id, "purpose": c.get_purpose_display(),
             "partner_organisation": c.partner_organisation.name if c.partner_organisation_id else "",
             "description": c.description, "given_on": _d(c.given_on), "withdrawn_on": _d(c.withdrawn_on),
             "recorded_by": _name(c.recorded_by), "withdrawn_by": _name(c.withdrawn_by)}
            for c in consents
        ],
        "break_the_glass": [
            {"case_id": a.case_id, "by": _name(a.user), "at": a.at.isoformat(timespec="seconds"),
             "valid_until": a.valid_until.isoformat(timespec="seconds"), "reason": a.reason}
            for a in accesses
        ],
        "access_log": [
            {"at": e.at.isoformat(timespec="seconds"), "by": _name(e.user), "client": e.client,
             "on_behalf_of": e.on_behalf_of, "action": e.get_action_display(), "object_type": e.object_type,
             "object_id": e.object_id, "case_id": e.case_id, "about_this_person": e.person_id == person.pk,
             "purpose": e.purpose}
            for e in audit_rows
        ],
    }


def _d(value) -> str | None:
    return value.isoformat() if value else None


def _case(case: Case) -> dict:
    return {
        "id": case.pk, "household_id": case.household_id, "team": case.team.name, "status": case.get_status_display(),
        "melding_date": _d(case.melding_date), "melding_source": case.melding_source.label,
        "regisseur": _name(case.regisseur.user) if case.regisseur_id else "",
        "first_contact_date": _d(case.first_contact_date), "closed_on": _d(case.closed_on),
        "closure_reason": case.closure_reason.label if case.closure_reason_id else "",
        "safety_flag": case.safety_flag, "bemoeizorg_reason": case.bemoeizorg_reason,
        "reopened_from": case.reopened_from_id,
        "events": [{"date": _d(e.occurred_on), "kind": e.get_kind_display(), "description": e.description,
                    "by": _name(e.actor)} for e in case.events.all()],
        "director_history": [{"regisseur": _name(a.regisseur.user), "from": _d(a.started_on), "to": _d(a.ended_on),
                              "reason": a.reason, "assigned_by": _name(a.assigned_by)}
                             for a in case.director_assignments.all()],
        "plans": [
            {"version": p.version, "status": p.get_status_display(), "own_responsibility": p.own_responsibility,
             "review_date": _d(p.review_date), "finalised_on": _d(p.finalised_on), "evaluated_on": _d(p.evaluated_on),
             "evaluation": p.evaluation,
             "goals": [{"domain": g.domain.name, "description": g.description, "target_score": g.target_score,
                        "target_date": _d(g.target_date), "responsible": g.get_actor_type_display()
                        if g.actor_type else "", "responsible_name": g.actor_name, "achieved": g.achieved}
                       for g in p.goals.all()],
             "reasons_without_goal": [{"domain": r.domain.name, "reason": r.get_reason_display(),
                                       "explanation": r.explanation} for r in p.low_domain_reasons.all()],
             "agreements": [{"who": a.get_actor_type_display(), "name": a.actor_name, "what": a.description,
                             "due_date": _d(a.due_date), "followed": a.get_followed_display() if a.followed else ""}
                            for a in p.agreements.all()]}
            for p in case.plans.all()
        ],
        "family_approach": [{"spoken_to": f.spoken_to, "reason_not_spoken": f.reason_not_spoken,
                             "needs_support": f.needs_support, "receives_support": f.receives_support}
                            for f in case.family_approach.all()],
        "interventions": [
            {"type": i.type.label, "for": "persoon" if i.person_id else "huishouden", "provider": i.provider,
             "start_date": _d(i.start_date), "end_date": _d(i.end_date), "team_action": i.get_team_action_display(),
             "deliverer": i.get_deliverer_display()}
            for i in case.interventions.all()
        ],
        "escalations": [
            {"kind": e.get_kind_display(), "prevented": e.prevented, "date": _d(e.date), "note": e.note,
             "prevented_by": e.prevented_by.type.label if e.prevented_by_id else ""}
            for e in case.escalations.all()
        ],
    }


def _cell(value):
    if value is True:
        return "ja"
    if value is False:
        return "nee"
    return value


def to_json(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


# --- PDF (reportlab) -------------------------------------------------------------------------------

SECTIONS = [
    ("household_memberships", "Huishoudens", ["household_id", "address", "role", "living_at_home", "valid_from",
                                              "valid_to"]),
    # here: the sections of the apps above (extensions.subject_access_sections)
    ("network", "Netwerk", ["household_id", "name", "relation", "supportive"]),
    ("consents", "Toestemmingen", ["purpose", "partner_organisation", "given_on", "withdrawn_on"]),
    ("break_the_glass", "Inzage door andere teams (break-the-glass)", ["case_id", "by", "at", "reason"]),
    ("access_log", "Wie heeft de gegevens verwerkt (auditlog)", ["at", "by", "client", "action", "object_type",
                                                                 "purpose"]),
]


# Column headers of the PDF (the JSON keeps its field names); the apps above add their own (section.labels).
LABELS = {
    "id": "Nummer", "bsn": "BSN", "first_name": "Voornaam", "name_prefix": "Tussenvoegsel", "last_name": "Achternaam",
    "date_of_birth": "Geboortedatum", "registered_at": "Geregistreerd", "household_id": "Huishouden",
    "address": "Adres", "wijk": "Wijk", "role": "Rol", "living_at_home": "Thuiswonend", "valid_from": "Vanaf",
    "valid_to": "Tot", "team": "Team", "status": "Status", "melding_date": "Melding", "melding_source": "Bron",
    "regisseur": "Regisseur", "first_contact_date": "Eerste contact", "closed_on": "Afgesloten",
    "closure_reason": "Reden afsluiting", "safety_flag": "Veiligheid", "bemoeizorg_reason": "Bemoeizorg",
    "reopened_from": "Heropend vanuit", "date": "Datum", "kind": "Soort", "description": "Omschrijving",
    "by": "Door", "from": "Vanaf", "to": "Tot", "reason": "Reden", "spoken_to": "Gesproken",
    "reason_not_spoken": "Reden niet gesproken", "needs_support": "Heeft ondersteuning nodig",
    "receives_support": "Krijgt ondersteuning", "type": "Soort", "for": "Voor", "provider": "Aanbieder",
    "start_date": "Start", "end_date": "Einde", "team_action": "Rol van het team", "prevented": "Voorkomen",
    "note": "Toelichting", "domain": "Domein", "target_date": "Streefdatum", "responsible": "Verantwoordelijke",
    "achieved": "Behaald", "explanation": "Toelichting", "who": "Wie", "name": "Naam", "what": "Wat",
    "due_date": "Wanneer", "followed": "Nagekomen", "case_id": "Casus", "relation": "Relatie",
    "supportive": "Steunend", "purpose": "Doel", "partner_organisation": "Partnerorganisatie",
    "given_on": "Gegeven op", "withdrawn_on": "Ingetrokken op", "at": "Tijdstip", "client": "Client",
    "action": "Actie", "object_type": "Soort gegeven",
}


def to_pdf(data: dict) -> bytes:
    """The same content as the JSON, laid out as headed tables (A4)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    extra = list(extensions.subject_access_sections)
    labels = {**{name: label for section in extra for name, label in section.labels.items()}, **LABELS}
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=7, leading=8.5)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=1.5 * cm, rightMargin=1.5 * cm,
                            title="Inzageverzoek Wijkregie", author="Wijkregie")
    story = []

    def para(text, style=small):
        from xml.sax.saxutils import escape

        return Paragraph(escape("" if text is None else str(text)), style)

    def table(rows, header):
        body = [[para(labels.get(h, h)) for h in header]] + [[para(_cell(row.get(key))) for key in header]
                                                             for row in rows]
        out = Table(body, repeatRows=1, hAlign="LEFT", colWidths=[doc.width / len(header)] * len(header))
        out.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                                 ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                                 ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        return out

    def heading(text, level=2):
        story.append(para(text, styles[f"Heading{level}"]))

    heading("Inzageverzoek: alle gegevens over één persoon", 1)
    story.append(para(f"Aangemaakt: {data['export']['created_at']}. {data['export']['legal_basis']}. "
                      f"{data['export']['note']}", styles["BodyText"]))
    heading("Persoon")
    story.append(table([data["person"]], list(data["person"])))
    cases = data["cases"]
    heading(f"Casussen ({len(cases)})")
    for case in cases:
        heading(f"Casus {case['id']} ({case['team']}, {case['status']})", 3)
        summary = {k: v for k, v in case.items() if not isinstance(v, list)}
        story.append(table([summary], list(summary)[:8]))
        story.append(table([summary], list(summary)[8:]))
        for key, title, columns in [
            ("events", "Tijdlijn", ["date", "kind", "description", "by"]),
            ("director_history", "Regiegeschiedenis", ["regisseur", "from", "to", "reason"]),
            ("family_approach", "Gezinsgericht werken", ["spoken_to", "reason_not_spoken", "needs_support",
                                                         "receives_support"]),
            ("interventions", "Trajecten", ["type", "for", "provider", "start_date", "end_date", "team_action"]),
            ("escalations", "Escalaties", ["kind", "prevented", "date", "note"]),
        ]:
            if case[key]:
                story.append(para(title, styles["Heading4"]))
                story.append(table(case[key], columns))
        for plan in case["plans"]:
            story.append(para(f"Plan van aanpak versie {plan['version']} ({plan['status']})", styles["Heading4"]))
            story.append(para(f"Eigen verantwoordelijkheid: {plan['own_responsibility']}"))
            if plan["evaluation"]:
                story.append(para(f"Evaluatie: {plan['evaluation']}"))
            if plan["goals"]:
                story.append(table(plan["goals"], ["domain", "description", "target_date", "responsible",
                                                   "achieved"]))
            if plan["reasons_without_goal"]:
                story.append(table(plan["reasons_without_goal"], ["domain", "reason", "explanation"]))
            if plan["agreements"]:
                story.append(table(plan["agreements"], ["who", "name", "what", "due_date", "followed"]))
        story.append(Spacer(1, 0.3 * cm))
    sections = [(key, title, columns, None) for key, title, columns in SECTIONS]
    sections[1:1] = [(section.key, section.title, section.columns, section.details)  # after the households
                     for section in extra]
    for key, title, columns, details in sections:
        heading(f"{title} ({len(data[key])})")
        if data[key]:
            story.append(table(data[key], columns))
        for row in data[key] if details else []:
            detail_title, rows, detail_columns = details(row)
            story.append(para(detail_title, styles["Heading4"]))
            story.append(table(rows, detail_columns))
    doc.build(story)
    return buffer.getvalue()
