"""The ZRM panel on the casus page: `{% load zrm_tags %}{% zrm_case_panel case %}`.

Runs a fixed number of queries (measurements with scores, members, schedule) and writes one
audit row per measurement whose data it shows.
"""
from django import template

from cases.audit import Actor

from .. import selectors, services
from ..models import MeasurementStatus

register = template.Library()


@register.inclusion_tag("zrm/_case_panel_body.html", takes_context=True)
def zrm_case_panel(context, case):
    today = services.today()
    measurements = selectors.measurements_of_case(case)
    members = selectors.current_member_persons(case.household_id)
    persons = {p.pk: p for p in members}
    for m in measurements:
        persons.setdefault(m.person_id, m.person)
    current_ids = {p.pk for p in members}
    rows = []
    shown = []
    for pk, person in persons.items():
        own = [m for m in measurements if m.person_id == pk]
        final = [m for m in own if m.status == MeasurementStatus.FINAL and not m.is_superseded]
        latest = final[-1] if final else None
        drafts = [m for m in own if m.status == MeasurementStatus.DRAFT]
        shown += ([latest] if latest else []) + drafts
        rows.append({"person": person, "latest": latest, "drafts": drafts, "count": len(own),
                     "is_member": pk in current_ids})
    request = context.get("request")
    if request is not None and shown:
        services.record_view(Actor.from_request(request), shown)
    items = selectors.case_schedule(case, today)
    return {
        "case": case,
        "rows": rows,
        "schedule": items,
        "today": today,
        "is_open": case.status != "afgesloten",
        "has_measurements": bool(measurements),
    }
