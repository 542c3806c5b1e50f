"""Interventions (trajecten) and escalations of a case (issue 4)."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from common import audit
from common.audit import Actor
from common.models import AuditAction

from .. import selectors, services
from ..forms import EscalationForm, InterventionForm
from .base import _case_url, _posted, _task_page, team_member_required


def _intervention_page(request, case, form, call, title):
    if request.method == "POST" and form.is_valid():
        try:
            _intervention, warnings = call(Actor.from_request(request), form.to_data())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, "Het traject is opgeslagen.")
            for warning in warnings:
                messages.warning(request, warning)
            return redirect(_case_url(case, "trajecten"))
    return render(request, "cases/intervention_form.html", {
        "case": case, "form": form, "title": title, "back_url": _case_url(case, "trajecten"), "nav": "caseload",
    })


@team_member_required
@require_http_methods(["GET", "POST"])
def intervention_add(request, pk):
    case = selectors.get_case_for(request.user, pk)
    form = InterventionForm(_posted(request), case=case, members=list(selectors.current_members(case.household)))
    return _intervention_page(
        request, case, form, lambda actor, data: services.record_intervention(actor=actor, case=case, data=data),
        "Traject toevoegen",
    )


@team_member_required
@require_http_methods(["GET", "POST"])
def intervention_edit(request, intervention_pk):
    intervention = selectors.get_intervention_for(request.user, intervention_pk)
    case = intervention.case
    if request.method == "GET":
        audit.record(Actor.from_request(request), AuditAction.READ, intervention, person=intervention.person,
                     case=case)
    form = InterventionForm(_posted(request), case=case, members=list(selectors.current_members(case.household)),
                            instance=intervention)
    return _intervention_page(
        request, case, form,
        lambda actor, data: services.update_intervention(actor=actor, intervention=intervention, data=data),
        f"Traject wijzigen: {intervention.type.label}",
    )


@team_member_required
@require_http_methods(["GET", "POST"])
def escalation_add(request, pk):
    case = selectors.get_case_for(request.user, pk)
    form = EscalationForm(_posted(request), case=case)
    return _task_page(
        request, case=case, form=form, title="Escalatie registreren", button="Escalatie opslaan", anchor="escalaties",
        intro="Een escalatie die is opgetreden, of die is voorkomen (eventueel door een traject).",
        call=lambda actor, data: services.record_escalation(actor=actor, case=case, **data),
        success="De escalatie is geregistreerd.",
    )
