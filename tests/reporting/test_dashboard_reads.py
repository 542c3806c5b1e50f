"""How the dashboards read and render: the gemeente's wijk list by a loose index scan (the same list as a
DISTINCT over every wijk cell), dashboard table rows written in one pass with the template's markup and
escaping, and the team dashboard reading its code lists once."""
import datetime as dt

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reporting import selectors, services
from reporting.models import AggregateCell, ScopeKind
from tests.factories import StaffFactory
from tests.reporting.factories import make_case, team_with_workers

pytestmark = pytest.mark.django_db


def _cell(scope_kind, scope_key, start, indicator="caseload", key1=""):
    return AggregateCell(scope_kind=scope_kind, scope_key=scope_key, period_kind="month", period_start=start,
                         indicator=indicator, key1=key1, count=1)


def test_wijken_lists_each_wijk_with_cells_once_in_order():
    assert selectors.wijken() == []
    months = [dt.date(2026, m, 1) for m in (1, 2, 3)]
    names = ["Zuid", "Centrum", "Noord-Oost", "Aldlân", "Binnenstad", ""]  # "": households without a wijk
    AggregateCell.objects.bulk_create(
        [_cell(ScopeKind.WIJK, name, month, indicator, key) for name in names for month in months
         for indicator, key in (("caseload", ""), ("inflow", "zelfmelder"), ("inflow", "huisarts_poh"))]
        + [_cell(ScopeKind.TEAM, "7", months[0]), _cell(ScopeKind.ALL, "", months[0])])

    expected = list(AggregateCell.objects.filter(scope_kind=ScopeKind.WIJK).values_list("scope_key", flat=True)
                    .distinct().order_by("scope_key"))
    assert selectors.wijken() == expected
    assert sorted(expected) == sorted(names) and "7" not in expected


def test_the_gemeente_form_offers_the_wijken_and_a_wijk_scope_shows_its_cells(client):
    today = timezone.localdate()
    team, (worker,) = team_with_workers(name="Wijkteam Oost")
    for wijk in ("Oost", "Centrum", "Oost"):
        make_case(worker, today - dt.timedelta(days=5), contact=today - dt.timedelta(days=4), wijk=wijk)
    services.rebuild_all(on=today)
    client.force_login(StaffFactory(municipality=True).user)

    response = client.get(reverse("reporting:municipality"))
    choices = [value for value, _ in response.context["form"].fields["bereik"].choices]
    assert [c for c in choices if c.startswith("wijk-")] == ["wijk-Centrum", "wijk-Oost"]
    response = client.get(reverse("reporting:municipality") + "?bereik=wijk-Oost")
    assert response.status_code == 200 and response.context["scope_label"] == "Wijk Oost"
    caseload = {row[0].text: row[1].text for row in response.context["sections"][0].tables[0].rows}
    assert caseload["Open casussen"] == "<5"  # two cases in Oost, suppressed


def test_table_rows_have_the_markup_and_escaping_of_the_template():
    table = selectors.Table("Tabel", ["", "Aantal"], [
        [selectors.Cell("<b>Rij</b>", header=True), selectors.Cell("12", url="/team/casussen?a=1&k1=x")],
        [selectors.Cell("Rij 2", url="/kop?x=1&y=2", header=True), selectors.Cell("<5")],
    ])
    html = render_to_string("reporting/_table.html", {"table": table})
    assert ('<tr class="utrecht-table__row"><th scope="row" class="utrecht-table__header-cell">&lt;b&gt;Rij&lt;/b&gt;'
            '</th><td class="utrecht-table__cell wr-num"><a class="utrecht-link utrecht-link--html-a" '
            'href="/team/casussen?a=1&amp;k1=x" aria-label="12: toon de casussen">12</a></td></tr>') in html
    assert ('<th scope="row" class="utrecht-table__header-cell"><a class="utrecht-link utrecht-link--html-a" '
            'href="/kop?x=1&amp;y=2">Rij 2</a></th><td class="utrecht-table__cell wr-num">&lt;5</td>') in html
    assert "<b>" not in html

    empty = render_to_string("reporting/_table.html", {"table": selectors.Table("Leeg", ["A", "B", "C"], [])})
    assert '<td class="utrecht-table__cell" colspan="3">Geen gegevens.</td>' in empty


def test_drill_urls_carry_the_filters_then_the_indicator_and_keys():
    make = selectors.drill_url_factory({"team": 3, "soort": "quarter", "periode": "2026-10-01", "medewerker": 9})
    assert make("zrm_domain_direction", ("zrm-2017", "financien", "vooruit")) == (
        reverse("reporting:drilldown") + "?team=3&soort=quarter&periode=2026-10-01&medewerker=9"
        "&indicator=zrm_domain_direction&k1=zrm-2017&k2=financien&k3=vooruit")
    assert make("inflow", ("huisarts/poh & co",)).endswith("&indicator=inflow&k1=huisarts%2Fpoh+%26+co")


def test_the_team_dashboard_reads_the_team_and_its_code_lists_once(client):
    today = timezone.localdate()
    team, (worker,) = team_with_workers(name="Wijkteam West")
    leader = StaffFactory(leader=True, team=team)
    make_case(worker, today - dt.timedelta(days=5), contact=today - dt.timedelta(days=4))
    services.rebuild_all(on=today)
    client.force_login(leader.user)

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("reporting:team_dashboard"))
    assert response.status_code == 200
    sqls = [q["sql"] for q in ctx.captured_queries]
    assert sum('FROM "cases_meldingsource"' in sql for sql in sqls) == 1
    assert sum('FROM "cases_staffmembership" INNER JOIN "auth_user"' in sql for sql in sqls) == 1
    names = [row[0].text for row in {s.key: s for s in response.context["sections"]}["medewerkers"].tables[0].rows]
    assert worker.user.get_full_name() in names
