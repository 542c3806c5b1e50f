"""Thin views: parse the request, call a service or selector, render.

Personal data never travels in a URL: searches and every write are POSTs; the only GET
parameters (team page filters) are ids and status codes.
"""
import re
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from common import audit
from common.audit import Actor
from common.models import AuditAction

from . import selectors, services
from .forms import (
    MEMBERS_PREFIX,
    AddMemberForm,
    AgreementForm,
    CloseForm,
    EscalationForm,
    FamilyApproachForm,
    FirstContactForm,
    GoalForm,
    HouseholdForm,
    HouseholdSearchForm,
    InterventionForm,
    LowDomainReasonForm,
    MeldingForm,
    MemberFormSet,
    NetworkAssessmentForm,
    NetworkMemberForm,
    PlanForm,
    ReopenForm,
    SafetyOverrideForm,
    TeamFilterForm,
    TransferForm,
    evaluation_form,
    member_formset,
    raw_values,
    yes_no_initial,
)
from .models import Case, CaseStatus, FamilyApproach, Household, NetworkAssessment, PlanStatus, Role, Team
from .privacy_forms import (
    BemoeizorgForm,
    BreakGlassForm,
    ConsentForm,
    RegiecheckForm,
    SubjectAccessForm,
    WithdrawConsentForm,
)
from .selectors import roles_of


@login_required
def home(request):
    roles = roles_of(request.user)
    if Role.SOCIAL_WORKER in roles or Role.TEAM_LEADER in roles:
        return redirect("cases:my_caseload")
    if Role.MUNICIPALITY in roles:
        return redirect("reporting:municipality")
    if Role.PRIVACY_OFFICER in roles:
        return redirect("cases:subject_access")
    if Role.ADMINISTRATOR in roles or request.user.is_superuser:
        return redirect("admin:index")
    raise PermissionDenied("Dit account heeft geen rol in Wijkregie.")


