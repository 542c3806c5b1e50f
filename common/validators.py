"""Reusable validators for Dutch identifiers (DOMAIN.md §7)."""
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

POSTCODE_RE = re.compile(r"^[1-9][0-9]{3}[A-Z]{2}$")
BSN_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)


def is_valid_bsn(value: str) -> bool:
    """Nine digits, not all zeros, passing the elfproef."""
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{9}", value) or value == "000000000":
        return False
    return sum(int(digit) * weight for digit, weight in zip(value, BSN_WEIGHTS)) % 11 == 0


def validate_bsn(value: str) -> None:
    if not is_valid_bsn(value):
        # The value itself is never echoed: a BSN does not belong in an error message or a log.
        raise ValidationError(_("Dit is geen geldig BSN: het moet uit 9 cijfers bestaan en de elfproef doorstaan."),
                              code="invalid_bsn")


def normalise_postcode(value: str) -> str:
    """'1234 ab' -> '1234AB'. Returns the input unchanged when it is not a postcode."""
    compact = re.sub(r"\s+", "", value or "").upper()
    return compact


def validate_postcode(value: str) -> None:
    if not POSTCODE_RE.fullmatch(value or ""):
        raise ValidationError(
            _("Vul een geldige postcode in: vier cijfers en twee letters, bijvoorbeeld 1234 AB."),
            code="invalid_postcode",
        )


def validate_postcode_area(value) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) and re.fullmatch(r"[1-9][0-9]{3}", v) for v in value):
        raise ValidationError(
            _("Het werkgebied is een lijst van postcodes van vier cijfers, bijvoorbeeld [\"9711\", \"9712\"]."),
            code="invalid_area",
        )


def complete_bsn(first_eight: str) -> str | None:
    """The valid BSN that starts with these eight digits, or None when no check digit fits.

    Used for demo data and tests; never for guessing real numbers.
    """
    total = sum(int(digit) * weight for digit, weight in zip(first_eight, BSN_WEIGHTS[:8]))
    check = total % 11
    if check == 10:
        return None
    bsn = f"{first_eight}{check}"
    return bsn if is_valid_bsn(bsn) else None
