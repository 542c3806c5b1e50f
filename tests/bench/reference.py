"""The reference for the rebuild: every aggregate cell computed by ONE raw SQL statement.

The facts become CTEs instead of tables (the same SELECTs as reporting/facts.py), the per-person
domain counts and the case categories joins instead of UPDATEs, and every indicator SELECT of reporting/indicators.py
(all scopes, all periods) is one branch of a UNION ALL. No writes, no transaction bookkeeping:
what the rebuild costs on top of computing the figures is the ratio the benchmark prints.
"""
from __future__ import annotations

import datetime as dt

from reporting import facts, indicators
from reporting.indicators import Ctx


def reference_sql(today: dt.date) -> str:
    progress_columns = [c.strip() for c in facts.PROGRESS_COLUMNS.split(",")]
    counted = {"domains_improved": "improved", "domains_equal": "equal", "domains_worse": "worse"}
    pp_select = ", ".join(f"COALESCE(c.{counted[c]}, 0) AS {c}" if c in counted else f"pp.{c}"
                          for c in progress_columns)
    fact_columns = [c.strip() for c in facts.CASE_FACT_COLUMNS.split(",") if c.strip() != "household_category"]
    ctes = f"""
        WITH ref_cf0 AS ({facts.case_facts_select()}),
        ref_pp0 AS ({facts.progress_select(fact_table='ref_cf0')}),
        ref_dp AS ({facts.domain_progress_select(progress_table='ref_pp0')}),
        ref_pp AS (
            SELECT {pp_select} FROM ref_pp0 pp LEFT JOIN (
                {facts.domain_counts_select(domain_table='ref_dp')}) c
            ON c.person_id = pp.person_id AND c.case_id = pp.case_id AND pp.has_followup),
        ref_cf AS (SELECT {', '.join(f'cf0.{c}' for c in fact_columns)},
                   COALESCE(cat.category, '') AS household_category FROM ref_cf0 cf0
                   LEFT JOIN ({facts.case_categories_select(progress_table='ref_pp')}) cat
                   ON cat.case_id = cf0.case_id),
        ref_cp AS ({facts.case_periods_select(today, fact_table='ref_cf')})
    """
    branches = []
    for i, (select, params) in enumerate(indicators.statements(lambda: Ctx(today=today))):
        assert not params, "the full set has no parameters"
        for table, cte in ((facts.CF, "ref_cf"), (facts.PP, "ref_pp"), (facts.DP, "ref_dp"), (facts.CP, "ref_cp")):
            select = select.replace(table, cte)
        branches.append(f"SELECT * FROM ({select}) b{i}")
    return ctes + " UNION ALL ".join(branches)