def team_member_required(view):
    """Signed in, and a sociaal werker or teamleider of at least one team (need-to-know)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not selectors.team_ids_of(request.user):
            raise PermissionDenied("Alleen sociaal werkers en teamleiders werken met casussen.")
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def _audit_list(request, cases) -> None:
    """A list of cases shown is a read of each case (one INSERT)."""
    audit.record_many(Actor.from_request(request), AuditAction.READ, [(case, None, case) for case in cases])


# --- Mijn caseload ----------------------------------------------------------------------------

@team_member_required
def my_caseload(request):
    today = services.today()
    cases = selectors.my_caseload_rows(request.user, today)
    _audit_list(request, cases)
    return render(request, "cases/my_caseload.html", {"cases": cases, "today": today, "nav": "caseload"})


# --- Nieuwe melding -----------------------------------------------------------------------------

HOUSEHOLD_TOKEN_SALT = "cases.new_melding.household"
HOUSEHOLD_TOKEN_MAX_AGE = 2 * 60 * 60  # a search result may be used for two hours


def _user_teams(user):
    return Team.objects.filter(pk__in=selectors.team_ids_of(user)).order_by("name")


@team_member_required
@require_http_methods(["GET", "POST"])
def new_melding(request):
    teams = _user_teams(request.user)
    if request.method == "GET":
        return _search_page(request, HouseholdSearchForm(teams=teams))
    step = request.POST.get("step", "search")
    if step == "search":
        return _melding_search(request, teams)
    team = next((t for t in teams if str(t.pk) == request.POST.get("team")), None)
    if team is None:
        messages.error(request, "Kies een team en zoek eerst het huishouden.")
        return redirect("cases:new_melding")
    if step in ("existing_start", "existing"):
        return _melding_for_existing(request, team, start=step == "existing_start")
    if step in ("new_start", "new"):
        return _melding_for_new(request, team, start=step == "new_start")
    return redirect("cases:new_melding")


def _search_page(request, form, **extra):
    return render(request, "cases/melding_search.html", {"form": form, "nav": "melding", **extra})


def _open_case_elsewhere(case: Case) -> str:
    return (f"Dit huishouden heeft al een open casus bij {case.team.name}. Neem contact op met dat team; "
            "een tweede casus kan niet worden geopend.")


def _redirect_to_open_case(request, case: Case):
    """Open the existing case instead of creating a duplicate (when it is the user's team's)."""
    if case.team_id in selectors.team_ids_of(request.user):
        messages.warning(request, services.MSG_OPEN_CASE)
        return redirect("cases:case_detail", pk=case.pk)
    return None


def _melding_search(request, teams):
    form = HouseholdSearchForm(request.POST, teams=teams)
    if not form.is_valid():
        return _search_page(request, form)
    data = form.cleaned_data
    team = data["team"]
    households = selectors.search_households(
        bsn=data["bsn"], postcode=data["postcode"], house_number=data["house_number"],
        addition=data["house_number_addition"],
    )
    person = selectors.person_by_bsn(data["bsn"]) if data["bsn"] else None
    audit.record_many(
        Actor.from_request(request), AuditAction.SEARCH,
        [(household, person, next(iter(household.open_cases), None)) for household in households],
    )
    if not households:
        household_initial = {"postcode": data["postcode"], "house_number": data["house_number"],
                             "house_number_addition": data["house_number_addition"]}
        return _new_household_page(
            request, team, HouseholdForm(initial=household_initial),
            member_formset([{"bsn": data["bsn"]}] if data["bsn"] else None),
            MeldingForm(team=team, default_director=selectors.membership_for_team(request.user, team.pk)),
            searched=True,
        )
    if len(households) == 1 and households[0].open_cases:
        open_case = households[0].open_cases[0]
        response = _redirect_to_open_case(request, open_case)
        if response is not None:
            return response
        form.add_error(None, _open_case_elsewhere(open_case))
        return _search_page(request, form)
    visible = selectors.team_ids_of(request.user)
    for household in households:
        household.open_case = next(iter(household.open_cases), None)
        household.open_case_visible = household.open_case is not None and household.open_case.team_id in visible
        household.token = signing.dumps(household.pk, salt=HOUSEHOLD_TOKEN_SALT)
    return _search_page(request, form, results=households, team=team, searched=data)


def _melding_kwargs(form) -> dict:
    data = form.cleaned_data
    return {"melding_date": data["melding_date"], "melding_source": data["melding_source"],
            "regisseur": data["regisseur"], "safety_flag": data.get("safety_flag", False)}


def _registered(request, case: Case):
    message = "Melding geregistreerd: de casus is aangemaakt."
    if case.reopened_from_id:
        message += f" Hij is gekoppeld als heropening van casus {case.reopened_from_id}."
    messages.success(request, message)
    return redirect("cases:case_detail", pk=case.pk)


def _melding_for_existing(request, team, *, start: bool):
    token = request.POST.get("household", "")
    try:
        household_pk = signing.loads(token, salt=HOUSEHOLD_TOKEN_SALT, max_age=HOUSEHOLD_TOKEN_MAX_AGE)
    except signing.BadSignature:
        messages.error(request, "Deze zoekopdracht is verlopen of ongeldig. Zoek het huishouden opnieuw.")
        return redirect("cases:new_melding")
    household = get_object_or_404(Household, pk=household_pk)
    default = selectors.membership_for_team(request.user, team.pk)
    form = MeldingForm(None if start else request.POST, team=team, default_director=default)
    if not start and form.is_valid():
        try:
            case = services.register_melding(
                actor=Actor.from_request(request), team=team, household=household, **_melding_kwargs(form)
            )
        except services.OpenCaseExists as exc:
            response = _redirect_to_open_case(request, exc.case)
            if response is not None:
                return response
            form.add_error(None, _open_case_elsewhere(exc.case))
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            return _registered(request, case)
    return render(request, "cases/melding_register.html", {
        "mode": "existing", "team": team, "household": household, "token": token, "melding_form": form,
        "nav": "melding",
    })


def _new_household_page(request, team, household_form, formset, melding_form, member_errors=(), searched=False):
    return render(request, "cases/melding_register.html", {
        "mode": "new", "team": team, "household_form": household_form, "formset": formset,
        "melding_form": melding_form, "member_errors": list(member_errors), "searched": searched, "nav": "melding",
    })


def _route_service_errors(error, *, household_form, melding_form, formset, row_of_member) -> list[str]:
    """Put register_melding's errors on the form they belong to; returns errors about the members as a whole.

    Member errors come keyed 'members-<i>-<field>', i being the position among the members sent,
    which `row_of_member` maps to the formset row (blank rows are not sent).
    """
    if not hasattr(error, "error_dict"):
        melding_form.add_service_errors(error)
        return []
    member_errors: list[str] = []
    for key, items in error.error_dict.items():
        match = re.fullmatch(r"members-(\d+)-(\w+)", key)
        if match and int(match[1]) < len(row_of_member):
            formset.forms[row_of_member[int(match[1])]].add_service_errors(ValidationError({match[2]: items}))
        elif key == "members":
            member_errors.extend(message for item in items for message in item.messages)
        elif key in household_form.fields:
            household_form.add_service_errors(ValidationError({key: items}))
        else:
            melding_form.add_service_errors(ValidationError({key: items}))
    return member_errors


def _melding_for_new(request, team, *, start: bool):
    default = selectors.membership_for_team(request.user, team.pk)
    if start:
        post = request.POST
        initial = {name: post.get(name, "") for name in ("postcode", "house_number", "house_number_addition")}
        rows = [{"bsn": post["bsn"]}] if post.get("bsn") else None
        return _new_household_page(request, team, HouseholdForm(initial=initial), member_formset(rows),
                                   MeldingForm(team=team, default_director=default))

    household_form = HouseholdForm(request.POST)
    formset = MemberFormSet(request.POST, prefix=MEMBERS_PREFIX)
    melding_form = MeldingForm(request.POST, team=team, default_director=default)
    if "add_member" in request.POST:
        # Re-show what was typed, with one more empty member row, without judging it yet.
        rows = [raw_values(form) for form in formset.forms] + [{}]
        return _new_household_page(
            request, team, HouseholdForm(initial=raw_values(household_form)), member_formset(rows),
            MeldingForm(initial=raw_values(melding_form), team=team, default_director=default),
        )

    valid = [household_form.is_valid(), formset.is_valid(), melding_form.is_valid()]
    member_errors = list(formset.non_form_errors()) if formset.is_bound else []
    if all(valid):
        row_of_member = [row for row, form in enumerate(formset.forms) if form.cleaned_data]
        data = services.HouseholdData(
            members=[formset.forms[row].to_data() for row in row_of_member], **household_form.cleaned_data
        )
        try:
            case = services.register_melding(
                actor=Actor.from_request(request), team=team, new_household=data, **_melding_kwargs(melding_form)
            )
        except ValidationError as exc:
            member_errors += _route_service_errors(
                exc, household_form=household_form, melding_form=melding_form, formset=formset,
                row_of_member=row_of_member,
            )
        else:
            return _registered(request, case)
    return _new_household_page(request, team, household_form, formset, melding_form, member_errors)


# --- Casus ----------------------------------------------------------------------------------------

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
    from zrm import selectors as zrm_selectors, services as zrm_services

    today = services.today()
    access = getattr(case, "break_glass", None)
    purpose = services.break_glass_purpose(access.reason) if access else audit.PURPOSE_CASEWORK
    members = list(selectors.current_members(case.household))
    for membership in members:
        membership.age = selectors.age_on(membership.person.date_of_birth, today)
    # The ZRM panel is read here, not in its template tag, so its measurements serve the plan section too
    # and every read of the page is audited in one INSERT.
    zrm_panel = zrm_selectors.case_panel(case, zrm_services.today(), members=[m.person for m in members])
    plan_context, plan_reads = _plan_context(request, case, members, measurements=zrm_panel.measurements)
    reads = [(case, None, case), *((m.person, m.person, case) for m in members), *plan_reads]
    measurement_reads = [(m, m.person, m.case) for m in zrm_panel.shown]  # as zrm.services.record_view
    actor = Actor.from_request(request)
    if purpose == audit.PURPOSE_CASEWORK:
        audit.record_many(actor, AuditAction.READ, reads + measurement_reads, purpose=purpose)
    else:  # break-the-glass: the ZRM panel's rows keep the casework purpose, as record_view writes them
        audit.record_many(actor, AuditAction.READ, reads, purpose=purpose)
        audit.record_many(actor, AuditAction.READ, measurement_reads)

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
        "zrm_panel": zrm_panel,
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


# --- Team -----------------------------------------------------------------------------------------

@login_required
def team(request):
    teams = list(selectors.led_teams(request.user))
    if not teams:
        raise PermissionDenied("Alleen teamleiders zien het teamoverzicht.")
    current = next((t for t in teams if str(t.pk) == request.GET.get("team")), teams[0])
    statuses = [(s.value, s.label) for s in CaseStatus if s != CaseStatus.CLOSED]
    team_qs = Team.objects.filter(pk__in=[t.pk for t in teams]).order_by("name")
    form = TeamFilterForm(request.GET or None, teams=team_qs, team=current, statuses=statuses)
    filters = form.cleaned_data if form.is_valid() else {}
    regisseur = filters.get("regisseur")
    today = services.today()
    cases = selectors.decorate_for_list(
        selectors.team_cases(request.user, team_id=current.pk, status=filters.get("status") or None,
                             regisseur_id=regisseur.pk if regisseur else None),
        today,
    )
    _audit_list(request, cases)
    per_worker: dict = {}
    for case in cases:
        row = per_worker.setdefault(case.regisseur_id, {"regisseur": case.regisseur, "open": 0, "overdue": 0})
        row["open"] += 1
        row["overdue"] += int(case.next_action_overdue)
    return render(request, "cases/team.html", {
        "team": current, "form": form, "cases": cases, "today": today, "nav": "team",
        "per_worker": sorted(per_worker.values(), key=lambda r: -r["open"]),
        "overdue_count": sum(1 for case in cases if case.next_action_overdue),
        "break_glass_events": _break_glass_for_leader(request, team_id=current.pk, limit=BREAK_GLASS_ON_TEAM_PAGE),
    })


# --- Plan van aanpak, network, family approach (issue 4) -------------------------------------------
# The plan section lives on the casus page (_plan_context); every change is one short form on its own
# screen (cases/plan_task.html), posted back to the same URL and redirected to the casus page (PRG).

PLAN_NOT_EDITABLE = "Dit plan is niet meer in concept en kan niet worden gewijzigd."


def _case_url(case, anchor: str = "") -> str:
    return reverse("cases:case_detail", args=[case.pk]) + (f"#{anchor}" if anchor else "")


def _plan_context(request, case, members, measurements=None) -> tuple[dict, list]:
    """The plan, network, family approach, interventions and escalations of the casus page (constant queries),
    and the audit rows (obj, person, case) of the personal data it shows, for the page to write.

    `measurements`: the case's measurements as zrm.selectors.case_panel read them (for the low domains).
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
        "low_domains": selectors.plan_low_domains(current, measurements) if current else [],
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


