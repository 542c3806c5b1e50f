"""The test suite: the same as base, with fast password hashing and mail kept in memory."""
import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F401,F403

SECRET_KEY = os.environ.get("SECRET_KEY") or "test-only-key"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Unit tests run tasks in-process; tests marked celery_worker switch to a real worker on Redis.
CELERY_TASK_ALWAYS_EAGER = True
# Throttle counters and lockouts must not leak between tests (or into a shared Redis).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Tests sign in with force_login; the two-factor tests switch this on themselves.
REQUIRE_2FA = False

# A fixed audit chain key, and checkpoints in a file of this test process (tests that check them use tmp_path).
AUDIT_CHAIN_KEYS = AUDIT_CHAIN_KEYS or [DEV_AUDIT_CHAIN_KEY]  # noqa: F405
AUDIT_CHECKPOINT_FILE = os.environ.get("AUDIT_CHECKPOINT_FILE") or str(
    Path(tempfile.gettempdir()) / f"wijkregie-test-{os.getpid()}" / "audit-checkpoints.log")
