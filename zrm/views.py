"""Thin views of the zrm app: the entry screen, a measurement, and the history pages with the chart."""
from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cases.models import CaseStatus, HouseholdMembership, Person
from cases.selectors import directors_for_team, get_case_for, membership_for_team, team_ids_of
from common import audit
from common.audit import Actor
from common.models import AuditAction, AuditPurpose

from . import selectors, services
from .forms import NOT_SCORED, MeasurementForm
from .models import Measurement, MeasurementPurpose, MeasurementStatus, MeasurementType, NotScoredReason

FINALISE = "vaststellen"
REASON_LABELS = dict(NotScoredReason.choices)


def _person_of_case(case, person_id: int, *, current_only: bool) -> Person:
    """A person of the case's household (404 otherwise: ids of other households reveal nothing)."""
    qs = HouseholdMembership.objects.filter(household_id=case.household_id, person_id=person_id)
    if current_only:
        qs = qs.filter(valid_to__isnull=True)
    membership = qs.select_related("person").first()
    if membership is None:
        raise Http404
    return membership.person


def _measurement_for(user, pk: int) -> Measurement:
    measurement = selectors.get_measurement(pk)
    if measurement.case.team_id not in team_ids_of(user):
        raise PermissionDenied
    return measurement


def _suggested_type(case, person) -> str:
    has_nulmeting = selectors.effective(
        Measurement.objects.filter(case=case, person=person, type=MeasurementType.NULMETING)
    ).exists()
    if case.status == CaseStatus.CLOSED:
        return MeasurementType.AFSLUITING
    return MeasurementType.TUSSENMETING if has_nulmeting else MeasurementType.NULMETING


def _domain_rows(form: MeasurementForm, version, previous_values, previous_reasons, previous):
    """What the template needs per domain: the radio group's state, previous score, anchor texts."""
    labels = selectors.level_labels(version)
    anchors = selectors.anchor_texts(version)
    rows = []
    for index, domain in enumerate(form.domains):
        score_field = form[f"score_{domain.code}"]
        reason_field = form[f"reason_{domain.code}"]
        value = str(score_field.value() or "")
        prev = previous_values.get(domain.code) if previous else None
        rows.append({
            "index": index,
            "domain": domain,
            "field": score_field,
            "reason_field": reason_field,
            "value": value,
            "reason": reason_field.value() or "onbekend",
            "errors": score_field.errors,
            "levels": [
                {"level": n, "label": labels.get(n, ""), "anchor": anchors.get((domain.code, n), ""),
                 "checked": value == str(n)}
                for n in range(1, 6)
            ],
            "not_scored": value == NOT_SCORED,
            "previous": prev,
            "previous_label": labels.get(prev, "") if prev else "",
            "previous_reason": REASON_LABELS.get(previous_reasons.get(domain.code, ""), ""),
            "has_previous": previous is not None,
        })
    return rows


def _initial_from(measurement: Measurement) -> dict:
    initial = {
        "date": measurement.date, "type": measurement.type, "purpose": measurement.purpose,
        "assessor": measurement.assessor_id, "income_source": measurement.income_source,
        "participatieladder": measurement.participatieladder or "",
        "correction_reason": measurement.correction_reason,
    }
    for score in measurement.scores.all():
        if score.score is not None:
            initial[f"score_{score.domain.code}"] = str(score.score)
        else:
            initial[f"score_{score.domain.code}"] = NOT_SCORED
            initial[f"reason_{score.domain.code}"] = score.not_scored_reason
    return initial


