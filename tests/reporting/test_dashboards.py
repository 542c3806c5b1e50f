"""The dashboards: who sees what, exact figures and drill-down inside the team, suppression where data
leave the team (gemeente view, exports), audited exports, and a constant number of queries."""
import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cases.models import Person, Plan
from common.models import AuditAction, AuditEvent
from reporting import selectors, services
from reporting.models import ScopeKind
from tests.factories import StaffFactory
from tests.reporting.factories import adults, bulk_cases, make_case, measure, scores, team_with_workers

pytestmark = pytest.mark.django_db

FORBIDDEN, OK, LOGIN = 403, 200, 302


@pytest.fixture
def world():
    """Team A: a leader, two workers, six open cases (this quarter), three persons measured twice.
    Team B: a leader, a worker, two open cases. A gemeente user and a beheerder."""
    today = timezone.localdate()
    quarter = selectors.period_start_for("quarter", today)
    team_a, (anna, bram) = team_with_workers(1, 0.5, name="Wijkteam Noord")
    team_b, (olga,) = team_with_workers(1, name="Wijkteam Zuid")
    leader_a = StaffFactory(leader=True, team=team_a)
    leader_b = StaffFactory(leader=True, team=team_b)
    cases_a = []
    for i in range(6):
        melding = max(quarter, today - dt.timedelta(days=40)) + dt.timedelta(days=i % 3)
        worker = anna if i < 4 else bram
        case = make_case(worker, melding, contact=melding + dt.timedelta(days=2),
                         source="huisarts_poh" if i < 2 else "zelfmelder")
        cases_a.append(case)
    for case in cases_a[:3]:
        person = adults(case)[0]
        measure(case, person, case.melding_date + dt.timedelta(days=3), scores(3, financien=2))
        measure(case, person, today - dt.timedelta(days=1), scores(4, financien=3), type="tussenmeting")
    cases_b = [make_case(olga, quarter, contact=quarter + dt.timedelta(days=1)) for _ in range(2)]
    services.rebuild_all(on=today)
    return {
        "today": today, "quarter": quarter, "team_a": team_a, "team_b": team_b, "anna": anna, "bram": bram,
        "olga": olga, "leader_a": leader_a, "leader_b": leader_b, "cases_a": cases_a, "cases_b": cases_b,
        "gemeente": StaffFactory(municipality=True), "beheerder": StaffFactory(administrator=True),
    }


def users(world):
    return {"sociaal_werker": world["anna"].user, "teamleider": world["leader_a"].user,
            "teamleider_ander_team": world["leader_b"].user, "gemeente": world["gemeente"].user,
            "beheerder": world["beheerder"].user, "anoniem": None}


def pages(world):
    team = f"?team={world['team_a'].pk}"
    return {
        "team_dashboard": reverse("reporting:team_dashboard") + team,
        "team_export": reverse("reporting:team_export", args=["csv"]) + team,
        "drilldown": reverse("reporting:drilldown") + team + "&indicator=inflow&k1=zelfmelder",
        "my_dashboard": reverse("reporting:my_dashboard"),
        "municipality": reverse("reporting:municipality"),
        "municipality_export": reverse("reporting:municipality_export", args=["xlsx"]),
    }


TEAM_ONLY = {"sociaal_werker": FORBIDDEN, "teamleider": OK, "teamleider_ander_team": FORBIDDEN,
             "gemeente": FORBIDDEN, "beheerder": FORBIDDEN, "anoniem": LOGIN}
STAFF = {"sociaal_werker": OK, "teamleider": OK, "teamleider_ander_team": OK, "gemeente": FORBIDDEN,
         "beheerder": FORBIDDEN, "anoniem": LOGIN}
AGGREGATES = {"sociaal_werker": FORBIDDEN, "teamleider": OK, "teamleider_ander_team": OK, "gemeente": OK,
              "beheerder": FORBIDDEN, "anoniem": LOGIN}
MATRIX = {"team_dashboard": TEAM_ONLY, "team_export": TEAM_ONLY, "drilldown": TEAM_ONLY, "my_dashboard": STAFF,
          "municipality": AGGREGATES, "municipality_export": AGGREGATES}


@pytest.mark.parametrize("page", list(MATRIX))
def test_access_matrix_of_the_dashboards(client, world, page):
    url = pages(world)[page]
    for role, user in users(world).items():
        client.logout()
        if user:
            client.force_login(user)
        response = client.get(url)
        assert response.status_code == MATRIX[page][role], (page, role)
        if response.status_code == LOGIN:
            assert reverse("login") in response["Location"]


