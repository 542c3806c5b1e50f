"""Development on one machine: `make run`. PostgreSQL (DATABASE_URL or the embedded server) and in-process Celery unless REDIS_URL is set."""
from .base import *  # noqa: F401,F403
from .base import env_bool

import os

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-insecure-key-do-not-use-in-production"

# Development only: two-factor login is off unless WIJKREGIE_REQUIRE_2FA=true (production forces it on).
REQUIRE_2FA = env_bool("WIJKREGIE_REQUIRE_2FA", False)

# Development: a fixed audit chain key unless AUDIT_CHAIN_KEYS is set (production requires it).
AUDIT_CHAIN_KEYS = AUDIT_CHAIN_KEYS or [DEV_AUDIT_CHAIN_KEY]  # noqa: F405
