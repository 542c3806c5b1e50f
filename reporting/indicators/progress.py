"""ZRM progress of the persons with a follow-up: per domain, buckets, categories, per-person means; and the
problem clusters at intake."""
from __future__ import annotations

from django.conf import settings

from zrm.models import Domain, InstrumentVersion

from ..facts import DP, PP
from .base import NO_VALUE, Ctx, Output, Spec, fact_filters, ratio

D = Domain._meta.db_table
V = InstrumentVersion._meta.db_table


def _paired(ctx: Ctx) -> list[str]:
    return ["pp.has_followup", *fact_filters(ctx, "pp", person=True)]


def _direction() -> str:
    problem_max = int(settings.WIJKREGIE["ZRM_PROBLEM_MAX_SCORE"])
    return (f"CASE WHEN dp.baseline_score > {problem_max} THEN '' "
            f"WHEN dp.latest_score > dp.baseline_score THEN 'vooruit' "
            f"WHEN dp.latest_score = dp.baseline_score THEN 'gelijk' ELSE 'achteruit' END")


def zrm_domain(ctx: Ctx) -> Spec:
    """Per domain over the paired persons (both scored): n, mean at baseline, mean at latest and their
    difference computed from the unrounded means (sum of latest - sum of baseline, over n); and among those
    with a baseline score <= the problem threshold (base) how many went up, stayed or went down."""
    problem_max = int(settings.WIJKREGIE["ZRM_PROBLEM_MAX_SCORE"])
    direction = _direction()
    sums = {
        "n": "COUNT(*)", "sb": "SUM(dp.baseline_score)", "sl": "SUM(dp.latest_score)",
        "low": f"SUM(CASE WHEN dp.baseline_score <= {problem_max} THEN 1 ELSE 0 END)",
        "up": f"SUM(CASE WHEN {direction} = 'vooruit' THEN 1 ELSE 0 END)",
        "same": f"SUM(CASE WHEN {direction} = 'gelijk' THEN 1 ELSE 0 END)",
        "down": f"SUM(CASE WHEN {direction} = 'achteruit' THEN 1 ELSE 0 END)",
    }
    outputs = [Output("r.n", ratio(total, "r.n"), "r.n", name="zrm_domain_mean", keys=("r.k1", "r.k2", key))
               for key, total in (("'baseline'", "r.sb"), ("'latest'", "r.sl"), ("'difference'", "r.sl - r.sb"))]
    outputs += [Output(f"r.{column}", ratio(f"r.{column}", "r.low"), "r.low", name="zrm_domain_direction",
                       keys=("r.k1", "r.k2", f"'{key}'"), where="r.low > 0")
                for key, column in (("vooruit", "up"), ("gelijk", "same"), ("achteruit", "down"))]
    frm = (f"{PP} pp JOIN {DP} dp ON dp.case_id = pp.case_id AND dp.person_id = pp.person_id "
           f"JOIN {D} d ON d.id = dp.domain_id JOIN {V} v ON v.id = d.version_id")
    where = [*_paired(ctx), "dp.baseline_score IS NOT NULL", "dp.latest_score IS NOT NULL"]
    spec = Spec("zrm_domain", "pp", frm, where, ["v.code", "d.code"], sums, outputs, date="pp.latest_date",
                case_id="pp.case_id")
    spec.drill_keys = ["v.code", "d.code", direction]
    return spec


def _person_share(name: str, ctx: Ctx, side_key: str) -> Spec:
    """Paired persons by their bucket or category at baseline and latest: shares, and the movement."""
    outputs = [
        Output("r.n", name=f"{name}_movement"),
        Output("SUM(r.n)", ratio("SUM(r.n)", "MAX(r.tot)"), "CAST(MAX(r.tot) AS INTEGER)",
               keys=("'baseline'", "r.k1", "''"), group=("r.k1",)),
        Output("SUM(r.n)", ratio("SUM(r.n)", "MAX(r.tot)"), "CAST(MAX(r.tot) AS INTEGER)",
               keys=("'latest'", "r.k2", "''"), group=("r.k2",)),
    ]
    return Spec(name, "pp", f"{PP} pp", _paired(ctx), [f"pp.baseline_{side_key}", f"pp.latest_{side_key}"],
                {"n": "COUNT(*)"}, outputs, date="pp.latest_date", window=True, case_id="pp.case_id")


