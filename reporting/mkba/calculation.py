"""The MKBA calculation (DOMAIN.md §5): one input document in, one result document out.

Pure: no database, no settings, no clock. The caller passes the unit prices of a price-book
version (`prices`, key -> euros) and that version's number; everything else is in the document.
`python manage.py mkba_calculate` and `POST /api/v1/mkba/berekeningen` both call
`services.calculate_document`, which loads the price book and calls `calculate` here, so both
give the same result for the same input.

Input document (JSON, camelCase; unknown keys are ignored, so documents may carry `sources`,
`registration` or notes)::

    name          text, required
    year          the analysed year (2000-2100), required
    team          {memberFte, leaderFte, additionalShare: required;
                   memberCostPerFte (default price `team_member_fte`),
                   leaderCostPerFte (default price `team_leader_fte`), otherCosts (default 0)}
    friction      {share: required, 0-1; otherOneOffCosts (default 0)}
    extraTrajectories        [{type, count, label?, actor?}]   priced by `type` from the price book
    substitutedTrajectories  [{type, count, label?, actor?}]
    coordination  {households, interventionsPerHousehold: required when present;
                   hoursSavedPerIntervention (default 0.5), hourlyCost (default price `team_hour`)}
    benefits      [{category: effectiveness | escalation | intangible, label, year (0-9), actor?,
                    and either amount (euros, taken as given) or count + priceKey (+ factor, default 1):
                    amount = count x factor x price(priceKey) x attribution x (1 - relapse)}]
    effects       {attribution (default 1), relapse (default 0)}: corrections of count-based benefits
    discountRate  default 0.055 (2.5% real + 3% risk premium)
    actors        default actors of the organisation lines: {newApproach, friction, newForOld, coordination}
    priceBook     {key: euros}: overrides of (or additions to) the price-book prices

Counts may be fractional (extrapolations); counts, amounts and prices may not be negative; shares
lie between 0 and 1. Errors come back together as `InvalidInput.issues`: a path
(e.g. `extraTrajectories.0.type`), a Dutch message and a code.

Lines (the present value PV = amount / (1 + discountRate) ** year, rounded to the cent per line;
every total is the exact sum of its lines):

    costs.newApproach   memberFte x memberCostPerFte + leaderFte x leaderCostPerFte + otherCosts   year 0
    costs.friction      share x memberFte x memberCostPerFte + otherOneOffCosts (leader excluded)   year 0
    costs.extraCare     sum of count x price(type) over extraTrajectories                          year 0
    benefits.newForOld     (1 - additionalShare) x newApproach                                      year 0
    benefits.substitution  sum of count x price(type) over substitutedTrajectories                  year 0
    benefits.coordination  households x interventionsPerHousehold x hoursSavedPerIntervention
                           x hourlyCost                                                             year 0
    benefits.effectiveness / escalation / intangible: PV of the benefit lines of that category

    benefits.financialTotal = newForOld + substitution + coordination + effectiveness + escalation
    benefits.total          = financialTotal + intangible
    balanceFinancial = financialTotal - costs.total;   balanceSocietal = total - costs.total
    ratioFinancial   = financialTotal / costs.total;   ratioSocietal   = total / costs.total
    ratioMunicipal   = benefits of actor "gemeente" / costs of actor "gemeente"
    (a ratio is null when its denominator is 0)

Who pays and who gains (`byActor`, whose sums equal the totals):
- team costs (newApproach) and friction: the gemeente, unless `actors` says otherwise;
- extra care and substitution: the line's `actor`, else the payer of the trajectory type in
  DEFAULT_TRAJECTORY_ACTORS (Participatiewet, Wmo and Jeugdwet provisions: gemeente; GGZ and
  addiction care: zorgverzekeraar; AWBZ/Wlz begeleiding: Rijk/Wlz), else the gemeente;
- nieuw-voor-oud and coordination: the gemeente (it funds the team and the work it replaces),
  unless `actors` says otherwise;
- benefit lines: the line's `actor`, else DEFAULT_BENEFIT_ACTORS by category (effectiveness and
  escalation: gemeente; intangible: huishoudens).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0")
ONE = Decimal("1")
CENT = Decimal("0.01")
RATIO = Decimal("0.0001")

DEFAULT_DISCOUNT_RATE = Decimal("0.055")
DEFAULT_HOURS_SAVED_PER_INTERVENTION = Decimal("0.5")
MAX_BENEFIT_YEAR = 9

MUNICIPALITY = "gemeente"
ACTORS = {
    "gemeente": "Gemeente",
    "zorgverzekeraar": "Zorgverzekeraar",
    "rijk_wlz": "Rijk/Wlz",
    "uwv": "UWV",
    "woningcorporatie": "Woningcorporatie",
    "politie_justitie": "Politie/justitie",
    "onderwijs": "Onderwijs",
    "huishoudens": "Huishoudens",
}

BENEFIT_CATEGORIES = {
    "effectiveness": "Effectievere trajecten",
    "escalation": "Voorkomen escalaties",
    "intangible": "Immateriële baten",
}
DEFAULT_BENEFIT_ACTORS = {"effectiveness": "gemeente", "escalation": "gemeente", "intangible": "huishoudens"}

# Who pays a trajectory of each type (DOMAIN.md §4 codes); types not listed: the gemeente.
DEFAULT_TRAJECTORY_ACTORS = {
    "ggz_ambulant": "zorgverzekeraar",
    "verslavingszorg": "zorgverzekeraar",
    "begeleiding": "rijk_wlz",
}

# Price-book keys that are not trajectory prices.
NON_TRAJECTORY_KEYS = {"team_member_fte", "team_leader_fte", "team_hour", "work_year", "qaly"}
NON_TRAJECTORY_PREFIXES = ("escalation_",)

ORGANISATION_LINES = ("newApproach", "friction", "newForOld", "coordination")

LABELS = {
    "newApproach": "Kosten nieuwe aanpak",
    "friction": "Frictiekosten (eenmalig)",
    "extraCare": "Extra zorg",
    "newForOld": "Nieuw voor oud",
    "substitution": "Substitutie",
    "coordination": "Coördinatie",
    "effectiveness": "Effectievere trajecten",
    "escalation": "Voorkomen escalaties",
    "intangible": "Immateriële baten",
}

_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Issue:
    """One problem in an input document: where (dotted path), what (Dutch) and a stable code."""

    path: str
    message: str
    code: str = "invalid"

    def as_dict(self) -> dict:
        return {"path": self.path, "message": self.message, "code": self.code}


class InvalidInput(ValueError):
    def __init__(self, issues: list[Issue]):
        self.issues = issues
        super().__init__("; ".join(f"{issue.path}: {issue.message}" for issue in issues))


def is_trajectory_key(key: str) -> bool:
    return key not in NON_TRAJECTORY_KEYS and not key.startswith(NON_TRAJECTORY_PREFIXES)


# --- Reading the document --------------------------------------------------------------------

_MISSING = object()


class _Reader:
    """Reads values out of the document, collecting every problem instead of stopping at the first."""

    def __init__(self):
        self.issues: list[Issue] = []

    def add(self, path: str, message: str, code: str = "invalid") -> None:
        self.issues.append(Issue(path, message, code))

    def obj(self, parent: dict, key: str, path: str, *, required: bool) -> dict | None:
        value = parent.get(key, _MISSING) if isinstance(parent, dict) else _MISSING
        if value is _MISSING or value is None:
            if required:
                self.add(path, "Ontbreekt.", "required")
            return None
        if not isinstance(value, dict):
            self.add(path, "Moet een object zijn.")
            return None
        return value

    def array(self, parent: dict, key: str, path: str) -> list:
        value = parent.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.add(path, "Moet een lijst zijn.")
            return []
        return value

    def number(self, parent: dict, key: str, path: str, *, default=_MISSING, share: bool = False,
               minimum: Decimal | None = ZERO, negative_message: str = "Mag niet negatief zijn.") -> Decimal | None:
        value = parent.get(key, _MISSING) if isinstance(parent, dict) else _MISSING
        if value is _MISSING or value is None:
            if default is _MISSING:
                self.add(path, "Ontbreekt: vul een getal in.", "required")
                return None
            return default
        if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
            self.add(path, "Moet een getal zijn.")
            return None
        if isinstance(value, float) and not math.isfinite(value):
            self.add(path, "Moet een eindig getal zijn.")
            return None
        number = Decimal(str(value))
        if share and not ZERO <= number <= ONE:
            self.add(path, "Moet een aandeel tussen 0 en 1 zijn (bijvoorbeeld 0.4 voor 40%).", "out_of_range")
            return None
        if minimum is not None and number < minimum:
            self.add(path, negative_message, "negative")
            return None
        return number

    def integer(self, parent: dict, key: str, path: str, *, low: int, high: int, default=_MISSING) -> int | None:
        value = parent.get(key, _MISSING) if isinstance(parent, dict) else _MISSING
        if value is _MISSING or value is None:
            if default is _MISSING:
                self.add(path, "Ontbreekt: vul een heel getal in.", "required")
                return None
            return default
        if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)) or int(value) != value:
            self.add(path, "Moet een heel getal zijn.")
            return None
        if not low <= int(value) <= high:
            self.add(path, f"Moet tussen {low} en {high} liggen.", "out_of_range")
            return None
        return int(value)

    def text(self, parent: dict, key: str, path: str, *, required: bool) -> str:
        value = parent.get(key) if isinstance(parent, dict) else None
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.add(path, "Ontbreekt: vul een tekst in.", "required")
            return ""
        if not isinstance(value, str):
            self.add(path, "Moet een tekst zijn.")
            return ""
        return value.strip()

    def actor(self, parent: dict, key: str, path: str, default: str) -> str:
        value = parent.get(key) if isinstance(parent, dict) else None
        if value is None or value == "":
            return default
        if value not in ACTORS:
            self.add(path, f"Onbekende actor '{value}'. Kies uit: {', '.join(ACTORS)}.", "unknown_actor")
            return default
        return value


@dataclass(frozen=True)
class Line:
    section: str  # costs | benefits
    category: str  # newApproach, friction, extraCare, newForOld, substitution, coordination, effectiveness, ...
    key: str
    label: str
    actor: str
    year: int
    amount: Decimal  # nominal, in euros of the year it occurs
    present_value: Decimal

    def as_dict(self) -> dict:
        return {
            "section": self.section, "category": self.category, "key": self.key, "label": self.label,
            "actor": self.actor, "year": self.year, "amount": _money(self.amount),
            "presentValue": _money(self.present_value),
        }


def _money(value: Decimal) -> float:
    return float(value.quantize(CENT, rounding=ROUND_HALF_UP))


def _ratio(numerator: Decimal, denominator: Decimal) -> float | None:
    if denominator == ZERO:
        return None
    return float((numerator / denominator).quantize(RATIO, rounding=ROUND_HALF_UP))


def _team_price_keys(document: dict, used: set[str]) -> set[str]:
    """The team and coordination prices taken from the price book (they always contribute)."""
    return used & {"team_member_fte", "team_leader_fte", "team_hour"}


def effective_prices(document: dict, prices: dict) -> tuple[dict[str, Decimal], list[Issue]]:
    """The price-book prices with the document's `priceBook` overrides applied."""
    reader = _Reader()
    table = {key: Decimal(str(value)) for key, value in prices.items()}
    overrides = reader.obj(document, "priceBook", "priceBook", required=False) or {}
    for key in overrides:
        path = f"priceBook.{key}"
        if not isinstance(key, str) or not _KEY.match(key):
            reader.add(path, "Een prijssleutel bestaat uit kleine letters, cijfers en '_'.")
            continue
        value = reader.number(overrides, key, path, negative_message="Een prijs mag niet negatief zijn.")
        if value is not None:
            table[key] = value
    return table, reader.issues


