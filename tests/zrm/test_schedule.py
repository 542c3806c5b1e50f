"""The measurement schedule: due and overdue dates, around month ends and leap days."""
import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from cases import selectors as case_selectors
from cases import services as case_services
from tests.factories import closure_reason
from tests.zrm.factories import actor_for, case_with_adult, record
from zrm import schedule, selectors
from zrm.schedule import DONE, LAPSED, OPEN, OVERDUE, SKIPPED, add_months, case_schedule

D = dt.date


def plan(melding, *, nul=(), tus=(), afs=(), closed_on=None, today):
    return case_schedule(melding_date=melding, closed_on=closed_on, nulmeting_dates=list(nul),
                         tussenmeting_dates=list(tus), afsluiting_dates=list(afs), today=today)


def by_label(items):
    return {item.label: item for item in items}


@pytest.mark.parametrize("start,months,due", [
    (D(2023, 8, 31), 6, D(2024, 2, 29)),   # leap year: 31 August + 6 months = 29 February
    (D(2024, 8, 31), 6, D(2025, 2, 28)),   # ordinary year: 28 February
    (D(2024, 2, 29), 12, D(2025, 2, 28)),  # from a leap day a year on
    (D(2024, 2, 29), 6, D(2024, 8, 29)),
    (D(2023, 3, 31), 6, D(2023, 9, 30)),   # 30-day month
    (D(2023, 8, 31), 18, D(2025, 2, 28)),
    (D(2023, 12, 31), 18, D(2025, 6, 30)),
    (D(2022, 8, 30), 18, D(2024, 2, 29)),
])
def test_tussenmeting_months_are_calendar_months_clipped_to_the_month_end(start, months, due):
    assert add_months(start, months) == due


def test_nulmeting_is_due_six_weeks_after_the_melding_and_overdue_only_the_day_after():
    items = plan(D(2024, 1, 18), today=D(2024, 2, 29))
    nulmeting = by_label(items)["Nulmeting"]
    assert nulmeting.due == D(2024, 2, 29) and nulmeting.status == OPEN  # due today is not overdue
    nulmeting = by_label(plan(D(2024, 1, 18), today=D(2024, 3, 1)))["Nulmeting"]
    assert nulmeting.status == OVERDUE and nulmeting.days_overdue(D(2024, 3, 1)) == 1
    assert [i.kind for i in items] == ["nulmeting"]  # no tussenmetingen before a nulmeting


def test_tussenmetingen_follow_the_nulmeting_date_across_a_leap_february():
    items = by_label(plan(D(2023, 7, 20), nul=[D(2023, 8, 31)], today=D(2024, 3, 1)))
    assert items["Nulmeting"].status == DONE and items["Nulmeting"].done_on == D(2023, 8, 31)
    six, twelve, eighteen = (items[f"Tussenmeting ({m} maanden)"] for m in (6, 12, 18))
    assert (six.due, twelve.due, eighteen.due) == (D(2024, 2, 29), D(2024, 8, 31), D(2025, 2, 28))
    assert six.status == OVERDUE and twelve.status == OPEN and eighteen.status == OPEN


def test_a_tussenmeting_on_the_due_day_or_near_it_fills_the_nearest_slot():
    items = plan(D(2024, 7, 1), nul=[D(2024, 8, 31)], tus=[D(2025, 2, 20)], today=D(2025, 3, 10))
    six = by_label(items)["Tussenmeting (6 maanden)"]
    assert six.due == D(2025, 2, 28) and six.status == DONE and six.done_on == D(2025, 2, 20)
    nxt = schedule.next_open(items)
    assert nxt.label == "Tussenmeting (12 maanden)" and nxt.due == D(2025, 8, 31) and nxt.status == OPEN


def test_a_missed_slot_is_skipped_not_overdue_once_a_later_one_is_done():
    items = by_label(plan(D(2023, 1, 1), nul=[D(2023, 2, 1)], tus=[D(2024, 1, 25)], today=D(2024, 2, 10)))
    assert items["Tussenmeting (6 maanden)"].status == SKIPPED
    assert items["Tussenmeting (12 maanden)"].status == DONE
    assert items["Tussenmeting (18 maanden)"].due == D(2024, 8, 1)


def test_on_a_closed_case_open_items_lapse_and_the_afsluiting_follows_the_setting():
    kwargs = dict(nul=[D(2024, 1, 10)], closed_on=D(2024, 9, 30), today=D(2024, 10, 5))
    items = by_label(plan(D(2024, 1, 1), **kwargs))
    assert items["Tussenmeting (6 maanden)"].status == LAPSED
    assert "Tussenmeting (12 maanden)" not in items  # due after the closing date
    assert "Afsluitende meting" not in items  # not required by default
    with override_settings(WIJKREGIE={**settings.WIJKREGIE, "ZRM_AFSLUITING_REQUIRED": True}):
        items = by_label(plan(D(2024, 1, 1), **kwargs))
        assert items["Afsluitende meting"].due == D(2024, 9, 30) and items["Afsluitende meting"].status == OVERDUE
        items = by_label(plan(D(2024, 1, 1), afs=[D(2024, 9, 30)], **kwargs))
        assert items["Afsluitende meting"].status == DONE


