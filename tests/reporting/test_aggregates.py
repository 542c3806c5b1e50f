"""Aggregates with hand-computed expected values.

Periods: month, quarter and year; cells per team, per wijk and for all teams.
"""
import datetime as dt
from fractions import Fraction

import pytest

from cases.models import DirectorAssignment, Escalation, Intervention, InterventionType, MemberRole, Plan
from reporting import selectors, services
from reporting.models import AggregateCell
from tests.reporting.factories import adults, cells, make_case, measure, scores, team_with_workers

pytestmark = pytest.mark.django_db

ON = dt.date(2026, 6, 30)
Q3_2025 = dt.date(2025, 7, 1)


def paired_group(worker, pairs, *, domain="financien", wijk="Centrum"):
    """One case and person per (baseline, latest) score pair on `domain` (others 4); measured on
    20 January and 20 August 2025."""
    for baseline, latest in pairs:
        case = make_case(worker, dt.date(2025, 1, 6), contact=dt.date(2025, 1, 10), wijk=wijk)
        person = adults(case)[0]
        measure(case, person, dt.date(2025, 1, 20), scores(4, **{domain: baseline}))
        measure(case, person, dt.date(2025, 8, 20), scores(4, **{domain: latest}), type="tussenmeting")


# The nine persons of the example: baseline 22/9 = 2.444 (2.4), latest 23/9 = 2.556 (2.6).
PAIRS = [(2, 3), (2, 3), (2, 2), (2, 2), (2, 2), (3, 3), (3, 3), (3, 3), (3, 2)]


def test_paired_means_and_the_difference_of_the_unrounded_means():
    team, (worker,) = team_with_workers()
    paired_group(worker, PAIRS)

    services.rebuild_all(on=ON)

    got = cells("team", team.pk, "quarter", Q3_2025, "zrm_domain_mean")
    n, baseline, _ = got[("zrm_domain_mean", "zrm-2017", "financien", "baseline")]
    _, latest, _ = got[("zrm_domain_mean", "zrm-2017", "financien", "latest")]
    _, difference, base = got[("zrm_domain_mean", "zrm-2017", "financien", "difference")]
    assert (n, base) == (9, 9)
    assert baseline == pytest.approx(22 / 9) and latest == pytest.approx(23 / 9)
    assert Fraction(difference).limit_denominator(100) == Fraction(1, 9)
    # Rounded: 2.4 -> 2.6, difference +0.1 (rounding the means first would give 0.2).
    assert (selectors.fmt_dec(baseline), selectors.fmt_dec(latest), selectors.fmt_signed(difference)) == \
        ("2,4", "2,6", "+0,1")
    assert float(selectors.round_half_up(latest) - selectors.round_half_up(baseline)) == pytest.approx(0.2)
    # Domains all scored 4 twice: mean 4, difference 0.
    assert got[("zrm_domain_mean", "zrm-2017", "justitie", "difference")][1] == 0
    # The same figures for the year, the wijk and all teams; nothing in the quarter of the baselines.
    assert cells("team", team.pk, "year", dt.date(2025, 1, 1), "zrm_domain_mean") == got
    assert cells("wijk", "Centrum", "month", dt.date(2025, 8, 1), "zrm_domain_mean") == got
    assert cells("all", "", "quarter", Q3_2025, "zrm_domain_mean") == got
    assert not cells("team", team.pk, "quarter", dt.date(2025, 1, 1), "zrm_domain_mean")


def test_vooruit_gelijk_achteruit_among_persons_with_a_baseline_of_at_most_three():
    team, (worker,) = team_with_workers()
    # Two more persons starting at 4 (one up to 5, one down to 3): not in the base of the shares.
    paired_group(worker, PAIRS + [(4, 5), (4, 3)])

    services.rebuild_all(on=ON)

    got = cells("team", team.pk, "quarter", Q3_2025, "zrm_domain_direction")
    assert got[("zrm_domain_direction", "zrm-2017", "financien", "vooruit")] == (2, pytest.approx(2 / 9), 9)
    assert got[("zrm_domain_direction", "zrm-2017", "financien", "gelijk")] == (6, pytest.approx(6 / 9), 9)
    assert got[("zrm_domain_direction", "zrm-2017", "financien", "achteruit")] == (1, pytest.approx(1 / 9), 9)
    # No other domain started at 3 or lower.
    assert {key[2] for key in got} == {"financien"}
    mean = cells("team", team.pk, "quarter", Q3_2025, "zrm_domain_mean")
    assert mean[("zrm_domain_mean", "zrm-2017", "financien", "baseline")][0] == 11
    assert [selectors.fmt_pct(v) for v in (2 / 9, 6 / 9, 1 / 9)] == ["22,2%", "66,7%", "11,1%"]


