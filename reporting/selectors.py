"""Reads of the reporting app: aggregate cells turned into dashboard sections (tables + charts).

Anything leaving the team goes through `suppress` (counts) and `_value` (a mean or share over
fewer persons than the threshold is suppressed too): the gemeente view and every export. The
team leader's own dashboard shows exact figures and links each count to the cases behind it.

Every function runs a fixed number of queries whatever the number of cases.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Prefetch
from django.urls import reverse

from cases.models import (
    Case,
    CaseStatus,
    ClosureReason,
    Deliverer,
    EscalationKind,
    HouseholdMembership,
    InterventionType,
    MeldingSource,
    Role,
    StaffMembership,
    TeamAction,
)
from cases.selectors import HOUSEHOLD_TYPE_LABELS, decorate_for_list, plan_due_items
from zrm.derived import BUCKET_LABELS
from zrm.models import Cluster, Domain, HouseholdCategory
from zrm.selectors import schedules_for_cases

from . import indicators
from .indicators import Ctx
from .models import (
    AggregateCell,
    PeriodKind,
    PersonProgress,
    RebuildRun,
    RebuildStatus,
    ReportPeriod,
    ScopeKind,
    TeamCaseCount,
)
from .services import tune_transaction

AGE_GROUPS = {"jeugd": "Jeugd (tot 18)", "volwassenen": "Volwassenen (18–64)", "ouderen": "Ouderen (65+)"}
CATEGORY_LABELS = {**{c.value: str(c.label) for c in HouseholdCategory}, "onbekend": "Nog geen ZRM"}
NORM_LABELS = {**CATEGORY_LABELS, "top": "Top"}
CLUSTER_LABELS = {c.value: str(c.label) for c in Cluster}
ACTION_LABELS = {TeamAction.RUNNING: "Liep al", TeamAction.STARTED: "Gestart", TeamAction.STOPPED: "Gestopt"}
DELIVERER_LABELS = {d.value: str(d.label) for d in Deliverer}
ESCALATION_LABELS = {k.value: str(k.label) for k in EscalationKind}
DIRECTIONS = (("vooruit", "Vooruit"), ("gelijk", "Gelijk"), ("achteruit", "Achteruit"))
SIDES = (("baseline", "Begin"), ("latest", "Laatste"))


# --- Suppression and formatting -----------------------------------------------------------------

def threshold() -> int:
    return settings.WIJKREGIE["SMALL_CELL_THRESHOLD"]


def suppress(count: int | None) -> str:
    """A count as it may leave the team: below the threshold it is shown as '<5'."""
    if count is None:
        return "–"
    return f"<{threshold()}" if count < threshold() else str(count)


def round_half_up(value: float, decimals: int = 1) -> Decimal:
    """Rounded as reports do (2.45 -> 2.5), from the shortest decimal form of the stored double."""
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def fmt_int(value: int | None) -> str:
    return "–" if value is None else f"{int(value):,}".replace(",", ".")


def fmt_dec(value: float | None, decimals: int = 1) -> str:
    if value is None:
        return "–"
    text = f"{round_half_up(value, decimals):,}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def fmt_pct(value: float | None) -> str:
    return "–" if value is None else f"{fmt_dec(value * 100, 1)}%"


def fmt_signed(value: float | None) -> str:
    if value is None:
        return "–"
    rounded = round_half_up(value, 1)
    return ("+" if rounded > 0 else "") + fmt_dec(value, 1)


@dataclass
class Cell:
    text: str
    url: str | None = None
    raw: float | int | None = None  # the exact number for XLSX; None when suppressed or not a number
    header: bool = False


@dataclass
class Table:
    caption: str
    columns: list[str]
    rows: list[list[Cell]]
    note: str = ""


@dataclass
class Section:
    key: str
    title: str
    intro: str = ""
    tables: list[Table] = field(default_factory=list)
    chart: dict | None = None

    @property
    def chart_id(self) -> str:
        return f"grafiek-{self.key}"


# --- Periods and runs ---------------------------------------------------------------------------

PERIOD_LABELS = {PeriodKind.MONTH: "Maand", PeriodKind.QUARTER: "Kwartaal", PeriodKind.YEAR: "Jaar"}
MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
          "november", "december"]


def period_label(kind: str, start: dt.date) -> str:
    if kind == PeriodKind.MONTH:
        return f"{MONTHS[start.month - 1]} {start.year}"
    if kind == PeriodKind.QUARTER:
        return f"{(start.month - 1) // 3 + 1}e kwartaal {start.year}"
    return str(start.year)


def period_start_for(kind: str, day: dt.date) -> dt.date:
    from .services import _period_start

    return _period_start(kind, day)


def period_end(kind: str, start: dt.date) -> dt.date:
    from .services import STEP

    return start + STEP[kind]


def periods(kind: str, today: dt.date) -> list[tuple[dt.date, str]]:
    """(start, label) of the periods of this kind computed so far, newest first."""
    return [(start, period_label(kind, start)) for start in
            ReportPeriod.objects.filter(kind=kind, start_date__lte=today).order_by("-start_date")
            .values_list("start_date", flat=True)]


def last_rebuild() -> RebuildRun | None:
    return RebuildRun.objects.filter(status=RebuildStatus.SUCCESS).order_by("-finished_at").first()


# --- Cells ----------------------------------------------------------------------------------------

class Report:
    """The cells of one scope and period, looked up by indicator and keys."""

    def __init__(self, rows: list[dict]):
        self.by: dict[str, dict[tuple, dict]] = defaultdict(dict)
        for row in rows:
            self.by[row["indicator"]][(row["key1"], row["key2"], row["key3"])] = row

    def get(self, indicator: str, k1: str = "", k2: str = "", k3: str = "") -> dict | None:
        return self.by.get(indicator, {}).get((k1, k2, k3))

    def count(self, indicator: str, *keys: str) -> int | None:
        cell = self.get(indicator, *keys)
        return cell["count"] if cell else None

    def items(self, indicator: str) -> dict[tuple, dict]:
        return self.by.get(indicator, {})

    def __bool__(self):
        return bool(self.by)


CELL_FIELDS = ("indicator", "key1", "key2", "key3", "count", "value", "base")


def stored_report(scope_kind: str, scope_key: str, period_kind: str, period_start: dt.date) -> Report:
    return Report(list(AggregateCell.objects.filter(
        scope_kind=scope_kind, scope_key=scope_key, period_kind=period_kind, period_start=period_start,
    ).values(*CELL_FIELDS)))


def live_report(*, team_id: int, period_kind: str, period_start: dt.date, today: dt.date, worker_id=None,
                household_type=None, age_group=None) -> Report:
    """The same indicators computed now from the facts, with the dashboard's extra filters (one
    query per indicator, whatever the number of cases)."""

    def ctx() -> Ctx:
        return Ctx(today=today, scopes=("team",), period=(period_kind, period_start),
                   date_range=(period_start, period_end(period_kind, period_start)), team_ids=[team_id],
                   worker_id=worker_id, household_type=household_type or None, age_group=age_group or None)

    rows = []
    with transaction.atomic(), connection.cursor() as cursor:
        tune_transaction(cursor)
        for select, params in indicators.statements(ctx):
            cursor.execute(select, params)
            for row in cursor.fetchall():
                rows.append(dict(zip(CELL_FIELDS, row[4:])))
    for row in rows:
        row["count"] = None if row["count"] is None else int(row["count"])
        row["base"] = None if row["base"] is None else int(row["base"])
        row["value"] = None if row["value"] is None else float(row["value"])
    return Report(rows)


# --- Labels (one query each) -----------------------------------------------------------------

@dataclass
class Labels:
    sources: dict[str, str]
    reasons: dict[str, str]
    intervention_types: dict[str, str]
    domains: dict[tuple[str, str], tuple[int, str]]
    workers: list[StaffMembership]


def team_workers(team_id: int) -> list[StaffMembership]:
    """The team's social workers and leaders (also former ones), by name: the dashboard's worker filter
    and its per-worker rows."""
    return list(StaffMembership.objects.filter(team_id=team_id, role__in=[Role.SOCIAL_WORKER, Role.TEAM_LEADER])
                .select_related("user").order_by("user__last_name", "user__first_name", "pk"))


def labels(team_id: int | None = None, workers: list[StaffMembership] | None = None) -> Labels:
    """The code lists' labels, and the team's workers (`workers` when the caller read them already)."""
    if workers is None:
        workers = team_workers(team_id) if team_id is not None else []
    return Labels(
        sources=dict(MeldingSource.objects.values_list("code", "label")),
        reasons=dict(ClosureReason.objects.values_list("code", "label")),
        intervention_types=dict(InterventionType.objects.values_list("code", "label")),
        domains={(v, c): (o, n) for v, c, o, n in Domain.objects.values_list("version__code", "code", "order", "name")},
        workers=workers,
    )


def worker_name(member: StaffMembership) -> str:
    return member.user.get_full_name() or member.user.get_username()


# --- Building the sections ---------------------------------------------------------------------

class Builder:
    """Turns a Report into sections. public=True: suppressed, no drill-down links (gemeente, exports)."""

    def __init__(self, report: Report, names: Labels, *, public: bool, drill=None):
        self.r, self.names, self.public, self.drill = report, names, public, drill

    # cells
    def count(self, n: int | None, indicator: str | None = None, keys: tuple = (), *, hidden: bool = False) -> Cell:
        if n is None:
            n = 0
        if self.public:
            small = hidden or n < threshold()
            return Cell(f"<{threshold()}" if small else fmt_int(n), raw=None if small else n)
        url = self.drill(indicator, keys) if (self.drill and indicator and n) else None
        return Cell(fmt_int(n), url=url, raw=n)

    def small(self, base: int | None) -> bool:
        return self.public and (base or 0) < threshold()

    def protect(self, counts: list[int]) -> list[bool]:
        """Which counts of a partition (parts of a total that is shown) to hide outside the team: those under
        the threshold, and when that is just one, also the smallest other one, so that it cannot be derived
        from the total. Inside the team nothing is hidden."""
        if not self.public:
            return [False] * len(counts)
        hide = [(c or 0) < threshold() for c in counts]
        if sum(hide) == 1:
            others = [(c or 0, i) for i, c in enumerate(counts) if not hide[i]]
            if others:
                hide[min(others)[1]] = True
        return hide

    def share(self, value: float | None, base: int | None, count: int | None = None, *,
              hidden: bool = False) -> Cell:
        """A share; outside the team hidden when its base is small, or its count (the share would give it away)."""
        if value is None:
            return Cell("–")
        if self.small(base) or (self.public and (hidden or (count is not None and count < threshold()))):
            return Cell(f"<{threshold()}")
        return Cell(fmt_pct(value), raw=round(value, 4))

    def mean(self, value: float | None, base: int | None, *, signed: bool = False, decimals: int = 1) -> Cell:
        if value is None:
            return Cell("–")
        if self.small(base):
            return Cell(f"<{threshold()}")
        text = fmt_signed(value) if signed else fmt_dec(value, decimals)
        return Cell(text, raw=float(round_half_up(value, decimals)))

    def chart_value(self, value: float | int | None, base: int | None, scale: float = 1) -> float | None:
        if value is None or self.small(base):
            return None
        return round(float(value) * scale, 2)

    def chart_count(self, n: int | None) -> int | None:
        if n is None:
            return 0
        return None if self.public and n < threshold() else n

    @staticmethod
    def label(text: str) -> Cell:
        return Cell(text, header=True)

    # sections
    def caseload(self) -> Section:
        r = self.r
        total, monitoring = r.get("caseload"), r.count("caseload_monitoring") or 0
        open_cases = total["count"] if total else 0
        section = Section("caseload", "Caseload", "Open casussen aan het eind van de periode (of vandaag). "
                          "Monitoring: een vastgesteld plan en geen lopend traject; de rest is actief.")
        hide = self.protect([max(open_cases - monitoring, 0), monitoring])
        rows = [[self.label("Open casussen"), self.count(open_cases, "caseload")],
                [self.label("Actief"), self.count(max(open_cases - monitoring, 0), hidden=hide[0])],
                [self.label("Monitoring"), self.count(monitoring, "caseload_monitoring", hidden=hide[1])],
                [self.label("Open casussen per fte (sociaal werkers)"),
                 self.mean(total["value"] if total else None, open_cases)]]
        section.tables.append(Table("Open casussen: actief en monitoring", ["", "Aantal"], rows))
        return section

    def workers(self, band=None) -> Section:
        """Per worker against fte, with the DOMAIN.md §3 benchmark band and the LPBL norm."""
        r = self.r
        low, high = band or settings.WIJKREGIE["CASELOAD_BAND"]
        norms = settings.WIJKREGIE["CASELOAD_NORMS"]
        per_worker = {k[0]: c for k, c in r.items("caseload_worker").items()}
        known = {str(w.pk): w for w in self.names.workers}
        ids = [str(w.pk) for w in self.names.workers
               if (w.active and w.role == Role.SOCIAL_WORKER) or str(w.pk) in per_worker]
        ids += sorted(k for k in per_worker if k not in known)
        category_counts: dict[str, dict[str, int]] = defaultdict(dict)
        for (worker, category, _), cell in r.items("caseload_worker_category").items():
            category_counts[worker][category] = cell["count"]
        rows, labels_, open_data, monitor_data, low_data, high_data = [], [], [], [], [], []
        for key in ids:
            member = known.get(key)
            name = worker_name(member) if member else f"Medewerker {key}"
            fte = float(member.fte) if member else None
            cell = per_worker.get(key)
            n = cell["count"] if cell else 0
            monitoring = r.count("caseload_worker_monitoring", key) or 0
            needed = sum(count / norms.get(cat, norms["enkelvoudig"]) for cat, count in category_counts[key].items())
            per_fte = (n / fte) if fte else None
            if per_fte is None:
                status = "–"
            elif per_fte < low:
                status = "onder de band"
            elif per_fte > high:
                status = "boven de band"
            else:
                status = "binnen de band"
            rows.append([
                self.label(name), Cell(fmt_dec(fte, 2) if fte is not None else "–", raw=fte),
                self.count(n, "caseload_worker", (key,)), self.count(max(n - monitoring, 0)),
                self.count(monitoring, "caseload_worker_monitoring", (key,)),
                Cell(fmt_dec(per_fte, 1), raw=None if per_fte is None else round(per_fte, 1)),
                Cell(f"{fmt_int(round(low * fte))}–{fmt_int(round(high * fte))}" if fte else "–"),
                Cell(fmt_dec(needed, 2), raw=round(needed, 2)), Cell(status),
            ])
            labels_.append(name)
            open_data.append(n - monitoring)
            monitor_data.append(monitoring)
            low_data.append(round(low * fte, 1) if fte else None)
            high_data.append(round(high * fte, 1) if fte else None)
        norm_text = ", ".join(f"{NORM_LABELS.get(k, k).lower()} {v}" for k, v in norms.items())
        section = Section(
            "medewerkers", "Caseload per medewerker",
            f"Open casussen per regisseur tegen de fte, met de benchmarkband van {low}–{high} casussen per fte "
            f"(ter vergelijking: de Groningse pilots hadden 28–30 huishoudens per fte). LPBL-norm: de fte die de "
            f"caseload volgens de landelijke normen vraagt ({norm_text} huishoudens per fte; casussen zonder ZRM "
            f"als enkelvoudig).",
        )
        section.tables.append(Table("Caseload per medewerker", [
            "Medewerker", "fte", "Open", "Actief", "Monitoring", "Per fte", f"Band ({low}–{high} × fte)",
            "LPBL-norm (fte)", "Ten opzichte van de band"], rows))
        section.chart = {
            "type": "bar", "labels": labels_, "stacked": True, "yTitle": "Open casussen",
            "datasets": [
                {"label": "Actief", "data": open_data, "stack": "caseload"},
                {"label": "Monitoring", "data": monitor_data, "stack": "caseload"},
                {"type": "line", "label": f"Ondergrens band ({low} × fte)", "data": low_data},
                {"type": "line", "label": f"Bovengrens band ({high} × fte)", "data": high_data},
            ],
        }
        return section

    def timeliness(self) -> Section:
        r = self.r
        median, p90 = r.get("first_contact_days", "median"), r.get("first_contact_days", "p90")
        norm = r.get("first_contact_norm")
        days = settings.WIJKREGIE
        rows = []
        n = norm["base"] if norm else None
        rows.append([self.label("Eerste contact: mediaan (dagen)"), self.count(n),
                     self.mean(median["value"] if median else None, n, decimals=0)])
        rows.append([self.label("Eerste contact: 90e percentiel (dagen)"), self.count(n),
                     self.mean(p90["value"] if p90 else None, n, decimals=0)])
        chart_labels, chart_data = [], []
        for name, label, drill_key in (
            ("first_contact_norm", f"Eerste contact binnen {days['FIRST_CONTACT_DAYS']} dagen", "binnen"),
            ("plan_within_norm", f"Plan van aanpak binnen {days['PLAN_DAYS']} dagen", "op_tijd"),
            ("zrm_nulmeting", f"Nulmeting binnen {days['NULMETING_DAYS']} dagen", "op_tijd"),
            ("zrm_followup", f"Tussenmetingen op tijd (± {days['ZRM_FOLLOWUP_TOLERANCE_DAYS']} dagen)", "op_tijd"),
        ):
            cell = r.get(name)
            base = cell["base"] if cell else None
            ok = cell["count"] if cell else 0
            late = (base or 0) - ok
            late_key = "buiten" if drill_key == "binnen" else "te_laat"
            hide = self.protect([ok, late])
            rows.append([self.label(label), self.count(base),
                         self.share(cell["value"] if cell else None, base, hidden=any(hide)),
                         self.count(ok, name, (drill_key,), hidden=hide[0]),
                         self.count(late, name, (late_key,), hidden=hide[1])])
            chart_labels.append(label)
            chart_data.append(None if any(hide) else self.chart_value(cell["value"] if cell else None, base, 100))
        for row in rows[:2]:
            row += [Cell(""), Cell("")]
        section = Section("tijdigheid", "Op tijd", "Mediaan en 90e percentiel volgens de nearest-rank-methode "
                          "(de waarde op rang ⌈p × n⌉). Normen per melding in de periode; tussenmetingen per "
                          "vervaldatum in de periode.")
        section.tables.append(Table("Tijdigheid", ["Indicator", "n", "Waarde", "Op tijd", "Te laat"], rows))
        section.chart = {"type": "bar", "labels": chart_labels, "yTitle": "% op tijd", "max": 100,
                         "datasets": [{"label": "% op tijd", "data": chart_data}]}
        return section

    def inflow(self) -> Section:
        items = self.r.items("inflow")
        total = sum(c["count"] for c in items.values())
        rows, chart_labels, data = [], [], []
        counts = {code: (items.get((code, "", "")) or {}).get("count", 0) for code in self.names.sources}
        hide = dict(zip(counts, self.protect(list(counts.values()))))
        for code, label in self.names.sources.items():
            n = counts[code]
            rows.append([self.label(label), self.count(n, "inflow", (code,), hidden=hide[code]),
                         self.share(n / total if total else None, total, hidden=hide[code])])
            chart_labels.append(label)
            data.append(None if hide[code] else n)
        rows.append([self.label("Totaal"), self.count(total), Cell("")])
        section = Section("instroom", "Instroom per bron", "Meldingen met een meldingsdatum in de periode.")
        section.tables.append(Table("Meldingen per bron", ["Bron", "Meldingen", "Aandeel"], rows))
        section.chart = {"type": "bar", "labels": chart_labels, "indexAxis": "y", "yTitle": "Meldingen",
                         "datasets": [{"label": "Meldingen", "data": data}]}
        return section

    def progress(self) -> Section:
        r = self.r
        means = defaultdict(dict)
        for (version, code, kind), cell in r.items("zrm_domain_mean").items():
            means[(version, code)][kind] = cell
        directions = defaultdict(dict)
        for (version, code, kind), cell in r.items("zrm_domain_direction").items():
            directions[(version, code)][kind] = cell
        keys = sorted(set(means) | set(directions), key=lambda k: (k[0], self.names.domains.get(k, (999, ""))[0]))
        rows, chart_labels, base_data, latest_data = [], [], [], []
        for key in keys:
            name = self.names.domains.get(key, (0, key[1]))[1]
            if len({k[0] for k in keys}) > 1:
                name = f"{name} ({key[0].upper().replace('ZRM-', 'ZRM ')})"
            m = means.get(key, {})
            n = m["baseline"]["count"] if "baseline" in m else 0
            d = directions.get(key, {})
            low = next((c["base"] for c in d.values()), 0)
            row = [self.label(name), self.count(n),
                   self.mean(m["baseline"]["value"] if "baseline" in m else None, n),
                   self.mean(m["latest"]["value"] if "latest" in m else None, n),
                   self.mean(m["difference"]["value"] if "difference" in m else None, n, signed=True),
                   self.count(low)]
            hide = dict(zip([k for k, _ in DIRECTIONS],
                            self.protect([(d.get(k) or {}).get("count", 0) for k, _ in DIRECTIONS])))
            for kind, _ in DIRECTIONS:
                cell = d.get(kind)
                share = self.share(cell["value"] if cell else None, low, hidden=hide[kind])
                if not self.public and cell and cell["count"] and self.drill:
                    share.url = self.drill("zrm_domain_direction", (key[0], key[1], kind))
                row.append(share)
            rows.append(row)
            chart_labels.append(f"{name} (n={suppress(n) if self.public else n})")
            base_data.append(self.chart_value(m["baseline"]["value"] if "baseline" in m else None, n))
            latest_data.append(self.chart_value(m["latest"]["value"] if "latest" in m else None, n))
        paired = r.get("zrm_paired", "paired")
        crossed = r.get("zrm_paired", "crossed_versions")
        n_paired = paired["count"] if paired else 0
        intro = ("Personen met een begin- en een latere meting waarvan de laatste meting in de periode valt "
                 "(gepaard: beide gescoord). Het verschil is berekend op de onafgeronde gemiddelden en daarna "
                 "afgerond. Vooruit/gelijk/achteruit onder wie begon met een score van ten hoogste "
                 f"{settings.WIJKREGIE['ZRM_PROBLEM_MAX_SCORE']}.")
        if crossed and crossed["count"]:
            intro += (f" {suppress(crossed['count']) if self.public else crossed['count']} van de vergelijkingen "
                      "kruisten ZRM-versies (2017 gelezen als 2013, de laagste score van een paar).")
        section = Section("voortgang", "ZRM-voortgang per domein", intro)
        section.tables.append(Table(
            f"ZRM-voortgang per domein ({suppress(n_paired) if self.public else n_paired} personen)",
            ["Domein", "n", "Gem. begin", "Gem. laatste", "Verschil", "n (begin ≤ 3)", "Vooruit", "Gelijk",
             "Achteruit"], rows))
        person_rows = []
        labels_ = {"improved": "Domeinen vooruit", "equal": "Domeinen gelijk", "worse": "Domeinen achteruit",
                   "problem_baseline": "Probleemdomeinen bij begin", "problem_latest": "Probleemdomeinen laatste",
                   "acute_baseline": "Acute domeinen bij begin", "acute_latest": "Acute domeinen laatste"}
        for key, label in labels_.items():
            cell = r.get("zrm_person_mean", key)
            person_rows.append([self.label(label), self.mean(cell["value"] if cell else None,
                                                             cell["base"] if cell else 0)])
        section.tables.append(Table("Gemiddeld per persoon", ["", "Gemiddelde"], person_rows))
        section.chart = {"type": "bar", "labels": chart_labels, "yTitle": "Gemiddelde score (1–5)", "min": 0,
                         "max": 5, "datasets": [{"label": "Begin", "data": base_data},
                                                {"label": "Laatste", "data": latest_data}]}
        return section

    def buckets(self) -> Section:
        r = self.r
        rows, base_data, latest_data = [], [], []
        hide = {side: dict(zip(BUCKET_LABELS, self.protect(
            [(r.get("zrm_bucket", side, b) or {}).get("count", 0) for b in BUCKET_LABELS]))) for side, _ in SIDES}
        for bucket in BUCKET_LABELS:
            row = [self.label(f"{bucket} probleemdomeinen")]
            for side, data in (("baseline", base_data), ("latest", latest_data)):
                cell = r.get("zrm_bucket", side, bucket)
                hidden = hide[side][bucket]
                row += [self.count(cell["count"] if cell else 0, hidden=hidden),
                        self.share(cell["value"] if cell else None, cell["base"] if cell else 0, hidden=hidden)]
                data.append(None if hidden else (cell["count"] if cell else 0))
            rows.append(row)
        section = Section("klassen", "Klassen van probleemdomeinen", "Gepaarde personen naar aantal "
                          "probleemdomeinen bij begin en bij de laatste meting, en hoe ze verschoven.")
        section.tables.append(Table("Klassen bij begin en laatste meting",
                                    ["Klasse", "Begin", "Aandeel", "Laatste", "Aandeel"], rows))
        movement = r.items("zrm_bucket_movement")
        matrix = []
        for start in BUCKET_LABELS:
            row = [self.label(start)]
            for end in BUCKET_LABELS:
                cell = movement.get((start, end, ""))
                row.append(self.count(cell["count"] if cell else 0, "zrm_bucket_movement", (start, end)))
            matrix.append(row)
        section.tables.append(Table("Verschuiving: klasse bij begin (rijen) naar laatste (kolommen)",
                                    ["Begin \\ laatste", *BUCKET_LABELS], matrix))
        section.chart = {"type": "bar", "labels": BUCKET_LABELS, "yTitle": "Personen",
                         "datasets": [{"label": "Begin", "data": base_data}, {"label": "Laatste", "data": latest_data}]}
        return section

    def households(self) -> Section:
        r = self.r
        section = Section("huishoudens", "Huishoudens", "Casussen die in de periode open waren, naar "
                          "huishoudtype en naar LPBL-categorie (de zwaarste beginmeting van de leden); personen "
                          "naar categorie bij begin en laatste meting.")
        rows = []
        hide = dict(zip(HOUSEHOLD_TYPE_LABELS, self.protect(
            [(r.get("household_type", code) or {}).get("count", 0) for code in HOUSEHOLD_TYPE_LABELS])))
        for code, label in HOUSEHOLD_TYPE_LABELS.items():
            cell = r.get("household_type", code)
            rows.append([self.label(label),
                         self.count(cell["count"] if cell else 0, "household_type", (code,), hidden=hide[code]),
                         self.share(cell["value"] if cell else None, cell["base"] if cell else 0,
                                    hidden=hide[code])])
        section.tables.append(Table("Huishoudtype", ["Type", "Casussen", "Aandeel"], rows))
        rows, data = [], []
        hide = dict(zip(CATEGORY_LABELS, self.protect(
            [(r.get("household_category", code) or {}).get("count", 0) for code in CATEGORY_LABELS])))
        for code, label in CATEGORY_LABELS.items():
            cell = r.get("household_category", code)
            rows.append([self.label(label),
                         self.count(cell["count"] if cell else 0, "household_category", (code,), hidden=hide[code]),
                         self.share(cell["value"] if cell else None, cell["base"] if cell else 0,
                                    hidden=hide[code])])
            data.append(None if hide[code] else (cell["count"] if cell else 0))
        section.tables.append(Table("Huishoudcategorie (casussen)", ["Categorie", "Casussen", "Aandeel"], rows))
        rows = []
        movement = r.items("zrm_category_movement")
        person_codes = list(CATEGORY_LABELS)[:3]
        hide = {side: dict(zip(person_codes, self.protect(
            [(r.get("zrm_category", side, c) or {}).get("count", 0) for c in person_codes]))) for side, _ in SIDES}
        for code, label in list(CATEGORY_LABELS.items())[:3]:
            row = [self.label(label)]
            for side in ("baseline", "latest"):
                cell = r.get("zrm_category", side, code)
                hidden = hide[side][code]
                row += [self.count(cell["count"] if cell else 0, hidden=hidden),
                        self.share(cell["value"] if cell else None, cell["base"] if cell else 0, hidden=hidden)]
            for end in list(CATEGORY_LABELS)[:3]:
                cell = movement.get((code, end, ""))
                row.append(self.count(cell["count"] if cell else 0, "zrm_category_movement", (code, end)))
            rows.append(row)
        short = ["naar enkelv.", "naar m. zelfr.", "naar m. niet-zelfr."]
        section.tables.append(Table("Categorie per persoon (gepaard): begin, laatste en verschuiving",
                                    ["Categorie", "Begin", "Aandeel", "Laatste", "Aandeel", *short], rows))
        section.chart = {"type": "bar", "labels": list(CATEGORY_LABELS.values()), "yTitle": "Casussen",
                         "datasets": [{"label": "Casussen", "data": data}]}
        return section

    def clusters(self) -> Section:
        r = self.r
        intake = r.get("zrm_intake")
        n = intake["count"] if intake else 0
        rows, data = [], []
        for code, label in CLUSTER_LABELS.items():
            cell = r.get("zrm_cluster", code)
            c = cell["count"] if cell else 0
            rows.append([self.label(label), self.count(c, "zrm_cluster", (code,)),
                         self.share(cell["value"] if cell else None, n, c)])
            data.append(None if self.public and c < threshold() else
                        self.chart_value(cell["value"] if cell else None, n, 100))
        section = Section("clusters", "Probleemclusters bij de start",
                          f"Personen met een beginmeting in de periode ({suppress(n) if self.public else n}): "
                          "aandeel met minstens één probleemdomein in het cluster.")
        section.tables.append(Table("Probleemclusters", ["Cluster", "Personen", "Aandeel"], rows))
        section.chart = {"type": "bar", "labels": list(CLUSTER_LABELS.values()), "yTitle": "% personen", "max": 100,
                         "datasets": [{"label": "% personen", "data": data}]}
        return section

    def interventions(self) -> Section:
        items = self.r.items("interventions")
        by_type: dict[str, dict] = defaultdict(lambda: defaultdict(int))
        for (code, action, deliverer), cell in items.items():
            by_type[code][action] += cell["count"]
            by_type[code][deliverer] += cell["count"]
        rows = []
        datasets = {action: [] for action in ACTION_LABELS}
        chart_labels = []
        for code, label in self.names.intervention_types.items():
            if code not in by_type:
                continue
            counts = by_type[code]
            rows.append([self.label(label)]
                        + [self.count(counts[a], "interventions", (code, a)) for a in ACTION_LABELS]
                        + [self.count(counts[d]) for d in DELIVERER_LABELS])
            chart_labels.append(label)
            for action in ACTION_LABELS:
                datasets[action].append(self.chart_count(counts[action]))
        section = Section("trajecten", "Trajecten", "Per soort: liep al bij de start (op de meldingsdatum), "
                          "gestart door het team (startdatum) of gestopt door het team (einddatum) in de periode, "
                          "en wie het uitvoert.")
        section.tables.append(Table("Trajecten per soort", ["Soort", *ACTION_LABELS.values(),
                                                            *DELIVERER_LABELS.values()], rows,
                                    note="" if rows else "Geen trajecten in deze periode."))
        section.chart = {"type": "bar", "labels": chart_labels, "stacked": True, "indexAxis": "y",
                         "yTitle": "Trajecten",
                         "datasets": [{"label": ACTION_LABELS[a], "data": d} for a, d in datasets.items()]}
        return section

    def escalations(self) -> Section:
        items = self.r.items("escalations")
        rows, occurred, prevented = [], [], []
        for code, label in ESCALATION_LABELS.items():
            a = items.get((code, "opgetreden", ""))
            b = items.get((code, "voorkomen", ""))
            rows.append([self.label(label),
                         self.count(a["count"] if a else 0, "escalations", (code, "opgetreden")),
                         self.count(b["count"] if b else 0, "escalations", (code, "voorkomen"))])
            occurred.append(self.chart_count(a["count"] if a else 0))
            prevented.append(self.chart_count(b["count"] if b else 0))
        section = Section("escalaties", "Escalaties", "Opgetreden en voorkomen escalaties met een datum in de periode.")
        section.tables.append(Table("Escalaties", ["Soort", "Opgetreden", "Voorkomen"], rows))
        section.chart = {"type": "bar", "labels": list(ESCALATION_LABELS.values()), "yTitle": "Aantal",
                         "datasets": [{"label": "Opgetreden", "data": occurred},
                                      {"label": "Voorkomen", "data": prevented}]}
        return section

    def closing(self) -> Section:
        r = self.r
        items = r.items("closure_reason")
        rows, data, chart_labels = [], [], []
        counts = {code: (items.get((code, "", "")) or {}).get("count", 0) for code in self.names.reasons}
        total = sum(counts.values())
        hide = dict(zip(counts, self.protect(list(counts.values()))))
        for code, label in self.names.reasons.items():
            cell = items.get((code, "", ""))
            n = counts[code]
            rows.append([self.label(label), self.count(n, "closure_reason", (code,), hidden=hide[code]),
                         self.share(cell["value"] if cell else None, cell["base"] if cell else 0,
                                    hidden=hide[code])])
            chart_labels.append(label)
            data.append(None if hide[code] else n)
        rows.append([self.label("Totaal afgesloten"), self.count(total), Cell("")])
        reopened, days = r.get("reopened"), r.get("reopened_days")
        reopen_rows = [
            [self.label("Meldingen in de periode"), self.count(reopened["base"] if reopened else 0)],
            [self.label("Waarvan heropening van een afgesloten casus"),
             self.count(reopened["count"] if reopened else 0, "reopened", ("heropend",))],
            [self.label("Percentage heropend"),
             self.share(reopened["value"] if reopened else None, reopened["base"] if reopened else 0,
                        reopened["count"] if reopened else 0)],
            [self.label("Gemiddeld dagen sinds de afsluiting"),
             self.mean(days["value"] if days else None, days["base"] if days else 0, decimals=0)],
        ]
        section = Section("afsluiting", "Afsluiting en heropening", "Casussen afgesloten in de periode per reden; "
                          "meldingen in de periode die een eerder afgesloten casus heropenen.")
        section.tables.append(Table("Redenen van afsluiting", ["Reden", "Casussen", "Aandeel"], rows))
        section.tables.append(Table("Heropeningen", ["", "Aantal"], reopen_rows))
        section.chart = {"type": "bar", "labels": chart_labels, "indexAxis": "y", "yTitle": "Casussen",
                         "datasets": [{"label": "Afgesloten", "data": data}]}
        return section

    def all(self, *, with_workers: bool) -> list[Section]:
        sections = [self.caseload()]
        if with_workers:
            sections.append(self.workers())
        return sections + [self.timeliness(), self.inflow(), self.progress(), self.buckets(), self.households(),
                           self.clusters(), self.interventions(), self.escalations(), self.closing()]


# --- The team leader's dashboard ----------------------------------------------------------------

def drill_url_factory(base: dict):
    # The fixed part of the query string is encoded once: a team dashboard has a few hundred links.
    url = reverse("reporting:drilldown")
    prefix = f"{url}?{urlencode(base)}&" if base else f"{url}?"

    def make(indicator: str, keys: tuple) -> str:
        query = {"indicator": indicator}
        for index, key in enumerate(keys, start=1):
            query[f"k{index}"] = key
        return prefix + urlencode(query)

    return make


def team_sections(*, team, period_kind: str, period_start: dt.date, today: dt.date, worker_id=None,
                  household_type: str = "", age_group: str = "", public: bool = False,
                  workers: list[StaffMembership] | None = None) -> tuple[list[Section], bool]:
    """The team dashboard's sections; stored cells unless a worker/household type/age group filter asks for
    a live computation. Returns (sections, has_data). `workers`: team_workers(team.pk), if already read."""
    if worker_id or household_type or age_group:
        report = live_report(team_id=team.pk, period_kind=period_kind, period_start=period_start, today=today,
                             worker_id=worker_id, household_type=household_type, age_group=age_group)
    else:
        report = stored_report(ScopeKind.TEAM, str(team.pk), period_kind, period_start)
    base = {"team": team.pk, "soort": period_kind, "periode": period_start.isoformat()}
    for name, value in (("medewerker", worker_id), ("huishoudtype", household_type), ("leeftijd", age_group)):
        if value:
            base[name] = value
    builder = Builder(report, labels(team.pk, workers), public=public,
                      drill=None if public else drill_url_factory(base))
    return builder.all(with_workers=True), bool(report)


def public_sections(*, scope_kind: str, scope_key: str, period_kind: str, period_start: dt.date
                    ) -> tuple[list[Section], bool]:
    report = stored_report(scope_kind, scope_key, period_kind, period_start)
    builder = Builder(report, labels(), public=True)
    return builder.all(with_workers=False), bool(report)


def teams_comparison(period_kind: str, period_start: dt.date, teams) -> Table:
    """Key figures per team side by side (suppressed): one query for all teams."""
    teams = list(teams)
    cells = defaultdict(dict)
    for row in AggregateCell.objects.filter(
        # the team keys let the unique index (scope_kind, scope_key, period, indicator) serve the query
        scope_kind=ScopeKind.TEAM, scope_key__in=[str(team.pk) for team in teams], period_kind=period_kind,
        period_start=period_start,
        indicator__in=["caseload", "inflow", "first_contact_days", "first_contact_norm", "plan_within_norm",
                       "zrm_nulmeting", "zrm_paired", "reopened"],
    ).values("scope_key", *CELL_FIELDS):
        cells[row["scope_key"]][(row["indicator"], row["key1"])] = row
    builder = Builder(Report([]), None, public=True)

    def on_time(cell):
        if not cell:
            return Cell("–")
        hidden = any(builder.protect([cell["count"], cell["base"] - cell["count"]]))
        return builder.share(cell["value"], cell["base"], hidden=hidden)

    rows = []
    for team in teams:
        c = cells.get(str(team.pk), {})
        caseload = c.get(("caseload", ""))
        inflow = sum(row["count"] for (name, _), row in c.items() if name == "inflow")
        median = c.get(("first_contact_days", "median"))
        norm = c.get(("first_contact_norm", ""))
        plan = c.get(("plan_within_norm", ""))
        nulmeting = c.get(("zrm_nulmeting", ""))
        paired = c.get(("zrm_paired", "paired"))
        reopened = c.get(("reopened", ""))
        rows.append([
            builder.label(team.name),
            builder.count(caseload["count"] if caseload else 0),
            builder.mean(caseload["value"] if caseload else None, caseload["count"] if caseload else 0),
            builder.count(inflow),
            builder.mean(median["value"] if median else None, median["base"] if median else 0, decimals=0),
            on_time(norm), on_time(plan), on_time(nulmeting),
            builder.count(paired["count"] if paired else 0),
            builder.share(reopened["value"] if reopened else None, reopened["base"] if reopened else 0,
                          reopened["count"] if reopened else 0),
        ])
    return Table("Kerncijfers per team", ["Team", "Open casussen", "Per fte", "Meldingen", "Mediaan dagen tot "
                 "eerste contact", "Eerste contact op tijd", "Plan op tijd", "Nulmeting op tijd",
                 "Gepaarde ZRM-personen", "Heropend"], rows)


def wijken() -> list[str]:
    """The wijken that have cells, in order. A loose index scan: one probe of the unique index
    (scope_kind, scope_key, ...) per wijk, instead of reading and sorting every wijk cell (a DISTINCT
    over hundreds of thousands of rows at city scale)."""
    table = connection.ops.quote_name(AggregateCell._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"""
            WITH RECURSIVE wijk (scope_key) AS (
                SELECT MIN(scope_key) FROM {table} WHERE scope_kind = %s
                UNION ALL
                SELECT (SELECT MIN(c.scope_key) FROM {table} c WHERE c.scope_kind = %s AND c.scope_key > wijk.scope_key)
                FROM wijk WHERE wijk.scope_key IS NOT NULL
            )
            SELECT scope_key FROM wijk WHERE scope_key IS NOT NULL ORDER BY scope_key""",
                       [ScopeKind.WIJK.value, ScopeKind.WIJK.value])
        return [row[0] for row in cursor.fetchall()]


# --- Overdue work (live, from the zrm and cases selectors) ------------------------------------

@dataclass
class OverdueItem:
    case: Case | None
    case_id: int
    label: str
    due: dt.date
    days: int


@dataclass(frozen=True)
class _CaseDates:
    """What the measurement schedule needs of a case (zrm.selectors.schedules_for_cases), without a model."""

    pk: int
    melding_date: dt.date
    status: str
    closed_on: dt.date | None


def overdue(cases_qs, today: dt.date, shown: int = 25) -> tuple[dict[str, int], list[OverdueItem], int]:
    """Overdue ZRMs (zrm.selectors schedule), plan reviews and goals (cases.selectors.plan_due_items) of the
    given open cases: counts, the `shown` oldest items (with their case and director loaded) and the total.
    Five queries whatever the number of cases."""
    cases = [_CaseDates(*row) for row in cases_qs.values_list("pk", "melding_date", "status", "closed_on")]
    ids = cases_qs.order_by().values("pk")  # the same cases, as a subquery
    schedules = schedules_for_cases(cases, today, case_ids=ids)
    plan_items = plan_due_items(ids if cases else [], today)
    counts = {"zrm": 0, "review": 0, "goals": 0}
    items: list[OverdueItem] = []
    for case in cases:
        for item in schedules.get(case.pk, []):
            if item.is_overdue:
                counts["zrm"] += 1
                items.append(OverdueItem(None, case.pk, f"ZRM: {item.label.lower()}", item.due,
                                         item.days_overdue(today)))
        for item in plan_items.get(case.pk, []):
            if item["kind"] == "review":
                counts["review"] += 1
            else:
                counts["goals"] += int(item["label"].split(" ", 1)[0])
            items.append(OverdueItem(None, case.pk, item["label"], item["due"], (today - item["due"]).days))
    items.sort(key=lambda item: (item.due, item.case_id))
    first = items[:shown]
    loaded = Case.objects.select_related("regisseur__user").in_bulk({item.case_id for item in first})
    for item in first:
        item.case = loaded[item.case_id]
    return counts, first, len(items)


def open_team_cases(team_id: int, worker_id: int | None = None):
    qs = Case.objects.filter(team_id=team_id).exclude(status=CaseStatus.CLOSED)
    if worker_id:
        qs = qs.filter(regisseur_id=worker_id)
    return qs.order_by("melding_date", "pk")


def my_open_cases(user):
    return Case.objects.filter(regisseur__user=user, regisseur__active=True).exclude(
        status=CaseStatus.CLOSED).order_by("melding_date", "pk")


# --- Drill-down ---------------------------------------------------------------------------------

def drilldown_cases(*, team_id: int, indicator: str, keys: list[str], period_kind: str, period_start: dt.date,
                    today: dt.date, worker_id=None, household_type: str = "", age_group: str = ""):
    """The team's cases behind one number of the dashboard (same SQL as the number), or None when the
    indicator has no drill-down. A queryset ready for cases.selectors.decorate_for_list."""
    from django.db.models.expressions import RawSQL

    ctx = Ctx(today=today, scopes=("team",), period=(period_kind, period_start), team_ids=[team_id],
              worker_id=worker_id, household_type=household_type or None, age_group=age_group or None)
    select = indicators.drill_sql(ctx, indicator, keys)
    if select is None:
        return None
    return (
        Case.objects.filter(team_id=team_id, pk__in=RawSQL(*indicators.positional(select, ctx.params)))
        .select_related("household", "team", "regisseur__user", "melding_source")
        .prefetch_related(Prefetch(
            "household__memberships",
            queryset=HouseholdMembership.objects.filter(valid_to__isnull=True).select_related("person"),
            to_attr="current_memberships"))
        .order_by("melding_date", "pk")
    )


def decorate(cases, today: dt.date):
    return decorate_for_list(cases, today)


# --- The social worker's own households --------------------------------------------------------

def my_progress(user):
    """Progress of the persons in the open cases this user directs (a queryset, to be paged)."""
    return (
        PersonProgress.objects.filter(regisseur__user=user, case__status__in=[CaseStatus.REGISTERED,
                                                                               CaseStatus.IN_PROGRESS])
        .select_related("person", "case", "basis_version")
        .order_by("case_id", "person__date_of_birth", "person_id")
    )


def my_progress_section(rows: list[PersonProgress]) -> Section:
    table_rows, chart_labels, improved, equal, worse = [], [], [], [], []
    for row in rows:
        url = reverse("cases:case_detail", args=[row.case_id])
        name = f"{row.person.first_name} (casus {row.case_id})"
        table_rows.append([
            Cell(name, url=url, header=True),
            Cell(f"{row.baseline_date:%d-%m-%Y}"),
            Cell(f"{row.latest_date:%d-%m-%Y}" if row.has_followup else "nog geen vervolgmeting"),
            Cell(f"{row.baseline_problem_domains} → {row.latest_problem_domains}" if row.has_followup
                 else str(row.baseline_problem_domains)),
            Cell(f"{row.baseline_bucket} → {row.latest_bucket}" if row.has_followup else row.baseline_bucket),
            Cell(f"{CATEGORY_LABELS.get(row.baseline_category, '–')} → {CATEGORY_LABELS.get(row.latest_category, '–')}"
                 if row.has_followup else CATEGORY_LABELS.get(row.baseline_category, "–")),
            Cell(f"{row.domains_improved} / {row.domains_equal} / {row.domains_worse}" if row.has_followup else "–"),
            Cell("ja" if row.crossed_versions else "nee"),
        ])
        if row.has_followup:
            chart_labels.append(name)
            improved.append(row.domains_improved)
            equal.append(row.domains_equal)
            worse.append(row.domains_worse)
    section = Section("mijn-voortgang", "Voortgang van mijn huishoudens",
                      "Per persoon de eerste en de laatste vastgestelde ZRM in de casus.")
    section.tables.append(Table("ZRM-voortgang per persoon", [
        "Persoon", "Beginmeting", "Laatste meting", "Probleemdomeinen", "Klasse", "Categorie",
        "Domeinen vooruit / gelijk / achteruit", "Versies gekruist"], table_rows,
        note="" if table_rows else "Nog geen vastgestelde ZRM-metingen in uw open casussen."))
    section.chart = {"type": "bar", "labels": chart_labels, "stacked": True, "indexAxis": "y", "yTitle": "Domeinen",
                     "datasets": [{"label": "Vooruit", "data": improved}, {"label": "Gelijk", "data": equal},
                                  {"label": "Achteruit", "data": worse}]}
    return section


# --- The first reporting figure: open cases per team ------------------------------------------

def open_cases_per_team() -> list[dict]:
    rows = TeamCaseCount.objects.select_related("team").order_by("team__name")
    return [
        {"team": row.team.name, "open_cases": suppress(row.open_cases), "computed_at": row.computed_at}
        for row in rows
    ]
