"""The BSN at rest: encrypted (Fernet, AES-128-CBC + HMAC) and, for exact lookups, a keyed hash.

Keys come from the environment:
- BSN_ENCRYPTION_KEYS: comma-separated Fernet keys, newest first. Decryption tries each; encryption
  uses the first. Rotation: put a new key in front, run `manage.py rotate_bsn_keys`, then drop the old.
- BSN_HASH_KEY: the HMAC-SHA256 key of the lookup hash. Rotation: set the new key and run
  `manage.py rotate_bsn_keys` (it recomputes every hash from the decrypted numbers).
Development and tests derive both from SECRET_KEY; production refuses to start without them.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _derived(label: str) -> bytes:
    return hashlib.sha256(f"{label}:{settings.SECRET_KEY}".encode()).digest()


@lru_cache(maxsize=1)
def _fernet() -> MultiFernet:
    keys = settings.BSN_ENCRYPTION_KEYS or [base64.urlsafe_b64encode(_derived("bsn-encryption")).decode()]
    try:
        return MultiFernet([Fernet(key.encode() if isinstance(key, str) else key) for key in keys])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured("BSN_ENCRYPTION_KEYS holds an invalid Fernet key.") from exc


@lru_cache(maxsize=1)
def _hash_key() -> bytes:
    return settings.BSN_HASH_KEY.encode() if settings.BSN_HASH_KEY else _derived("bsn-lookup-hash")


def reset_keys() -> None:
    """Forget cached keys (after the settings changed: tests, rotation)."""
    _fernet.cache_clear()
    _hash_key.cache_clear()


def encrypt_bsn(bsn: str) -> str:
    return _fernet().encrypt(bsn.encode()).decode()


def decrypt_bsn(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured("A stored BSN cannot be decrypted with BSN_ENCRYPTION_KEYS.") from exc


def reencrypt_bsn(token: str) -> str:
    """The same number under the newest key."""
    return _fernet().rotate(token.encode()).decode()


def bsn_lookup_hash(bsn: str) -> str:
    """Keyed hash for exact lookups: equal numbers give equal hashes, the hash alone reveals nothing."""
    return hmac.new(_hash_key(), bsn.encode(), hashlib.sha256).hexdigest()
