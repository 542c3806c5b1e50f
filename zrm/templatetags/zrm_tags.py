"""The ZRM panel on the casus page: `{% load zrm_tags %}{% zrm_case_panel case panel %}`.

`panel` (optional) is the page's selectors.case_panel, already read and audited by the view; without it
the tag reads the panel itself (a fixed number of queries) and writes one audit row per measurement
whose data it shows.
"""
from django import template

from common.audit import Actor

from .. import selectors, services

register = template.Library()


@register.inclusion_tag("zrm/_case_panel_body.html", takes_context=True)
def zrm_case_panel(context, case, panel=None):
    if not isinstance(panel, selectors.CasePanel) or panel.case.pk != case.pk:
        panel = selectors.case_panel(case, services.today())
        request = context.get("request")
        if request is not None and panel.shown:
            services.record_view(Actor.from_request(request), panel.shown)
    return {
        "case": case,
        "rows": panel.rows,
        "schedule": panel.schedule,
        "today": panel.today,
        "is_open": case.status != "afgesloten",
        "has_measurements": bool(panel.measurements),
    }
