"""The team leader's screens: the team page and the break-the-glass log."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from common import audit
from common.audit import Actor
from common.models import AuditAction, AuditPurpose

from .. import selectors, services
from ..forms import TeamFilterForm
from ..models import CaseStatus, Team
from .base import _audit_list


BREAK_GLASS_ON_TEAM_PAGE = 10


BREAK_GLASS_LOG_PAGE_SIZE = 50


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


def _break_glass_for_leader(request, *, team_id=None, limit=None):
    """Break-the-glass accesses the team leader oversees; showing them is a READ of each (one INSERT)."""
    events = selectors.break_glass_events_for_leader(request.user, team_id=team_id)
    events = list(events[:limit] if limit else events)
    audit.record_many(Actor.from_request(request), AuditAction.READ, [(e, None, e.case) for e in events],
                      purpose=AuditPurpose.BREAK_GLASS_OVERSIGHT)
    return events


@login_required
def break_glass_log(request):
    """Team leaders: every break-the-glass access on their teams' cases or by their teams' workers."""
    if not selectors.led_teams(request.user).exists():
        raise PermissionDenied("Alleen teamleiders zien de doorbrekingen.")
    events = selectors.break_glass_events_for_leader(request.user)
    page = Paginator(events, BREAK_GLASS_LOG_PAGE_SIZE).get_page(request.GET.get("pagina"))
    rows = list(page.object_list)
    audit.record_many(Actor.from_request(request), AuditAction.READ, [(e, None, e.case) for e in rows],
                      purpose=AuditPurpose.BREAK_GLASS_OVERSIGHT)
    return render(request, "cases/break_glass_log.html", {
        "events": rows, "page": page, "now": timezone.now(), "nav": "team",
        "led_team_ids": set(selectors.led_teams(request.user).values_list("pk", flat=True)),
    })
