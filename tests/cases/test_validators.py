import pytest
from django.core.exceptions import ValidationError

from common.validators import complete_bsn, is_valid_bsn, normalise_postcode, validate_postcode


@pytest.mark.parametrize("bsn", ["111222333", "123456782", "999999990"])
def test_elfproef_accepts_valid_numbers(bsn):
    assert is_valid_bsn(bsn)


@pytest.mark.parametrize("bsn", ["111222334", "123456789", "000000000", "12345678", "1234567890", "12345678a", ""])
def test_elfproef_rejects_invalid_numbers(bsn):
    assert not is_valid_bsn(bsn)


def test_complete_bsn_yields_a_valid_number_or_none():
    results = [complete_bsn(f"{n:08d}") for n in range(10_000_000, 10_000_200)]
    assert all(is_valid_bsn(bsn) for bsn in results if bsn)
    assert any(result is None for result in results)  # check digit 10 does not exist


def test_bsn_error_does_not_echo_the_number():
    from common.validators import validate_bsn

    with pytest.raises(ValidationError) as exc:
        validate_bsn("111222334")
    assert "111222334" not in str(exc.value)


@pytest.mark.parametrize("raw,normalised", [("1234 ab", "1234AB"), (" 9711AB ", "9711AB")])
def test_postcodes_are_normalised(raw, normalised):
    assert normalise_postcode(raw) == normalised
    validate_postcode(normalised)


@pytest.mark.parametrize("bad", ["1234 A", "0123AB", "12345AB", "ABCD12", ""])
def test_malformed_postcodes_are_rejected(bad):
    with pytest.raises(ValidationError, match="geldige postcode"):
        validate_postcode(normalise_postcode(bad))
