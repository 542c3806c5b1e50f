"""The columns of an import sheet and the parsing of one cell: text, keys, numbers, dates (not in the future),
booleans (ja/nee), BSN (elfproef), postcodes and code lists, each with its Dutch message when it is wrong."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError as DjangoValidationError

from cases import services
from common.validators import is_valid_bsn, normalise_postcode, validate_postcode

MSG_REQUIRED = "Dit veld is verplicht."
MSG_DATE = "Ongeldige datum: gebruik JJJJ-MM-DD of DD-MM-JJJJ."
MSG_FUTURE = services.MSG_FUTURE
MSG_BOOL = "Vul ja of nee in."


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = "text"  # text, key, int, date, bool, decimal, bsn, postcode, choice
    required: bool = False
    max_length: int = 200
    not_future: bool = True  # dates
    choices: type | None = None  # a TextChoices class for kind "choice"


UNIQUE_KINDS = {"text", "key", "bsn"}  # column kinds whose cells are mostly distinct
INTEGER = re.compile(r"-?[0-9]+")
BSN_SEPARATORS = re.compile(r"[\s.]")
DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y")
TRUE = {"ja", "j", "1", "true", "waar", "x", "yes", "y"}
FALSE = {"nee", "n", "0", "false", "onwaar", "no"}

_CHOICE_LOOKUPS: dict[type, dict[str, str]] = {}


def _choice_lookup(choices) -> dict[str, str]:
    """Value or label (any case) -> value; built once per choices class."""
    if choices not in _CHOICE_LOOKUPS:
        lookup = {}
        for value, label in choices.choices:
            lookup[str(label).casefold()] = value
        for value, _label in choices.choices:
            lookup[str(value).casefold()] = value
        _CHOICE_LOOKUPS[choices] = lookup
    return _CHOICE_LOOKUPS[choices]


def cell_text(value) -> str:
    """A cell as the text a person typed: numbers without '.0', dates as JJJJ-MM-DD, booleans as ja/nee."""
    if type(value) is str:  # every CSV cell and most XLSX cells
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _parse_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        pass
    for fmt in DATE_FORMATS[1:]:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def parse_cell(column: Column, value, today: dt.date) -> tuple[object, str | None]:
    """(typed value, None) for one cell, or (None, the Dutch message) when it is wrong."""
    if column.kind == "bsn" and isinstance(value, (int, float)) and not isinstance(value, bool):
        text = str(int(value)).zfill(9)  # Excel drops a BSN's leading zero when it stores it as a number
    else:
        text = cell_text(value)
    if text == "":
        return None, (MSG_REQUIRED if column.required else None)
    kind = column.kind
    if kind in ("text", "key"):
        if len(text) > column.max_length:
            return None, f"Te lang: hoogstens {column.max_length} tekens."
        return text, None
    if kind == "int":
        if not INTEGER.fullmatch(text):
            return None, "Vul een geheel getal in."
        return int(text), None
    if kind == "decimal":
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation:
            return None, "Vul een getal in, bijvoorbeeld 2,5."
        if not number.is_finite():
            return None, "Vul een getal in, bijvoorbeeld 2,5."
        return number, None
    if kind == "date":
        if isinstance(value, dt.datetime):
            parsed = value.date()
        elif isinstance(value, dt.date):
            parsed = value
        else:
            parsed = _parse_date(text)
            if parsed is None:
                return None, MSG_DATE
        if column.not_future and parsed > today:
            return None, MSG_FUTURE
        return parsed, None
    if kind == "bool":
        lowered = text.casefold()
        if lowered in TRUE:
            return True, None
        if lowered in FALSE:
            return False, None
        return None, MSG_BOOL
    if kind == "bsn":
        compact = BSN_SEPARATORS.sub("", text)
        if not is_valid_bsn(compact):
            return None, services.MSG_BSN_INVALID
        return compact, None
    if kind == "postcode":
        compact = normalise_postcode(text)
        try:
            validate_postcode(compact)
        except DjangoValidationError as exc:
            return None, " ".join(exc.messages)
        return compact, None
    if kind == "choice":
        found = _choice_lookup(column.choices).get(text.casefold())
        if found is None:
            allowed = ", ".join(str(v) for v in column.choices.values)
            return None, f"Onbekende waarde '{text[:40]}'; kies uit: {allowed}."
        return found, None
    raise ValueError(kind)
