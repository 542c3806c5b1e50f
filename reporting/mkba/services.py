"""Writes of the MKBA: computing and saving scenarios, new price-book versions.

Guarantees:
- `calculate_document` is the one path from an input document to a result for the command and the
  API: same document, same price-book version -> same result.
- A scenario is saved only when its input (registration + overrides) is valid; invalid overrides
  raise a ValidationError keyed by the override path and nothing is written.
- Every result records the price-book version it was computed with (also a database constraint).
- A price-book version used by a scenario is not changed: new prices go into a copy.
- Changes by people are audited (common.audit.record). MKBA data are aggregates: no personal data.
"""
from __future__ import annotations

import copy
import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from cases.models import Team
from common import audit
from common.audit import Actor
from common.models import AuditAction, AuditPurpose

from . import calculation, inputs, selectors
from .calculation import InvalidInput, Issue
from .models import PriceBook, PriceBookItem, Scenario

PURPOSE_MKBA = AuditPurpose.MKBA.value


# --- Calculation of a document (command and API) ------------------------------------------------

def price_table_for(document: dict) -> selectors.PriceTable:
    """The price-book version the document names (`priceBookVersion`), else the one in force today."""
    version = document.get("priceBookVersion") if isinstance(document, dict) else None
    if version is None:
        book = selectors.current_price_book()
        if book is None:
            raise InvalidInput([Issue("priceBookVersion", "Er is nog geen prijsboek dat vandaag geldt.", "unknown")])
    else:
        if isinstance(version, bool) or not isinstance(version, int):
            raise InvalidInput([Issue("priceBookVersion", "Moet een heel getal zijn (het versienummer).")])
        book = selectors.price_book_by_version(version)
        if book is None:
            raise InvalidInput([Issue("priceBookVersion", f"Onbekende prijsboekversie {version}.", "unknown")])
    return selectors.price_table(book)


def calculate_document(document: dict) -> dict:
    """The MKBA result of an input document; raises calculation.InvalidInput with every problem."""
    if not isinstance(document, dict):
        raise InvalidInput([Issue("", "Het invoerdocument moet een JSON-object zijn.")])
    table = price_table_for(document)
    return calculation.calculate(document, table.prices, price_book_version=table.version,
                                 placeholder_keys=table.placeholders)


# --- Scenarios ---------------------------------------------------------------------------------

def current_table() -> selectors.PriceTable:
    book = selectors.current_price_book()
    if book is None:
        raise ValidationError("Er is geen prijsboek dat vandaag geldt; de beheerder legt er een vast.")
    return selectors.price_table(book)


def registration_document(team_id: int | None, year: int, table: selectors.PriceTable | None = None) -> dict:
    """The MKBA 2.0 input document of a team (None: all teams) and year, from the registration."""
    table = table or current_table()
    figures = selectors.registration_figures(team_id, year)
    return inputs.build_document(figures, table, inputs.Assumptions.from_settings())


def _override_path(document: dict, issue: Issue) -> str:
    """A calculation path (lists by index) as the override path of the same input (lists by key)."""
    parts = issue.path.split(".")
    if len(parts) >= 2 and parts[0] in inputs.LIST_FIELDS and parts[1].isdigit():
        items = document.get(parts[0]) or []
        index = int(parts[1])
        if index < len(items) and isinstance(items[index], dict):
            key = items[index].get("key") or items[index].get("type") or parts[1]
            return ".".join([parts[0], str(key), *parts[2:]])
    return issue.path


def evaluate(document: dict, overrides: dict, table: selectors.PriceTable) -> tuple[dict, dict | None, list[Issue]]:
    """(effective input, result or None, problems keyed by override path) of a document with overrides."""
    effective, issues = inputs.apply_overrides(document, overrides)
    if issues:
        return effective, None, issues
    try:
        result = calculation.calculate(effective, table.prices, price_book_version=table.version,
                                       placeholder_keys=table.placeholders)
    except InvalidInput as exc:
        return effective, None, [Issue(_override_path(effective, i), i.message, i.code) for i in exc.issues]
    return effective, result, []


def _apply(scenario: Scenario, document: dict, table: selectors.PriceTable) -> list[Issue]:
    document = {**document, "name": scenario.name}
    _, result, issues = evaluate(document, scenario.overrides, table)
    scenario.input_document = document
    scenario.errors = [issue.as_dict() for issue in issues]
    if result is not None:
        scenario.result = result
        scenario.price_book_id = table.book_id
        scenario.computed_at = timezone.now()
    return issues