def test_tussenmeting_months_are_a_setting():
    with override_settings(WIJKREGIE={**settings.WIJKREGIE, "ZRM_TUSSENMETING_MONTHS": [3, 9]}):
        items = plan(D(2024, 1, 1), nul=[D(2024, 11, 30)], today=D(2024, 12, 1))
    assert [i.due for i in items if i.kind == "tussenmeting"] == [D(2025, 2, 28), D(2025, 8, 30)]


# --- From the database --------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_case_schedule_counts_only_finalised_and_not_superseded_measurements():
    today = dt.date.today()
    case, person = case_with_adult(melding_date=today - dt.timedelta(days=60))
    assert selectors.case_schedule(case, today)[0].status == OVERDUE
    draft = record(case, person, finalise=False, date=today - dt.timedelta(days=20))
    assert selectors.case_schedule(case, today)[0].status == OVERDUE
    original = record(case, person, date=today - dt.timedelta(days=20))
    items = selectors.case_schedule(case, today)
    assert items[0].status == DONE and items[0].done_on == today - dt.timedelta(days=20)
    assert items[1].due == add_months(today - dt.timedelta(days=20), 6)
    record(case, person, date=today - dt.timedelta(days=10), supersedes=original, correction_reason="datum")
    assert selectors.case_schedule(case, today)[0].done_on == today - dt.timedelta(days=10)
    assert draft.pk


@pytest.mark.django_db
def test_overdue_nulmeting_shows_as_next_action_on_caseload_lists_with_one_query_for_all_cases():
    today = dt.date.today()
    case, person = case_with_adult(melding_date=today - dt.timedelta(days=50))
    case = case_services.register_first_contact(actor=actor_for(case), case=case,
                                                contact_date=today - dt.timedelta(days=45))
    rows = case_selectors.decorate_for_list(case_selectors.my_caseload(case.regisseur.user), today)
    assert rows[0].next_action == "ZRM: nulmeting"
    assert rows[0].next_action_due == today - dt.timedelta(days=8) and rows[0].next_action_overdue
    assert rows[0].measurement_overdue

    record(case, person, date=today - dt.timedelta(days=1))
    rows = case_selectors.decorate_for_list(case_selectors.my_caseload(case.regisseur.user), today)
    assert rows[0].next_action == "ZRM: tussenmeting (6 maanden)"
    assert rows[0].next_action_due == add_months(today - dt.timedelta(days=1), 6)
    assert not rows[0].next_action_overdue

    def queries_for_team_list():
        with CaptureQueriesContext(connection) as ctx:
            case_selectors.decorate_for_list(case_selectors.team_cases(case.regisseur.user), today)
        return len(ctx.captured_queries)

    few = queries_for_team_list()
    for _ in range(5):
        other, other_person = case_with_adult(regisseur=case.regisseur)
        record(other, other_person)
    assert queries_for_team_list() == few


@pytest.mark.django_db
def test_closed_case_with_required_afsluiting_is_due_on_the_closing_day():
    today = dt.date.today()
    case, person = case_with_adult(melding_date=today - dt.timedelta(days=20))
    case = case_services.close_case(actor=actor_for(case), case=case, reason=closure_reason(), closed_on=today)
    with override_settings(WIJKREGIE={**settings.WIJKREGIE, "ZRM_AFSLUITING_REQUIRED": True}):
        items = by_label(selectors.case_schedule(case, today))
        assert items["Afsluitende meting"].status == OPEN
        record(case, person, type="afsluiting")
        assert by_label(selectors.case_schedule(case, today))["Afsluitende meting"].status == DONE


@pytest.mark.django_db
def test_mijn_caseload_and_the_team_page_show_the_overdue_zrm_measurement(login):
    from tests.factories import StaffFactory

    today = dt.date.today()
    case, person = case_with_adult(melding_date=today - dt.timedelta(days=50))
    case_services.register_first_contact(actor=actor_for(case), case=case, contact_date=today - dt.timedelta(days=45))
    overdue_since = f"{(today - dt.timedelta(days=8)):%d-%m-%Y} (te laat)"
    html = login(case.regisseur).get("/casussen/mijn-caseload").content.decode()
    assert "ZRM: nulmeting" in html and overdue_since in html
    leader = StaffFactory(leader=True, team=case.team)
    html = login(leader).get("/casussen/team").content.decode()
    assert "ZRM: nulmeting" in html and overdue_since in html
