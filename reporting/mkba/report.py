"""What the MKBA page and its PDF and XLSX exports show, built once from a scenario (no queries).

Costs and benefits appear per category (the result document's keys); the inputs appear per line with
their source. Counts taken from the registration below the small-cell threshold are shown as "<5"
(reporting.selectors.suppress), here and in both exports: the MKBA holds aggregates only.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

from reporting.selectors import suppress

from . import calculation, inputs

CAVEAT = ("Een MKBA is indicatief: een leerinstrument dat laat zien waar de aanpak kosten en baten oplevert en "
          "voor wie, geen afrekeninstrument of target. De uitkomst hangt sterk af van de aannames (toerekening, "
          "terugval, prijzen) en van de volledigheid van de registratie; vergelijk daarom scenario's.")

COST_ROWS = [("newApproach", "Kosten nieuwe aanpak"), ("friction", "Frictiekosten (eenmalig)"),
             ("extraCare", "Extra zorg")]
BENEFIT_ROWS = [("newForOld", "Nieuw voor oud"), ("substitution", "Substitutie"), ("coordination", "Coördinatie"),
                ("effectiveness", "Effectievere trajecten"), ("escalation", "Voorkomen escalaties"),
                ("intangible", "Immateriële baten (kwaliteit van leven)")]
REGISTRATION_TYPES = {"gezin": "Gezin", "ouderen": "Ouderen", "overig": "Overig"}
REGISTRATION_CATEGORIES = {
    "enkelvoudig": "Enkelvoudig", "meervoudig_zelfredzaam": "Meervoudig zelfredzaam",
    "meervoudig_niet_zelfredzaam": "Meervoudig niet-zelfredzaam", "onbekend": "Geen ZRM",
}
ESCALATION_LABELS = {kind: label for kind, label, _ in inputs.ESCALATIONS}


def money(value) -> str:
    if value is None:
        return "–"
    amount = Decimal(str(value)).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    text = f"{abs(amount):,.0f}".replace(",", ".")
    return f"−€ {text}" if amount < 0 else f"€ {text}"


def number(value, places: int = 2) -> str:
    if value is None:
        return "–"
    amount = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP).normalize()
    text = f"{amount:,f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return text


def percent(value) -> str:
    return "–" if value is None else f"{number(Decimal(str(value)) * 100, 1)}%"


def ratio(value) -> str:
    if value is None:
        return "–"
    return f"{Decimal(str(value)).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}".replace(".", ",")


def count(value, *, from_registration: bool) -> str:
    """A count; from the registration and below the threshold it leaves the team as '<5'."""
    if value is None:
        return "–"
    if from_registration and Decimal(str(value)) == Decimal(str(value)).to_integral_value():
        return suppress(int(value))
    return number(value)


def field_name(path: str) -> str:
    return path.replace(".", "__")


@dataclass
class InputRow:
    path: str
    label: str
    display: str
    source: str
    kind: str | None
    unit_price: str = ""
    note: str = ""
    overridden: bool = False
    override_value: object = None
    removable_key: str = ""

    @property
    def field(self) -> str:
        return field_name(self.path)

    @property
    def source_label(self) -> str:
        return inputs.SOURCES.get(self.source, self.source)


@dataclass
class InputGroup:
    title: str
    rows: list[InputRow] = field(default_factory=list)
    note: str = ""


@dataclass
class Report:
    scenario: object
    result: dict | None
    cost_rows: list
    benefit_rows: list
    summary_rows: list
    actor_rows: list
    groups: list[InputGroup]
    registration_rows: list
    warnings: list[str]
    errors: list[dict]
    charts: dict
    caveat: str = CAVEAT


def _display(kind: str | None, value, *, source: str) -> str:
    if kind == "share":
        return percent(value)
    if kind == "money":
        return money(value)
    if kind == "count":
        return count(value, from_registration=source == "registratie")
    if kind == "year":
        return "–" if value is None else str(value)
    return number(value)


def _scalar_rows(doc: dict, overrides: dict, paths: list[str]) -> list[InputRow]:
    rows = []
    for path in paths:
        label, kind = inputs.OVERRIDABLE[path]
        target = doc
        for part in path.split("."):
            target = target.get(part) if isinstance(target, dict) else None
        source = (doc.get("sources") or {}).get(path, "standaard")
        note = (doc.get("derivation") or {}).get(path, "")
        rows.append(InputRow(path, label, _display(kind, target, source=source), source, kind, note=note,
                             overridden=path in overrides, override_value=overrides.get(path)))
    return rows


def _price(doc: dict, result: dict | None, key: str):
    if key in (doc.get("priceBook") or {}):
        return doc["priceBook"][key]
    return ((result or {}).get("pricesUsed") or {}).get(key)


def input_groups(doc: dict, overrides: dict, result: dict | None, labels: dict[str, str]) -> list[InputGroup]:
    values = overrides.get("values") or {}
    groups = [
        InputGroup("Team en kosten van de nieuwe aanpak", _scalar_rows(doc, values, [
            "team.memberFte", "team.memberCostPerFte", "team.leaderFte", "team.leaderCostPerFte", "team.otherCosts",
            "team.additionalShare"])),
        InputGroup("Frictiekosten", _scalar_rows(doc, values, ["friction.share", "friction.otherOneOffCosts"])),
    ]
    for list_name, title in (("extraTrajectories", "Extra zorg (trajecten)"),
                             ("substitutedTrajectories", "Substitutie (vervallen trajecten)")):
        group = InputGroup(title, note=(doc.get("derivation") or {}).get(list_name, ""))
        for line in doc.get(list_name) or []:
            path = f"{list_name}.{line.get('key') or line.get('type')}.count"
            source = line.get("source", "registratie")
            group.rows.append(InputRow(
                path, line.get("label") or line.get("type"), count(line.get("count"),
                                                                   from_registration=source == "registratie"),
                source, "count", unit_price=money(_price(doc, result, line.get("type"))),
                note=calculation.ACTORS.get(line.get("actor") or "", ""),
                overridden=path in values, override_value=values.get(path)))
        groups.append(group)
    groups.append(InputGroup("Coördinatie", _scalar_rows(doc, values, [
        "coordination.households", "coordination.interventionsPerHousehold",
        "coordination.hoursSavedPerIntervention", "coordination.hourlyCost"])))
    effects = InputGroup("Effecten, escalaties en kwaliteit van leven")
    manual_keys = {line.get("key") for line in overrides.get("benefits") or []}
    for line in doc.get("benefits") or []:
        key = line.get("key", "")
        source = line.get("source", "registratie")
        category = calculation.BENEFIT_CATEGORIES.get(line.get("category"), line.get("category"))
        actor = calculation.ACTORS.get(line.get("actor") or "", "")
        if line.get("amount") is not None:
            path = f"benefits.{key}.amount"
            effects.rows.append(InputRow(path, line.get("label", key), money(line["amount"]), source, "money",
                                         note=f"{category}; jaar {line.get('year')}; {actor}",
                                         overridden=path in values, override_value=values.get(path),
                                         removable_key=key if key in manual_keys else ""))
        else:
            path = f"benefits.{key}.count"
            factor = f" × {number(line['factor'], 4)} QALY" if line.get("factor") not in (None, 1) else ""
            effects.rows.append(InputRow(
                path, line.get("label", key), count(line.get("count"), from_registration=source == "registratie"),
                source, "count", unit_price=money(_price(doc, result, line.get("priceKey"))) + factor,
                note=f"{category}; jaar {line.get('year')}; {actor}",
                overridden=path in values, override_value=values.get(path)))
        year_path = f"benefits.{key}.year"
        if year_path in values:
            effects.rows[-1].note += " (jaar aangepast)"
    groups.append(effects)
    groups.append(InputGroup("Correcties en disconteren", _scalar_rows(doc, values, [
        "effects.attribution", "effects.relapse", "discountRate"])))
    prices = InputGroup("Prijzen uit het prijsboek")
    used = sorted(set(((result or {}).get("pricesUsed") or {})) | set(doc.get("priceBook") or {}))
    placeholders = set((result or {}).get("placeholderPricesUsed") or [])
    for key in used:
        path = f"priceBook.{key}"
        prices.rows.append(InputRow(
            path, labels.get(key, key), money(_price(doc, result, key)),
            "handmatig" if path in values else "prijsboek", "money",
            note="plaatshouder: stel vast in het prijsboek" if key in placeholders else key,
            overridden=path in values, override_value=values.get(path)))
    groups.append(prices)
    return groups


def registration_rows(doc: dict) -> list[tuple[str, str]]:
    reg = doc.get("registration") or {}
    if not reg:
        return []
    rows = [("Huishoudens in het jaar", count(reg.get("households"), from_registration=True))]
    for code, label in REGISTRATION_TYPES.items():
        rows.append((f"Huishoudtype {label.lower()}",
                     count((reg.get("householdsByType") or {}).get(code, 0), from_registration=True)))
    for code, label in REGISTRATION_CATEGORIES.items():
        rows.append((f"Categorie {label.lower()}",
                     count((reg.get("householdsByCategory") or {}).get(code, 0), from_registration=True)))
    newly = reg.get("newlyFound")
    threshold = settings.WIJKREGIE["SMALL_CELL_THRESHOLD"]
    rows.append(("Nieuw gevonden huishoudens", count(newly, from_registration=True)))
    rows.append(("Aandeel nieuw gevonden", percent(reg.get("newlyFoundShare")) if (newly or 0) >= threshold else "–"))
    rows.append(("Caseload (huishoudens per fte teamlid)", number(reg.get("caseloadPerFte"), 1)))
    rows.append(("Huishoudens met problemen in twee of meer clusters",
                 count(reg.get("multiProblemHouseholds"), from_registration=True)))
    rows.append(("Extern gestarte trajecten zonder oordeel (niet meegeteld)",
                 count(reg.get("extraCareUnjudged"), from_registration=True)))
    for kind, label in ESCALATION_LABELS.items():
        rows.append((label, count((reg.get("escalationsPrevented") or {}).get(kind, 0), from_registration=True)))
    for group, (label, _codes) in inputs.QALY_DOMAIN_GROUPS.items():
        rows.append((f"Verbeterd op {label}",
                     count((reg.get("qualityOfLifeImprovements") or {}).get(group, 0), from_registration=True)))
    rows.append(("Aan het werk (participatieladder)", count(reg.get("intoWork"), from_registration=True)))
    return rows


def build(scenario, price_labels: dict[str, str]) -> Report:
    doc, _ = inputs.apply_overrides(scenario.input_document or {}, scenario.overrides or {})
    result = scenario.result
    cost_rows, benefit_rows, summary_rows, actor_rows = [], [], [], []
    charts = {}
    if result:
        costs, benefits = result["costs"], result["benefits"]
        cost_rows = [(label, money(costs[key]), costs[key]) for key, label in COST_ROWS]
        benefit_rows = [(label, money(benefits[key]), benefits[key]) for key, label in BENEFIT_ROWS]
        summary_rows = [
            ("Totale kosten", money(costs["total"])),
            ("Financiële baten (1-3)", money(benefits["financialTotal"])),
            ("Alle baten, met immateriële (1-4)", money(benefits["total"])),
            ("Financieel saldo (baten − kosten)", money(result["balanceFinancial"])),
            ("Maatschappelijk saldo (alle baten − kosten)", money(result["balanceSocietal"])),
            ("Financiële ratio (financiële baten / kosten)", ratio(result["ratioFinancial"])),
            ("Maatschappelijke ratio (alle baten / kosten)", ratio(result["ratioSocietal"])),
            ("Gemeentelijke ratio (baten / kosten van de gemeente)", ratio(result["ratioMunicipal"])),
        ]
        actor_rows = [(row["label"], money(row["costs"]), money(row["benefits"]), money(row["balance"]), row)
                      for row in result["byActor"]]
        labels = [label for _, label in COST_ROWS] + [label for _, label in BENEFIT_ROWS]
        n_costs = len(COST_ROWS)
        charts = {
            "lines": {
                "labels": labels,
                "costs": [costs[key] for key, _ in COST_ROWS] + [None] * len(BENEFIT_ROWS),
                "benefits": [None] * n_costs + [benefits[key] for key, _ in BENEFIT_ROWS],
                "costsLabel": "Kosten (contante waarde)", "benefitsLabel": "Baten (contante waarde)",
            },
            "actors": {
                "labels": [row["label"] for row in result["byActor"]],
                "costs": [row["costs"] for row in result["byActor"]],
                "benefits": [row["benefits"] for row in result["byActor"]],
                "costsLabel": "Betaalt (kosten)", "benefitsLabel": "Ontvangt (baten)",
            },
        }
    warnings = list(doc.get("warnings") or [])
    placeholders = (result or {}).get("placeholderPricesUsed") or []
    if placeholders:
        warnings.append("Deze prijzen zijn plaatshouders die de gemeente nog moet vaststellen: "
                        + ", ".join(price_labels.get(key, key) for key in placeholders) + ".")
    return Report(
        scenario=scenario, result=result, cost_rows=cost_rows, benefit_rows=benefit_rows, summary_rows=summary_rows,
        actor_rows=actor_rows, groups=input_groups(doc, scenario.overrides or {}, result, price_labels),
        registration_rows=registration_rows(doc), warnings=warnings, errors=scenario.errors or [], charts=charts,
    )
