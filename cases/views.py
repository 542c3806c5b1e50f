"""Thin views: parse the request, call a service or selector, render.

Personal data never travels in a URL: searches and every write are POSTs; the only GET
parameters (team page filters) are ids and status codes.
"""
import re
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from . import audit, selectors, services
from .audit import Actor
from .forms import (
    MEMBERS_PREFIX,
    AddMemberForm,
    CloseForm,
    FirstContactForm,
    HouseholdForm,
    HouseholdSearchForm,
    MeldingForm,
    MemberFormSet,
    ReopenForm,
    TeamFilterForm,
    TransferForm,
    member_formset,
    raw_values,
)
from .models import AuditAction, Case, CaseStatus, Household, Role, Team
from .selectors import roles_of


@login_required
def home(request):
    roles = roles_of(request.user)
    if Role.SOCIAL_WORKER in roles or Role.TEAM_LEADER in roles:
        return redirect("cases:my_caseload")
    if Role.MUNICIPALITY in roles:
        return redirect("reporting:municipality")
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
    cases = selectors.decorate_for_list(selectors.my_caseload(request.user), today)
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
    return _case_page(request, selectors.get_case_for(request.user, pk))


def _case_page(request, case: Case, **bound_forms):
    """The casus page; `bound_forms` re-shows a failed action form with its errors."""
    today = services.today()
    members = list(selectors.current_members(case.household))
    for membership in members:
        membership.age = selectors.age_on(membership.person.date_of_birth, today)
    actor = Actor.from_request(request)
    audit.record(actor, AuditAction.READ, case, case=case)
    audit.record_many(actor, AuditAction.READ, [(m.person, m.person, case) for m in members])

    is_open = case.status != CaseStatus.CLOSED
    successor = None if is_open else selectors.reopened_as(case)
    other_open = None
    if not is_open and successor is None:
        other_open = selectors.open_case_of(case.household)
    default = selectors.membership_for_team(request.user, case.team_id)
    forms = {}
    if case.status == CaseStatus.REGISTERED and case.first_contact_date is None:
        forms["first_contact_form"] = FirstContactForm(prefix="contact")
    if is_open:
        forms["transfer_form"] = TransferForm(prefix="transfer", case=case)
        forms["close_form"] = CloseForm(prefix="close")
        forms["member_form"] = AddMemberForm(prefix="member")
    elif successor is None and other_open is None:
        forms["reopen_form"] = ReopenForm(prefix="reopen", team=case.team, default_director=default)
    forms.update(bound_forms)

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
        **forms,
    }
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
    })
