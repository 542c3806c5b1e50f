"""No query string in any log line: a query string (or a referring page's URL) can carry personal data, and
logs are kept longer and read by more people than the data themselves.

StripQueryStrings is on every handler of settings.LOGGING (Django's request and development-server logs
included) and on gunicorn's error log (config/gunicorn.py, whose access log format names the path only).
"""
import logging
import re

# A URL or an absolute path followed by `?...`: the path stays, the query string goes.
_URL_WITH_QUERY = re.compile(r"((?:[a-zA-Z][a-zA-Z0-9+.-]*://[^\s?#\"'<>]*)|(?:/[^\s?#\"'<>]*))\?[^\s#\"'<>]*")


def strip_query_strings(text: str) -> str:
    """'GET /casussen/?q=Kuiper HTTP/1.1' -> 'GET /casussen/ HTTP/1.1'."""
    return _URL_WITH_QUERY.sub(r"\1", text)


class StripQueryStrings(logging.Filter):
    """Rewrites a record's message without query strings (never drops the record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to the formatter to report
            return True
        cleaned = strip_query_strings(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True