def _raise(issues: list[Issue]) -> None:
    errors: dict[str, list[str]] = {}
    for issue in issues:
        errors.setdefault(issue.path or "__all__", []).append(issue.message)
    raise ValidationError(errors)


def _table_of(scenario: Scenario) -> selectors.PriceTable:
    """The price-book version the scenario's stored document was built with (else today's)."""
    try:
        return price_table_for({"priceBookVersion": scenario.input_document.get("priceBookVersion")})
    except InvalidInput:
        return current_table()


def refresh_scope(team_id: int | None, year: int, *, table: selectors.PriceTable | None = None,
                  ensure_base: bool = True) -> list[Scenario]:
    """Rebuild the input of every scenario of a team (None: all teams) and year from the registration and
    today's price book, and recompute them. Creates the base scenario when missing. Idempotent.

    A scenario whose overrides no longer fit (e.g. a price removed) keeps its previous result and gets
    its `errors` filled."""
    table = table or current_table()
    document = registration_document(team_id, year, table)
    with transaction.atomic():
        if ensure_base:
            Scenario.objects.get_or_create(team_id=team_id, year=year, is_base=True,
                                           defaults={"name": inputs.BASE_SCENARIO_NAME})
        scope = Scenario.objects.select_for_update().filter(year=year)
        scope = scope.filter(team__isnull=True) if team_id is None else scope.filter(team_id=team_id)
        scenarios = list(scope.order_by("pk"))
        for scenario in scenarios:
            _apply(scenario, document, table)
            scenario.save()
    return scenarios


def recompute_all(*, years: list[int] | None = None, today: dt.date | None = None) -> int:
    """Nightly: every team's and the all-teams scenarios of this year and last year. Returns how many."""
    today = today or dt.date.today()
    years = years or [today.year, today.year - 1]
    table = current_table()
    scopes = [None, *Team.objects.order_by("pk").values_list("pk", flat=True)]
    return sum(len(refresh_scope(team_id, year, table=table)) for year in years for team_id in scopes)


def _check_name(errors: dict, name: str, team_id: int | None, year: int, exclude_pk: int | None = None) -> str:
    name = (name or "").strip()
    if not name:
        errors.setdefault("name", []).append("Geef het scenario een naam.")
    elif len(name) > 100:
        errors.setdefault("name", []).append("Een naam is hoogstens 100 tekens.")
    elif name == inputs.BASE_SCENARIO_NAME:
        errors.setdefault("name", []).append("Deze naam is voor het basisscenario; kies een andere.")
    else:
        clash = Scenario.objects.filter(year=year, name=name)
        clash = clash.filter(team__isnull=True) if team_id is None else clash.filter(team_id=team_id)
        if exclude_pk:
            clash = clash.exclude(pk=exclude_pk)
        if clash.exists():
            errors.setdefault("name", []).append("Er is al een scenario met deze naam voor dit team en jaar.")
    return name


def _merge_values(overrides: dict, values: dict | None) -> dict:
    merged = copy.deepcopy(overrides or {})
    merged.setdefault("values", {})
    merged.setdefault("benefits", [])
    for path, value in (values or {}).items():
        if value is None:
            merged["values"].pop(path, None)
        else:
            merged["values"][path] = inputs.json_number(value) if not isinstance(value, bool) else value
    return merged


def create_scenario(*, actor: Actor, team_id: int | None, year: int, name: str, copy_from: Scenario | None = None,
                    values: dict | None = None) -> Scenario:
    """A new scenario for the scope and year: the registration's input, the overrides of `copy_from` (if
    given) and then `values` ({override path: number}). Nothing is saved when anything is invalid."""
    errors: dict = {}
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors.setdefault("year", []).append("Kies een jaar tussen 2000 en 2100.")
    name = _check_name(errors, name, team_id, year if isinstance(year, int) else 0)
    if copy_from is not None and (copy_from.team_id != team_id or copy_from.year != year):
        errors.setdefault("copy_from", []).append("Kopieer alleen een scenario van hetzelfde team en jaar.")
    if errors:
        raise ValidationError(errors)
    table = current_table()
    document = registration_document(team_id, year, table)
    scenario = Scenario(name=name, team_id=team_id, year=year, created_by=actor.user if actor.user else None,
                        overrides=_merge_values(copy_from.overrides if copy_from else {}, values))
    issues = _apply(scenario, document, table)
    if issues:
        _raise(issues)
    with transaction.atomic():
        scenario.save()
        audit.record(actor, AuditAction.CREATE, scenario, purpose=PURPOSE_MKBA)
    return scenario


