"""Personal data never travels in a URL: one rule for every query string, web pages and API alike.

A URL ends up in browser history, bookmarks, proxy and server logs and Referer headers, so a search that
takes a BSN, a name, a birth date or an address is a POST form (or a POST API call), never a GET.
common.middleware.NoPersonalDataInUrlMiddleware applies this rule to every request:

1. a parameter whose *name* says it carries personal data or a free search (PERSONAL_QUERY_KEYS, `q`
   included: the admin's and any page's search box) is refused whatever its value;
2. a parameter whose *value* (or name) holds a BSN-like number is refused whatever its name.

A value is normalised before it is looked at: Unicode compatibility forms (fullwidth, superscript
digits), decimal digits of every script, percent-encoding left over from double encoding, and every
separator between digit groups (spaces of any kind, dots, dashes, slashes, commas, invisible characters)
are taken away, so `293 270 739`, `293.270.739`, `293-270-739`, `２９３２７０７３９` and `293%20270%20739`
are one number. BSN-like: nine digits passing the elfproef, or eight digits that pass it with the leading
zero put back (a BSN written as a number loses it). A calendar date written with separators
(`2026-10-01`, `01-10-2026`) is a date, not a BSN: dates are legitimate filters; birth dates are
refused by their parameter name.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from urllib.parse import unquote

from .validators import is_valid_bsn

# Parameter names (compared without case, separators or Unicode variants) that carry personal data or a free
# search over it. Searches by these are POST forms.
PERSONAL_QUERY_KEYS = frozenset({
    # free search
    "q", "query", "search", "zoek", "zoekterm", "zoekopdracht",
    # identifiers
    "bsn", "burgerservicenummer", "sofinummer",
    # names
    "naam", "name", "voornaam", "voornamen", "firstname", "givenname", "achternaam", "lastname", "familyname",
    "surname", "geslachtsnaam", "tussenvoegsel",
    # birth dates
    "geboortedatum", "dateofbirth", "birthdate", "dob",
    # addresses
    "adres", "address", "straat", "straatnaam", "street",
})

_DATE_SHAPES = (
    re.compile(r"(?P<y>\d{4})(?P<s>[-./])(?P<m>\d{1,2})(?P=s)(?P<d>\d{1,2})"),
    re.compile(r"(?P<d>\d{1,2})(?P<s>[-./])(?P<m>\d{1,2})(?P=s)(?P<y>\d{4})"),
)


def normalise(value: str) -> str:
    """Percent-decoding undone (at most three times), Unicode compatibility forms folded (NFKC) and every
    decimal digit, of whatever script, written as an ASCII digit."""
    for _ in range(3):
        decoded = unquote(value)
        if decoded == value:
            break
        value = decoded
    value = unicodedata.normalize("NFKC", value)
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in value)


def _digit_runs(value: str) -> list[tuple[str, str]]:
    """(digits, text) of every run of digits joined by separators (anything not a letter or digit).

    `tel 293 270 739.` -> [("293270739", "293 270 739")]; a letter ends a run.
    """
    runs: list[tuple[str, str]] = []
    digits: list[str] = []
    start = end = 0
    for index, ch in enumerate(value):
        if "0" <= ch <= "9":
            if not digits:
                start = index
            digits.append(ch)
            end = index + 1
        elif ch.isalnum():  # a letter (or a non-decimal numeral) ends the run
            if digits:
                runs.append(("".join(digits), value[start:end]))
                digits = []
    if digits:
        runs.append(("".join(digits), value[start:end]))
    return runs


def _is_date(text: str) -> bool:
    for shape in _DATE_SHAPES:
        match = shape.fullmatch(text)
        if match:
            try:
                dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                return False
            return True
    return False


def contains_bsn(value: str) -> bool:
    """Does this text hold a BSN-like number, whatever the separators, encoding or digit script?"""
    for digits, text in _digit_runs(normalise(value)):
        if len(digits) == 9 and is_valid_bsn(digits) or len(digits) == 8 and is_valid_bsn("0" + digits):
            if not _is_date(text):
                return True
    return False


def is_personal_key(key: str) -> bool:
    """Does this parameter name say it carries personal data (`bsn`, `Achter_Naam`, `filter[q]`, ...)?"""
    folded = normalise(key).casefold()
    words = [word for word in re.split(r"[^0-9a-z]+", folded) if word]
    return "".join(words) in PERSONAL_QUERY_KEYS or any(word in PERSONAL_QUERY_KEYS for word in words)


HIDDEN_KEY = "(parameternaam)"


def personal_query_keys(query) -> list[str]:
    """The names of the parameters of a QueryDict that carry personal data, sorted; [] when none.

    A name that is itself BSN-like is reported as HIDDEN_KEY: the answer never repeats personal data.
    """
    found = set()
    for key, values in query.lists():
        if contains_bsn(key):
            found.add(HIDDEN_KEY)
        elif is_personal_key(key) or any(contains_bsn(value) for value in values):
            found.add(key[:50])
    return sorted(found)