def _entry(request, *, case, person, version, draft=None, supersedes=None):
    """GET and POST of the entry screen for a new measurement, a draft, or a correction."""
    actor = Actor.from_request(request)
    domains = selectors.offered_domains(version, case.household_id)
    form_kwargs = {
        "domains": domains,
        "assessors": directors_for_team(case.team_id),
        "is_correction": supersedes is not None or (draft is not None and draft.supersedes_id is not None),
    }
    previous, previous_values, previous_reasons = selectors.previous_scores(
        person, version, exclude_pk=(supersedes.pk if supersedes else None)
    )
    warnings: list[str] = []
    if request.method == "POST":
        form = MeasurementForm(request.POST, **form_kwargs)
        finalise = request.POST.get("action") == FINALISE
        if form.is_valid():
            data = form.cleaned_data
            common = dict(
                date=data["date"], type=data["type"], scores=form.scores(), assessor=data["assessor"],
                purpose=data.get("purpose") or "", participatieladder=data.get("participatieladder"),
                income_source=data.get("income_source") or "", finalise=finalise,
            )
            try:
                if draft is not None:
                    result = services.update_draft(
                        actor=actor, measurement=draft, correction_reason=data.get("correction_reason"), **common
                    )
                else:
                    result = services.record_measurement(
                        actor=actor, case=case, person=person, version=version, supersedes=supersedes,
                        correction_reason=data.get("correction_reason") or "", **common,
                    )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                for warning in result.warnings:
                    messages.warning(request, warning)
                if result.measurement.status == MeasurementStatus.FINAL:
                    messages.success(request, "De meting is vastgesteld.")
                    return redirect("zrm:measurement_detail", pk=result.measurement.pk)
                messages.success(request, "De meting is opgeslagen als concept.")
                return redirect("zrm:measurement_edit", pk=result.measurement.pk)
        if form.is_bound and hasattr(form, "cleaned_data"):
            parsed = {}
            for code, value in form.scores().items():
                parsed[code] = (value, "") if isinstance(value, int) else (None, value or "")
            warnings = services.warnings_for(person=person, income_source=form.cleaned_data.get("income_source") or "",
                                             scores=parsed)
        status = 200
    else:
        if draft is not None:
            initial = _initial_from(draft)
        elif supersedes is not None:
            initial = _initial_from(supersedes)
            initial["correction_reason"] = ""
        else:
            own = membership_for_team(request.user, case.team_id)
            initial = {
                "date": services.today(), "type": _suggested_type(case, person),
                "purpose": MeasurementPurpose.PLAN, "assessor": own.pk if own else None,
            }
        form = MeasurementForm(initial=initial, **form_kwargs)
        status = 200
        shown = [m for m in (draft, supersedes, previous) if m is not None]
        services.record_view(actor, shown)
    context = {
        "case": case,
        "person": person,
        "version": version,
        "form": form,
        "rows": _domain_rows(form, version, previous_values, previous_reasons, previous),
        "previous": previous,
        "previous_crossed": previous is not None and previous.version_id != version.pk,
        "draft": draft,
        "supersedes": supersedes or (draft.supersedes if draft is not None else None),
        "warnings": warnings,
        "child_module_hidden": not selectors.has_child_at_home(case.household_id)
        and any(d.is_child_module for d in version.domains.all()),
        "finalise_value": FINALISE,
        "benefit_max": settings.WIJKREGIE["ZRM_BENEFIT_FINANCIEN_MAX_SCORE"],
    }
    return render(request, "zrm/entry.html", context, status=status)


@login_required
def measurement_new(request, case_id: int, person_id: int):
    case = get_case_for(request.user, case_id)
    person = _person_of_case(case, person_id, current_only=True)
    if request.method == "GET":
        draft = selectors.open_draft(case, person)
        if draft is not None:
            messages.info(request, "Er staat al een concept-meting klaar voor deze persoon; u gaat daarmee verder.")
            return redirect("zrm:measurement_edit", pk=draft.pk)
    return _entry(request, case=case, person=person, version=selectors.active_version())


@login_required
def measurement_edit(request, pk: int):
    measurement = _measurement_for(request.user, pk)
    if measurement.status == MeasurementStatus.FINAL:
        messages.info(request, services.MSG_IMMUTABLE)
        return redirect("zrm:measurement_detail", pk=measurement.pk)
    return _entry(request, case=measurement.case, person=measurement.person, version=measurement.version,
                  draft=measurement)


@login_required
def measurement_correct(request, pk: int):
    original = _measurement_for(request.user, pk)
    if original.status != MeasurementStatus.FINAL:
        return redirect("zrm:measurement_edit", pk=original.pk)
    existing = Measurement.objects.filter(supersedes=original).first()
    if existing is not None:
        if existing.status == MeasurementStatus.DRAFT:
            return redirect("zrm:measurement_edit", pk=existing.pk)
        messages.info(request, "Deze meting is al gecorrigeerd.")
        return redirect("zrm:measurement_detail", pk=existing.pk)
    return _entry(request, case=original.case, person=original.person, version=original.version,
                  supersedes=original)


