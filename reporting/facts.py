"""The reporting facts, computed set-based in SQL (INSERT ... SELECT, window functions).

One code path for the nightly rebuild (no filter: every case and person) and for the
incremental refresh of one case or one person in a case (a WHERE on the same statements), so
both give the same rows. Nothing here loops over cases or persons in Python.

Definitions (DOMAIN.md §2, §3):

- Effective measurement: vastgesteld and not replaced by a vastgestelde correction
  (zrm.selectors.effective).
- Baseline: the first effective measurement of a person in a case (ordered by date, then
  creation time, then id); latest: the last one. `has_followup` when they differ.
- Comparison: same version per domain; otherwise both are read on the older version's
  domains, a pair of newer domains taking the lower score (zrm.selectors.project), and
  `crossed_versions` is set. A domain appears when the baseline has a row for it (for crossed
  versions: when either side has one; a domain only one side has is never paired).
- Problem/acute domains, bucket and category at baseline and latest are the values derived
  and stored on those measurements when they were finalised.
- Household type (gezin / ouderen / overig) as cases.selectors.household_type: the current
  members living at home, with their ages on the case's melding date.
- Age group of a person on the baseline date: jeugd (< YOUTH_AGE), volwassenen, ouderen
  (>= SENIOR_AGE).
- Household category of a case: the heaviest LPBL category among its persons' baselines.
"""
from __future__ import annotations

from django.conf import settings

from cases.models import (
    Case,
    DirectorAssignment,
    Household,
    HouseholdMembership,
    Intervention,
    MemberRole,
    Person,
    Plan,
)
from zrm.models import Domain, DomainMapping, HouseholdCategory, InstrumentVersion, Measurement, Score

from .models import CaseFact, CasePeriod, DomainProgress, PersonProgress, ReportPeriod

C = Case._meta.db_table
H = Household._meta.db_table
HM = HouseholdMembership._meta.db_table
P = Person._meta.db_table
PLAN = Plan._meta.db_table
M = Measurement._meta.db_table
S = Score._meta.db_table
D = Domain._meta.db_table
DM = DomainMapping._meta.db_table
V = InstrumentVersion._meta.db_table
CF = CaseFact._meta.db_table
PP = PersonProgress._meta.db_table
DP = DomainProgress._meta.db_table
CP = CasePeriod._meta.db_table
RP = ReportPeriod._meta.db_table
DA = DirectorAssignment._meta.db_table
INT = Intervention._meta.db_table

CATEGORY_RANK = [
    (HouseholdCategory.SINGLE.value, 1),
    (HouseholdCategory.MULTIPLE_SELF_RELIANT.value, 2),
    (HouseholdCategory.MULTIPLE_NOT_SELF_RELIANT.value, 3),
]


def int_list(values) -> str:
    """Integers for IN (...), rendered into the SQL text (cast with int(), so only numbers); never empty:
    an empty list gives NULL, which matches nothing."""
    items = [str(int(v)) for v in values]
    return ", ".join(items) if items else "NULL"


def _age(date_of_birth: str, on: str) -> str:
    """Age in whole years on a date (both date expressions), exactly as cases.selectors.age_on."""
    return (
        f"(CAST(EXTRACT(YEAR FROM {on}) AS INTEGER) - CAST(EXTRACT(YEAR FROM {date_of_birth}) AS INTEGER)"
        f" - CASE WHEN to_char({on}, 'MM-DD') < to_char({date_of_birth}, 'MM-DD') THEN 1 ELSE 0 END)"
    )


age_sql = _age  # the same age for the other reporting SQL (reporting.research)


def effective(alias: str) -> str:
    """SQL condition: the measurement `alias` counts (vastgesteld, not superseded by a vastgestelde correction)."""
    return (
        f"{alias}.status = 'vastgesteld' AND NOT EXISTS (SELECT 1 FROM {M} sup_{alias} "
        f"WHERE sup_{alias}.supersedes_id = {alias}.id AND sup_{alias}.status = 'vastgesteld')"
    )