def zrm_bucket(ctx: Ctx) -> Spec:
    return _person_share("zrm_bucket", ctx, "bucket")


def zrm_category(ctx: Ctx) -> Spec:
    return _person_share("zrm_category", ctx, "category")


PERSON_MEANS = [
    ("improved", "pp.domains_improved"), ("equal", "pp.domains_equal"), ("worse", "pp.domains_worse"),
    ("problem_baseline", "pp.baseline_problem_domains"), ("problem_latest", "pp.latest_problem_domains"),
    ("acute_baseline", "pp.baseline_acute_domains"), ("acute_latest", "pp.latest_acute_domains"),
]


def zrm_person(ctx: Ctx) -> Spec:
    """Paired persons (and how many crossed versions); per person on average: domains improved / equal /
    worse, problem and acute domains at baseline and latest."""
    sums = {"n": "COUNT(*)", "crossed": "SUM(CASE WHEN pp.crossed_versions THEN 1 ELSE 0 END)"}
    sums.update({key: f"SUM({column})" for key, column in PERSON_MEANS})
    outputs = [Output("r.n", NO_VALUE, "r.n", name="zrm_paired", keys=("'paired'", "''", "''")),
               Output("r.crossed", ratio("r.crossed", "r.n"), "r.n", name="zrm_paired",
                      keys=("'crossed_versions'", "''", "''"))]
    outputs += [Output("r.n", ratio(f"r.{key}", "r.n"), "r.n", name="zrm_person_mean",
                       keys=(f"'{key}'", "''", "''")) for key, _ in PERSON_MEANS]
    return Spec("zrm_person", "pp", f"{PP} pp", _paired(ctx), [], sums, outputs, date="pp.latest_date",
                case_id="pp.case_id")


def cluster_rows(ctx: Ctx) -> str:
    """Distinct (person, case, cluster) with a problem domain at baseline, with the columns filters need."""
    problem_max = int(settings.WIJKREGIE["ZRM_PROBLEM_MAX_SCORE"])
    return (f"(SELECT DISTINCT pp.person_id, pp.case_id, pp.team_id, pp.wijk, pp.regisseur_id, pp.household_type, "
            f"pp.age_group, pp.baseline_date, d.cluster FROM {PP} pp "
            f"JOIN {DP} dp ON dp.case_id = pp.case_id AND dp.person_id = pp.person_id "
            f"JOIN {D} d ON d.id = dp.domain_id WHERE dp.baseline_score <= {problem_max}) pc")


def cluster_specs(ctx: Ctx) -> list[Spec]:
    intake = Spec("zrm_intake", "pp", f"{PP} pp", fact_filters(ctx, "pp", person=True), [], {"n": "COUNT(*)"}, [],
                  date="pp.baseline_date", case_id="pp.case_id")
    clusters = Spec("zrm_cluster", "pc", cluster_rows(ctx), fact_filters(ctx, "pc", person=True), ["pc.cluster"],
                    {"c": "COUNT(*)"}, [], date="pc.baseline_date", case_id="pc.case_id")
    return [intake, clusters]


def zrm_clusters(ctx: Ctx) -> str:
    """Persons whose baseline falls in the period (zrm_intake), and per cluster how many of them had at least
    one problem domain in it at baseline, with the share."""
    intake, clusters = cluster_specs(ctx)
    ctes_i, ctes_c = intake.ctes(ctx, "ri"), clusters.ctes(ctx, "rc")
    if ctes_i is None:
        return None
    return (f"WITH {ctes_i}, {ctes_c} "
            f"SELECT ri.sc, ri.sk, ri.pk, ri.ps, 'zrm_intake', '', '', '', ri.n, {NO_VALUE}, ri.n FROM ri "
            f"UNION ALL SELECT rc.sc, rc.sk, rc.pk, rc.ps, 'zrm_cluster', rc.k1, '', '', rc.c, "
            f"{ratio('rc.c', 'ri.n')}, ri.n FROM rc JOIN ri ON ri.sc = rc.sc AND ri.sk = rc.sk "
            f"AND ri.pk = rc.pk AND ri.ps = rc.ps")
