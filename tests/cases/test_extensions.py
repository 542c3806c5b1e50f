"""cases reads what zrm knows only through its extension points (cases/extensions.py): without a provider
registered, the screens and rules behave as if no measurement existed, and the casus page shows no ZRM panel."""
import datetime as dt

import pytest
from django.urls import reverse

from cases import extensions, selectors, services
from tests.cases.test_views_plan import plan_case, start

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


@pytest.fixture
def without_zrm(monkeypatch):
    for slot in (extensions.case_schedule, extensions.measurements, extensions.domains):
        monkeypatch.setattr(slot, "_provider", None)
    for hooks in (extensions.case_page_panels, extensions.subject_access_sections):
        monkeypatch.setattr(hooks, "_providers", [])


def test_zrm_fills_every_extension_point():
    assert type(extensions.case_schedule.provider).__module__ == "zrm.case_extensions"
    assert type(extensions.measurements.provider).__module__ == "zrm.case_extensions"
    assert type(extensions.domains.provider).__module__ == "zrm.case_extensions"
    assert [p.__module__ for p in extensions.case_page_panels] == ["zrm.case_extensions"]
    assert [s.key for s in extensions.subject_access_sections] == ["zrm_measurements"]


def test_without_providers_a_case_has_no_measurements(client, without_zrm):
    case, adult = plan_case()  # the adult has a vastgestelde ZRM with low domains
    plan = start(case, [adult])
    (row,) = selectors.decorate_for_list(selectors.my_caseload(case.regisseur.user), TODAY)
    assert row.next_measurement_due is None and not row.measurement_overdue
    assert selectors.plan_low_domains(selectors.plan_with_details(plan.pk)) == []
    assert selectors.latest_problem_domain_count(case.pk, adult.pk) is None
    assert not selectors.goal_domain_choices(plan).exists()
    assert services.plan_finalisation_problems(plan)[0].startswith(f"{adult.full_name} heeft geen vastgestelde ZRM")

    client.force_login(case.regisseur.user)
    response = client.get(reverse("cases:case_detail", args=[case.pk]))
    assert response.status_code == 200
    assert "zrm/_case_panel.html" not in [t.name for t in response.templates]
    assert "zrm_panel" not in response.context