def household_members(case_ids=None) -> str:
    """Per case, its household's current members living at home, counted as cases.selectors.household_type
    needs them, with ages on the melding date: kids, young_parents, adults, young_adults."""
    senior = int(settings.WIJKREGIE["SENIOR_AGE"])
    child, parent, partner = MemberRole.CHILD.value, MemberRole.PARENT.value, MemberRole.PARTNER.value
    young = f"{_age('hp.date_of_birth', 'hc.melding_date')} < {senior}"
    where = "" if case_ids is None else f" AND hc.id IN ({int_list(case_ids)})"
    return f"""
        SELECT hc.id AS case_id,
            SUM(CASE WHEN hm.role = '{child}' THEN 1 ELSE 0 END) AS kids,
            SUM(CASE WHEN hm.role IN ('{parent}', '{partner}') AND {young} THEN 1 ELSE 0 END) AS young_parents,
            SUM(CASE WHEN hm.role <> '{child}' THEN 1 ELSE 0 END) AS adults,
            SUM(CASE WHEN hm.role <> '{child}' AND {young} THEN 1 ELSE 0 END) AS young_adults
        FROM {C} hc JOIN {HM} hm ON hm.household_id = hc.household_id
        JOIN {P} hp ON hp.id = hm.person_id
        WHERE hm.valid_to IS NULL AND hm.living_at_home{where}
        GROUP BY hc.id
    """


HOUSEHOLD_TYPE = ("CASE WHEN COALESCE(ht.kids, 0) > 0 AND ht.young_parents > 0 THEN 'gezin' "
                  "WHEN COALESCE(ht.kids, 0) = 0 AND ht.adults BETWEEN 1 AND 2 AND ht.young_adults = 0 "
                  "THEN 'ouderen' ELSE 'overig' END")


def _case_filter(alias: str, case_ids) -> str:
    return "" if case_ids is None else f" AND {alias}.case_id IN ({int_list(case_ids)})"


def _person_filter(alias: str, person_ids) -> str:
    return "" if person_ids is None else f" AND {alias}.person_id IN ({int_list(person_ids)})"


# --- Case facts -------------------------------------------------------------------------------

def delete_case_facts(cursor, case_ids=None) -> None:
    cursor.execute(f"DELETE FROM {CF} WHERE 1 = 1{_case_filter(CF, case_ids)}", [])


CASE_FACT_COLUMNS = ("case_id, team_id, household_id, wijk, regisseur_id, status, melding_date, melding_source_id, "
                     "first_contact_date, contact_days, closed_on, closure_reason_id, reopened, "
                     "days_since_previous_closure, household_type, first_plan_date, nulmeting_date, household_category")


def case_facts_select(case_ids=None) -> str:
    """One row per case (household_category still empty: update_case_categories fills it from the progress)."""
    where = "" if case_ids is None else f"WHERE c.id IN ({int_list(case_ids)})"
    plans = "" if case_ids is None else f"WHERE pl.case_id IN ({int_list(case_ids)})"
    nulmeting = "" if case_ids is None else f" AND m.case_id IN ({int_list(case_ids)})"
    return f"""
        SELECT c.id AS case_id, c.team_id AS team_id, c.household_id AS household_id, h.wijk AS wijk,
            c.regisseur_id AS regisseur_id, c.status AS status, c.melding_date AS melding_date,
            c.melding_source_id AS melding_source_id, c.first_contact_date AS first_contact_date,
            CASE WHEN c.first_contact_date IS NULL THEN NULL
                 ELSE (c.first_contact_date - c.melding_date) END AS contact_days,
            c.closed_on AS closed_on, c.closure_reason_id AS closure_reason_id,
            CASE WHEN c.reopened_from_id IS NULL THEN FALSE ELSE TRUE END AS reopened,
            (SELECT (c.melding_date - o.closed_on) FROM {C} o WHERE o.id = c.reopened_from_id)
                AS days_since_previous_closure,
            {HOUSEHOLD_TYPE} AS household_type,
            fp.first_plan_date AS first_plan_date,
            nm.nulmeting_date AS nulmeting_date,
            '' AS household_category
        FROM {C} c JOIN {H} h ON h.id = c.household_id
        LEFT JOIN ({household_members(case_ids)}) ht ON ht.case_id = c.id
        LEFT JOIN (SELECT pl.case_id, MIN(pl.finalised_on) AS first_plan_date FROM {PLAN} pl {plans}
                   GROUP BY pl.case_id) fp ON fp.case_id = c.id
        LEFT JOIN (SELECT m.case_id, MIN(m.date) AS nulmeting_date FROM {M} m
                   WHERE m.type = 'nulmeting' AND {effective('m')}{nulmeting} GROUP BY m.case_id) nm
            ON nm.case_id = c.id
        {where}
    """