def test_bucket_distribution_and_movement_and_category_mix():
    team, (worker,) = team_with_workers()
    eight_at_two = {c: 2 for c in ("financien", "werk_opleiding", "tijdsbesteding", "huisvesting",
                                   "huiselijke_relaties", "geestelijke_gezondheid", "lichamelijke_gezondheid",
                                   "middelengebruik")}
    six_at_three = {c: 3 for c in ("financien", "werk_opleiding", "tijdsbesteding", "huisvesting",
                                   "huiselijke_relaties", "geestelijke_gezondheid")}
    profiles = [
        # (baseline scores, latest scores): bucket and category at baseline -> latest
        ({}, {}),  # 0 -> 0, enkelvoudig -> enkelvoudig
        ({"financien": 3, "justitie": 3}, {"financien": 3}),  # 2-3 -> 1, meervoudig zelfredzaam -> enkelvoudig
        ({"financien": 2, "huisvesting": 3, "geestelijke_gezondheid": 3, "justitie": 3},
         {"financien": 3, "huisvesting": 3}),  # 4-5 -> 2-3, meervoudig niet-zelfredzaam -> enkelvoudig
        (eight_at_two, six_at_three),  # >7 -> 6-7, meervoudig niet-zelfredzaam -> meervoudig zelfredzaam
        ({"justitie": 1}, {"justitie": 2}),  # 1 -> 1, enkelvoudig -> enkelvoudig
    ]
    for baseline, latest in profiles:
        case = make_case(worker, dt.date(2025, 1, 6), contact=dt.date(2025, 1, 10))
        person = adults(case)[0]
        measure(case, person, dt.date(2025, 1, 20), scores(4, **baseline))
        measure(case, person, dt.date(2025, 8, 20), scores(4, **latest), type="tussenmeting")

    services.rebuild_all(on=ON)

    got = cells("team", team.pk, "quarter", Q3_2025)
    bucket = {(k[1], k[2]): (c, b) for k, (c, _, b) in got.items() if k[0] == "zrm_bucket"}
    assert bucket == {("baseline", "0"): (1, 5), ("baseline", "1"): (1, 5), ("baseline", "2-3"): (1, 5),
                      ("baseline", "4-5"): (1, 5), ("baseline", ">7"): (1, 5),
                      ("latest", "0"): (1, 5), ("latest", "1"): (2, 5), ("latest", "2-3"): (1, 5),
                      ("latest", "6-7"): (1, 5)}
    assert got[("zrm_bucket", "latest", "1", "")][1] == pytest.approx(0.4)
    movement = {(k[1], k[2]): c for k, (c, _, _) in got.items() if k[0] == "zrm_bucket_movement"}
    assert movement == {("0", "0"): 1, ("2-3", "1"): 1, ("4-5", "2-3"): 1, (">7", "6-7"): 1, ("1", "1"): 1}
    category = {(k[1], k[2]): c for k, (c, _, _) in got.items() if k[0] == "zrm_category"}
    assert category == {("baseline", "enkelvoudig"): 2, ("baseline", "meervoudig_zelfredzaam"): 1,
                        ("baseline", "meervoudig_niet_zelfredzaam"): 2,
                        ("latest", "enkelvoudig"): 4, ("latest", "meervoudig_zelfredzaam"): 1}
    # Cases open in the quarter, by the heaviest baseline category of their persons.
    mix = {k[1]: (c, v) for k, (c, v, _) in got.items() if k[0] == "household_category"}
    assert mix == {"enkelvoudig": (2, pytest.approx(0.4)), "meervoudig_zelfredzaam": (1, pytest.approx(0.2)),
                   "meervoudig_niet_zelfredzaam": (2, pytest.approx(0.4))}
    means = {k[1]: v for k, (c, v, b) in got.items() if k[0] == "zrm_person_mean"}
    # Problem domains per person at baseline: 0 + 2 + 4 + 8 + 1 = 15 / 5 = 3.0; latest 0 + 1 + 2 + 6 + 1 = 2.0.
    assert (means["problem_baseline"], means["problem_latest"]) == (pytest.approx(3.0), pytest.approx(2.0))
    # Acute (score 1) only the justitie 1 at baseline: 1 / 5.
    assert (means["acute_baseline"], means["acute_latest"]) == (pytest.approx(0.2), 0)


