"""axe-core finds no serious or critical problem on the ZRM screens (entry with errors, history, measurement)."""
from pathlib import Path

import pytest
from django.conf import settings

from tests.zrm.factories import case_with_adult, record

pytestmark = [pytest.mark.e2e]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"


def serious_violations(page):
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    assert result["testEngine"]["name"] == "axe-core" and result["passes"]  # axe really ran
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def test_zrm_screens_have_no_serious_accessibility_violations(logged_in_page):
    if not AXE.exists():
        pytest.skip("axe-core not installed (npm ci)")
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