def insert_case_facts(cursor, case_ids=None) -> None:
    cursor.execute(f"INSERT INTO {CF} ({CASE_FACT_COLUMNS}) {case_facts_select(case_ids)}", [])


def case_categories_select(case_ids=None, progress_table: str = PP) -> str:
    """Per case the heaviest LPBL category among its persons' baselines ('' when none has a category)."""
    rank = " ".join(f"WHEN '{code}' THEN {n}" for code, n in CATEGORY_RANK)
    back = " ".join(f"WHEN {n} THEN '{code}'" for code, n in CATEGORY_RANK)
    return (f"SELECT pc.case_id, CASE MAX(CASE pc.baseline_category {rank} ELSE 0 END) {back} ELSE '' END "
            f"AS category FROM {progress_table} pc WHERE 1 = 1{_case_filter('pc', case_ids)} GROUP BY pc.case_id")


def update_case_categories(cursor, case_ids=None) -> None:
    cursor.execute(f"""
        UPDATE {CF} SET household_category = x.category FROM ({case_categories_select(case_ids)}) x
        WHERE {CF}.case_id = x.case_id{_case_filter(CF, case_ids)}
    """, [])


# --- Person progress ------------------------------------------------------------------------

def delete_progress(cursor, case_ids=None, person_ids=None) -> None:
    for table in (DP, PP):
        cursor.execute(
            f"DELETE FROM {table} WHERE 1 = 1{_case_filter(table, case_ids)}{_person_filter(table, person_ids)}", []
        )


PROGRESS_COLUMNS = (
    "person_id, case_id, team_id, wijk, household_type, age_group, regisseur_id, baseline_measurement_id, "
    "latest_measurement_id, baseline_date, latest_date, measurement_count, basis_version_id, crossed_versions, "
    "has_followup, domains_improved, domains_equal, domains_worse, baseline_problem_domains, latest_problem_domains, "
    "baseline_acute_domains, latest_acute_domains, baseline_bucket, latest_bucket, baseline_category, latest_category"
)


def progress_select(case_ids=None, person_ids=None, fact_table: str = CF) -> str:
    """One row per person and case with an effective measurement (domain counts still 0)."""
    norms = settings.WIJKREGIE
    youth, senior = int(norms["YOUTH_AGE"]), int(norms["SENIOR_AGE"])
    age = _age("per.date_of_birth", "b.date")
    return f"""
        WITH eff AS (
            SELECT m.id, m.person_id, m.case_id, m.version_id, v.year AS vyear, m.date,
                m.problem_domain_count AS pdc, m.acute_domain_count AS adc, m.bucket, m.household_category AS cat,
                ROW_NUMBER() OVER (PARTITION BY m.person_id, m.case_id ORDER BY m.date, m.created_at, m.id) AS rn_first,
                ROW_NUMBER() OVER (PARTITION BY m.person_id, m.case_id
                                   ORDER BY m.date DESC, m.created_at DESC, m.id DESC) AS rn_last,
                COUNT(*) OVER (PARTITION BY m.person_id, m.case_id) AS n
            FROM {M} m JOIN {V} v ON v.id = m.version_id
            WHERE {effective('m')}{_case_filter('m', case_ids)}{_person_filter('m', person_ids)}
        )
        SELECT b.person_id AS person_id, b.case_id AS case_id, f.team_id AS team_id, f.wijk AS wijk,
            f.household_type AS household_type,
            CASE WHEN {age} < {youth} THEN 'jeugd' WHEN {age} < {senior} THEN 'volwassenen' ELSE 'ouderen' END
                AS age_group,
            f.regisseur_id AS regisseur_id, b.id AS baseline_measurement_id, l.id AS latest_measurement_id,
            b.date AS baseline_date, l.date AS latest_date, b.n AS measurement_count,
            CASE WHEN b.vyear <= l.vyear THEN b.version_id ELSE l.version_id END AS basis_version_id,
            CASE WHEN b.version_id <> l.version_id THEN TRUE ELSE FALSE END AS crossed_versions,
            CASE WHEN b.id <> l.id THEN TRUE ELSE FALSE END AS has_followup,
            0 AS domains_improved, 0 AS domains_equal, 0 AS domains_worse,
            b.pdc AS baseline_problem_domains, l.pdc AS latest_problem_domains, b.adc AS baseline_acute_domains,
            l.adc AS latest_acute_domains, b.bucket AS baseline_bucket, l.bucket AS latest_bucket,
            b.cat AS baseline_category, l.cat AS latest_category
        FROM eff b
        JOIN eff l ON l.person_id = b.person_id AND l.case_id = b.case_id AND l.rn_last = 1
        JOIN {fact_table} f ON f.case_id = b.case_id
        JOIN {P} per ON per.id = b.person_id
        WHERE b.rn_first = 1
    """


