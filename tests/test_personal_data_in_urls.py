"""Personal data never in a URL (issue 15, finding 7a): one rule for every query string, web and API.

Reproduces the attack: `?x=293%20270%20739`, `?x=293.270.739` and `?q=Kuiper` answered 200 on web paths, and the
admin's audit search put `?q=<BSN>` in the URL.
"""
import pytest
from django.urls import reverse

from common import audit
from common.models import AuditAction
from tests.factories import CaseFactory, StaffFactory

pytestmark = pytest.mark.django_db

BSN = "293270739"  # passes the elfproef
ATTACKS = ["x=293%20270%20739", "x=293.270.739", "q=Kuiper"]
MORE = ["x=293-270-739", "x=293%E2%80%89270%E2%80%89739",  # thin spaces
        "x=%EF%BC%92%EF%BC%99%EF%BC%93%EF%BC%92%EF%BC%97%EF%BC%90%EF%BC%97%EF%BC%93%EF%BC%99",  # fullwidth digits
        "x=%D9%A2%D9%A9%D9%A3%D9%A2%D9%A7%D9%A0%D9%A7%D9%A3%D9%A9",  # Arabic-Indic digits
        "x=293%2520270%2520739",  # encoded twice
        "x=12345672",  # 012345672 without its leading zero
        "x=bsn%3A293270739", "Q=Kuiper", "achter_naam=Kuiper", "geboortedatum=1980-01-01", "filter%5Bbsn%5D=1",
        "293270739=1"]


@pytest.mark.parametrize("query", ATTACKS + MORE)
def test_a_web_page_refuses_personal_data_in_its_query_string_with_a_dutch_400(login, query):
    staff = StaffFactory()
    client = login(staff)
    assert client.get("/casussen/mijn-caseload").status_code == 200
    response = client.get(f"/casussen/mijn-caseload?{query}")
    assert response.status_code == 400
    page = response.content.decode()
    assert response["Content-Type"].startswith("text/html") and "Geen persoonsgegevens in een webadres" in page
    assert "Kuiper" not in page and "293" not in page


@pytest.mark.parametrize("query", ATTACKS + MORE)
def test_an_anonymous_request_is_refused_before_the_login_redirect_repeats_the_query(client, query):
    response = client.get(f"/casussen/mijn-caseload?{query}")
    assert response.status_code == 400 and "Location" not in response


@pytest.mark.parametrize("query", ATTACKS + MORE)
def test_the_api_refuses_personal_data_in_its_query_string_with_problem_details(login, query):
    case = CaseFactory()
    client = login(case.regisseur)
    assert client.get(f"/api/v1/casussen/{case.pk}/zrm-metingen").status_code == 200
    response = client.get(f"/api/v1/casussen/{case.pk}/zrm-metingen?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json" and response["API-Version"] == "1.0.0"
    body = response.json()
    assert body["invalid-params"][0]["code"] == "personal_data_in_url"
    assert "Kuiper" not in response.content.decode() and "293" not in response.content.decode()


@pytest.mark.parametrize("query", ["periode=2020-01-09&soort=maand", "pagina=2", "status=open&regisseur=1"])
def test_ordinary_parameters_and_dates_pass(login, query):
    # 2020-01-09 is 20200109, which passes the elfproef with a leading zero: a date is still a date.
    staff = StaffFactory(leader=True)
    client = login(staff)
    assert client.get(f"/rapportage/team?{query}").status_code == 200
    assert client.get(f"/casussen/team?{query}").status_code == 200


@pytest.mark.parametrize("value", [BSN, "293 270 739", "293.270.739", "293-270-739", "293_270_739", "293/270/739",
                                   "293\u00a0270\u00a0739", "2\u200b93270739", "２９３２７０７３９", "٢٩٣٢٧٠٧٣٩",
                                   "12345672", "12.345.672", "bsn:293270739", "q=293270739&x=1"])
def test_bsn_like_values_are_recognised_whatever_the_separators_and_digits(value):
    from common.personal_data import contains_bsn

    assert contains_bsn(value)


@pytest.mark.parametrize("value", ["293270738", "12", "2020-01-09", "09-01-2020", "2026-10-01T10:00:00+01:00",
                                   "1.0.0", "/casussen/12/plan", "0612345678", "9711 AB", "Kuiper"])
def test_other_values_are_not_taken_for_a_bsn(value):
    from common.personal_data import contains_bsn

    assert not contains_bsn(value)


@pytest.mark.parametrize("key", ["q", "Q", "bsn", "BSN", "achter_naam", "Achternaam", "date-of-birth", "filter[bsn]",
                                 "ｂｓｎ", "zoek"])
def test_personal_parameter_names_are_recognised(key):
    from common.personal_data import is_personal_key

    assert is_personal_key(key)


@pytest.mark.parametrize("key", ["team", "pagina", "periode", "username", "status", "externalId", "next"])
def test_ordinary_parameter_names_are_not(key):
    from common.personal_data import is_personal_key

    assert not is_personal_key(key)


# --- The admin's search -------------------------------------------------------------------------------------

@pytest.fixture
def beheerder(client):
    staff = StaffFactory(administrator=True)
    client.force_login(staff.user)
    return staff


def test_the_admin_audit_search_is_a_post_and_never_puts_the_term_in_a_url(client, beheerder):
    first, second = CaseFactory(), CaseFactory()
    actor = audit.Actor(user=first.regisseur.user)
    audit.record(actor, AuditAction.READ, first, case=first)
    audit.record(actor, AuditAction.READ, second, case=second)
    url = reverse("admin:common_auditevent_changelist")
    listed = lambda response: {e.object_id for e in response.context["cl"].result_list}  # noqa: E731

    assert client.get(url, {"q": str(first.pk)}).status_code == 400  # the GET search of Django's admin is refused
    page = client.get(url).content.decode()
    assert 'id="changelist-search" method="post"' in page and "csrfmiddlewaretoken" in page

    searched = client.post(f"{url}?action__exact=read&p=2", {"_zoeken": "1", "q": str(first.pk)})
    assert searched.status_code == 302
    assert searched["Location"] == f"{url}?action__exact=read" and str(first.pk) not in searched["Location"]
    result = client.get(searched["Location"])
    assert listed(result) == {str(first.pk)}
    assert result.context["cl"].query == str(first.pk)
    # Paging and sorting links carry the filters, never the term.
    assert f"q={first.pk}" not in result.content.decode()

    cleared = client.post(url, {"_zoeken_wissen": "1"})
    assert listed(client.get(cleared["Location"])) == {str(first.pk), str(second.pk)}


def test_an_admin_search_by_bsn_stays_out_of_every_url(client, beheerder):
    url = reverse("admin:auth_user_changelist")
    searched = client.post(url, {"_zoeken": "1", "q": BSN})
    assert BSN not in searched["Location"]
    assert client.get(searched["Location"]).status_code == 200


def test_every_admin_changelist_searches_by_post_third_party_ones_included():
    from django.contrib import admin

    from common.admin_search import PostSearchMixin

    assert all(isinstance(model_admin, PostSearchMixin) for model_admin in admin.site._registry.values())
