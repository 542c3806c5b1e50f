"""Every write of the zrm app: one function per use case.

Each service validates its input (Dutch messages keyed by field; a domain's error is keyed
`score_<domain code>`), runs in one transaction, and writes the audit log. The web form, the
REST API and the demo seed all call these, so validation is identical everywhere.

Scores are passed as a mapping {domain code: value}, where value is an int 1..5, the string
"niet_relevant" or "onbekend" (niet gescoord with that reason), or None/absent (left open).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cases import services as case_services
from cases.models import TEAM_ROLES, Case, CaseStatus, Person, StaffMembership
from common import audit
from common.audit import Actor
from common.models import AuditAction, AuditPurpose
from zrm.signals import measurement_finalised

from . import derived, selectors, validation
from .models import (
    AnchorText,
    Domain,
    IncomeSource,
    InstrumentVersion,
    Measurement,
    MeasurementPurpose,
    MeasurementStatus,
    MeasurementType,
    NotScoredReason,
    Score,
)

MSG_IMMUTABLE = "Deze meting is vastgesteld en kan niet meer worden gewijzigd. Maak een correctie."
MSG_BENEFIT_FINANCIEN = (
    "Let op: {name} heeft een uitkering en scoort {score} op Financiën. Met een uitkering is de "
    "score op Financiën meestal niet hoger dan {max}. Controleer de score."
)


@dataclass
class MeasurementResult:
    """The measurement written, and warnings that do not block (shown to the user, returned by the API)."""

    measurement: Measurement
    warnings: list[str] = field(default_factory=list)


def today() -> dt.date:
    return timezone.localdate()


def _add(errors: dict, name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _parse_scores(raw: Mapping[str, object] | None, domains: dict[str, Domain], all_domains: dict[str, Domain],
                  errors: dict) -> dict[str, tuple[int | None, str]]:
    """{code: (score, reason)} for the domains given a value; errors for unknown or bad values."""
    parsed: dict[str, tuple[int | None, str]] = {}
    for code, value in (raw or {}).items():
        if value is None or value == "":
            continue
        if code not in all_domains:
            _add(errors, "scores", f"Onbekend domein '{code}' voor deze versie van de ZRM.")
            continue
        if code not in domains:
            _add(errors, f"score_{code}", validation.MSG_CHILD_MODULE.format(name=all_domains[code].name))
            continue
        score = validation.parse_score(value)
        if score is None:
            _add(errors, f"score_{code}",
                 f"{domains[code].name}: kies een score van 1 tot en met 5, of niet gescoord met een reden.")
            continue
        parsed[code] = score
    return parsed


def _validate_header(errors: dict, *, case: Case, person: Person | None, date: dt.date | None, type: str,
                     purpose: str, assessor: StaffMembership | None, participatieladder, income_source: str) -> None:
    if person is None:
        _add(errors, "person", "Kies de persoon voor wie de meting is.")
    elif not selectors.is_current_member(case.household_id, person.pk):
        _add(errors, "person", "Deze persoon is geen huidig lid van het huishouden van deze casus.")
    if date is None:
        _add(errors, "date", "Vul de datum van de meting in.")
    else:
        for message in validation.date_errors(date, case.melding_date, today()):
            _add(errors, "date", message)
    if type not in MeasurementType.values:
        _add(errors, "type", "Kies de soort meting.")
    elif case.status == CaseStatus.CLOSED and not validation.allowed_after_closing(type):
        _add(errors, "type", "Bij een afgesloten casus is alleen een afsluitende meting of een follow-up mogelijk.")
    if purpose and purpose not in MeasurementPurpose.values:
        _add(errors, "purpose", "Kies een doel uit de lijst.")
    if income_source and income_source not in IncomeSource.values:
        _add(errors, "income_source", "Kies een bron van inkomen uit de lijst.")
    if not validation.participatieladder_is_valid(participatieladder):
        _add(errors, "participatieladder", validation.MSG_PARTICIPATIELADDER)
    if assessor is None:
        _add(errors, "assessor", "Kies de beoordelaar.")
    elif not case_services.may_direct(assessor, case.team_id):
        _add(errors, "assessor", "De beoordelaar moet een actief lid van het team van deze casus zijn.")


def _completeness(errors: dict, domains: dict[str, Domain], parsed: dict[str, tuple[int | None, str]]) -> None:
    """Rules that apply when vaststellen: at least one score; all domains only when the setting asks."""
    none_scored, unscored = validation.missing_scores(domains, {code: score for code, (score, _) in parsed.items()})
    if none_scored:
        _add(errors, "scores", "Scoor minstens één domein met 1 tot en met 5 voordat u de meting vaststelt.")
    for code, message in unscored.items():
        _add(errors, f"score_{code}", message)


def warnings_for(*, person: Person, income_source: str, scores: Mapping[str, tuple[int | None, str]]) -> list[str]:
    """Plausibility warnings that never block (DOMAIN.md §2)."""
    warnings = []
    financien = scores.get("financien", (None, ""))[0]
    limit = validation.benefit_financien_limit(income_source, financien)
    if limit is not None:
        warnings.append(MSG_BENEFIT_FINANCIEN.format(name=person.first_name, score=financien, max=limit))
    return warnings


def _stored_scores(measurement: Measurement) -> dict[str, tuple[int | None, str]]:
    return {s.domain.code: (s.score, s.not_scored_reason) for s in measurement.scores.select_related("domain")}


def _default_assessor(actor: Actor, case: Case) -> StaffMembership | None:
    return (
        StaffMembership.objects.filter(
            user=actor.user, team_id=case.team_id, active=True, role__in=[r.value for r in TEAM_ROLES]
        ).first()
        if getattr(actor.user, "is_authenticated", False) else None
    )


def _write_scores(measurement: Measurement, domains: dict[str, Domain], parsed) -> None:
    Score.objects.filter(measurement=measurement).delete()
    Score.objects.bulk_create(
        Score(measurement=measurement, domain=domains[code], score=score, not_scored_reason=reason)
        for code, (score, reason) in parsed.items()
    )


def _finalise(actor: Actor, measurement: Measurement, domains: dict[str, Domain], parsed) -> None:
    """Fill domains left open as niet gescoord (onbekend), derive and store the measures, mark vastgesteld."""
    missing = [code for code in domains if code not in parsed]
    Score.objects.bulk_create(
        Score(measurement=measurement, domain=domains[code], score=None, not_scored_reason=NotScoredReason.UNKNOWN)
        for code in missing
    )
    for code in missing:
        parsed[code] = (None, NotScoredReason.UNKNOWN)
    result = derived.derive([(domains[code].cluster, score) for code, (score, _) in parsed.items()])
    measurement.problem_domain_count = result.problem_domain_count
    measurement.acute_domain_count = result.acute_domain_count
    measurement.bucket = result.bucket
    measurement.cluster_scores = result.cluster_scores
    measurement.household_category = result.household_category
    measurement.status = MeasurementStatus.FINAL
    measurement.finalised_at = timezone.now()
    measurement.finalised_by = audit._user(actor)  # None for a machine client (named in the audit log)
    measurement.save()
    if measurement.supersedes_id:
        # The corrected measurement itself never changes; its replacement is logged against it.
        audit.record(actor, AuditAction.UPDATE, measurement.supersedes, person=measurement.person,
                     case=measurement.case, purpose=AuditPurpose.ZRM_CORRECTED)
    audit.record(actor, AuditAction.UPDATE, measurement, person=measurement.person, case=measurement.case,
                 purpose=AuditPurpose.ZRM_FINALISED)
    measurement_finalised.send(sender=Measurement, measurement_id=measurement.pk)  # after commit: progress (reporting)


def record_measurement(
    *,
    actor: Actor,
    case: Case,
    person: Person,
    date: dt.date | None,
    type: str,
    scores: Mapping[str, object] | None = None,
    version: InstrumentVersion | None = None,
    assessor: StaffMembership | None = None,
    purpose: str = "",
    participatieladder: int | None = None,
    income_source: str = "",
    supersedes: Measurement | None = None,
    correction_reason: str = "",
    finalise: bool = False,
) -> MeasurementResult:
    """Record a new measurement of `person` in `case`, as concept or (finalise=True) vastgesteld.

    Guarantees: the person is a current member of the case's household; the date is not in
    the future nor more than ZRM_DAYS_BEFORE_MELDING days before the melding; child-module
    domains only when a child lives at home; scores 1..5 or niet gescoord with a reason; a
    correction (supersedes) replaces a vastgestelde, not yet corrected measurement of the
    same person and case and has a reason. All rows or none; audited.
    """
    version = version or (supersedes.version if supersedes else selectors.active_version())
    assessor = assessor or _default_assessor(actor, case)
    errors: dict = {}
    _validate_header(errors, case=case, person=person, date=date, type=type, purpose=purpose, assessor=assessor,
                     participatieladder=participatieladder, income_source=income_source)
    all_domains = {d.code: d for d in Domain.objects.filter(version=version)}
    domains = {d.code: d for d in selectors.offered_domains(version, case.household_id)}
    parsed = _parse_scores(scores, domains, all_domains, errors)
    if supersedes is not None:
        if supersedes.case_id != case.pk or (person is not None and supersedes.person_id != person.pk):
            _add(errors, "supersedes",
                 "Een correctie hoort bij dezelfde persoon en casus als de oorspronkelijke meting.")
        elif supersedes.status != MeasurementStatus.FINAL:
            _add(errors, "supersedes", "Alleen een vastgestelde meting kan worden gecorrigeerd; "
                                       "een concept kunt u gewoon aanpassen.")
        if not (correction_reason or "").strip():
            _add(errors, "correction_reason", "Geef de reden van de correctie.")
    if finalise:
        _completeness(errors, domains, parsed)
    _raise(errors)

    try:
        with transaction.atomic():
            if supersedes is not None:
                locked = Measurement.objects.select_for_update().get(pk=supersedes.pk)
                if Measurement.objects.filter(supersedes=locked).exists():
                    raise ValidationError({"supersedes": ["Deze meting is al gecorrigeerd (of er staat een "
                                                          "correctie in concept klaar)."]})
            measurement = Measurement.objects.create(
                person=person, case=case, version=version, date=date, type=type, purpose=purpose or "",
                assessor=assessor, supersedes=supersedes, correction_reason=(correction_reason or "").strip(),
                participatieladder=int(participatieladder) if participatieladder not in (None, "") else None,
                income_source=income_source or "", created_by=audit._user(actor),
                created_by_client="" if audit._user(actor) is not None else actor.client,
            )
            _write_scores(measurement, domains, parsed)
            audit.record(actor, AuditAction.CREATE, measurement, person=person, case=case,
                         purpose=AuditPurpose.ZRM_CORRECTION if supersedes else audit.PURPOSE_CASEWORK)
            if finalise:
                _finalise(actor, measurement, domains, dict(parsed))
    except IntegrityError as exc:
        raise ValidationError(
            "De meting kon niet worden opgeslagen (gelijktijdige wijziging); probeer het opnieuw."
        ) from exc
    return MeasurementResult(measurement, warnings_for(person=person, income_source=income_source, scores=parsed))


def update_draft(
    *,
    actor: Actor,
    measurement: Measurement,
    date: dt.date | None,
    type: str,
    scores: Mapping[str, object] | None = None,
    assessor: StaffMembership | None = None,
    purpose: str = "",
    participatieladder: int | None = None,
    income_source: str = "",
    correction_reason: str | None = None,
    finalise: bool = False,
) -> MeasurementResult:
    """Change a concept measurement (all its scores are replaced by `scores`), optionally vaststellen."""
    if measurement.status == MeasurementStatus.FINAL:
        raise ValidationError(MSG_IMMUTABLE, code="immutable")
    case, person, version = measurement.case, measurement.person, measurement.version
    assessor = assessor or measurement.assessor
    errors: dict = {}
    _validate_header(errors, case=case, person=person, date=date, type=type, purpose=purpose, assessor=assessor,
                     participatieladder=participatieladder, income_source=income_source)
    all_domains = {d.code: d for d in Domain.objects.filter(version=version)}
    domains = {d.code: d for d in selectors.offered_domains(version, case.household_id)}
    parsed = _parse_scores(scores, domains, all_domains, errors)
    if correction_reason is not None and measurement.supersedes_id and not correction_reason.strip():
        _add(errors, "correction_reason", "Geef de reden van de correctie.")
    if finalise:
        _completeness(errors, domains, parsed)
    _raise(errors)
    with transaction.atomic():
        locked = Measurement.objects.select_for_update().get(pk=measurement.pk)
        if locked.status == MeasurementStatus.FINAL:
            raise ValidationError(MSG_IMMUTABLE, code="immutable")
        locked.date, locked.type, locked.purpose, locked.assessor = date, type, purpose or "", assessor
        locked.participatieladder = int(participatieladder) if participatieladder not in (None, "") else None
        locked.income_source = income_source or ""
        if correction_reason is not None and locked.supersedes_id:
            locked.correction_reason = correction_reason.strip()
        locked.save()
        _write_scores(locked, domains, parsed)
        audit.record(actor, AuditAction.UPDATE, locked, person=person, case=case)
        if finalise:
            _finalise(actor, locked, domains, dict(parsed))
    return MeasurementResult(locked, warnings_for(person=person, income_source=income_source, scores=parsed))


def finalise_measurement(*, actor: Actor, measurement: Measurement) -> MeasurementResult:
    """Vaststellen of a concept as it is stored: derived values are computed and stored; immutable afterwards."""
    with transaction.atomic():
        locked = Measurement.objects.select_for_update().select_related("case", "person", "version").get(
            pk=measurement.pk
        )
        if locked.status == MeasurementStatus.FINAL:
            raise ValidationError(MSG_IMMUTABLE, code="immutable")
        domains = {d.code: d for d in selectors.offered_domains(locked.version, locked.case.household_id)}
        parsed = {code: value for code, value in _stored_scores(locked).items() if code in domains}
        errors: dict = {}
        _validate_header(errors, case=locked.case, person=locked.person, date=locked.date, type=locked.type,
                         purpose=locked.purpose, assessor=locked.assessor,
                         participatieladder=locked.participatieladder, income_source=locked.income_source)
        _completeness(errors, domains, parsed)
        _raise(errors)
        Score.objects.filter(measurement=locked).exclude(domain__code__in=list(domains)).delete()
        _finalise(actor, locked, domains, parsed)
    return MeasurementResult(locked, warnings_for(person=locked.person, income_source=locked.income_source,
                                                  scores=parsed))


def discard_draft(*, actor: Actor, measurement: Measurement) -> None:
    """Delete a concept measurement (a vastgestelde one is never deleted)."""
    with transaction.atomic():
        locked = Measurement.objects.select_for_update().get(pk=measurement.pk)
        if locked.status == MeasurementStatus.FINAL:
            raise ValidationError(MSG_IMMUTABLE, code="immutable")
        audit.record(actor, AuditAction.DELETE, locked, person=locked.person, case=locked.case)
        locked.delete()


def record_view(actor: Actor, measurements: Iterable[Measurement], purpose: str = audit.PURPOSE_CASEWORK) -> None:
    """One audit row per measurement shown, in one INSERT."""
    rows = [(m, m.person, m.case) for m in measurements]
    if rows:
        audit.record_many(actor, AuditAction.READ, rows, purpose=purpose)


# --- Configuration (beheerder) -----------------------------------------------------------------


def set_active_version(*, actor: Actor, version: InstrumentVersion) -> InstrumentVersion:
    """Make `version` the municipality's active version of its instrument; old measurements keep theirs."""
    with transaction.atomic():
        InstrumentVersion.objects.select_for_update().filter(instrument_id=version.instrument_id)
        InstrumentVersion.objects.filter(instrument_id=version.instrument_id, is_active=True).exclude(
            pk=version.pk
        ).update(is_active=False)
        InstrumentVersion.objects.filter(pk=version.pk).update(is_active=True)
        version.refresh_from_db()
        audit.record(actor, AuditAction.UPDATE, version, purpose=audit.PURPOSE_ADMIN)
    return version