def test_caseload_per_worker_and_per_fte_with_director_history_and_monitoring():
    team, (anna, bram) = team_with_workers(0.8, 0.5)
    other_team, (other,) = team_with_workers(1)
    for _ in range(3):
        make_case(anna, dt.date(2025, 1, 10), contact=dt.date(2025, 1, 15))
    for _ in range(2):
        make_case(bram, dt.date(2025, 2, 10), contact=dt.date(2025, 2, 12))
    moved = make_case(anna, dt.date(2025, 1, 20), contact=dt.date(2025, 1, 25))
    DirectorAssignment.objects.filter(case=moved).update(ended_on=dt.date(2025, 3, 10))
    DirectorAssignment.objects.create(case=moved, regisseur=bram, started_on=dt.date(2025, 3, 10),
                                      reason="verdeling", assigned_by=anna.user)
    type(moved).objects.filter(pk=moved.pk).update(regisseur=bram)
    make_case(anna, dt.date(2025, 1, 5), contact=dt.date(2025, 1, 6), closed=dt.date(2025, 3, 20))  # closed
    make_case(bram, dt.date(2025, 4, 2))  # later
    make_case(other, dt.date(2025, 1, 5))  # another team
    # Monitoring: a vastgesteld plan and no running intervention; the other planned case has one running.
    planned = list(team.cases.filter(regisseur=anna, status="in_behandeling"))[:2]
    for case in planned:
        Plan.objects.create(case=case, version=1, status="vastgesteld", finalised_on=dt.date(2025, 2, 1))
    Intervention.objects.create(case=planned[1], type=InterventionType.objects.get(code="schuldhulpverlening"),
                                team_action="gestart", deliverer="extern", start_date=dt.date(2025, 2, 5))

    services.rebuild_all(on=ON)

    march = cells("team", team.pk, "month", dt.date(2025, 3, 1))
    # 31 March: Anna 3 (the moved case went to Bram on 10 March), Bram 2 + 1; closed on 20 March not counted.
    assert march[("caseload", "", "", "")] == (6, pytest.approx(6 / 1.3), None)
    assert march[("caseload_worker", str(anna.pk), "", "")] == (3, pytest.approx(3 / 0.8), None)
    assert march[("caseload_worker", str(bram.pk), "", "")] == (3, pytest.approx(3 / 0.5), None)
    assert march[("caseload_monitoring", "", "", "")][0] == 1
    assert march[("caseload_worker_monitoring", str(anna.pk), "", "")][0] == 1
    february = cells("team", team.pk, "month", dt.date(2025, 2, 1))
    assert february[("caseload_worker", str(anna.pk), "", "")][0] == 5  # 3 + moved + the later-closed one
    assert february[("caseload_worker", str(bram.pk), "", "")][0] == 2
    # The current period counts up to today (ON): the case of 2 April is open too.
    year = cells("team", team.pk, "year", dt.date(2026, 1, 1))
    assert year[("caseload", "", "", "")][0] == 7
    # All teams: 6 + 1 open at the end of March, over 0.8 + 0.5 + 1.0 fte.
    assert cells("all", "", "month", dt.date(2025, 3, 1))[("caseload", "", "", "")] == (7, pytest.approx(7 / 2.3),
                                                                                       None)


