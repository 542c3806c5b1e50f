"""The URL of a database on the server the tests run on (for subprocesses: workers, pg_dump, make)."""
from urllib.parse import quote

from django.db import connection


def database_url(name: str | None = None) -> str:
    """postgres:// URL of `name` (default: the test database itself) on the test server. A socket
    directory as host (the embedded server) is percent-encoded, as libpq and dj-database-url read it."""
    db = connection.settings_dict
    credentials = quote(db.get("USER") or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = quote(db.get("HOST") or "127.0.0.1", safe="")
    return f"postgres://{credentials}@{host}:{db.get('PORT') or 5432}/{name or db['NAME']}"