def domain_progress_select(case_ids=None, person_ids=None, progress_table: str = PP) -> str:
    """One row per person, case and domain of the basis version: baseline and latest score (mapped).

    Same version (the common case): the domains of the baseline, each with the latest's score (a domain only
    the latest has cannot be compared, and no figure uses it). Crossed versions: each side read on the basis
    version, a newer pair taking the lower score, every domain either side has.
    """
    filters = _case_filter("pp", case_ids) + _person_filter("pp", person_ids)

    def side(name: str) -> str:
        own = "s.score AS bs, CAST(NULL AS INTEGER) AS ls" if name == "baseline" else \
            "CAST(NULL AS INTEGER) AS bs, s.score AS ls"
        projected = "MIN(s.score) AS bs, CAST(NULL AS INTEGER) AS ls" if name == "baseline" else \
            "CAST(NULL AS INTEGER) AS bs, MIN(s.score) AS ls"
        return f"""
            SELECT pp.person_id, pp.case_id, s.domain_id, {own}
            FROM {progress_table} pp JOIN {M} ms ON ms.id = pp.{name}_measurement_id
            JOIN {S} s ON s.measurement_id = ms.id
            WHERE pp.crossed_versions AND ms.version_id = pp.basis_version_id{filters}
            UNION ALL
            SELECT pp.person_id, pp.case_id, dm.source_id, {projected}
            FROM {progress_table} pp JOIN {M} ms ON ms.id = pp.{name}_measurement_id
            JOIN {D} src ON src.version_id = pp.basis_version_id
            JOIN {DM} dm ON dm.source_id = src.id
            JOIN {D} tgt ON tgt.id = dm.target_id AND tgt.version_id = ms.version_id
            LEFT JOIN {S} s ON s.measurement_id = ms.id AND s.domain_id = dm.target_id
            WHERE pp.crossed_versions AND ms.version_id <> pp.basis_version_id{filters}
            GROUP BY pp.person_id, pp.case_id, dm.source_id
        """

    return f"""
        SELECT x.person_id AS person_id, x.case_id AS case_id, x.domain_id AS domain_id,
            x.bs AS baseline_score, x.ls AS latest_score
        FROM (
            SELECT pp.person_id, pp.case_id, sb.domain_id, sb.score AS bs,
                CASE WHEN pp.has_followup THEN (
                    SELECT sl.score FROM {S} sl
                    WHERE sl.measurement_id = pp.latest_measurement_id AND sl.domain_id = sb.domain_id) END AS ls
            FROM {progress_table} pp JOIN {S} sb ON sb.measurement_id = pp.baseline_measurement_id
            WHERE NOT pp.crossed_versions{filters}
        ) x
        UNION ALL
        SELECT x.person_id, x.case_id, x.domain_id, MAX(x.bs), MAX(x.ls)
        FROM ({side('baseline')} UNION ALL {side('latest')}) x
        GROUP BY x.person_id, x.case_id, x.domain_id
    """


def insert_progress(cursor, case_ids=None, person_ids=None, analyze=None) -> None:
    """PersonProgress rows, then their DomainProgress rows, then the per-person domain counts.
    `analyze` (the full rebuild) refreshes the planner's statistics between the steps."""
    cursor.execute(f"INSERT INTO {PP} ({PROGRESS_COLUMNS}) {progress_select(case_ids, person_ids)}", [])
    if analyze:
        analyze(PP)
    cursor.execute(f"INSERT INTO {DP} (person_id, case_id, domain_id, baseline_score, latest_score) "
                   f"{domain_progress_select(case_ids, person_ids)}", [])
    if analyze:
        analyze(DP)

    cursor.execute(f"""
        UPDATE {PP} SET domains_improved = x.improved, domains_equal = x.equal, domains_worse = x.worse
        FROM ({domain_counts_select(case_ids, person_ids)}) x
        WHERE {PP}.case_id = x.case_id AND {PP}.person_id = x.person_id AND {PP}.has_followup
            {_case_filter(PP, case_ids)}{_person_filter(PP, person_ids)}
    """, [])


