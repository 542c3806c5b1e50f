"""Dashboards: the team leader's (own teams, exact figures, drill-down to cases), the social worker's
(own overdue items and households' progress) and the gemeente's (all teams, aggregated and
suppressed, no personal data). Thin: parse filters, call selectors, render; exports are audited."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render

from cases.models import Role, Team
from cases.selectors import led_teams, roles_of, team_ids_of
from common import audit
from common.audit import Actor
from common.exports import CSV_TYPE, XLSX_TYPE
from common.models import AuditAction, AuditPurpose

from . import exports, selectors, services
from .forms import PublicDashboardForm, TeamDashboardForm

PURPOSE = AuditPurpose.STEERING.value
PURPOSE_EXPORT = AuditPurpose.STEERING_EXPORT.value
DRILL_PAGE_SIZE = 50
# Lists are paged: each shown row is one audit row, written in one INSERT.
OVERDUE_SHOWN = 25
PROGRESS_PAGE_SIZE = 25


def _chart_payload(sections) -> list[dict]:
    return [{"id": s.chart_id, "title": s.title, "chart": s.chart} for s in sections if s.chart]


# --- Team leader ----------------------------------------------------------------------------------

def _team_context(request):
    """The led team asked for (403 for any other team), the filter form, the chosen period and the team's
    workers (the form's choices and the per-worker section)."""
    teams = list(led_teams(request.user))
    if not teams:
        raise PermissionDenied("Alleen teamleiders zien het teamdashboard.")
    wanted = request.GET.get("team")
    team = teams[0]
    if wanted:
        team = next((t for t in teams if str(t.pk) == wanted), None)
        if team is None:
            raise PermissionDenied("U bent geen teamleider van dit team.")
    today = services.today()
    workers = selectors.team_workers(team.pk)
    form = TeamDashboardForm(request.GET or None, teams=teams, team=team, workers=workers, today=today)
    kind, start = form.period()
    return team, teams, form, kind, start, today, workers


@login_required
def team_dashboard(request):
    team, teams, form, kind, start, today, workers = _team_context(request)
    filters = form.filters()
    sections, has_data = selectors.team_sections(team=team, period_kind=kind, period_start=start, today=today,
                                                 workers=workers, **filters)
    counts, shown, total = selectors.overdue(selectors.open_team_cases(team.pk, filters["worker_id"]), today,
                                             OVERDUE_SHOWN)
    actor = Actor.from_request(request)
    if shown:
        audit.record_many(actor, AuditAction.READ, [(i.case, None, i.case) for i in {i.case.pk: i for i in shown}
                                                    .values()], purpose=PURPOSE)
    query = request.GET.urlencode()
    return render(request, "reporting/team_dashboard.html", {
        "nav": "dashboard", "team": team, "form": form, "sections": sections, "has_data": has_data,
        "charts": _chart_payload(sections), "period_label": selectors.period_label(kind, start),
        "overdue_counts": counts, "overdue_items": shown, "overdue_total": total, "today": today,
        "last_rebuild": selectors.last_rebuild(), "query": query,
        "live": any(filters.values()),
    })


@login_required
def team_export(request, fmt: str):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    team, teams, form, kind, start, today, workers = _team_context(request)
    sections, _ = selectors.team_sections(team=team, period_kind=kind, period_start=start, today=today,
                                          public=True, workers=workers, **form.filters())
    title = f"Wijkregie sturingsinformatie {team.name}, {selectors.period_label(kind, start)}"
    audit.record(Actor.from_request(request), AuditAction.EXPORT, team, purpose=PURPOSE_EXPORT)
    return _download(title, sections, f"wijkregie-team-{team.pk}-{kind}-{start:%Y-%m-%d}", fmt)


def _download(title: str, sections, filename: str, fmt: str) -> HttpResponse:
    if fmt == "csv":
        response = HttpResponse(exports.to_csv(title, sections), content_type=CSV_TYPE)
    else:
        response = HttpResponse(exports.to_xlsx(title, sections), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


@login_required
def drilldown(request):
    """The team's cases behind one number of the dashboard, linking to their casus pages."""
    team, teams, form, kind, start, today, _ = _team_context(request)
    indicator = request.GET.get("indicator", "")
    keys = [request.GET.get(f"k{i}", "") for i in (1, 2, 3)]
    keys = keys[: max([0] + [i + 1 for i, k in enumerate(keys) if k])]
    qs = selectors.drilldown_cases(team_id=team.pk, indicator=indicator, keys=keys, period_kind=kind,
                                   period_start=start, today=today, **form.filters())
    if qs is None:
        raise Http404("Voor dit cijfer is geen lijst van casussen beschikbaar.")
    page = Paginator(qs, DRILL_PAGE_SIZE).get_page(request.GET.get("pagina"))
    cases = selectors.decorate(page.object_list, today)
    if cases:
        audit.record_many(Actor.from_request(request), AuditAction.READ, [(c, None, c) for c in cases],
                          purpose=PURPOSE)
    params = request.GET.copy()
    params.pop("pagina", None)
    back = request.GET.copy()
    for name in ("indicator", "k1", "k2", "k3", "pagina"):
        back.pop(name, None)
    return render(request, "reporting/drilldown.html", {
        "nav": "dashboard", "team": team, "cases": cases, "page": page, "indicator": indicator, "keys": keys,
        "period_label": selectors.period_label(kind, start), "query": params.urlencode(),
        "back_query": back.urlencode(),
    })


# --- Social worker ---------------------------------------------------------------------------------

@login_required
def my_dashboard(request):
    if not team_ids_of(request.user):
        raise PermissionDenied("Alleen sociaal werkers en teamleiders hebben een eigen overzicht.")
    today = services.today()
    counts, shown, total = selectors.overdue(selectors.my_open_cases(request.user), today, OVERDUE_SHOWN)
    page = Paginator(selectors.my_progress(request.user), PROGRESS_PAGE_SIZE).get_page(request.GET.get("pagina"))
    rows = list(page.object_list)
    section = selectors.my_progress_section(rows)
    actor = Actor.from_request(request)
    seen = [(i.case, None, i.case) for i in {i.case.pk: i for i in shown}.values()]
    seen += [(row.person, row.person, row.case) for row in rows]
    if seen:
        audit.record_many(actor, AuditAction.READ, seen, purpose=PURPOSE)
    return render(request, "reporting/my_dashboard.html", {
        "nav": "overzicht", "overdue_counts": counts, "overdue_items": shown, "overdue_total": total,
        "section": section, "page": page, "charts": _chart_payload([section]) if rows else [], "today": today,
    })


# --- Gemeente --------------------------------------------------------------------------------------

def _public_context(request):
    roles = roles_of(request.user)
    if not roles & {Role.MUNICIPALITY, Role.TEAM_LEADER}:
        raise PermissionDenied
    teams = list(Team.objects.order_by("name"))
    form = PublicDashboardForm(request.GET or None, teams=teams, wijken=selectors.wijken(), today=services.today())
    kind, start = form.period()
    scope_kind, scope_key, scope_label = form.scope()
    return teams, form, kind, start, scope_kind, scope_key, scope_label


@login_required
def municipality(request):
    """Aggregates for the municipality: no personal data, small cells suppressed, no drill-down."""
    teams, form, kind, start, scope_kind, scope_key, scope_label = _public_context(request)
    sections, has_data = selectors.public_sections(scope_kind=scope_kind, scope_key=scope_key, period_kind=kind,
                                                   period_start=start)
    comparison = selectors.teams_comparison(kind, start, teams)
    return render(request, "reporting/municipality.html", {
        "nav": "gemeente", "form": form, "sections": sections, "has_data": has_data, "comparison": comparison,
        "charts": _chart_payload(sections), "period_label": selectors.period_label(kind, start),
        "scope_label": scope_label, "last_rebuild": selectors.last_rebuild(), "query": request.GET.urlencode(),
        "threshold": selectors.threshold(),
    })


@login_required
def municipality_export(request, fmt: str):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    teams, form, kind, start, scope_kind, scope_key, scope_label = _public_context(request)
    sections, _ = selectors.public_sections(scope_kind=scope_kind, scope_key=scope_key, period_kind=kind,
                                            period_start=start)
    sections.insert(0, selectors.Section("teams", "Per team", tables=[selectors.teams_comparison(kind, start, teams)]))
    label = selectors.period_label(kind, start)
    audit.record_call(Actor.from_request(request), AuditAction.EXPORT, "sturingsinformatie",
                      f"{scope_kind}:{scope_key}:{kind}:{start:%Y-%m-%d}"[:64], purpose=PURPOSE_EXPORT)
    return _download(f"Wijkregie sturingsinformatie {scope_label}, {label}", sections,
                     f"wijkregie-{scope_kind}-{kind}-{start:%Y-%m-%d}", fmt)
