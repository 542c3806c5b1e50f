"""The casus page and its actions (first contact, transfer, close, reopen, add a member, link a known person).

The page also shows what the apps above cases add to it (extensions.case_page_panels: the ZRM panel).
"""
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from common import audit
from common.audit import Actor
from common.models import AuditAction

from .. import extensions, selectors, services
from ..forms import AddMemberForm, CloseForm, FirstContactForm, LinkKnownPersonForm, ReopenForm, TransferForm
from ..forms.privacy import BreakGlassForm
from ..models import Case, CaseStatus, PlanStatus
from .base import _open_case_elsewhere, _redirect_to_open_case, team_member_required
from .privacy import _break_glass_page


@team_member_required
def case_detail(request, pk):
    try:
        case = selectors.get_case_for(request.user, pk, allow_break_glass=True)
    except selectors.NeedToKnow as refused:  # another team's case: explain need-to-know, offer break-the-glass
        return _break_glass_page(request, refused.case, BreakGlassForm())
    return _case_page(request, case)


def _case_page(request, case: Case, **bound_forms):
    """The casus page; `bound_forms` re-shows a failed action form with its errors.

    Under break-the-glass (`case.break_glass`, another team's case) the page is read-only: no action forms
    or edit links, and every audit row carries the break-the-glass purpose.
    """
    today = services.today()
    access = getattr(case, "break_glass", None)
    purpose = services.PURPOSE_BREAK_GLASS if access else audit.PURPOSE_CASEWORK
    members = list(selectors.current_members(case.household))
    for membership in members:
        membership.age = selectors.age_on(membership.person.date_of_birth, today)
    # The panels of the apps above (the ZRM panel) are read here, not in their template tags, so the
    # measurements a panel read serve the plan section too and every read of the page is audited in one INSERT.
    panels = [provider(case, [m.person for m in members]) for provider in extensions.case_page_panels]
    latest = next((p.latest_measurements for p in panels if p.latest_measurements is not None), None)
    plan_context, plan_reads = _plan_context(request, case, members, latest=latest)
    reads = [(case, None, case), *((m.person, m.person, case) for m in members), *plan_reads]
    own_purpose = [p for p in panels if p.reads_purpose not in (None, purpose)]
    reads += [row for p in panels if p.reads_purpose in (None, purpose) for row in p.reads]
    actor = Actor.from_request(request)
    audit.record_many(actor, AuditAction.READ, reads, purpose=purpose)
    for panel in own_purpose:  # break-the-glass: the ZRM panel's rows keep the casework purpose
        audit.record_many(actor, AuditAction.READ, panel.reads, purpose=panel.reads_purpose)

    is_open = case.status != CaseStatus.CLOSED
    successor = None if is_open else selectors.reopened_as(case)
    other_open = None
    if not is_open and successor is None:
        other_open = selectors.open_case_of(case.household)
    forms = {}
    if case.status == CaseStatus.REGISTERED and case.first_contact_date is None:
        forms["first_contact_form"] = FirstContactForm(prefix="contact")
    if is_open:
        forms["transfer_form"] = TransferForm(prefix="transfer", case=case)
        forms["close_form"] = CloseForm(prefix="close")
        forms["member_form"] = AddMemberForm(prefix="member")
        forms["link_form"] = LinkKnownPersonForm(prefix="link")
    elif successor is None and other_open is None:
        default = selectors.membership_for_team(request.user, case.team_id)
        forms["reopen_form"] = ReopenForm(prefix="reopen", team=case.team, default_director=default)
    forms.update(bound_forms)
    if access:
        forms = {}

    reopened_from = case.reopened_from
    context = {
        "case": case,
        "members": members,
        "household_type": selectors.HOUSEHOLD_TYPE_LABELS[selectors.household_type(members, today)],
        "days_since_melding": (today - case.melding_date).days,
        "days_since_previous_closing": (
            (case.melding_date - reopened_from.closed_on).days if reopened_from and reopened_from.closed_on else None
        ),
        "successor": successor,
        "other_open": other_open,
        "other_open_visible": other_open is not None and other_open.team_id in selectors.team_ids_of(request.user),
        "events": selectors.case_events(case),
        "assignments": selectors.director_history(case),
        "nav": "caseload",
        "case_page_panels": panels,
        **{name: value for panel in panels for name, value in panel.context.items()},
        **plan_context,
        **_privacy_context(request, case, read_only=bool(access)),
        **forms,
    }
    if access:  # read-only: the included sections show their edit links only for these flags
        context.update(plan_editable=False, can_start_plan=False, is_team_leader=False, case_is_open=False,
                       plan_problems=[])
    return render(request, "cases/case_detail.html", context)


def _case_action(request, case, form, form_name, call, success):
    """Run a service for a casus page action: redirect with a message, or re-show the page with errors."""
    if form.is_valid():
        try:
            result = call(Actor.from_request(request), form.cleaned_data)
        except services.OpenCaseExists as exc:
            response = _redirect_to_open_case(request, exc.case)
            if response is not None:
                return response
            form.add_error(None, _open_case_elsewhere(exc.case))
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            target = result if isinstance(result, Case) else case
            messages.success(request, success(result) if callable(success) else success)
            return redirect("cases:case_detail", pk=target.pk)
    return _case_page(request, case, **{form_name: form})


