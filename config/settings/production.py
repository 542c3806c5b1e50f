"""Production: every secret from the environment, HTTPS only."""
import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import env_bool, env_int

DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set in production.")

if not (BSN_ENCRYPTION_KEYS and BSN_HASH_KEY):  # noqa: F405
    raise ImproperlyConfigured("BSN_ENCRYPTION_KEYS and BSN_HASH_KEY must be set in production (see README).")
# The audit chain keys (common/audit_chain.py): set, never the development key, each secret 32+ characters.
if not AUDIT_CHAIN_KEYS:  # noqa: F405
    raise ImproperlyConfigured("AUDIT_CHAIN_KEYS must be set in production (see README).")
if any(key == DEV_AUDIT_CHAIN_KEY or len(key.partition(":")[2]) < 32 for key in AUDIT_CHAIN_KEYS):  # noqa: F405
    raise ImproperlyConfigured("AUDIT_CHAIN_KEYS: every key is '<id>:<secret>' with a secret of 32+ characters.")

REQUIRE_2FA = True  # never off in production
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Not the Manifest variant: @utrecht/design-tokens' CSS references SVGs its package does not
    # ship, and hashing the URLs makes collectstatic fail on them.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
