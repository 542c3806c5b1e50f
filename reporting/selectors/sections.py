"""Dashboard sections (tables and charts) built from a Report: exact with drill-down links for the team,
suppressed for the gemeente and every export."""
from __future__ import annotations

from collections import defaultdict

from django.conf import settings

from cases.models import Role
from cases.selectors import HOUSEHOLD_TYPE_LABELS
from zrm.derived import BUCKET_LABELS

from .cells import Report
from .formatting import Cell, Section, Table, fmt_dec, fmt_int, fmt_pct, fmt_signed, round_half_up, suppress, threshold
from .names import (
    ACTION_LABELS,
    CATEGORY_LABELS,
    CLUSTER_LABELS,
    DELIVERER_LABELS,
    DIRECTIONS,
    ESCALATION_LABELS,
    NORM_LABELS,
    SIDES,
    Labels,
    worker_name,
)


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