def test_time_to_first_contact_median_and_p90_nearest_rank_and_share_within_norm():
    team, (worker,) = team_with_workers()
    for days in (13, 1, 30, 5, 8, 15, 3, 20):  # sorted: 1 3 5 8 | 13 15 20 30
        make_case(worker, dt.date(2025, 3, 3), contact=dt.date(2025, 3, 3) + dt.timedelta(days=days))
    make_case(worker, dt.date(2025, 3, 3))  # no contact yet: not in these figures
    make_case(worker, dt.date(2025, 4, 3), contact=dt.date(2025, 4, 4))  # another month

    services.rebuild_all(on=ON)

    march = cells("team", team.pk, "month", dt.date(2025, 3, 1))
    # n = 8: median rank ceil(4) = 4 -> 8 days; p90 rank ceil(7.2) = 8 -> 30 days.
    assert march[("first_contact_days", "median", "", "")] == (8, 8.0, 8)
    assert march[("first_contact_days", "p90", "", "")] == (8, 30.0, 8)
    # Within 14 days: 1, 3, 5, 8, 13 -> 5 of 8.
    assert march[("first_contact_norm", "", "", "")] == (5, pytest.approx(5 / 8), 8)
    q1 = cells("team", team.pk, "quarter", dt.date(2025, 1, 1))
    assert q1[("first_contact_days", "median", "", "")] == (8, 8.0, 8)
    q2 = cells("team", team.pk, "quarter", dt.date(2025, 4, 1))
    assert q2[("first_contact_days", "median", "", "")] == (1, 1.0, 1)
    # The year: n = 9 with the April case (1 day): ranks ceil(4.5) = 5 -> 8 days and ceil(8.1) = 9 -> 30 days.
    year = cells("team", team.pk, "year", dt.date(2025, 1, 1))
    assert year[("first_contact_days", "median", "", "")] == (9, 8.0, 9)
    assert year[("first_contact_days", "p90", "", "")] == (9, 30.0, 9)


def test_inflow_closing_reasons_reopenings_plan_and_nulmeting_norms():
    team, (worker,) = team_with_workers()
    first = make_case(worker, dt.date(2025, 1, 6), contact=dt.date(2025, 1, 8), closed=dt.date(2025, 2, 10),
                      reason="doelen_behaald", source="huisarts_poh")
    make_case(worker, dt.date(2025, 1, 7), closed=dt.date(2025, 1, 9), reason="verhuisd", source="school")
    reopened = make_case(worker, dt.date(2025, 3, 12), contact=dt.date(2025, 3, 13), reopened_from=first,
                         source="zelfmelder")
    late_plan = make_case(worker, dt.date(2025, 3, 3), contact=dt.date(2025, 3, 4), source="zelfmelder")
    Plan.objects.create(case=reopened, version=1, status="vastgesteld", finalised_on=dt.date(2025, 4, 1))
    Plan.objects.create(case=late_plan, version=1, status="vastgesteld", finalised_on=dt.date(2025, 5, 1))
    measure(late_plan, adults(late_plan)[0], dt.date(2025, 4, 10), scores(3))  # 38 days: on time
    measure(reopened, adults(reopened)[0], dt.date(2025, 5, 10), scores(3))  # 59 days: late

    services.rebuild_all(on=ON)

    q1 = cells("team", team.pk, "quarter", dt.date(2025, 1, 1))
    assert {k[1]: c for k, (c, _, _) in q1.items() if k[0] == "inflow"} == {
        "huisarts_poh": 1, "school": 1, "zelfmelder": 2}
    assert {k[1]: c for k, (c, _, _) in q1.items() if k[0] == "closure_reason"} == {
        "doelen_behaald": 1, "verhuisd": 1}
    # Reopenings: 1 of 4 meldingen, 30 days after the closing on 10 February.
    assert q1[("reopened", "", "", "")] == (1, pytest.approx(0.25), 4)
    assert q1[("reopened_days", "", "", "")] == (1, 30.0, 1)
    # Plan within 42 days: the reopened case (20 days) yes, late_plan (59 days) no; the two closed
    # cases were closed before their deadline without a plan and do not count.
    assert q1[("plan_within_norm", "", "", "")] == (1, pytest.approx(0.5), 2)
    assert q1[("zrm_nulmeting", "", "", "")] == (1, pytest.approx(0.5), 2)


