"""The MKBA input document filled from the registration (MKBA 2.0), and the analyst's overrides.

`build_document` turns the registration figures (selectors.registration_figures), a price-book
version and the assumptions (`Assumptions.from_settings()`: settings.WIJKREGIE_MKBA) into an input
document for calculation.calculate. It is pure: the database reads happened in the selector.

Every input carries its source: `sources` maps a scalar's path to one of SOURCES, and each line of
extraTrajectories, substitutedTrajectories and benefits has its own `source`:
- registratie: counted from the registration (see the definitions in selectors.py);
- prijsboek:   a unit price of the price-book version;
- standaard:   an assumption from the settings (attribution, relapse, discount rate, coordination hours,
               QALY per improvement, additional and friction share) or 0 for unregistered costs;
- handmatig:   changed by the analyst in a scenario (`apply_overrides`).

Benefit lines derived from the registration (count x price, corrected for attribution and relapse):
- prevented escalations (category escalation, year ESCALATION_YEAR = 1: prevented escalations follow
  about a year later), priced per kind with escalation_<kind>; an uithuisplaatsing counts children;
- quality of life (category intangible, year 0): ZRM improvements x QALY_PER_IMPROVEMENT x price qaly;
- into work (category effectiveness, year WORK_YEAR = 1): persons x price work_year.

Overrides are `{"values": {path: number}, "benefits": [manual benefit lines]}`. Paths are the scalar
paths of OVERRIDABLE, `extraTrajectories.<type>.count`, `substitutedTrajectories.<type>.count`
(a type not yet listed adds a line), `benefits.<key>.<count|amount|year|factor>` and `priceBook.<key>`.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from . import calculation

SOURCES = {
    "registratie": "Registratie",
    "prijsboek": "Prijsboek",
    "standaard": "Standaardaanname",
    "handmatig": "Handmatig aangepast",
}

BASE_SCENARIO_NAME = "Basis (registratie)"
ESCALATION_YEAR = 1
WORK_YEAR = 1
QALY_YEAR = 0

# kind, label, who gains (the payer of what was prevented)
ESCALATIONS = [
    ("huisuitzetting", "Voorkomen huisuitzetting", "woningcorporatie"),
    ("ots", "Voorkomen ondertoezichtstelling (OTS)", "gemeente"),  # Jeugdwet: jeugdbescherming
    ("uhp", "Voorkomen uithuisplaatsing (kinderen)", "gemeente"),  # Jeugdwet: jeugdzorg met verblijf
    ("opname_vv", "Voorkomen opname verpleeg-/verzorgingshuis", "rijk_wlz"),
    ("opname_ggz", "Voorkomen opname GGZ", "zorgverzekeraar"),
]

# ZRM domain groups of the quality-of-life rule: a 2013 and a 2017 code that count as one domain.
QALY_DOMAIN_GROUPS = {
    "financien": ("Financiën", ("financien",)),
    "dagbesteding": ("Dagbesteding/Tijdsbesteding", ("dagbesteding", "tijdsbesteding")),
}

# path: (label, kind). kind: share (0-1), count, number, money (all >= 0).
OVERRIDABLE = {
    "team.memberFte": ("Teamleden (fte)", "number"),
    "team.memberCostPerFte": ("Kosten per fte teamlid", "money"),
    "team.leaderFte": ("Teamleiding (fte)", "number"),
    "team.leaderCostPerFte": ("Kosten per fte teamleider", "money"),
    "team.otherCosts": ("Overige teamkosten (huisvesting, scholing, ICT)", "money"),
    "team.additionalShare": ("Aandeel extra gefinancierd (geen vervanging van eerder werk)", "share"),
    "friction.share": ("Frictieaandeel (eenmalig) van de kosten van de teamleden", "share"),
    "friction.otherOneOffCosts": ("Overige eenmalige kosten (bijv. opzetten registratie)", "money"),
    "coordination.households": ("Huishoudens met problemen in twee of meer clusters", "count"),
    "coordination.interventionsPerHousehold": ("Trajecten per huishouden", "number"),
    "coordination.hoursSavedPerIntervention": ("Bespaarde uren per traject", "number"),
    "coordination.hourlyCost": ("Kosten van het team per uur", "money"),
    "effects.attribution": ("Toerekening aan het team (attributie)", "share"),
    "effects.relapse": ("Terugval", "share"),
    "discountRate": ("Disconteringsvoet", "share"),
}
LIST_FIELDS = {
    "extraTrajectories": {"count": "count"},
    "substitutedTrajectories": {"count": "count"},
    "benefits": {"count": "count", "amount": "money", "year": "year", "factor": "number"},
}


@dataclass(frozen=True)
class Assumptions:
    attribution: Decimal
    relapse: Decimal
    discount_rate: Decimal
    coordination_hours: Decimal
    qaly_per_improvement: Decimal
    additional_share: Decimal
    friction_share: Decimal
    qaly_from_max_score: int = 2

    @classmethod
    def from_settings(cls) -> "Assumptions":
        conf = settings.WIJKREGIE_MKBA
        number = lambda key: Decimal(str(conf[key]))  # noqa: E731
        return cls(
            attribution=number("ATTRIBUTION"), relapse=number("RELAPSE"), discount_rate=number("DISCOUNT_RATE"),
            coordination_hours=number("COORDINATION_HOURS"), qaly_per_improvement=number("QALY_PER_IMPROVEMENT"),
            additional_share=number("ADDITIONAL_SHARE"), friction_share=number("FRICTION_SHARE"),
            qaly_from_max_score=int(conf["QALY_FROM_MAX_SCORE"]),
        )


def json_number(value) -> float:
    """A JSON number; whole numbers stay integers so documents read naturally."""
    value = Decimal(str(value))
    return int(value) if value == value.to_integral_value() else float(value)


def _priced(code: str, prices: dict) -> bool:
    return calculation.is_trajectory_key(code) and code in prices


def build_document(figures, table, assumptions: Assumptions, *, name: str = BASE_SCENARIO_NAME) -> dict:
    """The input document of the MKBA 2.0 for these registration figures and this price-book version."""
    prices = table.prices
    warnings: list[str] = []
    unpriced: dict[str, dict[str, int]] = {}

    def trajectory_lines(counts: dict[str, int], list_name: str) -> list[dict]:
        lines = []
        for code, n in sorted(counts.items()):
            if not n:
                continue
            if not _priced(code, prices):
                unpriced.setdefault(list_name, {})[code] = n
                continue
            lines.append({"key": code, "type": code, "label": figures.type_labels.get(code, code), "count": n,
                          "actor": calculation.DEFAULT_TRAJECTORY_ACTORS.get(code, calculation.MUNICIPALITY),
                          "source": "registratie"})
        return lines

    extra = trajectory_lines(figures.extra_care, "extraTrajectories")
    substituted = trajectory_lines(figures.substitution, "substitutedTrajectories")
    for list_name, codes in unpriced.items():
        what = "extra zorg" if list_name == "extraTrajectories" else "substitutie"
        listed = ", ".join(f"{figures.type_labels.get(code, code)} ({n})" for code, n in sorted(codes.items()))
        warnings.append(f"Niet meegeteld bij {what}: trajectsoorten zonder prijs in prijsboek versie "
                        f"{table.version}: {listed}. Voeg een prijs toe in het beheer of in dit scenario.")
    if figures.extra_care_unjudged:
        warnings.append(f"{figures.extra_care_unjudged} door een externe professional gestarte traject(en) zonder "
                        "oordeel 'was ook zonder het team gestart': niet meegeteld als extra zorg.")

    benefits = []
    for kind, label, actor in ESCALATIONS:
        benefits.append({"key": f"escalation_{kind}", "category": "escalation", "label": label, "actor": actor,
                         "year": ESCALATION_YEAR, "count": figures.escalations_prevented.get(kind, 0),
                         "priceKey": f"escalation_{kind}", "source": "registratie"})
    for group, (label, _codes) in QALY_DOMAIN_GROUPS.items():
        benefits.append({"key": f"qaly_{group}", "category": "intangible", "label": f"Kwaliteit van leven: {label}",
                         "actor": "huishoudens", "year": QALY_YEAR, "count": figures.qaly_improvements.get(group, 0),
                         "factor": json_number(assumptions.qaly_per_improvement), "priceKey": "qaly",
                         "source": "registratie"})
    benefits.append({"key": "work", "category": "effectiveness", "label": "Aan het werk (participatieladder)",
                     "actor": "gemeente", "year": WORK_YEAR, "count": figures.into_work, "priceKey": "work_year",
                     "source": "registratie"})

    multi = figures.multi_problem_households
    per_household = (Decimal(figures.multi_problem_interventions) / multi).quantize(Decimal("0.0001")) if multi else 0
    newly_share = (Decimal(figures.newly_found) / figures.households).quantize(Decimal("0.0001")) \
        if figures.households else 0

    document = {
        "name": name,
        "year": figures.year,
        "scope": {"team": figures.team_id, "teamName": figures.team_name},
        "priceBookVersion": table.version,
        "discountRate": json_number(assumptions.discount_rate),
        "team": {
            "memberFte": json_number(figures.member_fte),
            "memberCostPerFte": json_number(prices.get("team_member_fte", 0)),
            "leaderFte": json_number(figures.leader_fte),
            "leaderCostPerFte": json_number(prices.get("team_leader_fte", 0)),
            "otherCosts": 0,
            "additionalShare": json_number(assumptions.additional_share),
        },
        "friction": {"share": json_number(assumptions.friction_share), "otherOneOffCosts": 0},
        "extraTrajectories": extra,
        "substitutedTrajectories": substituted,
        "coordination": {
            "households": multi,
            "interventionsPerHousehold": json_number(per_household),
            "hoursSavedPerIntervention": json_number(assumptions.coordination_hours),
            "hourlyCost": json_number(prices.get("team_hour", 0)),
        },
        "effects": {"attribution": json_number(assumptions.attribution), "relapse": json_number(assumptions.relapse)},
        "benefits": benefits,
        "typeLabels": {code: label for code, label in figures.type_labels.items() if _priced(code, prices)},
        "sources": {
            "team.memberFte": "registratie", "team.leaderFte": "registratie",
            "team.memberCostPerFte": "prijsboek", "team.leaderCostPerFte": "prijsboek",
            "team.otherCosts": "standaard", "team.additionalShare": "standaard",
            "friction.share": "standaard", "friction.otherOneOffCosts": "standaard",
            "coordination.households": "registratie", "coordination.interventionsPerHousehold": "registratie",
            "coordination.hoursSavedPerIntervention": "standaard", "coordination.hourlyCost": "prijsboek",
            "effects.attribution": "standaard", "effects.relapse": "standaard", "discountRate": "standaard",
        },
        "derivation": {
            "team.memberFte": "Som van de fte van de actieve sociaal werkers (huidige bezetting).",
            "team.leaderFte": "Som van de fte van de actieve teamleiders (huidige bezetting).",
            "coordination.households": "Huishoudens met bij de eerste ZRM problemen in twee of meer clusters.",
            "coordination.interventionsPerHousehold": f"{figures.multi_problem_interventions} trajecten in het jaar "
                                                      f"bij deze huishoudens, gedeeld door hun aantal.",
            "extraTrajectories": "Gestart door een externe professional en volgens de werker niet zonder het team "
                                 "gestart.",
            "substitutedTrajectories": "Externe trajecten die het team stopte, en trajecten die het team of het "
                                       "netwerk overnam (het vervangen traject).",
            "benefits.escalation": "Als voorkomen geregistreerde escalaties in het jaar, gecorrigeerd voor "
                                   "attributie en terugval.",
            "benefits.intangible": "Personen met een domein van score ≤ "
                                   f"{assumptions.qaly_from_max_score} naar hoger, × "
                                   f"{assumptions.qaly_per_improvement} QALY × prijs per QALY, gecorrigeerd.",
            "benefits.effectiveness": "Personen van participatieladder ≤ 4 naar betaald werk (5-6), × uitkering "
                                      "per jaar, gecorrigeerd.",
        },
        "registration": {
            "households": figures.households,
            "householdsByType": figures.households_by_type,
            "householdsByCategory": figures.households_by_category,
            "newlyFound": figures.newly_found,
            "newlyFoundShare": json_number(newly_share),
            "caseloadPerFte": json_number(figures.caseload_per_fte) if figures.caseload_per_fte is not None else None,
            "multiProblemHouseholds": multi,
            "multiProblemInterventions": figures.multi_problem_interventions,
            "extraCareUnjudged": figures.extra_care_unjudged,
            "substitutionStopped": figures.substitution_stopped,
            "substitutionTakenOver": figures.substitution_taken_over,
            "escalationsPrevented": figures.escalations_prevented,
            "qualityOfLifeImprovements": figures.qaly_improvements,
            "intoWork": figures.into_work,
            "unpricedTrajectories": unpriced,
        },
        "warnings": warnings,
    }
    return document


# --- Overrides --------------------------------------------------------------------------------

def kind_of(path: str) -> str | None:
    if path in OVERRIDABLE:
        return OVERRIDABLE[path][1]
    parts = path.split(".")
    if len(parts) == 3 and parts[0] in LIST_FIELDS:
        return LIST_FIELDS[parts[0]].get(parts[2])
    if len(parts) == 2 and parts[0] == "priceBook":
        return "money"
    return None


def check_value(kind: str, value) -> str | None:
    """A Dutch message when `value` does not fit `kind`, else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return "Vul een getal in."
    number = Decimal(str(value))
    if kind == "share" and not Decimal(0) <= number <= Decimal(1):
        return "Vul een percentage tussen 0 en 100 in."
    if kind == "year" and (number != number.to_integral_value() or not 0 <= number <= calculation.MAX_BENEFIT_YEAR):
        return f"Vul een heel jaar tussen 0 en {calculation.MAX_BENEFIT_YEAR} in."
    if number < 0:
        return "Mag niet negatief zijn."
    return None