def test_the_team_leader_sees_exact_figures_and_drills_down_to_the_cases_behind_a_number(client, world):
    client.force_login(world["leader_a"].user)
    response = client.get(reverse("reporting:team_dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Dashboard Wijkteam Noord" in html
    sections = {s.key: s for s in response.context["sections"]}
    inflow = {row[0].text: row[1] for row in sections["instroom"].tables[0].rows}
    assert inflow["Huisarts/POH"].text == "2" and inflow["Zelfmelder"].text == "4"  # exact, not "<5"
    url = inflow["Zelfmelder"].url
    assert url and f'href="{url.replace("&", "&amp;")}"' in html

    drill = client.get(url)
    assert drill.status_code == 200
    listed = [case.pk for case in drill.context["cases"]]
    assert sorted(listed) == sorted(c.pk for c in world["cases_a"][2:])
    for case_id in listed:
        assert reverse("cases:case_detail", args=[case_id]) in drill.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.READ, case_id__in=listed,
                                     user=world["leader_a"].user).count() >= 4
    # The per-worker caseload drills down to that worker's cases only.
    workers = {row[0].text: row[2] for row in sections["medewerkers"].tables[0].rows}
    anna_name = world["anna"].user.get_full_name()
    drill = client.get(workers[anna_name].url)
    assert sorted(c.pk for c in drill.context["cases"]) == sorted(c.pk for c in world["cases_a"][:4])


def test_a_team_leader_cannot_see_or_drill_into_another_team(client, world):
    client.force_login(world["leader_a"].user)
    other = world["team_b"].pk
    assert client.get(reverse("reporting:team_dashboard") + f"?team={other}").status_code == 403
    assert client.get(reverse("reporting:drilldown") + f"?team={other}&indicator=caseload").status_code == 403
    assert client.get(reverse("reporting:team_export", args=["xlsx"]) + f"?team={other}").status_code == 403
    # An unknown indicator has no list of cases.
    assert client.get(reverse("reporting:drilldown") + "?indicator=zrm_domain_mean").status_code == 404


def test_the_gemeente_view_suppresses_small_cells_and_shows_no_personal_data(client, world):
    client.force_login(world["gemeente"].user)
    response = client.get(reverse("reporting:municipality") + f"?bereik=team-{world['team_a'].pk}")
    html = response.content.decode()
    assert response.status_code == 200
    sections = {s.key: s for s in response.context["sections"]}
    caseload = {row[0].text: row[1].text for row in sections["caseload"].tables[0].rows}
    assert caseload["Open casussen"] == "6"
    inflow = {row[0].text: row[1].text for row in sections["instroom"].tables[0].rows}
    assert inflow["Huisarts/POH"] == "<5" and inflow["Zelfmelder"] == "<5"
    # Three paired persons: the means and shares over them are suppressed too.
    progress = sections["voortgang"].tables[0].rows
    financien = next(row for row in progress if row[0].text == "Financiën")
    assert [cell.text for cell in financien[1:9]] == ["<5"] * 8
    assert "<a " not in "".join(t for s in response.context["sections"] for tb in s.tables for r in tb.rows
                                for t in [str(c.url or "") for c in r])
    assert "team/casussen" not in html
    comparison = {row[0].text: [c.text for c in row[1:]] for row in response.context["comparison"].rows}
    assert comparison["Wijkteam Noord"][0] == "6" and comparison["Wijkteam Zuid"][0] == "<5"
    # The page's own content (the header names the signed-in gemeente user, whose generated name may share a
    # word with a resident's).
    main = html[html.index("<main"):html.index("</main>")]
    for person in Person.objects.all():
        assert person.last_name not in main and (not person.bsn or person.bsn not in html)


def test_exports_suppress_small_cells_and_are_audited(client, world):
    client.force_login(world["leader_a"].user)
    response = client.get(reverse("reporting:team_export", args=["csv"]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    inflow = {row[0]: row[1] for row in rows if len(row) > 1 and row[0] in ("Huisarts/POH", "Zelfmelder")}
    assert inflow == {"Huisarts/POH": "<5", "Zelfmelder": "<5"}
    assert any(row[:2] == ["Open casussen", "6"] for row in rows)
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, object_type="team",
                                     object_id=str(world["team_a"].pk), user=world["leader_a"].user).exists()

    client.force_login(world["gemeente"].user)
    response = client.get(reverse("reporting:municipality_export", args=["xlsx"]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    values = [cell.value for sheet in book for row in sheet.iter_rows() for cell in row]
    assert "<5" in values  # team Zuid's two open cases, for instance
    sheet = book["Per team"]
    per_team = {row[0].value: row[1].value for row in sheet.iter_rows() if row[0].value in ("Wijkteam Noord",
                                                                                            "Wijkteam Zuid")}
    assert per_team == {"Wijkteam Noord": 6, "Wijkteam Zuid": "<5"}
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, user=world["gemeente"].user,
                                     purpose="export sturingsinformatie").exists()
    for person in Person.objects.all():
        assert person.last_name not in values


def test_filters_compute_the_same_figures_live_and_cut_by_worker(world):
    team, quarter, today = world["team_a"], world["quarter"], world["today"]
    stored = selectors.stored_report(ScopeKind.TEAM, str(team.pk), "quarter", quarter)
    live = selectors.live_report(team_id=team.pk, period_kind="quarter", period_start=quarter, today=today)

    def normalise(report):
        return {(i, k): (c["count"], None if c["value"] is None else round(c["value"], 9), c["base"])
                for i, cells in report.by.items() for k, c in cells.items()}

    assert normalise(live) == normalise(stored) and normalise(stored)
    bram = selectors.live_report(team_id=team.pk, period_kind="quarter", period_start=quarter, today=today,
                                 worker_id=world["bram"].pk)
    assert bram.count("caseload") == 2
    assert bram.get("zrm_paired", "paired") is None  # Bram's cases were not measured
    adults_only = selectors.live_report(team_id=team.pk, period_kind="quarter", period_start=quarter, today=today,
                                        age_group="jeugd")
    assert adults_only.get("zrm_paired", "paired") is None and adults_only.count("caseload") == 6


def test_the_social_worker_sees_own_overdue_items_and_households_progress(client, world):
    today = world["today"]
    anna = world["anna"]
    late = make_case(anna, today - dt.timedelta(days=60), contact=today - dt.timedelta(days=58))  # no nulmeting
    Plan.objects.create(case=world["cases_a"][0], version=1, status="vastgesteld",
                        finalised_on=today - dt.timedelta(days=30), review_date=today - dt.timedelta(days=2))
    make_case(world["olga"], today - dt.timedelta(days=60))  # someone else's overdue case
    client.force_login(anna.user)
    response = client.get(reverse("reporting:my_dashboard"))
    assert response.status_code == 200
    assert response.context["overdue_counts"] == {"zrm": 1, "review": 1, "goals": 0}
    assert {item.case.pk for item in response.context["overdue_items"]} == {late.pk, world["cases_a"][0].pk}
    rows = response.context["section"].tables[0].rows
    assert len(rows) == 3  # the three measured persons of Anna's cases
    assert all("→" in row[3].text for row in rows)
    html = response.content.decode()
    assert 'id="wr-charts"' in html and "reporting/dashboard.js" in html and "<script>" not in html


def test_the_team_dashboard_lists_overdue_work_of_the_team(client, world):
    today = world["today"]
    late = make_case(world["bram"], today - dt.timedelta(days=60))
    client.force_login(world["leader_a"].user)
    response = client.get(reverse("reporting:team_dashboard"))
    assert response.context["overdue_counts"]["zrm"] == 1
    assert [item.case.pk for item in response.context["overdue_items"]] == [late.pk]
    response = client.get(reverse("reporting:team_dashboard") + f"?medewerker={world['anna'].pk}")
    assert response.context["overdue_items"] == [] and response.context["live"]


def _queries(client, url) -> int:
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def test_dashboards_run_a_constant_number_of_queries_with_10_and_1000_cases(client):
    today = timezone.localdate()
    team, workers = team_with_workers(1, 0.8, 0.5, name="Wijkteam Groot")
    leader = StaffFactory(leader=True, team=team)
    gemeente = StaffFactory(municipality=True)
    bulk_cases(team, workers, 10, today)
    services.rebuild_all(on=today)
    worker = workers[0]
    urls = {
        "team": (leader, reverse("reporting:team_dashboard")),
        "team_live": (leader, reverse("reporting:team_dashboard") + f"?medewerker={worker.pk}&soort=year"),
        "drill": (leader, reverse("reporting:drilldown") + "?indicator=caseload&soort=year"),
        "mine": (worker, reverse("reporting:my_dashboard")),
        "gemeente": (gemeente, reverse("reporting:municipality")),
        "export": (leader, reverse("reporting:team_export", args=["xlsx"])),
    }

    def counts():
        out = {}
        for name, (staff, url) in urls.items():
            client.force_login(staff.user)
            out[name] = _queries(client, url)
        return out

    small = counts()
    bulk_cases(team, workers, 990, today, start=10)
    services.rebuild_all(on=today)
    large = counts()
    assert large == small
    client.force_login(leader.user)
    response = client.get(urls["drill"][1])
    assert response.context["page"].paginator.count == 1000


def test_outside_the_team_a_share_or_the_rest_of_a_total_never_gives_a_small_count_away():
    public = selectors.Builder(selectors.Report([]), None, public=True)
    team = selectors.Builder(selectors.Report([]), None, public=False)
    # One small part of a shown total: the smallest other part is hidden too (else total - rest = the small one).
    assert public.protect([10, 3, 7]) == [False, True, True]
    assert public.protect([2, 3, 10]) == [True, True, False]
    assert public.protect([10, 20]) == [False, False]
    assert team.protect([10, 3, 7]) == [False, False, False]
    # A share of 3 out of 30 would reveal the 3.
    assert public.share(0.1, 30, 3).text == "<5" and public.share(0.5, 30, 15).text == "50,0%"
    assert team.share(0.1, 30, 3).text == "10,0%"
    # A mean over four persons is hidden, over five shown.
    assert public.mean(2.25, 4).text == "<5" and public.mean(2.25, 5).text == "2,3"
