"""The BSN is encrypted at rest, found through a keyed hash, and the keys can be rotated."""
import io

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection

from cases import crypto, selectors
from cases.models import Person
from tests.factories import MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db


def raw_row(person):
    with connection.cursor() as cursor:
        cursor.execute("SELECT bsn, bsn_hash FROM cases_person WHERE id = %s", [person.pk])
        return cursor.fetchone()


@pytest.fixture
def keys(settings):
    """Explicit keys for the test; the crypto module's caches are reset around it."""
    settings.BSN_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    settings.BSN_HASH_KEY = "hash-key-1"
    crypto.reset_keys()
    yield settings
    crypto.reset_keys()


def test_the_database_holds_no_plain_bsn(keys):
    person = PersonFactory(bsn="111222333")
    token, digest = raw_row(person)
    assert "111222333" not in token and "111222333" not in digest
    assert Person.objects.get(pk=person.pk).bsn == "111222333"
    assert digest == crypto.bsn_lookup_hash("111222333")


def test_the_same_number_encrypts_differently_each_time(keys):
    assert crypto.encrypt_bsn("111222333") != crypto.encrypt_bsn("111222333")


def test_lookups_go_through_the_hash(keys):
    membership = MembershipFactory(person=PersonFactory(bsn="111222333"))
    assert selectors.person_by_bsn("111222333") == membership.person
    assert list(selectors.find_households_by_bsn("111222333")) == [membership.household]
    assert selectors.person_by_bsn("123456782") is None


def test_comparing_encrypted_numbers_in_sql_is_refused(keys):
    with pytest.raises(FieldError, match="hash"):
        list(Person.objects.filter(bsn="111222333"))
    assert Person.objects.filter(bsn__isnull=True).count() == 0


def test_bulk_inserts_hash_too(keys):
    Person.objects.bulk_create([Person(bsn="111222333", first_name="A", last_name="B", date_of_birth="1990-01-01")])
    assert selectors.person_by_bsn("111222333").first_name == "A"


def test_rotating_both_keys_keeps_every_number_findable(keys):
    person = PersonFactory(bsn="111222333")
    old_token, old_digest = raw_row(person)
    keys.BSN_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), keys.BSN_ENCRYPTION_KEYS[0]]
    keys.BSN_HASH_KEY = "hash-key-2"
    crypto.reset_keys()
    call_command("rotate_bsn_keys", stdout=io.StringIO())
    new_token, new_digest = raw_row(person)
    assert new_token != old_token and new_digest != old_digest
    keys.BSN_ENCRYPTION_KEYS = keys.BSN_ENCRYPTION_KEYS[:1]  # the old key can now go
    crypto.reset_keys()
    assert selectors.person_by_bsn("111222333") == person
    assert Person.objects.get(pk=person.pk).bsn == "111222333"


def test_production_requires_the_keys():
    from pathlib import Path

    source = (Path(__file__).resolve().parents[2] / "config/settings/production.py").read_text()
    assert "BSN_ENCRYPTION_KEYS and BSN_HASH_KEY must be set in production" in source
