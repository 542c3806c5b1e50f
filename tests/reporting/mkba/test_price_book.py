"""The versioned price book: the DOMAIN.md §5 defaults as version 1, edited by the beheerder in the admin,
frozen once used, new versions by copy, and every calculation records its version."""
import datetime as dt
from decimal import Decimal

import pytest

from reporting.mkba import selectors, services
from reporting.mkba.models import PriceBook, PriceBookItem, Scenario
from tests.factories import StaffFactory, TeamFactory

pytestmark = pytest.mark.django_db

DOMAIN_DEFAULTS = {
    "team_member_fte": 85000, "team_leader_fte": 92000, "team_hour": 71, "uitkering": 14400,
    "armoedevoorziening": 300, "schuldhulpverlening": 2000, "re_integratie": 5500, "activerende_dagbesteding": 600,
    "maatschappelijke_dienstverlening": 1000, "jeugd_opvoedhulp_ambulant": 4250, "jeugd_ggz_ambulant": 2812,
    "ggz_ambulant": 2100, "wmo_overig": 932, "maatschappelijke_opvang": 15100, "work_year": 15000, "qaly": 20000,
}
ESCALATION_KEYS = {"escalation_huisuitzetting", "escalation_ots", "escalation_uhp", "escalation_opname_vv",
                   "escalation_opname_ggz"}


def test_version_one_holds_the_domain_defaults_and_marks_the_escalation_prices_as_placeholders():
    book = PriceBook.objects.get(version=1)
    items = {item.key: item for item in book.items.all()}
    assert {key: int(items[key].amount) for key in DOMAIN_DEFAULTS} == DOMAIN_DEFAULTS
    assert set(items) == set(DOMAIN_DEFAULTS) | ESCALATION_KEYS
    assert all(items[key].is_placeholder and "Plaatshouder" in items[key].source for key in ESCALATION_KEYS)
    assert not any(items[key].is_placeholder for key in DOMAIN_DEFAULTS)
    assert selectors.current_price_book() == book


def test_the_beheerder_edits_an_unused_version_in_the_admin(client):
    client.force_login(StaffFactory(administrator=True).user)
    book = PriceBook.objects.get(version=1)
    items = list(book.items.order_by("pk"))
    assert client.get("/beheer/mkba/pricebook/").status_code == 200
    data = {"version": 1, "valid_from": "2015-01-01", "description": book.description,
            "items-TOTAL_FORMS": len(items), "items-INITIAL_FORMS": len(items), "items-MIN_NUM_FORMS": 0,
            "items-MAX_NUM_FORMS": 1000}
    for index, item in enumerate(items):
        amount = "75" if item.key == "team_hour" else str(item.amount)
        data.update({f"items-{index}-id": item.pk, f"items-{index}-price_book": book.pk, f"items-{index}-key": item.key,
                     f"items-{index}-label": item.label, f"items-{index}-amount": amount,
                     f"items-{index}-unit": item.unit, f"items-{index}-source": item.source})
        if item.is_placeholder:
            data[f"items-{index}-is_placeholder"] = "on"
    response = client.post(f"/beheer/mkba/pricebook/{book.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert PriceBookItem.objects.get(price_book=book, key="team_hour").amount == Decimal("75")


def test_a_used_version_is_read_only_and_the_beheerder_copies_it_to_a_new_version(client):
    services.refresh_scope(TeamFactory().pk, 2025)
    book = PriceBook.objects.get(version=1)
    client.force_login(StaffFactory(administrator=True).user)
    page = client.get(f"/beheer/mkba/pricebook/{book.pk}/change/").content.decode()
    assert 'name="_save"' not in page  # the view page of a read-only object
    assert client.post(f"/beheer/mkba/pricebook/{book.pk}/change/", {"version": 1}).status_code == 403
    response = client.post("/beheer/mkba/pricebook/", {"action": "copy_to_new_version", "_selected_action": [book.pk]})
    assert response.status_code == 302
    new = PriceBook.objects.get(version=2)
    assert new.valid_from == dt.date.today()
    assert dict(new.items.values_list("key", "amount")) == dict(book.items.values_list("key", "amount"))
    assert selectors.current_price_book() == new


def test_every_calculation_records_the_price_book_version_it_used():
    old = PriceBook.objects.get(version=1)
    new = services.copy_price_book(book=old, valid_from=dt.date.today())
    new.items.filter(key="team_member_fte").update(amount=90000)
    team = TeamFactory()
    StaffFactory(team=team, fte=1)
    services.refresh_scope(team.pk, 2025)
    scenario = Scenario.objects.get(team=team, year=2025, is_base=True)
    assert scenario.price_book == new and scenario.result["priceBookVersion"] == 2
    assert scenario.input_document["team"]["memberCostPerFte"] == 90000
    assert services.calculate_document({**scenario.input_document, "priceBookVersion": 1})["priceBookVersion"] == 1


def test_a_future_version_does_not_apply_yet():
    future = services.copy_price_book(book=PriceBook.objects.get(version=1),
                                      valid_from=dt.date.today() + dt.timedelta(days=30))
    assert selectors.current_price_book().version == 1 and future.version == 2


def test_other_roles_cannot_open_the_price_book_admin(client):
    for staff in (StaffFactory(municipality=True), StaffFactory(leader=True), StaffFactory()):
        client.force_login(staff.user)
        assert client.get("/beheer/mkba/pricebook/").status_code == 403


def test_negative_prices_and_duplicate_keys_are_refused_by_the_database():
    from django.db import IntegrityError, transaction

    book = PriceBook.objects.get(version=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        PriceBookItem.objects.create(price_book=book, key="x", label="x", amount=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        PriceBookItem.objects.create(price_book=book, key="qaly", label="dubbel", amount=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Scenario.objects.create(name="zonder prijsboek", year=2025, result={"costs": {}})