def _find(items: list, key: str) -> dict | None:
    return next((item for item in items if isinstance(item, dict) and key in (item.get("key"), item.get("type"))), None)


def apply_overrides(document: dict, overrides: dict | None) -> tuple[dict, list[calculation.Issue]]:
    """The document with the analyst's overrides applied (a copy), and the problems with them."""
    doc = copy.deepcopy(document)
    overrides = overrides or {}
    issues: list[calculation.Issue] = []
    sources = doc.setdefault("sources", {})
    for line in overrides.get("benefits") or []:
        doc.setdefault("benefits", []).append({**line, "source": "handmatig"})
    for path, value in (overrides.get("values") or {}).items():
        kind = kind_of(path)
        if kind is None:
            issues.append(calculation.Issue(path, "Onbekend invoerveld.", "unknown_path"))
            continue
        message = check_value(kind, value)
        if message:
            issues.append(calculation.Issue(path, message, "out_of_range" if kind == "share" else "invalid"))
            continue
        value = json_number(value)
        parts = path.split(".")
        if path in OVERRIDABLE:
            target = doc
            for part in parts[:-1]:
                target = target.setdefault(part, {})
            target[parts[-1]] = value
            sources[path] = "handmatig"
        elif parts[0] == "priceBook":
            doc.setdefault("priceBook", {})[parts[1]] = value
            sources[path] = "handmatig"
        else:
            items = doc.setdefault(parts[0], [])
            item = _find(items, parts[1])
            if item is None and parts[0] == "benefits":
                issues.append(calculation.Issue(path, "Deze batenregel bestaat niet (meer).", "unknown_path"))
                continue
            if item is None:
                item = {"key": parts[1], "type": parts[1],
                        "label": (doc.get("typeLabels") or {}).get(parts[1], parts[1]), "count": 0}
                items.append(item)
            item[parts[2]] = value
            item["source"] = "handmatig"
    return doc, issues