def _task_page(request, *, case, form, title, call, success, anchor="plan", button="Opslaan", intro="",
               template="cases/plan_task.html", extra=None):
    """One task of the casus page: GET shows the form; a valid POST runs the service and goes back (PRG)."""
    if request.method == "POST" and form.is_valid():
        try:
            result = call(Actor.from_request(request), form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, success(result) if callable(success) else success)
            return redirect(_case_url(case, anchor))
    return render(request, template, {
        "case": case, "form": form, "title": title, "intro": intro, "button": button,
        "back_url": _case_url(case, anchor), "nav": "caseload", **(extra or {}),
    })


def _concept_plan(request, plan_pk):
    """The plan if it can still be changed; else (plan, a redirect to the casus page with a message)."""
    plan = selectors.get_plan_for(request.user, plan_pk)
    if plan.status != PlanStatus.CONCEPT:
        messages.error(request, PLAN_NOT_EDITABLE)
        return plan, redirect(_case_url(plan.case, "plan"))
    return plan, None


def _posted(request):
    """The posted data (even when empty, so an empty POST shows its errors), or None for a GET."""
    return request.POST if request.method == "POST" else None


def _int_param(request, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


@team_member_required
@require_http_methods(["GET", "POST"])
def plan_start(request, pk):
    case = selectors.get_case_for(request.user, pk)
    if case.status == CaseStatus.CLOSED or case.plans.exclude(status=PlanStatus.EVALUATED).exists():
        messages.error(request, "Deze casus heeft al een actief plan of is afgesloten.")
        return redirect(_case_url(case, "plan"))
    members = list(selectors.current_members(case.household))
    previous = case.plans.order_by("-version").first()
    member_ids = [m.person_id for m in members]
    covered = ([pk for pk in previous.covered_persons.values_list("pk", flat=True) if pk in member_ids]
               if previous else member_ids)
    form = PlanForm(_posted(request), members=members, initial={"covered_persons": covered})
    return _task_page(
        request, case=case, form=form, title="Volgende versie van het plan starten" if previous else "Plan starten",
        intro=("Open doelen en niet nagekomen afspraken van de vorige versie worden overgenomen." if previous else
               "Kies de gezinsleden voor wie het plan geldt. Doelen, afspraken en het netwerk vult u daarna in."),
        button="Plan starten",
        call=lambda actor, data: services.start_plan(
            actor=actor, case=case, covered_persons=data["covered_persons"],
            own_responsibility=data["own_responsibility"], review_date=data["review_date"]),
        success=lambda plan: f"Plan van aanpak versie {plan.version} is gestart.",
    )


@team_member_required
@require_http_methods(["GET", "POST"])
def plan_edit(request, plan_pk):
    plan, refused = _concept_plan(request, plan_pk)
    if refused:
        return refused
    members = list(selectors.current_members(plan.case.household))
    initial = {"covered_persons": list(plan.covered_persons.values_list("pk", flat=True)),
               "own_responsibility": plan.own_responsibility, "review_date": plan.review_date}
    form = PlanForm(_posted(request), members=members, initial=initial)
    return _task_page(
        request, case=plan.case, form=form, title=f"Plan versie {plan.version} wijzigen",
        call=lambda actor, data: services.update_plan(
            actor=actor, plan=plan, covered_persons=data["covered_persons"],
            own_responsibility=data["own_responsibility"], review_date=data["review_date"]),
        success="Het plan is bijgewerkt.",
    )


@team_member_required
@require_http_methods(["GET", "POST"])
def goal_add(request, plan_pk):
    plan, refused = _concept_plan(request, plan_pk)
    if refused:
        return refused
    initial = {"person": _int_param(request, "persoon"), "domain": _int_param(request, "domein")}
    form = GoalForm(_posted(request), plan=plan, domains=selectors.goal_domain_choices(plan), initial=initial)
    return _task_page(
        request, case=plan.case, form=form, title="Doel toevoegen", button="Doel opslaan",
        intro="Een doel hoort bij één gezinslid en één ZRM-domein. Streefdatum en verantwoordelijke zijn nodig om "
              "het plan vast te stellen.",
        call=lambda actor, data: services.add_goal(
            actor=actor, plan=plan, person=data["person"], domain=data["domain"], description=data["description"],
            target_score=data["target_score"], target_date=data["target_date"], actor_type=data["actor_type"],
            actor_name=data["actor_name"]),
        success="Het doel is toegevoegd.",
    )


@team_member_required
@require_http_methods(["GET", "POST"])
def low_domain_reason(request, plan_pk):
    plan, refused = _concept_plan(request, plan_pk)
    if refused:
        return refused
    detailed = selectors.plan_with_details(plan.pk)
    low = selectors.plan_low_domains(detailed)
    person_id, domain_id = _int_param(request, "persoon"), _int_param(request, "domein")
    form = LowDomainReasonForm(_posted(request), low_domains=low,
                               initial={"item": f"{person_id}-{domain_id}" if person_id and domain_id else ""})

    def call(actor, data):
        item = form.selected
        return services.record_low_domain_reason(actor=actor, plan=plan, person=item.person, domain=item.domain,
                                                 reason=data["reason"], explanation=data["explanation"])

    return _task_page(
        request, case=plan.case, form=form, title="Reden zonder doel vastleggen", button="Reden opslaan",
        intro="Een domein dat laag scoort krijgt een doel, of een reden waarom niet.",
        call=call, success="De reden is vastgelegd.",
    )


@team_member_required
@require_http_methods(["GET", "POST"])
def agreement_add(request, plan_pk):
    plan, refused = _concept_plan(request, plan_pk)
    if refused:
        return refused
    form = AgreementForm(_posted(request))
    return _task_page(
        request, case=plan.case, form=form, title="Afspraak toevoegen", button="Afspraak opslaan",
        intro="Wie doet wat, en wanneer.",
        call=lambda actor, data: services.add_agreement(
            actor=actor, plan=plan, actor_type=data["actor_type"], actor_name=data["actor_name"],
            description=data["description"], due_date=data["due_date"]),
        success="De afspraak is toegevoegd.",
    )


@team_member_required
@require_http_methods(["GET", "POST"])
def network_assessment(request, plan_pk):
    plan, refused = _concept_plan(request, plan_pk)
    if refused:
        return refused
    existing = NetworkAssessment.objects.filter(plan=plan).first()
    initial = ({"explored": existing.explored, "contacted": existing.contacted,
                "contribution_agreed": existing.contribution_agreed, "reason_not_used": existing.reason_not_used}
               if existing else {})
    form = NetworkAssessmentForm(_posted(request), initial=initial)
    return _task_page(
        request, case=plan.case, form=form, title="Netwerkanalyse", button="Netwerkanalyse opslaan",
        call=lambda actor, data: services.record_network_assessment(actor=actor, plan=plan, **data),
        success="De netwerkanalyse is opgeslagen.",
    )


@team_member_required
@require_POST
def plan_finalise(request, plan_pk):
    """Vaststellen; when refused, the casus page lists every missing item."""
    plan = selectors.get_plan_for(request.user, plan_pk)
    try:
        services.finalise_plan(actor=Actor.from_request(request), plan=plan)
    except ValidationError as exc:
        return _case_page(request, plan.case, finalise_problems=exc.messages)
    messages.success(request, f"Plan van aanpak versie {plan.version} is vastgesteld.")
    return redirect(_case_url(plan.case, "plan"))


@team_member_required
@require_http_methods(["GET", "POST"])
def plan_evaluate(request, plan_pk):
    plan = selectors.get_plan_for(request.user, plan_pk)
    if plan.status != PlanStatus.FINALISED:
        messages.error(request, "Alleen een vastgesteld plan kan worden geëvalueerd.")
        return redirect(_case_url(plan.case, "plan"))
    form = evaluation_form(selectors.plan_with_details(plan.pk), _posted(request))
    return _task_page(
        request, case=plan.case, form=form, title=f"Plan versie {plan.version} evalueren", button="Evaluatie opslaan",
        intro="Geef per afspraak aan of die is nagekomen en vink de behaalde doelen aan. Daarna kunt u de volgende "
              "versie van het plan starten.",
        call=lambda actor, data: services.evaluate_plan(
            actor=actor, plan=plan, evaluation=data["evaluation"], followed=form.followed(),
            achieved_goal_ids=form.achieved_goal_ids()),
        success="Het plan is geëvalueerd. U kunt nu de volgende versie starten.",
    )


@team_member_required
def plan_detail(request, plan_pk):
    """One version of the plan, read-only (earlier versions included)."""
    plan = selectors.get_plan_for(request.user, plan_pk, allow_break_glass=True)
    detailed = selectors.plan_with_details(plan.pk)
    access = getattr(plan.case, "break_glass", None)
    audit.record(Actor.from_request(request), AuditAction.READ, detailed, case=plan.case,
                 purpose=services.break_glass_purpose(access.reason) if access else audit.PURPOSE_CASEWORK)
    return render(request, "cases/plan_detail.html", {
        "case": plan.case, "plan": detailed, "nav": "caseload", "today": services.today(),
        "versions": plan.case.plans.order_by("-version").only("pk", "version", "status", "case_id"),
    })


@team_member_required
@require_http_methods(["GET", "POST"])
def network_member_add(request, pk):
    case = selectors.get_case_for(request.user, pk)
    form = NetworkMemberForm(_posted(request))
    return _task_page(
        request, case=case, form=form, title="Netwerklid toevoegen", button="Netwerklid opslaan", anchor="netwerk",
        intro="Mensen om het huishouden heen: familie, buren, vrienden.",
        call=lambda actor, data: services.add_network_member(actor=actor, case=case, **data),
        success="Het netwerklid is toegevoegd.",
    )


@team_member_required
@require_http_methods(["GET", "POST"])
def family_approach(request, pk, person_pk):
    case = selectors.get_case_for(request.user, pk)
    membership = next((m for m in selectors.current_members(case.household) if m.person_id == person_pk), None)
    if membership is None:
        raise Http404("Geen huidig gezinslid van deze casus.")
    person = membership.person
    existing = FamilyApproach.objects.filter(case=case, person=person).first()
    initial = ({"spoken_to": yes_no_initial(existing.spoken_to), "reason_not_spoken": existing.reason_not_spoken,
                "needs_support": existing.needs_support, "receives_support": existing.receives_support}
               if existing else {})
    form = FamilyApproachForm(_posted(request), initial=initial)
    return _task_page(
        request, case=case, form=form, title=f"Gezinsgericht werken: {person.full_name}", button="Opslaan",
        anchor="gezin",
        call=lambda actor, data: services.record_family_approach(actor=actor, case=case, person=person, **data),
        success=f"Vastgelegd voor {person.first_name}.",
    )


@team_member_required
@require_http_methods(["GET", "POST"])
def safety_override(request, pk):
    case = selectors.get_case_for(request.user, pk)
    if not selectors.is_team_leader(request.user, case.team_id):
        raise PermissionDenied("Alleen een teamleider van dit team kan een uitzondering vastleggen.")
    form = SafetyOverrideForm(_posted(request))
    return _task_page(
        request, case=case, form=form, title="Uitzondering veiligheid vastleggen", button="Uitzondering vastleggen",
        anchor="gezin",
        intro="Bij een veiligheidscasus moeten alle gezinsleden gesproken zijn voordat het plan wordt vastgesteld, "
              "tenzij u als teamleider een uitzondering vastlegt.",
        call=lambda actor, data: services.record_safety_override(actor=actor, case=case, reason=data["reason"]),
        success="De uitzondering is vastgelegd.",
    )


# --- Interventions (trajecten) and escalations (issue 4) -------------------------------------------

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


# --- Privacy (issue 8): break-the-glass, consent, bemoeizorg, regiecheck, subject access ----------------

BREAK_GLASS_ON_TEAM_PAGE = 10
BREAK_GLASS_LOG_PAGE_SIZE = 50


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


def _break_glass_for_leader(request, *, team_id=None, limit=None):
    """Break-the-glass accesses the team leader oversees; showing them is a READ of each (one INSERT)."""
    events = selectors.break_glass_events_for_leader(request.user, team_id=team_id)
    events = list(events[:limit] if limit else events)
    audit.record_many(Actor.from_request(request), AuditAction.READ, [(e, None, e.case) for e in events],
                      purpose="toezicht op break-the-glass")
    return events


@login_required
def break_glass_log(request):
    """Team leaders: every break-the-glass access on their teams' cases or by their teams' workers."""
    from django.core.paginator import Paginator
    from django.utils import timezone

    if not selectors.led_teams(request.user).exists():
        raise PermissionDenied("Alleen teamleiders zien de doorbrekingen.")
    events = selectors.break_glass_events_for_leader(request.user)
    page = Paginator(events, BREAK_GLASS_LOG_PAGE_SIZE).get_page(request.GET.get("pagina"))
    rows = list(page.object_list)
    audit.record_many(Actor.from_request(request), AuditAction.READ, [(e, None, e.case) for e in rows],
                      purpose="toezicht op break-the-glass")
    return render(request, "cases/break_glass_log.html", {
        "events": rows, "page": page, "now": timezone.now(), "nav": "team",
        "led_team_ids": set(selectors.led_teams(request.user).values_list("pk", flat=True)),
    })


def _privacy_context(request, case: Case, *, read_only: bool) -> dict:
    """The consent panel and bemoeizorg of the casus page (one query)."""
    return {
        "consents": selectors.consents_of(case.household_id),
        "privacy_editable": not read_only,
        "break_glass_access": getattr(case, "break_glass", None),
    }


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
    from .models import Consent

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


# --- Regiecheck -----------------------------------------------------------------------------------------

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


# --- Subject access (inzageverzoek) -------------------------------------------------------------------

SUBJECT_TOKEN_SALT = "cases.subject_access.person"
SUBJECT_TOKEN_MAX_AGE = 30 * 60


def privacy_officer_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if Role.PRIVACY_OFFICER not in roles_of(request.user):
            raise PermissionDenied("Alleen de privacy officer behandelt inzageverzoeken.")
        return view(request, *args, **kwargs)

    return login_required(wrapper)


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
            from . import subject_access as export

            data = export.collect(person)
            context.update(person=person, token=signing.dumps(person.pk, salt=SUBJECT_TOKEN_SALT),
                           counts={"households": len(data["household_memberships"]), "cases": len(data["cases"]),
                                   "measurements": len(data["zrm_measurements"]),
                                   "consents": len(data["consents"]), "access_log": len(data["access_log"])})
    return render(request, "cases/subject_access.html", context)


def _subject_access_export(request):
    from django.http import HttpResponse

    from .models import Person

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
