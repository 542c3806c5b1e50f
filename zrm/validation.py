"""The rules of a ZRM measurement, written once: the entry screen and the API (zrm.services) and the bulk
import (zrm.imports) call these, each turning a broken rule into its own message where the two differ.

Pure functions of values the caller already has (no queries), so the import can apply them to thousands of
rows that are not in the database yet.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.conf import settings

from .models import Domain, IncomeSource, MeasurementType, NotScoredReason

NOT_SCORED_REASONS = frozenset(NotScoredReason.values)  # once: `.values` builds a new list on every use
SCORE_TEXTS = {str(score): score for score in range(1, 6)}
TYPES_AFTER_CLOSING = (MeasurementType.AFSLUITING, MeasurementType.FOLLOW_UP)

MSG_FUTURE = "De datum van de meting ligt in de toekomst."
MSG_TOO_EARLY = "De meting kan niet eerder zijn dan {earliest:%d-%m-%Y} ({days} dagen voor de melding)."
MSG_CHILD_MODULE = ("{name} hoort bij de kindmodule en wordt alleen gescoord als er kinderen thuis wonen in het "
                    "huishouden.")
MSG_EVERY_DOMAIN = "{name}: in deze gemeente moet elk domein een score krijgen."
MSG_PARTICIPATIELADDER = "De participatieladder loopt van 1 tot en met 6."
PARTICIPATIELADDER_TEXTS = frozenset(str(step) for step in range(1, 7))


def parse_score(value) -> tuple[int | None, str] | None:
    """A domain's value as (score, "") for a score 1 to 5 (an int or its digits), (None, reason) for niet
    gescoord with a reason (niet_relevant, onbekend); None when it is neither."""
    if isinstance(value, str):
        if value in NOT_SCORED_REASONS:
            return None, value
        score = SCORE_TEXTS.get(value.strip())
        return None if score is None else (score, "")
    try:
        score = int(value)
    except (TypeError, ValueError):
        return None
    if isinstance(value, bool) or not 1 <= score <= 5 or str(value).strip() != str(score):
        return None
    return score, ""


def offered_domains(domains: Iterable[Domain], *, child_at_home: bool) -> list[Domain]:
    """The domains a measurement offers: the child module only when a child lives at home in the household."""
    return [domain for domain in domains if child_at_home or not domain.is_child_module]


def date_errors(date: dt.date, melding_date: dt.date | None, today: dt.date) -> list[str]:
    """A measurement's date is not in the future nor more than ZRM_DAYS_BEFORE_MELDING days before the melding."""
    errors = []
    if date > today:
        errors.append(MSG_FUTURE)
    if melding_date is not None:
        days = settings.WIJKREGIE["ZRM_DAYS_BEFORE_MELDING"]
        earliest = melding_date - dt.timedelta(days=days)
        if date < earliest:
            errors.append(MSG_TOO_EARLY.format(earliest=earliest, days=days))
    return errors


def allowed_after_closing(type: str) -> bool:
    """After a case is closed only an afsluitende meting or a follow-up is recorded."""
    return type in TYPES_AFTER_CLOSING


def participatieladder_is_valid(value) -> bool:
    """Blank, or a step 1 to 6 of the participatieladder."""
    return value in (None, "") or (not isinstance(value, bool) and str(value) in PARTICIPATIELADDER_TEXTS)


def missing_scores(offered: Mapping[str, Domain], scores: Mapping[str, int | None]) -> tuple[bool, dict[str, str]]:
    """What vaststellen requires of the scores ({code: score 1-5 or None}): (whether no domain has a score,
    {code: message} for each offered domain without one when the municipality requires every domain scored
    (ZRM_REQUIRE_ALL_DOMAINS))."""
    none_scored = not any(score is not None for score in scores.values())
    unscored = {}
    if settings.WIJKREGIE["ZRM_REQUIRE_ALL_DOMAINS"]:
        unscored = {code: MSG_EVERY_DOMAIN.format(name=domain.name) for code, domain in offered.items()
                    if scores.get(code) is None}
    return none_scored, unscored


def benefit_financien_limit(income_source: str, financien: int | None) -> int | None:
    """The usual highest Financiën score with a benefit (ZRM_BENEFIT_FINANCIEN_MAX_SCORE) when this score is
    above it (a warning, never an error: DOMAIN.md §2); else None."""
    limit = settings.WIJKREGIE["ZRM_BENEFIT_FINANCIEN_MAX_SCORE"]
    if income_source == IncomeSource.BENEFIT and financien is not None and financien > limit:
        return limit
    return None