def domain_counts_select(case_ids=None, person_ids=None, domain_table: str = DP) -> str:
    return f"""
        SELECT d.person_id, d.case_id, SUM(CASE WHEN d.latest_score > d.baseline_score THEN 1 ELSE 0 END) AS improved,
            SUM(CASE WHEN d.latest_score = d.baseline_score THEN 1 ELSE 0 END) AS equal,
            SUM(CASE WHEN d.latest_score < d.baseline_score THEN 1 ELSE 0 END) AS worse
        FROM {domain_table} d WHERE 1 = 1{_case_filter('d', case_ids)}{_person_filter('d', person_ids)}
        GROUP BY d.person_id, d.case_id
    """


# --- Cases per period -------------------------------------------------------------------------

CASE_PERIOD_COLUMNS = "case_id, period_id, open_at_end, monitoring, regisseur_id"


def _period_number(kind: str, expr: str) -> str:
    """The sequence number of the month, quarter or year a date expression lies in (ReportPeriod.seq)."""
    year, month = f"CAST(EXTRACT(YEAR FROM {expr}) AS INTEGER)", f"CAST(EXTRACT(MONTH FROM {expr}) AS INTEGER)"
    if kind == "month":
        return f"({year} * 12 + {month} - 1)"
    if kind == "quarter":
        return f"({year} * 4 + ({month} - 1) / 3)"
    return year


def case_periods_select(today, case_ids=None, fact_table: str = CF) -> str:
    """Every (case, period) the case was open in. At the period's end (its last day, or today):
    still open? in monitoring (a plan vastgesteld by then and no intervention running that day)?
    directed by whom (director history)? Those three are computed once per snapshot day, on the
    month rows: a quarter or year ends on the last day of one of its months."""
    on = f"DATE '{today.isoformat()}'"
    day = f"(CASE WHEN p.last_day < {on} THEN p.last_day ELSE {on} END)"
    where = "" if case_ids is None else f" AND f.case_id IN ({int_list(case_ids)})"
    end = f"COALESCE(f.closed_on, {on})"
    # The periods a case was open in: per kind the sequence numbers from its melding to its end (index lookups).
    open_during = [f"""
            SELECT f.case_id, p.id AS period_id, p.kind, {day} AS snap, f.melding_date, f.first_plan_date,
                CASE WHEN f.melding_date <= {day} AND (f.closed_on IS NULL OR f.closed_on > {day})
                    THEN TRUE ELSE FALSE END AS open_at_end
            FROM {fact_table} f JOIN {RP} p ON p.kind = '{kind}'
                AND p.seq BETWEEN {_period_number(kind, 'f.melding_date')} AND {_period_number(kind, end)}
            WHERE p.start_date <= {on}{where}""" for kind in ("month", "quarter", "year")]
    return f"""
        WITH x AS ({" UNION ALL ".join(open_during)}
        ),
        snapshot AS (
            SELECT x.case_id, x.snap,
                CASE WHEN x.first_plan_date <= x.snap AND NOT EXISTS (
                    SELECT 1 FROM {INT} iv WHERE iv.case_id = x.case_id
                        AND COALESCE(iv.start_date, x.melding_date) <= x.snap
                        AND (iv.end_date IS NULL OR iv.end_date >= x.snap))
                    THEN TRUE ELSE FALSE END AS monitoring,
                MAX(da.regisseur_id) AS regisseur_id
            FROM x LEFT JOIN {DA} da ON da.case_id = x.case_id AND da.started_on <= x.snap
                AND (da.ended_on IS NULL OR da.ended_on > x.snap)
            WHERE x.kind = 'month' AND x.open_at_end
            GROUP BY x.case_id, x.snap, x.melding_date, x.first_plan_date
        )
        SELECT x.case_id AS case_id, x.period_id AS period_id, x.open_at_end AS open_at_end,
            COALESCE(sn.monitoring, FALSE) AS monitoring, sn.regisseur_id AS regisseur_id
        FROM x LEFT JOIN snapshot sn ON x.open_at_end AND sn.case_id = x.case_id AND sn.snap = x.snap
    """


def delete_case_periods(cursor, case_ids=None) -> None:
    cursor.execute(f"DELETE FROM {CP} WHERE 1 = 1{_case_filter(CP, case_ids)}", [])


def insert_case_periods(cursor, today, case_ids=None) -> None:
    cursor.execute(f"INSERT INTO {CP} ({CASE_PERIOD_COLUMNS}) {case_periods_select(today, case_ids)}", [])