@team_member_required
@require_POST
def case_first_contact(request, pk):
    case = selectors.get_case_for(request.user, pk)
    return _case_action(
        request, case, FirstContactForm(request.POST, prefix="contact"), "first_contact_form",
        lambda actor, data: services.register_first_contact(actor=actor, case=case, contact_date=data["contact_date"]),
        "Het eerste contact is geregistreerd; de casus is in behandeling.",
    )


@team_member_required
@require_POST
def case_transfer(request, pk):
    case = selectors.get_case_for(request.user, pk)
    return _case_action(
        request, case, TransferForm(request.POST, prefix="transfer", case=case), "transfer_form",
        lambda actor, data: services.transfer_director(
            actor=actor, case=case, regisseur=data["regisseur"], reason=data["reason"], on=data["on"]
        ),
        lambda result: f"De regie is overgedragen aan {result.regisseur.user.get_full_name() or result.regisseur}.",
    )


@team_member_required
@require_POST
def case_close(request, pk):
    case = selectors.get_case_for(request.user, pk)
    return _case_action(
        request, case, CloseForm(request.POST, prefix="close"), "close_form",
        lambda actor, data: services.close_case(actor=actor, case=case, reason=data["reason"],
                                                closed_on=data["closed_on"]),
        "De casus is afgesloten.",
    )


@team_member_required
@require_POST
def case_reopen(request, pk):
    case = selectors.get_case_for(request.user, pk)
    default = selectors.membership_for_team(request.user, case.team_id)
    return _case_action(
        request, case, ReopenForm(request.POST, prefix="reopen", team=case.team, default_director=default),
        "reopen_form",
        lambda actor, data: services.reopen_case(
            actor=actor, case=case, melding_date=data["melding_date"], melding_source=data["melding_source"],
            regisseur=data["regisseur"],
        ),
        lambda new: f"De casus is heropend als casus {new.pk}.",
    )


@team_member_required
@require_POST
def case_add_member(request, pk):
    case = selectors.get_case_for(request.user, pk)
    form = AddMemberForm(request.POST, prefix="member")
    return _case_action(
        request, case, form, "member_form",
        lambda actor, data: services.add_household_member(
            actor=actor, case=case, data=form.to_data(), valid_from=data.get("valid_from")
        ),
        "Het gezinslid is toegevoegd.",
    )


@team_member_required
@require_POST
def case_link_person(request, pk):
    """The hand-over after a regiecheck: a person another team registered becomes a member of this household."""
    case = selectors.get_case_for(request.user, pk)
    return _case_action(
        request, case, LinkKnownPersonForm(request.POST, prefix="link"), "link_form",
        lambda actor, data: services.link_known_person(
            actor=actor, case=case, bsn=data["bsn"], date_of_birth=data["date_of_birth"], postcode=data["postcode"],
            house_number=data["house_number"], house_number_addition=data["house_number_addition"],
            role=data["role"], living_at_home=data["living_at_home"], valid_from=data.get("valid_from"),
        ),
        "De persoon is aan dit huishouden gekoppeld.",
    )


def _plan_context(request, case, members, latest=None) -> tuple[dict, list]:
    """The plan, network, family approach, interventions and escalations of the casus page (constant queries),
    and the audit rows (obj, person, case) of the personal data it shows, for the page to write.

    `latest`: each person's latest measurement in the case as a panel read it (for the low domains).
    """
    plans = selectors.plans_of_case(case)
    current = next((plan for plan in plans if plan.status != PlanStatus.EVALUATED), None)
    is_open = case.status != CaseStatus.CLOSED
    interventions = selectors.interventions_of(case)
    shown = ([current] if current else []) + interventions
    reads = [(obj, getattr(obj, "person", None), case) for obj in shown]
    return {
        "plan": current,
        "earlier_plans": [plan for plan in plans if plan is not current],
        "plan_editable": bool(current and is_open and current.status == PlanStatus.CONCEPT),
        "plan_problems": (services.plan_finalisation_problems(current)
                          if current and current.status == PlanStatus.CONCEPT else []),
        "low_domains": selectors.plan_low_domains(current, latest) if current else [],
        "can_start_plan": is_open and current is None,
        "network_members": list(selectors.network_of(case)),
        "family_rows": selectors.family_approach_rows(case, members),
        "safety_override": selectors.safety_override_of(case) if case.safety_flag else None,
        # only the safety section of an open case uses it (the link to record a safety override)
        "is_team_leader": bool(case.safety_flag and is_open and selectors.is_team_leader(request.user, case.team_id)),
        "interventions": interventions,
        "escalations": selectors.escalations_of(case, interventions),
        "case_is_open": is_open,
        "light_support_cap": settings.WIJKREGIE["LIGHT_SUPPORT_MONTHLY_CAP_HOURS"],
        "today": services.today(),
    }, reads


def _privacy_context(request, case: Case, *, read_only: bool) -> dict:
    """The consent panel and bemoeizorg of the casus page (one query)."""
    return {
        "consents": selectors.consents_of(case.household_id),
        "privacy_editable": not read_only,
        "break_glass_access": getattr(case, "break_glass", None),
    }
