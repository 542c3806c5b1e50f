"""axe-core finds no serious or critical problem on the ZRM screens (entry with errors, history, measurement)."""
import pytest

from tests.e2e.conftest import serious_violations
from tests.zrm.factories import case_with_adult, record

pytestmark = [pytest.mark.e2e]


def test_zrm_screens_have_no_serious_accessibility_violations(logged_in_page):
    case, person = case_with_adult(child=True)
    m = record(case, person, scores={"financien": 2, "justitie": "niet_relevant"})
    page = logged_in_page(case.regisseur, next_url=f"/zrm/casussen/{case.pk}/personen/{person.pk}/nieuwe-meting")
    assert serious_violations(page) == []
    # error state: an impossible date, then vaststellen
    page.fill("#id_date", "2999-01-01")
    page.focus("#id_score_financien_1")
    page.keyboard.press("3")
    with page.expect_navigation():
        page.click("#zrm-finalise")
    assert "ligt in de toekomst" in page.content()
    assert serious_violations(page) == []
    for url in (f"/zrm/casussen/{case.pk}/personen/{person.pk}", f"/zrm/casussen/{case.pk}/huishouden",
                f"/zrm/metingen/{m.pk}"):
        page.goto(url)
        assert serious_violations(page) == [], url