@login_required
@require_POST
def measurement_discard(request, pk: int):
    measurement = _measurement_for(request.user, pk)
    case_id = measurement.case_id
    try:
        services.discard_draft(actor=Actor.from_request(request), measurement=measurement)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("zrm:measurement_detail", pk=pk)
    messages.success(request, "Het concept is verwijderd.")
    return redirect("cases:case_detail", pk=case_id)


@login_required
def measurement_detail(request, pk: int):
    measurement = _measurement_for(request.user, pk)
    actor = Actor.from_request(request)
    services.record_view(actor, [measurement])
    labels = selectors.level_labels(measurement.version)
    correction = Measurement.objects.filter(supersedes=measurement).first()
    return render(request, "zrm/measurement_detail.html", {
        "measurement": measurement,
        "case": measurement.case,
        "person": measurement.person,
        "scores": [
            {"score": s, "label": labels.get(s.score, "") if s.score else s.get_not_scored_reason_display()}
            for s in measurement.scores.all()
        ],
        "correction": correction,
        "warnings": services.warnings_for(
            person=measurement.person, income_source=measurement.income_source,
            scores={s.domain.code: (s.score, s.not_scored_reason) for s in measurement.scores.all()},
        ),
    })


def _chart_data(comparison) -> dict | None:
    if comparison is None:
        return None
    return {
        "labels": [row.name for row in comparison.rows],
        "baseline": [row.baseline for row in comparison.rows],
        "latest": [row.latest for row in comparison.rows],
        "baselineLabel": f"Eerste meting ({comparison.baseline.date:%d-%m-%Y})",
        "latestLabel": f"Laatste meting ({comparison.latest.date:%d-%m-%Y})",
    }


def _matrices(measurements):
    """Per version: the domains as rows and the measurements as columns (the history table)."""
    by_version: dict[int, dict] = {}
    for m in measurements:
        entry = by_version.setdefault(m.version_id, {"version": m.version, "measurements": [], "domains": {}})
        entry["measurements"].append(m)
        for s in m.scores.all():
            entry["domains"].setdefault(s.domain.code, s.domain)
    out = []
    for entry in by_version.values():
        domains = sorted(entry["domains"].values(), key=lambda d: d.order)
        cells = {(m.pk, s.domain.code): s for m in entry["measurements"] for s in m.scores.all()}
        out.append({
            "version": entry["version"],
            "measurements": entry["measurements"],
            "rows": [{"domain": d, "cells": [cells.get((m.pk, d.code)) for m in entry["measurements"]]}
                     for d in domains],
        })
    return out


def _person_block(person, measurements):
    comparison = selectors.baseline_and_latest(measurements)
    return {
        "person": person,
        "measurements": measurements,
        "matrices": _matrices(measurements),
        "comparison": comparison,
        "chart": _chart_data(comparison),
        "chart_id": f"zrm-chart-{person.pk}",
        "chart_data_id": f"zrm-chart-{person.pk}-data",
    }


@login_required
def person_history(request, case_id: int, person_id: int):
    case = get_case_for(request.user, case_id)
    person = _person_of_case(case, person_id, current_only=False)
    measurements = selectors.person_measurements(person, team_ids_of(request.user))
    actor = Actor.from_request(request)
    audit.record(actor, AuditAction.READ, person, person=person, case=case, purpose=AuditPurpose.ZRM_HISTORY)
    services.record_view(actor, measurements)
    return render(request, "zrm/person_history.html", {
        "case": case, "pb": _person_block(person, measurements),
        "new_url": reverse("zrm:measurement_new", args=[case.pk, person.pk]),
    })


@login_required
def household_history(request, case_id: int):
    case = get_case_for(request.user, case_id)
    measurements = selectors.household_measurements(case.household, team_ids_of(request.user))
    persons = {m.person_id: m.person for m in measurements}
    blocks = [
        _person_block(person, [m for m in measurements if m.person_id == pk]) for pk, person in persons.items()
    ]
    actor = Actor.from_request(request)
    audit.record(actor, AuditAction.READ, case, case=case, purpose=AuditPurpose.ZRM_HOUSEHOLD_HISTORY)
    services.record_view(actor, measurements)
    return render(request, "zrm/household_history.html", {"case": case, "blocks": blocks})
