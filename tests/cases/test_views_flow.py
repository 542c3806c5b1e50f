"""The whole life of a case through the browser views (Django test client), as a social worker does it."""
import datetime as dt

import pytest
from django.urls import reverse

from cases.models import Case, CaseEvent, CaseStatus, DirectorAssignment, Household, Person
from common.models import AuditAction, AuditEvent
from tests.factories import StaffFactory, closure_reason, melding_source, valid_bsn

pytestmark = pytest.mark.django_db


def test_social_worker_runs_a_case_from_melding_to_reopening(client):
    worker = StaffFactory(user__first_name="Sanne", user__last_name="Bakker")
    colleague = StaffFactory(team=worker.team, user__first_name="Joris", user__last_name="Visser")
    client.force_login(worker.user)
    today = dt.date.today()
    melding_url = reverse("cases:new_melding")
    bsn_mother = valid_bsn()

    # 1. Search by BSN: nobody known, so the new-household form opens with the BSN filled in.
    response = client.post(melding_url, {"step": "search", "team": worker.team.pk, "bsn": bsn_mother})
    assert response.status_code == 200
    assert response.context["mode"] == "new"
    assert response.context["formset"].forms[0].initial["bsn"] == bsn_mother
    assert bsn_mother not in response.wsgi_request.get_full_path()

    # 2. Register the household with two members and the melding.
    response = client.post(melding_url, {
        "step": "new", "team": worker.team.pk,
        "postcode": "9711 ab", "house_number": "12", "house_number_addition": "a", "street": "Oosterstraat",
        "city": "Groningen", "wijk": "Centrum",
        "members-TOTAL_FORMS": "2", "members-INITIAL_FORMS": "0", "members-MIN_NUM_FORMS": "1",
        "members-MAX_NUM_FORMS": "20",
        "members-0-first_name": "Anna", "members-0-last_name": "Jansen", "members-0-date_of_birth": "1984-05-01",
        "members-0-bsn": bsn_mother, "members-0-role": "ouder", "members-0-living_at_home": "on",
        "members-1-first_name": "Daan", "members-1-name_prefix": "de", "members-1-last_name": "Jansen",
        "members-1-date_of_birth": f"{today.year - 8}-02-10", "members-1-role": "kind",
        "members-1-living_at_home": "on",
        "melding_date": (today - dt.timedelta(days=20)).isoformat(), "melding_source": melding_source("school").pk,
        "regisseur": worker.pk,
    })
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == reverse("cases:case_detail", args=[case.pk])
    household = Household.objects.get()
    assert (household.postcode, household.house_number, household.house_number_addition) == ("9711AB", 12, "a")
    assert set(Person.objects.values_list("first_name", flat=True)) == {"Anna", "Daan"}
    assert case.status == CaseStatus.REGISTERED and case.regisseur == worker and case.team == worker.team
    assert case.melding_source.code == "school"

    page = client.get(response.url)
    content = page.content.decode()
    assert "Melding geregistreerd" in content
    assert "Anna Jansen" in content and "Daan de Jansen" in content
    assert "Gezin" in content  # household type: a parent under 65 with a child at home
    assert "Oosterstraat 12a" in content
    assert "Sanne Bakker" in content

    # 3. Register the first contact.
    response = client.post(reverse("cases:case_first_contact", args=[case.pk]),
                           {"contact-contact_date": (today - dt.timedelta(days=15)).isoformat()}, follow=True)
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS and case.first_contact_date == today - dt.timedelta(days=15)
    assert "Het eerste contact is geregistreerd" in response.content.decode()

    # 4. Transfer the direction to a colleague, with a reason.
    response = client.post(reverse("cases:case_transfer", args=[case.pk]),
                           {"transfer-regisseur": colleague.pk, "transfer-reason": "Zwangerschapsverlof",
                            "transfer-on": today.isoformat()}, follow=True)
    case.refresh_from_db()
    assert case.regisseur == colleague
    history = list(DirectorAssignment.objects.filter(case=case).order_by("started_on", "pk"))
    assert [(a.regisseur, a.ended_on) for a in history] == [(worker, today), (colleague, None)]
    content = response.content.decode()
    assert "De regie is overgedragen aan Joris Visser" in content
    assert "Zwangerschapsverlof" in content  # reason in the director history

    # 5. Close with a reason.
    response = client.post(reverse("cases:case_close", args=[case.pk]),
                           {"close-reason": closure_reason("doelen_behaald").pk,
                            "close-closed_on": (today - dt.timedelta(days=3)).isoformat()}, follow=True)
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.closure_reason.code == "doelen_behaald"
    assert "De casus is afgesloten" in response.content.decode()
    assert response.context["reopen_form"] is not None

    # 6. Reopen: a new case, linked to the closed one, and the page says how long it was closed.
    response = client.post(reverse("cases:case_reopen", args=[case.pk]),
                           {"reopen-melding_date": today.isoformat(),
                            "reopen-melding_source": melding_source("huisarts_poh").pk,
                            "reopen-regisseur": worker.pk}, follow=True)
    new = Case.objects.exclude(pk=case.pk).get()
    assert new.reopened_from == case and new.status == CaseStatus.REGISTERED and new.regisseur == worker
    assert response.redirect_chain[-1][0] == reverse("cases:case_detail", args=[new.pk])
    content = response.content.decode()
    assert f"De casus is heropend als casus {new.pk}" in content
    assert "Heropend vanuit" in content and "3 dagen vóór deze melding" in content

    old_page = client.get(reverse("cases:case_detail", args=[case.pk]))
    assert "Heropend als" in old_page.content.decode()
    assert old_page.context.get("reopen_form") is None  # reopened once: no second reopening offered

    # The timeline of the first case holds every step, and the audit log every change.
    kinds = list(CaseEvent.objects.filter(case=case).order_by("pk").values_list("kind", flat=True))
    assert kinds == ["melding", "regisseur", "eerste_contact", "overdracht", "afgesloten"]
    actions = AuditEvent.objects.filter(case=case, object_type="case", user=worker.user)
    assert actions.filter(action=AuditAction.CREATE).count() == 1
    assert actions.filter(action=AuditAction.UPDATE).count() == 3
    assert actions.filter(action=AuditAction.READ).count() >= 2
