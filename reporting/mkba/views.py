"""MKBA pages (Dutch): choose a team and year, the report per scenario with its inputs and overrides,
scenarios side by side, and the PDF and XLSX exports.

Access: gemeente and functioneel beheerder see every team; a teamleider sees the teams they lead and
the all-teams aggregate, and changes only their own team's scenarios; sociaal werkers get 403.
Views parse and render; reporting.mkba.services does the work.
"""
from __future__ import annotations

import datetime as dt
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from common.audit import Actor

from . import exports, report, selectors, services
from .forms import ManualBenefitForm, NewScenarioForm, OverrideForm, RenameForm, ScopeForm


def mkba_access(view):
    """Signed in with role gemeente, beheerder or teamleider (selectors.team_scope_of raises 403 otherwise)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        selectors.team_scope_of(request.user)
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def _default_scope(request) -> tuple[str, int]:
    scope = selectors.team_scope_of(request.user)
    team = "alle" if scope is None or not scope else str(min(scope))
    return team, dt.date.today().year - 1


@require_GET
@mkba_access
def index(request):
    teams = selectors.teams_for(request.user)
    team, year = _default_scope(request)
    form = ScopeForm(request.GET if "year" in request.GET else {"team": team, "year": year}, teams=teams)
    scenarios, team_id, year = [], None, None
    if form.is_valid():
        team_id, year = form.team_id(), form.cleaned_data["year"]
        if not selectors.may_see_scope(request.user, team_id):
            raise PermissionDenied("Dit team is niet het uwe.")
        scenarios = list(selectors.scenarios_of_scope(team_id, year))
    rows = [(s, *(report.ratio((s.result or {}).get(key)) for key in ("ratioFinancial", "ratioSocietal",
                                                                      "ratioMunicipal"))) for s in scenarios]
    scope_label = "alle teams" if team_id is None else next((t.name for t in teams if t.pk == team_id), "")
    return render(request, "reporting/mkba/index.html", {
        "form": form, "rows": rows, "team_id": team_id, "year": year, "nav": "mkba", "scope_label": scope_label,
        "has_base": any(s.is_base for s in scenarios), "caveat": report.CAVEAT,
    })


@require_POST
@mkba_access
def compute(request):
    """(Re)compute a team's (or all teams') scenarios of a year from the registration now."""
    form = ScopeForm(request.POST, teams=selectors.teams_for(request.user))
    if not form.is_valid():
        messages.error(request, "Kies een team en een jaar.")
        return redirect("reporting:mkba:index")
    team_id, year = form.team_id(), form.cleaned_data["year"]
    if not selectors.may_see_scope(request.user, team_id):
        raise PermissionDenied("Dit team is niet het uwe.")
    try:
        scenarios = services.refresh_scope(team_id, year)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("reporting:mkba:index")
    base = next(s for s in scenarios if s.is_base)
    messages.success(request, "De MKBA is opnieuw berekend uit de registratie.")
    return redirect("reporting:mkba:scenario", base.pk)


def _page(request, scenario, *, override_form=None, new_form=None, benefit_form=None, rename_form=None, status=200):
    price_labels = _price_labels(scenario)
    rep = report.build(scenario, price_labels)
    editable = selectors.may_edit_scope(request.user, scenario.team_id)
    siblings = list(selectors.scenarios_of_scope(scenario.team_id, scenario.year))
    override_form = override_form or OverrideForm(groups=rep.groups)
    for group in rep.groups:
        for row in group.rows:
            row.bound = override_form[row.field] if row.field in override_form.fields else None
    return render(request, "reporting/mkba/scenario.html", {
        "scenario": scenario, "report": rep, "siblings": siblings, "editable": editable, "nav": "mkba",
        "override_form": override_form,
        "new_form": new_form or NewScenarioForm(prefix="nieuw"),
        "benefit_form": benefit_form or ManualBenefitForm(prefix="baat"),
        "rename_form": rename_form or RenameForm(prefix="naam", initial={"name": scenario.name}),
    }, status=status)


def _price_labels(scenario) -> dict[str, str]:
    version = (scenario.input_document or {}).get("priceBookVersion")
    book = selectors.price_book_by_version(version) if version else selectors.current_price_book()
    return selectors.price_table(book).labels if book else {}


def _editable(request, scenario):
    if not selectors.may_edit_scope(request.user, scenario.team_id):
        raise PermissionDenied("U mag de scenario's van dit team of van alle teams niet wijzigen.")


@require_GET
@mkba_access
def scenario_detail(request, pk: int):
    return _page(request, selectors.get_scenario_for(request.user, pk))


@require_GET
@mkba_access
def switch(request):
    """The scenario switcher (a select in a GET form): go to the chosen scenario."""
    try:
        pk = int(request.GET.get("scenario", ""))
    except ValueError:
        return redirect("reporting:mkba:index")
    return redirect("reporting:mkba:scenario", selectors.get_scenario_for(request.user, pk).pk)


@require_POST
@mkba_access
def overrides(request, pk: int):
    scenario = selectors.get_scenario_for(request.user, pk)
    _editable(request, scenario)
    rep = report.build(scenario, {})
    form = OverrideForm(request.POST, groups=rep.groups)
    if form.is_valid():
        try:
            services.update_overrides(actor=Actor.from_request(request), scenario=scenario, values=form.values())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, "De invoer is aangepast en de MKBA opnieuw berekend.")
            return redirect("reporting:mkba:scenario", scenario.pk)
    messages.error(request, "De aanpassingen zijn niet opgeslagen: verbeter de gemarkeerde velden.")
    return _page(request, scenario, override_form=form, status=400)


@require_POST
@mkba_access
def scenario_create(request, pk: int):
    current = selectors.get_scenario_for(request.user, pk)
    _editable(request, current)
    form = NewScenarioForm(request.POST, prefix="nieuw")
    if form.is_valid():
        try:
            scenario = services.create_scenario(
                actor=Actor.from_request(request), team_id=current.team_id, year=current.year,
                name=form.cleaned_data["name"], copy_from=current if form.cleaned_data["copy_overrides"] else None,
                values=form.values(),
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, f"Scenario '{scenario.name}' is aangemaakt.")
            return redirect("reporting:mkba:scenario", scenario.pk)
    return _page(request, current, new_form=form, status=400)


@require_POST
@mkba_access
def scenario_rename(request, pk: int):
    scenario = selectors.get_scenario_for(request.user, pk)
    _editable(request, scenario)
    form = RenameForm(request.POST, prefix="naam")
    if form.is_valid():
        try:
            services.rename_scenario(actor=Actor.from_request(request), scenario=scenario,
                                     name=form.cleaned_data["name"])
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            return redirect("reporting:mkba:scenario", scenario.pk)
    return _page(request, scenario, rename_form=form, status=400)


@require_POST
@mkba_access
def scenario_delete(request, pk: int):
    scenario = selectors.get_scenario_for(request.user, pk)
    _editable(request, scenario)
    scope = "alle" if scenario.team_id is None else scenario.team_id
    try:
        services.delete_scenario(actor=Actor.from_request(request), scenario=scenario)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("reporting:mkba:scenario", scenario.pk)
    messages.success(request, "Het scenario is verwijderd.")
    return redirect(f"{reverse('reporting:mkba:index')}?team={scope}&year={scenario.year}")


@require_POST
@mkba_access
def benefit_add(request, pk: int):
    scenario = selectors.get_scenario_for(request.user, pk)
    _editable(request, scenario)
    form = ManualBenefitForm(request.POST, prefix="baat")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.add_manual_benefit(actor=Actor.from_request(request), scenario=scenario,
                                        category=data["category"], label=data["label"], amount=float(data["amount"]),
                                        year=data["year"], benefit_actor=data["benefit_actor"])
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, "De baat is toegevoegd.")
            return redirect("reporting:mkba:scenario", scenario.pk)
    return _page(request, scenario, benefit_form=form, status=400)


@require_POST
@mkba_access
def benefit_remove(request, pk: int, key: str):
    scenario = selectors.get_scenario_for(request.user, pk)
    _editable(request, scenario)
    services.remove_manual_benefit(actor=Actor.from_request(request), scenario=scenario, key=key)
    messages.success(request, "De baat is verwijderd.")
    return redirect("reporting:mkba:scenario", scenario.pk)


@require_GET
@mkba_access
def compare(request, pk: int):
    """Every scenario of the same team (or all teams) and year, side by side."""
    scenario = selectors.get_scenario_for(request.user, pk)
    scenarios = list(selectors.scenarios_of_scope(scenario.team_id, scenario.year))
    return render(request, "reporting/mkba/compare.html", {
        "scenario": scenario, "scenarios": scenarios, "rows": exports.comparison_rows(scenarios), "nav": "mkba",
        "caveat": report.CAVEAT,
    })


@require_GET
@mkba_access
def export_xlsx(request, pk: int):
    scenario = selectors.get_scenario_for(request.user, pk)
    rep = report.build(scenario, _price_labels(scenario))
    content = exports.xlsx(rep, selectors.scenarios_of_scope(scenario.team_id, scenario.year))
    services.record_export(Actor.from_request(request), scenario)
    response = HttpResponse(content, content_type=exports.CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(scenario, "xlsx")}"'
    return response


@require_GET
@mkba_access
def export_pdf(request, pk: int):
    scenario = selectors.get_scenario_for(request.user, pk)
    content = exports.pdf(report.build(scenario, _price_labels(scenario)))
    services.record_export(Actor.from_request(request), scenario)
    response = HttpResponse(content, content_type=exports.CONTENT_TYPES["pdf"])
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(scenario, "pdf")}"'
    return response
