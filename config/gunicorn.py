"""gunicorn in production (Dockerfile, docker-compose.yml): `gunicorn --config=config/gunicorn.py config.wsgi:application`.

The access log names the path without its query string: %(U)s, never the request line %(r)s, the query
%(q)s or the Referer %(f)s (a previous page's URL). A query string can carry personal data, and access logs
outlive it. gunicorn's own error log gets the same filter as Django's logs (common.log_filters).
Options given on the command line (bind, workers, timeout) override the defaults here.
"""
bind = "0.0.0.0:8000"
workers = 3
timeout = 60
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'


def post_worker_init(worker):
    """An invalid request is logged with its request line: strip the query string there too."""
    from common.log_filters import StripQueryStrings

    worker.log.error_log.addFilter(StripQueryStrings())
    worker.log.access_log.addFilter(StripQueryStrings())