def test_follow_up_measurements_on_time_within_the_tolerance_around_the_due_date():
    team, (worker,) = team_with_workers()
    on_time = make_case(worker, dt.date(2024, 8, 1), contact=dt.date(2024, 8, 2))
    late = make_case(worker, dt.date(2024, 8, 1), contact=dt.date(2024, 8, 2))
    for case in (on_time, late):
        measure(case, adults(case)[0], dt.date(2024, 8, 31), scores(3))
    # Due 28 February 2025 (31 August + 6 months, clipped): 20 March is within 30 days, 15 April is not.
    measure(on_time, adults(on_time)[0], dt.date(2025, 3, 20), scores(4), type="tussenmeting")
    measure(late, adults(late)[0], dt.date(2025, 4, 15), scores(4), type="tussenmeting")

    services.rebuild_all(on=ON)

    february = cells("team", team.pk, "month", dt.date(2025, 2, 1))
    assert february[("zrm_followup", "", "", "")] == (1, pytest.approx(0.5), 2)
    # The 12-month slots (31 August 2025) are both missed; the 18-month ones (28 February 2026) too.
    assert cells("team", team.pk, "month", dt.date(2025, 8, 1))[("zrm_followup", "", "", "")][:1] == (0,)
    assert cells("team", team.pk, "year", dt.date(2025, 1, 1))[("zrm_followup", "", "", "")][::2] == (1, 4)


def test_household_type_mix_interventions_escalations_and_clusters():
    team, (worker,) = team_with_workers()
    family = make_case(worker, dt.date(2025, 1, 6), contact=dt.date(2025, 1, 8),
                       members=[(MemberRole.PARENT, dt.date(1985, 1, 1)), (MemberRole.CHILD, dt.date(2015, 1, 1))])
    senior = make_case(worker, dt.date(2025, 1, 6), members=[(MemberRole.OTHER, dt.date(1940, 1, 1))])
    make_case(worker, dt.date(2025, 1, 6), closed=dt.date(2025, 1, 7), reason="verhuisd")
    debt = InterventionType.objects.get(code="schuldhulpverlening")
    ggz = InterventionType.objects.get(code="ggz_ambulant")
    for action, deliverer, start, end, case in (
        ("gestart", "extern", dt.date(2025, 2, 1), None, family),
        ("gestart", "team", dt.date(2025, 2, 3), None, senior),
        ("gestopt", "extern", dt.date(2024, 6, 1), dt.date(2025, 3, 1), family),
        ("lopend", "extern", dt.date(2023, 1, 1), None, senior),
    ):
        Intervention.objects.create(case=case, type=debt if case == family or action == "gestart" else ggz,
                                    team_action=action, deliverer=deliverer, start_date=start, end_date=end)
    Escalation.objects.create(case=family, kind="huisuitzetting", prevented=True, date=dt.date(2025, 2, 20))
    Escalation.objects.create(case=senior, kind="opname_vv", prevented=False, date=dt.date(2025, 3, 2))
    parent = adults(family)[0]
    measure(family, parent, dt.date(2025, 1, 20), scores(4, financien=2, huisvesting=3, geestelijke_gezondheid=3))

    services.rebuild_all(on=ON)

    q1 = cells("team", team.pk, "quarter", dt.date(2025, 1, 1))
    assert {k[1]: (c, b) for k, (c, _, b) in q1.items() if k[0] == "household_type"} == {
        "gezin": (1, 3), "ouderen": (1, 3), "overig": (1, 3)}
    assert {k[1:]: c for k, (c, _, _) in q1.items() if k[0] == "interventions"} == {
        ("schuldhulpverlening", "gestart", "extern"): 1, ("schuldhulpverlening", "gestart", "team"): 1,
        ("schuldhulpverlening", "gestopt", "extern"): 1, ("ggz_ambulant", "lopend", "extern"): 1}
    assert {k[1:3]: c for k, (c, _, _) in q1.items() if k[0] == "escalations"} == {
        ("huisuitzetting", "voorkomen"): 1, ("opname_vv", "opgetreden"): 1}
    assert q1[("zrm_intake", "", "", "")][0] == 1
    assert {k[1]: c for k, (c, _, _) in q1.items() if k[0] == "zrm_cluster"} == {"financien": 1, "geestelijk": 1}


def test_only_set_based_statements_run_whatever_the_number_of_cases(django_assert_max_num_queries):
    team, (worker,) = team_with_workers()
    for _ in range(3):
        make_case(worker, dt.date(2025, 1, 6), contact=dt.date(2025, 1, 8))
    with django_assert_max_num_queries(200) as few:
        services.rebuild_all(on=ON)
    for _ in range(30):
        make_case(worker, dt.date(2025, 1, 6), contact=dt.date(2025, 1, 8))
    with django_assert_max_num_queries(len(few.captured_queries)):
        services.rebuild_all(on=ON)
    assert AggregateCell.objects.filter(indicator="caseload", scope_kind="team").exists()