ANCHOR_COLUMNS = {
    "version": {"version", "versie"},
    "domain": {"domain", "domain code", "domain_code", "domeincode", "domein"},
    "level": {"level", "niveau", "score"},
    "text": {"text", "tekst", "ankertekst"},
}


class AnchorImportError(Exception):
    """The file was rejected; `errors` lists every problem, by line."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


def import_anchor_texts(source: str | io.TextIOBase, *, actor: Actor | None = None) -> int:
    """Load licensed anchor texts from CSV text (columns: version, domain code, level, text).

    The whole file is validated first; any error rejects it completely (AnchorImportError
    naming each line). Existing texts for the same domain and level are replaced. Returns the
    number of texts written.
    """
    text = source if isinstance(source, str) else source.read()
    text = text.lstrip("\ufeff")
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = next(reader, None)
    if not header:
        raise AnchorImportError(["Het bestand is leeg."])
    positions = {}
    normalised = [h.strip().lower() for h in header]
    for key, names in ANCHOR_COLUMNS.items():
        found = [i for i, h in enumerate(normalised) if h in names]
        if not found:
            raise AnchorImportError([f"Regel 1: kolom '{key}' ontbreekt (verwacht: version, domain, level, text)."])
        positions[key] = found[0]

    versions = {}
    for v in InstrumentVersion.objects.all():
        versions[v.code.lower()] = v
        versions[v.name.lower()] = v
        versions[str(v.year)] = v
    domains = {(d.version_id, d.code): d for d in Domain.objects.all()}
    errors: list[str] = []
    rows: dict[tuple[int, int], tuple[Domain, str]] = {}
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(header):
            errors.append(f"Regel {line}: te weinig kolommen ({len(row)} in plaats van {len(header)}).")
            continue
        version_name = row[positions["version"]].strip()
        code = row[positions["domain"]].strip()
        level_raw = row[positions["level"]].strip()
        anchor = row[positions["text"]].strip()
        version = versions.get(version_name.lower())
        if version is None:
            errors.append(f"Regel {line}: onbekende versie '{version_name}'.")
            continue
        domain = domains.get((version.pk, code))
        if domain is None:
            errors.append(f"Regel {line}: onbekende domeincode '{code}' in {version.name}.")
            continue
        if level_raw not in {"1", "2", "3", "4", "5"}:
            errors.append(f"Regel {line}: niveau '{level_raw}' moet 1, 2, 3, 4 of 5 zijn.")
            continue
        if not anchor:
            errors.append(f"Regel {line}: de tekst is leeg.")
            continue
        key = (domain.pk, int(level_raw))
        if key in rows:
            errors.append(f"Regel {line}: {domain.name} niveau {level_raw} staat dubbel in het bestand.")
            continue
        rows[key] = (domain, anchor)
    if errors:
        raise AnchorImportError(errors)
    if not rows:
        raise AnchorImportError(["Het bestand bevat geen ankerteksten."])
    with transaction.atomic():
        for (domain_pk, level), (domain, anchor) in rows.items():
            AnchorText.objects.update_or_create(domain=domain, level=level, defaults={"text": anchor})
    return len(rows)


# --- Daily digest of due measurements -----------------------------------------------------------


def _case_url(case_id: int) -> str:
    from django.urls import reverse

    return settings.WIJKREGIE["SITE_URL"].rstrip("/") + reverse("cases:case_detail", args=[case_id])


def send_due_digests(*, on: dt.date | None = None) -> int:
    """E-mail each director the ZRM measurements due (within ZRM_DIGEST_LOOKAHEAD_DAYS) or overdue
    on their open cases. Idempotent per day: a director gets at most one digest per date (DigestLog).

    The mail names cases by number only, with a link to the casus page: no names, no BSN.
    Returns the number of e-mails sent.
    """
    from django.core.mail import send_mail

    from .models import DigestLog

    on = on or today()
    horizon = on + dt.timedelta(days=settings.WIJKREGIE["ZRM_DIGEST_LOOKAHEAD_DAYS"])
    cases = list(selectors.open_cases_by_director())
    schedules = selectors.schedules_for_cases(cases, on)
    by_user: dict[int, tuple[object, list[tuple[Case, object]]]] = {}
    for case in cases:
        user = case.regisseur.user
        for item in schedules[case.pk]:
            if item.is_open and item.due <= horizon:
                by_user.setdefault(user.pk, (user, []))[1].append((case, item))
    already = set(DigestLog.objects.filter(sent_on=on, user_id__in=list(by_user)).values_list("user_id", flat=True))
    sent = 0
    for user_id, (user, items) in by_user.items():
        if user_id in already:
            continue
        items.sort(key=lambda pair: (pair[1].due, pair[0].pk))
        overdue = [pair for pair in items if pair[1].is_overdue]
        lines = [
            f"Goedemorgen {user.first_name or user.get_username()},",
            "",
            f"Op {on:%d-%m-%Y} staan er voor uw casussen {len(items)} ZRM-metingen open"
            f" ({len(overdue)} te laat):",
            "",
        ]
        for case, item in items:
            when = (f"te laat sinds {item.due:%d-%m-%Y}" if item.is_overdue else f"uiterlijk {item.due:%d-%m-%Y}")
            lines.append(f"- Casus {case.pk}: {item.label}, {when}. {_case_url(case.pk)}")
        lines += ["", "Dit bericht is automatisch verstuurd door Wijkregie."]
        try:
            with transaction.atomic():
                DigestLog.objects.create(user_id=user_id, sent_on=on, item_count=len(items))
                send_mail(
                    subject=f"Wijkregie: {len(items)} ZRM-metingen open ({len(overdue)} te laat)",
                    message="\n".join(lines),
                    from_email=None,
                    recipient_list=[user.email],
                )
        except IntegrityError:
            continue  # another run sent this director's digest for today in the meantime
        sent += 1
    return sent
