"""Nieuwe melding: find the household (POST, no personal data in a URL), then register the melding for it or
for a new household with its members."""
import re

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from common import audit
from common.audit import Actor
from common.models import AuditAction

from .. import selectors, services
from ..forms import (
    MEMBERS_PREFIX,
    HouseholdForm,
    HouseholdSearchForm,
    MeldingForm,
    MemberFormSet,
    member_formset,
    raw_values,
)
from ..models import Case, Household, Team
from .base import _open_case_elsewhere, _redirect_to_open_case, team_member_required


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


def _melding_search(request, teams):
    form = HouseholdSearchForm(request.POST, teams=teams)
    if not form.is_valid():
        return _search_page(request, form)
    data = form.cleaned_data
    team = data["team"]
    visible = selectors.team_ids_of(request.user)
    households = selectors.search_households(
        team_ids=visible, bsn=data["bsn"], postcode=data["postcode"], house_number=data["house_number"],
        addition=data["house_number_addition"],
    )
    person = selectors.person_by_bsn(data["bsn"]) if data["bsn"] else None
    searched = [(household, person, next(iter(household.open_cases), None)) for household in households]
    if person is not None and not searched:  # known outside the user's teams: the log names them, the page not
        searched = [(person, person, None)]
    audit.record_many(Actor.from_request(request), AuditAction.SEARCH, searched)
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
