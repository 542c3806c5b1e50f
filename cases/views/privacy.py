"""Privacy (issue 8): break-the-glass, consent, bemoeizorg, regiecheck, subject access (inzageverzoek)."""
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from common.audit import Actor

from .. import extensions, selectors, services, subject_access as export
from ..forms.privacy import (
    BemoeizorgForm,
    BreakGlassForm,
    ConsentForm,
    RegiecheckForm,
    SubjectAccessForm,
    WithdrawConsentForm,
)
from ..models import Case, Consent, Person
from .base import _case_url, _posted, _task_page, privacy_officer_required, team_member_required


def _break_glass_page(request, case: Case, form, status: int = 403):
    """Another team's case: need-to-know explained, with the break-the-glass form (still a 403 response).

    Nothing about the case is shown (not even its team): only its number.
    """
    return render(request, "cases/break_glass.html", {
        "case_pk": case.pk, "form": form, "hours": settings.WIJKREGIE["BREAK_GLASS_HOURS"],
        "may_break_glass": selectors.may_break_glass(request.user), "nav": "caseload",
    }, status=status)


@team_member_required
@require_POST
def break_glass(request, pk):
    """State a reason and read another team's case for BREAK_GLASS_HOURS (read-only)."""
    case = get_object_or_404(Case, pk=pk)
    if case.team_id in selectors.team_ids_of(request.user):
        return redirect("cases:case_detail", pk=case.pk)
    form = BreakGlassForm(request.POST)
    if form.is_valid():
        try:
            services.break_the_glass(actor=Actor.from_request(request), case=case, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.warning(request, f"U leest deze casus van een ander team op grond van uw reden, "
                                      f"{settings.WIJKREGIE['BREAK_GLASS_HOURS']} uur lang en alleen lezend. "
                                      "Beide teamleiders zien deze inzage.")
            return redirect("cases:case_detail", pk=case.pk)
    return _break_glass_page(request, case, form)


@team_member_required
@require_http_methods(["GET", "POST"])
def consent_add(request, pk):
    case = selectors.get_case_for(request.user, pk)
    form = ConsentForm(_posted(request))
    return _task_page(
        request, case=case, form=form, title="Toestemming vastleggen", button="Toestemming opslaan",
        anchor="toestemming",
        intro="Leg vast waarvoor het huishouden toestemming heeft gegeven, en met welke partnerorganisatie gegevens "
              "gedeeld mogen worden.",
        call=lambda actor, data: services.record_consent(actor=actor, case=case, **data),
        success="De toestemming is vastgelegd.",
    )


@team_member_required
@require_http_methods(["GET", "POST"])
def consent_withdraw(request, pk, consent_pk):
    case = selectors.get_case_for(request.user, pk)
    consent = get_object_or_404(Consent.objects.select_related("partner_organisation"), pk=consent_pk,
                                household_id=case.household_id)
    if consent.withdrawn_on is not None:
        messages.error(request, "Deze toestemming is al ingetrokken.")
        return redirect(_case_url(case, "toestemming"))
    form = WithdrawConsentForm(_posted(request))
    partner = f" ({consent.partner_organisation.name})" if consent.partner_organisation_id else ""
    return _task_page(
        request, case=case, form=form, title="Toestemming intrekken", button="Toestemming intrekken",
        anchor="toestemming",
        intro=f"Toestemming voor {consent.get_purpose_display().lower()}{partner}, gegeven op "
              f"{consent.given_on:%d-%m-%Y}. Na intrekking wordt er op grond van deze toestemming niets meer gedeeld.",
        call=lambda actor, data: services.withdraw_consent(actor=actor, case=case, consent=consent,
                                                           withdrawn_on=data["withdrawn_on"]),
        success="De toestemming is ingetrokken.",
    )


@team_member_required
@require_http_methods(["GET", "POST"])
def bemoeizorg(request, pk):
    case = selectors.get_case_for(request.user, pk)
    form = BemoeizorgForm(_posted(request), initial={"reason": case.bemoeizorg_reason})
    return _task_page(
        request, case=case, form=form, title="Bemoeizorg", button="Opslaan", anchor="toestemming",
        intro="Bij bemoeizorg (het huishouden mijdt zorg) mag een regiecheck zonder toestemming een korte "
              "samenvatting delen, maar alleen met een vastgelegde reden.",
        call=lambda actor, data: services.record_bemoeizorg(actor=actor, case=case, reason=data["reason"]),
        success=lambda result: "Bemoeizorg is vastgelegd." if result.bemoeizorg_reason else "Bemoeizorg is beëindigd.",
    )


@team_member_required
@require_http_methods(["GET", "POST"])
def regiecheck(request):
    """Who already holds direction for a household (WHO information; DOMAIN.md §8). Always POST."""
    form = RegiecheckForm(request.POST if request.method == "POST" else None)
    answer = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            answer = services.regiecheck(
                actor=Actor.from_request(request), asker=request.user, bsn=data["bsn"],
                date_of_birth=data["date_of_birth"], postcode=data["postcode"], house_number=data["house_number"],
                house_number_addition=data["house_number_addition"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
    return render(request, "cases/regiecheck.html", {"form": form, "answer": answer, "nav": "regiecheck"})


SUBJECT_TOKEN_SALT = "cases.subject_access.person"


SUBJECT_TOKEN_MAX_AGE = 30 * 60


@privacy_officer_required
@require_http_methods(["GET", "POST"])
def subject_access(request):
    """Find the person by BSN (POST), then download everything on them as JSON or PDF (POST, signed token)."""
    if request.method == "POST" and request.POST.get("step") == "export":
        return _subject_access_export(request)
    form = SubjectAccessForm(request.POST if request.method == "POST" else None)
    context = {"form": form, "nav": "privacy"}
    if request.method == "POST" and form.is_valid():
        person = services.find_subject(actor=Actor.from_request(request), bsn=form.cleaned_data["bsn"])
        context["searched"] = True
        if person is not None:
            data = export.collect(person)
            sections = list(extensions.subject_access_sections)  # the measurements, from zrm
            context.update(person=person, token=signing.dumps(person.pk, salt=SUBJECT_TOKEN_SALT),
                           counts={"households": len(data["household_memberships"]), "cases": len(data["cases"]),
                                   **{s.count_key: len(data[s.key]) for s in sections},
                                   "consents": len(data["consents"]), "access_log": len(data["access_log"])},
                           section_counts=[{"title": s.title, "count": len(data[s.key])} for s in sections])
    return render(request, "cases/subject_access.html", context)


def _subject_access_export(request):
    try:
        person_pk = signing.loads(request.POST.get("token", ""), salt=SUBJECT_TOKEN_SALT,
                                  max_age=SUBJECT_TOKEN_MAX_AGE)
    except signing.BadSignature:
        messages.error(request, "Deze zoekopdracht is verlopen of ongeldig. Zoek de persoon opnieuw.")
        return redirect("cases:subject_access")
    person = get_object_or_404(Person, pk=person_pk)
    fmt = request.POST.get("format", "")
    try:
        content, content_type = services.export_subject_access(actor=Actor.from_request(request), person=person,
                                                               fmt=fmt)
    except ValidationError:
        messages.error(request, "Kies JSON of PDF.")
        return redirect("cases:subject_access")
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="inzageverzoek-{person.pk}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response
