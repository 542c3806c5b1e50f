"""Under /api/ every error is problem details (issue 15, finding 9): a production (DEBUG off) 404 for an unknown
API path, or a 405 from a view that is not DRF's, answered Django's HTML page."""
import pytest
from django.http import Http404, HttpResponse
from django.test import Client
from django.urls import include, path
from django.views.decorators.http import require_GET

from tests.factories import CaseFactory, StaffFactory

pytestmark = pytest.mark.django_db


@require_GET
def plain_view(request):
    return HttpResponse("ok")


def plain_missing(request):
    raise Http404("Niets hier.")


def plain_crash(request):
    raise RuntimeError("kapot")


# The project's URLs plus three plain Django views under /api/ (none exists today; the rule must hold when one does).
urlpatterns = [
    path("api/v1/gewoon", plain_view),
    path("api/v1/gewoon-weg", plain_missing),
    path("api/v1/gewoon-kapot", plain_crash),
    path("", include("config.urls")),
]


def _assert_problem(response, status):
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["title"] and body["type"].endswith(str(status))
    assert response["API-Version"] == "1.0.0"
    return body


@pytest.mark.parametrize("url", ["/api/v1/bestaat-niet", "/api/bestaat-niet", "/api/v1/casussen/999999999999/x"])
def test_an_unknown_api_path_is_a_problem_not_an_html_page(client, settings, url):
    assert settings.DEBUG is False
    _assert_problem(client.get(url), 404)
    client.force_login(StaffFactory().user)
    _assert_problem(client.get(url), 404)


def test_a_wrong_method_on_a_real_endpoint_is_a_problem(client):
    case = CaseFactory()
    client.force_login(case.regisseur.user)
    response = client.delete(f"/api/v1/casussen/{case.pk}/zrm-metingen")
    _assert_problem(response, 405)
    assert "GET" in response["Allow"]


@pytest.mark.urls(__name__)
def test_a_plain_django_view_under_the_api_answers_problems_too(client):
    assert client.get("/api/v1/gewoon").content == b"ok"
    response = client.post("/api/v1/gewoon")
    _assert_problem(response, 405)
    assert response["Allow"] == "GET"
    _assert_problem(client.get("/api/v1/gewoon-weg"), 404)
    crash = Client(raise_request_exception=False).get("/api/v1/gewoon-kapot")
    assert "kapot" not in _assert_problem(crash, 500)["detail"]


def test_pages_outside_the_api_keep_their_html_404(client):
    response = client.get("/bestaat-niet")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")