def calculate(document: dict, prices: dict, *, price_book_version: int | None = None,
              placeholder_keys: frozenset[str] | set[str] = frozenset()) -> dict:
    """The result document for `document` with these unit prices; raises InvalidInput listing every problem.

    `placeholder_keys`: price keys whose price-book amount is a placeholder (reported, not used differently).
    """
    if not isinstance(document, dict):
        raise InvalidInput([Issue("", "Het invoerdocument moet een JSON-object zijn.")])
    table, price_issues = effective_prices(document, prices)
    r = _Reader()
    r.issues.extend(price_issues)
    used_prices: set[str] = set()
    contributing: set[str] = set()  # price keys behind a non-zero amount

    def price(key: str, path: str, message: str, code: str) -> Decimal | None:
        if key not in table:
            r.add(path, message, code)
            return None
        used_prices.add(key)
        return table[key]

    version_text = f" (versie {price_book_version})" if price_book_version is not None else ""

    def number_or_price(parent: dict, key: str, path: str, price_key: str) -> Decimal | None:
        """A value of the document, or when it is absent the price-book price `price_key`."""
        if parent.get(key) is None:
            return price(price_key, path,
                         f"Ontbreekt, en het prijsboek{version_text} heeft geen prijs '{price_key}'.", "required")
        return r.number(parent, key, path, negative_message="Een bedrag mag niet negatief zijn.")
    name = r.text(document, "name", "name", required=True)
    year = r.integer(document, "year", "year", low=2000, high=2100)
    rate = r.number(document, "discountRate", "discountRate", default=DEFAULT_DISCOUNT_RATE, share=True)
    actors_in = r.obj(document, "actors", "actors", required=False) or {}
    actors = {key: r.actor(actors_in, key, f"actors.{key}", MUNICIPALITY) for key in ORGANISATION_LINES}
    for key in actors_in:
        if key not in ORGANISATION_LINES:
            r.add(f"actors.{key}", f"Onbekende regel; kies uit: {', '.join(ORGANISATION_LINES)}.")

    # Team and friction.
    team = r.obj(document, "team", "team", required=True) or {}
    member_fte = r.number(team, "memberFte", "team.memberFte")
    leader_fte = r.number(team, "leaderFte", "team.leaderFte")
    member_cost = number_or_price(team, "memberCostPerFte", "team.memberCostPerFte", "team_member_fte")
    leader_cost = number_or_price(team, "leaderCostPerFte", "team.leaderCostPerFte", "team_leader_fte")
    other_costs = r.number(team, "otherCosts", "team.otherCosts", default=ZERO)
    additional_share = r.number(team, "additionalShare", "team.additionalShare", share=True)

    friction = r.obj(document, "friction", "friction", required=True) or {}
    friction_share = r.number(friction, "share", "friction.share", share=True)
    one_off = r.number(friction, "otherOneOffCosts", "friction.otherOneOffCosts", default=ZERO)

    # Trajectories.
    def trajectories(key: str) -> list[tuple[str, str, str, Decimal]]:
        out = []
        for index, item in enumerate(r.array(document, key, key)):
            path = f"{key}.{index}"
            if not isinstance(item, dict):
                r.add(path, "Moet een object zijn met type en count.")
                continue
            kind = r.text(item, "type", f"{path}.type", required=True)
            count = r.number(item, "count", f"{path}.count", negative_message="Een aantal mag niet negatief zijn.")
            label = r.text(item, "label", f"{path}.label", required=False) or kind
            actor = r.actor(item, "actor", f"{path}.actor", DEFAULT_TRAJECTORY_ACTORS.get(kind, MUNICIPALITY))
            unit = None
            if kind and not is_trajectory_key(kind):
                r.add(f"{path}.type", f"'{kind}' is geen trajectsoort maar een andere prijs uit het prijsboek.",
                      "unknown_type")
            elif kind:
                unit = price(kind, f"{path}.type",
                             f"Onbekende trajectsoort '{kind}': het prijsboek{version_text} heeft er geen prijs voor.",
                             "unknown_type")
            if unit is not None and count is not None:
                out.append((kind, label, actor, count * unit))
                if count * unit:
                    contributing.add(kind)
        return out

    extra = trajectories("extraTrajectories")
    substituted = trajectories("substitutedTrajectories")

    # Coordination.
    coordination = r.obj(document, "coordination", "coordination", required=False)
    coordination_amount = ZERO
    if coordination is not None:
        households = r.number(coordination, "households", "coordination.households",
                              negative_message="Een aantal mag niet negatief zijn.")
        per_household = r.number(coordination, "interventionsPerHousehold", "coordination.interventionsPerHousehold",
                                 negative_message="Een aantal mag niet negatief zijn.")
        hours = r.number(coordination, "hoursSavedPerIntervention", "coordination.hoursSavedPerIntervention",
                         default=DEFAULT_HOURS_SAVED_PER_INTERVENTION)
        hourly = number_or_price(coordination, "hourlyCost", "coordination.hourlyCost", "team_hour")
        if None not in (households, per_household, hours, hourly):
            coordination_amount = households * per_household * hours * hourly

    # Benefit lines.
    effects = r.obj(document, "effects", "effects", required=False) or {}
    attribution = r.number(effects, "attribution", "effects.attribution", default=ONE, share=True)
    relapse = r.number(effects, "relapse", "effects.relapse", default=ZERO, share=True)
    benefit_lines = []
    for index, item in enumerate(r.array(document, "benefits", "benefits")):
        path = f"benefits.{index}"
        if not isinstance(item, dict):
            r.add(path, "Moet een object zijn met category, label, amount en year.")
            continue
        category = r.text(item, "category", f"{path}.category", required=True)
        if category and category not in BENEFIT_CATEGORIES:
            r.add(f"{path}.category", f"Onbekende categorie '{category}'. Kies uit: {', '.join(BENEFIT_CATEGORIES)}.",
                  "unknown_category")
            category = ""
        label = r.text(item, "label", f"{path}.label", required=True)
        year_of = r.integer(item, "year", f"{path}.year", low=0, high=MAX_BENEFIT_YEAR)
        actor = r.actor(item, "actor", f"{path}.actor", DEFAULT_BENEFIT_ACTORS.get(category, MUNICIPALITY))
        key = item.get("key") if isinstance(item.get("key"), str) else f"{category or 'benefit'}_{index}"
        amount = None
        has_amount = item.get("amount") is not None
        has_count = item.get("count") is not None or item.get("priceKey") is not None
        if has_amount and has_count:
            r.add(path, "Geef óf amount, óf count met priceKey, niet allebei.")
        elif has_amount:
            amount = r.number(item, "amount", f"{path}.amount", negative_message="Een bedrag mag niet negatief zijn.")
        elif has_count:
            count = r.number(item, "count", f"{path}.count", negative_message="Een aantal mag niet negatief zijn.")
            factor = r.number(item, "factor", f"{path}.factor", default=ONE)
            price_key = r.text(item, "priceKey", f"{path}.priceKey", required=True)
            unit = None
            if price_key:
                unit = price(price_key, f"{path}.priceKey",
                             f"Onbekende prijssleutel '{price_key}' in het prijsboek{version_text}.",
                             "unknown_price_key")
            if None not in (count, factor, unit, attribution, relapse):
                amount = count * factor * unit * attribution * (ONE - relapse)
                if amount:
                    contributing.add(price_key)
        else:
            r.add(f"{path}.amount", "Ontbreekt: geef een bedrag (amount) of een aantal met prijssleutel "
                                    "(count en priceKey).", "required")
        if category and year_of is not None and amount is not None:
            benefit_lines.append((category, key, label, actor, year_of, amount))

    if r.issues:
        raise InvalidInput(r.issues)

    # Every line with its present value (rounded to the cent per line, so totals are exact sums).
    discount = ONE + rate

    def line(section, category, key, label, actor, amount, year_of=0) -> Line:
        pv = (amount / discount ** year_of).quantize(CENT, rounding=ROUND_HALF_UP)
        return Line(section, category, key, label, actor, year_of, amount.quantize(CENT, rounding=ROUND_HALF_UP), pv)

    new_approach = member_fte * member_cost + leader_fte * leader_cost + other_costs
    lines = [line("costs", "newApproach", "newApproach", LABELS["newApproach"], actors["newApproach"], new_approach)]
    lines.append(line("costs", "friction", "friction", LABELS["friction"], actors["friction"],
                      friction_share * member_fte * member_cost + one_off))
    lines += [line("costs", "extraCare", f"extraCare.{kind}", f"Extra zorg: {label}", actor, amount)
              for kind, label, actor, amount in extra]
    lines.append(line("benefits", "newForOld", "newForOld", LABELS["newForOld"], actors["newForOld"],
                      (ONE - additional_share) * new_approach))
    lines += [line("benefits", "substitution", f"substitution.{kind}", f"Substitutie: {label}", actor, amount)
              for kind, label, actor, amount in substituted]
    lines.append(line("benefits", "coordination", "coordination", LABELS["coordination"], actors["coordination"],
                      coordination_amount))
    lines += [line("benefits", category, key, label, actor, amount, year_of)
              for category, key, label, actor, year_of, amount in benefit_lines]

    def total(section: str, category: str | None = None) -> Decimal:
        return sum((ln.present_value for ln in lines
                    if ln.section == section and (category is None or ln.category == category)), ZERO)

    costs = {key: total("costs", key) for key in ("newApproach", "friction", "extraCare")}
    costs["total"] = costs["newApproach"] + costs["friction"] + costs["extraCare"]
    benefits = {key: total("benefits", key)
                for key in ("newForOld", "substitution", "coordination", "effectiveness", "escalation", "intangible")}
    benefits["financialTotal"] = (benefits["newForOld"] + benefits["substitution"] + benefits["coordination"]
                                  + benefits["effectiveness"] + benefits["escalation"])
    benefits["total"] = benefits["financialTotal"] + benefits["intangible"]

    by_actor = []
    for actor in ACTORS:
        actor_costs = sum((ln.present_value for ln in lines if ln.section == "costs" and ln.actor == actor), ZERO)
        actor_benefits = sum((ln.present_value for ln in lines if ln.section == "benefits" and ln.actor == actor), ZERO)
        if actor == MUNICIPALITY or actor_costs or actor_benefits:
            by_actor.append({"actor": actor, "label": ACTORS[actor], "costs": _money(actor_costs),
                             "benefits": _money(actor_benefits), "balance": _money(actor_benefits - actor_costs),
                             "_costs": actor_costs, "_benefits": actor_benefits})
    municipality = next(row for row in by_actor if row["actor"] == MUNICIPALITY)
    ratio_municipal = _ratio(municipality["_benefits"], municipality["_costs"])
    for row in by_actor:
        del row["_costs"], row["_benefits"]

    return {
        "name": name,
        "year": year,
        "priceBookVersion": price_book_version,
        "discountRate": float(rate),
        "costs": {key: _money(value) for key, value in costs.items()},
        "benefits": {key: _money(value) for key, value in benefits.items()},
        "balanceFinancial": _money(benefits["financialTotal"] - costs["total"]),
        "balanceSocietal": _money(benefits["total"] - costs["total"]),
        "ratioFinancial": _ratio(benefits["financialTotal"], costs["total"]),
        "ratioSocietal": _ratio(benefits["total"], costs["total"]),
        "ratioMunicipal": ratio_municipal,
        "byActor": by_actor,
        "lines": [ln.as_dict() for ln in lines],
        "pricesUsed": {key: _money(table[key]) for key in sorted(used_prices)},
        "placeholderPricesUsed": sorted(key for key in contributing | _team_price_keys(document, used_prices)
                                        if key in placeholder_keys and key not in (document.get("priceBook") or {})),
    }