def _recompute_with(actor: Actor, scenario: Scenario, overrides: dict) -> Scenario:
    with transaction.atomic():
        scenario = Scenario.objects.select_for_update().get(pk=scenario.pk)
        previous = scenario.overrides
        scenario.overrides = overrides
        issues = _apply(scenario, scenario.input_document, _table_of(scenario))
        if issues:
            scenario.overrides = previous
            _raise(issues)
        scenario.save()
        audit.record(actor, AuditAction.UPDATE, scenario, purpose=PURPOSE_MKBA)
    return scenario


def update_overrides(*, actor: Actor, scenario: Scenario, values: dict) -> Scenario:
    """Set ({path: number}) or clear ({path: None}) the analyst's overrides and recompute; all or nothing."""
    return _recompute_with(actor, scenario, _merge_values(scenario.overrides, values))


def rename_scenario(*, actor: Actor, scenario: Scenario, name: str) -> Scenario:
    errors: dict = {}
    if scenario.is_base:
        errors.setdefault("name", []).append("Het basisscenario houdt zijn naam.")
    name = _check_name(errors, name, scenario.team_id, scenario.year, exclude_pk=scenario.pk)
    if errors:
        raise ValidationError(errors)
    scenario.name = name
    scenario.input_document = {**scenario.input_document, "name": name}
    if scenario.result:
        scenario.result = {**scenario.result, "name": name}
    with transaction.atomic():
        scenario.save(update_fields=["name", "input_document", "result", "updated_at"])
        audit.record(actor, AuditAction.UPDATE, scenario, purpose=PURPOSE_MKBA)
    return scenario


def add_manual_benefit(*, actor: Actor, scenario: Scenario, category: str, label: str, amount, year: int,
                       benefit_actor: str = "") -> Scenario:
    """An analyst's own benefit line (e.g. an effect from a local evaluation), source 'handmatig'."""
    overrides = _merge_values(scenario.overrides, None)
    existing = [line.get("key", "") for line in overrides["benefits"]]
    number = 1 + max([int(key.rsplit("_", 1)[1]) for key in existing if key.startswith("handmatig_")] or [0])
    line = {"key": f"handmatig_{number}", "category": category, "label": (label or "").strip(), "amount": amount,
            "year": year}
    if benefit_actor:
        line["actor"] = benefit_actor
    overrides["benefits"].append(line)
    try:
        return _recompute_with(actor, scenario, overrides)
    except ValidationError as exc:  # report the new line's problems by field name
        fields = {}
        for path, messages in exc.message_dict.items():
            field = path.rsplit(".", 1)[-1] if path.startswith(f"benefits.{line['key']}") else path
            fields.setdefault({"actor": "benefit_actor"}.get(field, field), []).extend(messages)
        raise ValidationError(fields) from None


def remove_manual_benefit(*, actor: Actor, scenario: Scenario, key: str) -> Scenario:
    overrides = _merge_values(scenario.overrides, None)
    overrides["benefits"] = [line for line in overrides["benefits"] if line.get("key") != key]
    return _recompute_with(actor, scenario, overrides)


def delete_scenario(*, actor: Actor, scenario: Scenario) -> None:
    if scenario.is_base:
        raise ValidationError("Het basisscenario kan niet worden verwijderd.")
    with transaction.atomic():
        audit.record(actor, AuditAction.DELETE, scenario, purpose=PURPOSE_MKBA)
        scenario.delete()


def record_export(actor: Actor, scenario: Scenario) -> None:
    audit.record(actor, AuditAction.EXPORT, scenario, purpose=PURPOSE_MKBA)


# --- Price book ----------------------------------------------------------------------------------

def copy_price_book(*, book: PriceBook, valid_from: dt.date, description: str = "") -> PriceBook:
    """A new version with the same prices, valid from `valid_from`, for the beheerder to edit."""
    if valid_from < book.valid_from:
        raise ValidationError({"valid_from": ["Een nieuwe versie geldt niet eerder dan de versie die ze kopieert."]})
    with transaction.atomic():
        version = (PriceBook.objects.aggregate(top=Max("version"))["top"] or 0) + 1
        new = PriceBook.objects.create(version=version, valid_from=valid_from,
                                       description=description or f"Kopie van versie {book.version}")
        PriceBookItem.objects.bulk_create(
            PriceBookItem(price_book=new, key=item.key, label=item.label, amount=item.amount, unit=item.unit,
                          source=item.source, is_placeholder=item.is_placeholder)
            for item in book.items.all()
        )
    return new
