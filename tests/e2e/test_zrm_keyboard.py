"""A social worker scores a full ZRM 2017 measurement with the keyboard only and sees it on the chart."""
import re

import pytest

from tests.zrm.factories import CODES_2017, case_with_adult
from zrm.models import Measurement, MeasurementStatus

pytestmark = [pytest.mark.e2e]

# 13 domains of ZRM 2017 in screen order, with the digit typed for each.
KEYS = ["2", "4", "3", "5", "1", "3", "4", "5", "2", "3", "4", "1", "5"]


def test_worker_scores_thirteen_domains_by_keyboard_and_sees_them_on_the_chart(logged_in_page):
    case, person = case_with_adult()
    page = logged_in_page(case.regisseur, next_url=f"/zrm/casussen/{case.pk}/personen/{person.pk}/nieuwe-meting")

    assert page.locator("fieldset[data-zrm-domain]").count() == 13
    assert page.locator("#zrm-keys-hint").is_visible()
    # The entry screen starts on the first domain.
    assert page.evaluate("document.activeElement.name") == "score_financien"

    for key in KEYS:
        page.keyboard.press(key)
    assert page.evaluate("document.activeElement.id") == "zrm-finalise"
    with page.expect_navigation():
        page.keyboard.press("v")

    measurement = Measurement.objects.get(case=case, person=person)
    assert measurement.status == MeasurementStatus.FINAL
    stored = {s.domain.code: s.score for s in measurement.scores.select_related("domain")}
    assert stored == {code: int(key) for code, key in zip(CODES_2017, KEYS)}
    assert re.search(rf"/zrm/metingen/{measurement.pk}$", page.url)
    assert "De meting is vastgesteld." in page.content()

    page.goto(f"/zrm/casussen/{case.pk}/personen/{person.pk}")
    canvas = page.locator(f"canvas#zrm-chart-{person.pk}")
    canvas.wait_for()
    assert canvas.get_attribute("data-rendered") == "true"
    chart_data = page.evaluate(
        "id => { const c = Chart.getChart(document.getElementById(id));"
        " return {labels: c.data.labels, latest: c.data.datasets[1].data}; }",
        f"zrm-chart-{person.pk}",
    )
    assert chart_data["latest"] == [int(k) for k in KEYS]
    assert chart_data["labels"][0] == "Financiën" and len(chart_data["labels"]) == 13
    table_latest = page.locator(f"#zrm-chart-{person.pk}-table tbody tr td:nth-child(3)").all_inner_texts()
    assert table_latest == KEYS
    assert page.js_errors == []


def test_arrows_move_between_domains_and_zero_marks_niet_gescoord_with_a_changeable_reason(logged_in_page):
    case, person = case_with_adult()
    page = logged_in_page(case.regisseur, next_url=f"/zrm/casussen/{case.pk}/personen/{person.pk}/nieuwe-meting")
    reason_box = page.locator("fieldset[data-zrm-domain=financien] [data-zrm-reason]")
    assert reason_box.is_hidden()  # the script hides the reason until niet gescoord is chosen

    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.name") == "score_tijdsbesteding"
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.name") == "score_financien"

    page.keyboard.press("0")
    assert page.evaluate("document.activeElement.name") == "score_werk_opleiding"
    assert reason_box.is_visible()
    assert page.locator("#id_reason_financien").input_value() == "onbekend"
    page.select_option("#id_reason_financien", "niet_relevant")

    # The benefit warning appears while typing, before saving.
    page.select_option("#id_income_source", "uitkering")
    page.check("#id_score_huisvesting_5")
    page.focus("#id_score_tijdsbesteding_1")
    assert page.locator("#zrm-warnings").inner_text() == ""
    page.locator("#id_score_financien_5").check()
    assert "met een uitkering" in page.locator("#zrm-warnings").inner_text()
    page.locator("#id_score_financien_0").check()

    with page.expect_navigation():
        page.click("#zrm-save-draft")
    draft = Measurement.objects.get(case=case, person=person)
    assert draft.status == MeasurementStatus.DRAFT
    rows = {s.domain.code: (s.score, s.not_scored_reason) for s in draft.scores.select_related("domain")}
    assert rows == {"financien": (None, "niet_relevant"), "huisvesting": (5, "")}
    assert page.js_errors == []
