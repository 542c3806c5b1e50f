"""Model fields for the BSN at rest (see cases/crypto.py)."""
from django.core.exceptions import FieldError
from django.db import models

from .crypto import bsn_lookup_hash, decrypt_bsn, encrypt_bsn


class EncryptedBSNField(models.TextField):
    """Stores a BSN encrypted; the Python value is the plain number.

    The ciphertext differs every time, so the database cannot compare numbers: only `isnull`
    lookups are allowed. Look persons up through the lookup hash (cases.selectors.person_by_bsn).
    """

    def from_db_value(self, value, expression, connection):
        return None if value is None else decrypt_bsn(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return None if value in (None, "") else encrypt_bsn(value)

    def get_lookup(self, lookup_name):
        if lookup_name != "isnull":
            raise FieldError("A BSN is encrypted at rest: look it up through its hash (person_by_bsn), "
                             f"not with '{lookup_name}'.")
        return super().get_lookup(lookup_name)


class BSNHashField(models.CharField):
    """The keyed lookup hash of the instance's `bsn`, kept in step on every save and bulk insert."""

    def __init__(self, *args, source: str = "bsn", **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.source != "bsn":
            kwargs["source"] = self.source
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        plain = getattr(model_instance, self.source)
        value = bsn_lookup_hash(plain) if plain else None
        setattr(model_instance, self.attname, value)
        return value
