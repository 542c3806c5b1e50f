"""Mijn caseload reads only what the list shows: no BSN is decrypted, and the rows show the same
texts as the shared partials (status badge, due date, overdue plan work)."""
import datetime as dt

import pytest
from django.urls import reverse

from cases import fields
from cases.models import Plan
from tests.factories import CaseFactory, MembershipFactory, StaffFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def test_my_caseload_decrypts_no_bsn(client, monkeypatch):
    worker = StaffFactory()
    cases = [CaseFactory(regisseur=worker, melding_date=TODAY - dt.timedelta(days=5 + i)) for i in range(3)]
    MembershipFactory(household=cases[0].household, person__last_name="Bakker", person__name_prefix="de")
    decrypted = []
    real = fields.decrypt_bsn
    monkeypatch.setattr(fields, "decrypt_bsn", lambda token: decrypted.append(token) or real(token))
    client.force_login(worker.user)

    response = client.get(reverse("cases:my_caseload"))

    assert response.status_code == 200
    assert decrypted == []
    assert [c.pk for c in response.context["cases"]] == [c.pk for c in reversed(cases)]
    assert all(c.household.current_memberships for c in response.context["cases"])
    assert "Huishouden " in response.content.decode()


def test_my_caseload_rows_show_status_due_date_and_overdue_plan_review(client):
    worker = StaffFactory()
    fresh = CaseFactory(regisseur=worker, melding_date=TODAY - dt.timedelta(days=2))
    late = CaseFactory(regisseur=worker, melding_date=TODAY - dt.timedelta(days=30))
    Plan.objects.create(case=late, version=1, status="vastgesteld", finalised_on=TODAY - dt.timedelta(days=20),
                        review_date=TODAY - dt.timedelta(days=3))
    client.force_login(worker.user)

    html = client.get(reverse("cases:my_caseload")).content.decode()

    due = fresh.melding_date + dt.timedelta(days=14)
    assert f'<td class="utrecht-table__cell">{due:%d-%m-%Y}</td>' in html
    assert '<span class="utrecht-status-badge utrecht-status-badge--warning">Aangemeld</span>' in html
    review = TODAY - dt.timedelta(days=3)
    assert (f'<span class="wr-overdue">Evaluatie plan van aanpak (versie 1): {review:%d-%m-%Y} (te laat)</span>'
            in html)
    assert f'href="{reverse("cases:case_detail", args=[late.pk])}"' in html
