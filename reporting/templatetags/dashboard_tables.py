"""The rows of a dashboard table (templates/reporting/_table.html), written in one pass.

A team dashboard has some 650 cells; through the template engine (a loop, two conditions and a variable
per cell) they took about half of the page's rendering. The markup is the same as the template's was.
"""
from __future__ import annotations

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

LINK = '<a class="utrecht-link utrecht-link--html-a" href="{url}">{text}</a>'
NUMBER_LINK = ('<a class="utrecht-link utrecht-link--html-a" href="{url}" aria-label="{text}: toon de casussen">'
               '{text}</a>')


def _cell(cell) -> str:
    text = conditional_escape(cell.text)
    if cell.header:
        inner = LINK.format(url=conditional_escape(cell.url), text=text) if cell.url else text
        return f'<th scope="row" class="utrecht-table__header-cell">{inner}</th>'
    inner = NUMBER_LINK.format(url=conditional_escape(cell.url), text=text) if cell.url else text
    return f'<td class="utrecht-table__cell wr-num">{inner}</td>'


@register.simple_tag
def table_rows(table) -> SafeString:
    """The <tr> rows of a reporting.selectors.Table: row headers as <th scope="row">, numbers as cells that
    link to the cases behind them when the cell has a drill-down URL; texts and URLs escaped."""
    if not table.rows:
        return mark_safe(f'<tr class="utrecht-table__row"><td class="utrecht-table__cell" '
                         f'colspan="{len(table.columns)}">Geen gegevens.</td></tr>')
    return mark_safe("\n".join(
        f'<tr class="utrecht-table__row">{"".join(_cell(cell) for cell in row)}</tr>' for row in table.rows))
