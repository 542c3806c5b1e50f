"""Settings shared by every environment. Every knob comes from the environment (see README)."""
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")

INSTALLED_APPS = [
    "cases.admin_site.WijkregieAdminConfig",  # django.contrib.admin with the beheerder site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served locally (no CDN; CSP-friendly split view)
    "pgtrigger",  # database triggers declared on the models (the case state machine, ...)
    "common",  # the bottom layer: API conventions, API clients, audit log, validators, exports
    "cases",
    "zrm",
    "reporting",
    "reporting.mkba",
    "demo",  # demo data and the seed_demo / demo_logins commands; the top layer
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Personal data in a query string: refused before anything reads, logs or redirects with it.
    "common.middleware.NoPersonalDataInUrlMiddleware",
    "common.middleware.ApiErrorsAsProblemsMiddleware",  # under /api/ every error is problem details
    "config.db_errors.DatabaseUnavailableMiddleware",  # database gone: a Dutch 503 page or problem details
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "cases.middleware.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "common.api.conventions.ApiVersionMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # login throttling and lockout
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cases.context_processors.staff",
            ],
        },
    },
]

# PostgreSQL is the only database. DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/wijkregie;
# without it, the embedded development server that `make run` / `make test` start (config/embedded_postgres.py).
def _database_url() -> str:
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    try:
        from config import embedded_postgres
    except ImportError:  # the production image installs requirements.txt only
        embedded_postgres = None
    running = embedded_postgres.url() if embedded_postgres else None
    if not running:
        raise ImproperlyConfigured(
            "DATABASE_URL is niet gezet en de ingebouwde PostgreSQL draait niet. Gebruik `make run` of `make test`, "
            "start hem met `python -m config.embedded_postgres start`, of zet DATABASE_URL=postgres://...")
    return running


DATABASES = {
    "default": dj_database_url.parse(
        _database_url(),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        conn_health_checks=True,  # a persistent connection that died (database restart) is replaced, not used
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands")]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# NL Design System CSS and chart library come from npm (package.json); `make install` fetches them.
STATICFILES_DIRS = [("vendor", BASE_DIR / "node_modules")] if (BASE_DIR / "node_modules").exists() else []

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions end after 30 minutes without a request, and when the browser closes.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content Security Policy: only our own scripts, styles and images (no inline script anywhere).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Login throttling and lockout (django-axes): after AXES_FAILURE_LIMIT failures for a username,
# that account is locked for AXES_COOLOFF_MINUTES.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
# Per username, and per username from one address; never a whole address: colleagues behind the same
# gateway keep signing in while one account is locked.
AXES_LOCKOUT_PARAMETERS = ["username", ["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_VERBOSE = False

# Two-factor authentication (TOTP) for every staff login. Only development may switch it off.
REQUIRE_2FA = env_bool("WIJKREGIE_REQUIRE_2FA", True)
OTP_TOTP_ISSUER = "Wijkregie"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "wijkregie@localhost")
# SMTP, used when EMAIL_BACKEND is django.core.mail.backends.smtp.EmailBackend (Django's defaults).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)

# Cache (throttling, login lockout): Redis when REDIS_URL is set, else in-process memory.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}
        if os.environ.get("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# BSN at rest (cases/crypto.py): Fernet keys, newest first, and the key of the lookup hash.
# Unset (development, tests): both derived from SECRET_KEY. Production requires them.
BSN_ENCRYPTION_KEYS = env_list("BSN_ENCRYPTION_KEYS")
BSN_HASH_KEY = os.environ.get("BSN_HASH_KEY", "")

# Audit log (common/audit_chain.py, common/audit_checkpoint.py). AUDIT_CHAIN_KEYS: comma-separated
# "<key id>:<secret>" HMAC keys, newest first: the first seals new rows and signs checkpoints, every one listed
# verifies what it sealed. Development and tests use a fixed key; production requires them.
AUDIT_CHAIN_KEYS = env_list("AUDIT_CHAIN_KEYS")
DEV_AUDIT_CHAIN_KEY = "dev:wijkregie-development-audit-chain-key-not-secret"  # local.py and test.py only
# Rows are sealed right after the commit that appended them (never waiting: pg_try_advisory_xact_lock) and,
# with a worker, every few seconds by beat.
AUDIT_SEAL_AFTER_COMMIT = env_bool("AUDIT_SEAL_AFTER_COMMIT", True)
# Signed checkpoints (sequence number, head hash, time) outside the database, hourly and at every backup:
# appended to AUDIT_CHECKPOINT_FILE ("file") or sent to syslog ("syslog", AUDIT_CHECKPOINT_SYSLOG_ADDRESS:
# a socket path or host:port).
AUDIT_CHECKPOINT_SINK = os.environ.get("AUDIT_CHECKPOINT_SINK", "file")
AUDIT_CHECKPOINT_FILE = os.environ.get("AUDIT_CHECKPOINT_FILE") or str(BASE_DIR / "var" / "audit-checkpoints.log")
AUDIT_CHECKPOINT_SYSLOG_ADDRESS = os.environ.get("AUDIT_CHECKPOINT_SYSLOG_ADDRESS", "/dev/log")
if AUDIT_CHECKPOINT_SINK not in {"file", "syslog"}:
    raise ImproperlyConfigured("AUDIT_CHECKPOINT_SINK must be 'file' or 'syslog'.")

# --- Celery -------------------------------------------------------------------------------
# REDIS_URL, e.g. redis://127.0.0.1:6379/0; unset: tasks run in-process (eager).
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
# Redelivery: a message is acknowledged only after its task ran (every task is idempotent). When the
# pool process running it dies (SIGKILL, out of memory) the worker puts it back on the queue at once
# (reject on worker lost); a worker lost as a whole gets its messages back from Redis after the
# visibility timeout, which must stay above every task's time limit (else a task still running is
# delivered twice; reporting.services.STALE_RUN_AFTER relies on it). Prefetch 1: no message waits
# in a busy worker. tests/reliability/test_worker_killed.py kills a worker in the middle of a rebuild.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60 * 60}
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 30 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 25 * 60)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {
    # Each director's daily e-mail of due and overdue ZRM measurements (idempotent per day).
    "zrm-send-due-digest": {"task": "zrm.tasks.send_due_digest", "schedule": crontab(hour=7, minute=0)},
    # MKBA: every team's (and the all-teams) scenarios of this and last year recomputed from the registration.
    "mkba-recompute-nightly": {"task": "reporting.mkba.tasks.recompute_all", "schedule": crontab(hour=2, minute=30)},
    # Progress engine: every fact, progress row and aggregate cell rebuilt in one transaction (reporting.services).
    "reporting-rebuild-aggregates": {"task": "reporting.tasks.rebuild_aggregates",
                                     "schedule": crontab(hour=env_int("WIJKREGIE_REBUILD_HOUR", 2), minute=0)},
    # Retention: anonymise households whose last case closed WIJKREGIE_RETENTION_YEARS ago (idempotent).
    "cases-apply-retention": {"task": "cases.tasks.apply_retention", "schedule": crontab(hour=3, minute=30)},
    # Audit log: chain the rows appended since into the keyed chain (a missed run is simply dropped).
    "common-seal-audit-log": {"task": "common.tasks.seal_audit_log", "schedule": 5.0, "options": {"expires": 5}},
    # Audit log: a signed checkpoint outside the database every hour (make backup writes one as well).
    "common-audit-checkpoint": {"task": "common.tasks.write_audit_checkpoint", "schedule": crontab(minute=0)},
}

# --- REST framework ------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "common.api.authentication.ApiClientAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "common.api.scopes.ScopePermission",  # machine clients: the view's required_scopes
        "cases.permissions.StaffRolePermission",  # staff sessions: the view's staff_roles
    ],
    # Machine clients and staff sessions each have a rate; failed tokens count per source address
    # (common.api.throttling). NUM_PROXIES: reverse proxies in front whose X-Forwarded-For is trusted.
    "DEFAULT_THROTTLE_CLASSES": ["common.api.throttling.ApiClientRateThrottle",
                                 "common.api.throttling.StaffSessionRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "api_client": os.environ.get("API_CLIENT_RATE", "1200/min"),
        "staff_session": os.environ.get("STAFF_API_RATE", "600/min"),
        "invalid_token": os.environ.get("API_INVALID_TOKEN_RATE", "20/hour"),
    },
    "NUM_PROXIES": env_int("WIJKREGIE_TRUSTED_PROXIES", 0),
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Every API error is problem details (RFC 9457) with invalid-params (NL API Design Rules).
    "EXCEPTION_HANDLER": "common.api.problems.problem_details_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Wijkregie API",
    "DESCRIPTION": "Registratie en geaggregeerde sturingsinformatie voor wijkteams.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SCHEMA_PATH_PREFIX_TRIM": True,  # paths relative to the server URL, which carries the major version
    "COMPONENT_SPLIT_REQUEST": True,
    # NL API Design Rules (/core/uri-version, /core/doc-openapi-contact): the API over https with its major version,
    # and whom to ask. The committed document names the installation's host as a variable; the document served at
    # /api/v1/openapi.json names the address it was fetched from (common/api/openapi.py).
    "SERVERS": [{
        "url": "https://{host}/api/v1",
        "description": "De Wijkregie-installatie van uw gemeente.",
        "variables": {"host": {"default": "wijkregie.example.nl",
                               "description": "De hostnaam van de installatie (een van ALLOWED_HOSTS)."}},
    }],
    "CONTACT": {
        "name": os.environ.get("WIJKREGIE_API_CONTACT_NAME", "Functioneel beheer Wijkregie"),
        "email": os.environ.get("WIJKREGIE_API_CONTACT_EMAIL", "wijkregie@example.nl"),
        "url": os.environ.get("WIJKREGIE_API_CONTACT_URL", "https://wijkregie.example.nl"),
    },
    # Every tag an operation uses, with what it is about (the ADR test fails on an undeclared one).
    "TAGS": [
        {"name": "casussen", "description": "Meldingen en casussen van uw teams: registreren, eerste contact, regie "
                                            "overdragen, afsluiten en heropenen, en per casus de plannen, trajecten, "
                                            "escalaties en ZRM-metingen."},
        {"name": "huishoudens", "description": "Huishoudens met een casus van uw teams, hun adres en hun leden."},
        {"name": "personen", "description": "Personen in huishoudens van uw teams; zoeken op BSN gaat met POST, "
                                            "zodat het BSN nooit in een URL staat."},
        {"name": "plannen", "description": "Het plan van aanpak van een casus: doelen, afspraken, redenen zonder "
                                           "doel, netwerkanalyse, vaststellen en evalueren."},
        {"name": "trajecten", "description": "Trajecten (interventies) van een casus."},
        {"name": "zrm-metingen", "description": "Metingen met de Zelfredzaamheid-Matrix (ZRM) en het vaststellen "
                                                "ervan."},
        {"name": "regiecheck", "description": "Wie heeft de regie over het huishouden van een persoon? Alleen "
                                              "wie-informatie, met BSN, geboortedatum en adres."},
        {"name": "imports", "description": "Registraties in bulk importeren uit een XLSX- of CSV-bestand."},
        {"name": "aggregaten", "description": "Geaggregeerde sturingsinformatie voor de gemeente; kleine aantallen "
                                              "zijn onderdrukt (scope aggregaten.lezen)."},
        {"name": "onderzoeksbestand", "description": "Het gepseudonimiseerde onderzoeksbestand (scope "
                                                     "onderzoek.lezen); elke opvraging wordt met het doel gelogd."},
        {"name": "mkba", "description": "Maatschappelijke kosten-batenanalyse: een berekening uit een "
                                        "invoerdocument (scope mkba.lezen)."},
        {"name": "openapi", "description": "Dit OpenAPI-document, vrij op te halen (ook vanuit andere origins)."},
    ],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "common.api.openapi.nl_api_design_rules",
    ],
}

# --- Domain settings (DOMAIN.md; each a municipality's own norm) ----------------------------
WIJKREGIE = {
    # Household type: members at home of this age or older count as "ouderen".
    "SENIOR_AGE": env_int("WIJKREGIE_SENIOR_AGE", 65),
    # Norm: first contact within this many days of the melding.
    "FIRST_CONTACT_DAYS": env_int("WIJKREGIE_FIRST_CONTACT_DAYS", 14),
    # Norm: plan within this many days of the melding.
    "PLAN_DAYS": env_int("WIJKREGIE_PLAN_DAYS", 42),
    # Norm: nulmeting this many days after the melding.
    "NULMETING_DAYS": env_int("WIJKREGIE_NULMETING_DAYS", 42),
    # A new melding within this many days after closing is linked as a reopening.
    "REOPEN_WINDOW_DAYS": env_int("WIJKREGIE_REOPEN_WINDOW_DAYS", 365),
    # Plan: vaststellen needs a finalised ZRM of every covered person at most this many days old.
    "PLAN_ZRM_MAX_AGE_DAYS": env_int("WIJKREGIE_PLAN_ZRM_MAX_AGE_DAYS", 30),
    # Light support by the team itself: hours per case per month above which a warning shows (Leeuwarden: 8).
    "LIGHT_SUPPORT_MONTHLY_CAP_HOURS": env_int("WIJKREGIE_LIGHT_SUPPORT_MONTHLY_CAP_HOURS", 8),
    # Cells below this count are suppressed ("<5") wherever data leave the team.
    "SMALL_CELL_THRESHOLD": env_int("WIJKREGIE_SMALL_CELL_THRESHOLD", 5),
    # ZRM (zrm app): a domain scored at most this is a problem domain ("onvoldoende zelfredzaam").
    "ZRM_PROBLEM_MAX_SCORE": env_int("WIJKREGIE_ZRM_PROBLEM_MAX_SCORE", 3),
    # ZRM: a domain scored at most this is acute.
    "ZRM_ACUTE_SCORE": env_int("WIJKREGIE_ZRM_ACUTE_SCORE", 1),
    # ZRM: a domain scored at most this is "niet zelfredzaam" (household category meervoudig niet-zelfredzaam).
    "ZRM_NOT_SELF_RELIANT_MAX_SCORE": env_int("WIJKREGIE_ZRM_NOT_SELF_RELIANT_MAX_SCORE", 2),
    # ZRM: on a benefit (uitkering), Financiën above this score gives a warning.
    "ZRM_BENEFIT_FINANCIEN_MAX_SCORE": env_int("WIJKREGIE_ZRM_BENEFIT_FINANCIEN_MAX_SCORE", 3),
    # ZRM: must every domain get a score 1-5 before vaststellen? Default off (Autoriteit Persoonsgegevens 2018).
    "ZRM_REQUIRE_ALL_DOMAINS": env_bool("WIJKREGIE_ZRM_REQUIRE_ALL_DOMAINS", False),
    # ZRM: a measurement may be dated at most this many days before the melding.
    "ZRM_DAYS_BEFORE_MELDING": env_int("WIJKREGIE_ZRM_DAYS_BEFORE_MELDING", 30),
    # ZRM schedule: tussenmetingen this many months after the nulmeting.
    "ZRM_TUSSENMETING_MONTHS": [int(m) for m in env_list("WIJKREGIE_ZRM_TUSSENMETING_MONTHS", "6,12,18")],
    # ZRM schedule: is an afsluiting measurement due when a case closes?
    "ZRM_AFSLUITING_REQUIRED": env_bool("WIJKREGIE_ZRM_AFSLUITING_REQUIRED", False),
    # ZRM digest: items due within this many days are listed beside the overdue ones.
    "ZRM_DIGEST_LOOKAHEAD_DAYS": env_int("WIJKREGIE_ZRM_DIGEST_LOOKAHEAD_DAYS", 14),
    # Absolute address of the app, for links in e-mails.
    "SITE_URL": os.environ.get("WIJKREGIE_SITE_URL", "http://127.0.0.1:8000"),
    # Reporting: persons younger than this are "jeugd" (age groups jeugd / volwassenen / ouderen from SENIOR_AGE).
    "YOUTH_AGE": env_int("WIJKREGIE_YOUTH_AGE", 18),
    # Reporting: a tussenmeting within this many days of its due date counts as on time.
    "ZRM_FOLLOWUP_TOLERANCE_DAYS": env_int("WIJKREGIE_ZRM_FOLLOWUP_TOLERANCE_DAYS", 30),
    # LPBL caseload norms (households per fte at full strength) per household category (DOMAIN.md §3).
    "CASELOAD_NORMS": dict(zip(
        ("enkelvoudig", "meervoudig_zelfredzaam", "meervoudig_niet_zelfredzaam", "top"),
        [int(n) for n in env_list("WIJKREGIE_CASELOAD_NORMS", "300,150,40,10")],
    )),
    # Benchmark band of open cases per fte (DOMAIN.md §3: 40-70), shown on the team leader's dashboard.
    "CASELOAD_BAND": [int(n) for n in env_list("WIJKREGIE_CASELOAD_BAND", "40,70")],
    # Break-the-glass: hours a worker may read another team's case after stating a reason (issue 8).
    "BREAK_GLASS_HOURS": env_int("WIJKREGIE_BREAK_GLASS_HOURS", 8),
    # Retention: years after a household's last case closed before its persons are anonymised and its free
    # text deleted (cases.retention; nightly beat job). 15 years; youth-care municipalities may choose 20.
    "RETENTION_YEARS": env_int("WIJKREGIE_RETENTION_YEARS", 15),
    # Research extract (reporting.research): every combination of its quasi-identifiers holds at least this
    # many persons (k-anonymity); the quasi-identifiers are generalised step by step until at most
    # RESEARCH_MAX_SUPPRESSION_PERCENT of the rows fall in smaller groups, and those rows are left out.
    "RESEARCH_K_ANONYMITY": env_int("WIJKREGIE_RESEARCH_K_ANONYMITY", 5),
    "RESEARCH_MAX_SUPPRESSION_PERCENT": env_int("WIJKREGIE_RESEARCH_MAX_SUPPRESSION_PERCENT", 5),
    # Two-factor login: hours a beheerder's one-time enrolment code for a first authenticator app stays valid.
    "ENROLMENT_CODE_HOURS": env_int("WIJKREGIE_ENROLMENT_CODE_HOURS", 24),
}

# --- MKBA (reporting.mkba, DOMAIN.md §5): assumptions of the MKBA 2.0 filled from the registration ---------
WIJKREGIE_MKBA = {
    # Share of a registered effect (prevented escalation, ZRM gain, work found) attributed to the team.
    "ATTRIBUTION": float(os.environ.get("WIJKREGIE_MKBA_ATTRIBUTION", "0.5")),
    # Share of those effects lost again through relapse (terugval).
    "RELAPSE": float(os.environ.get("WIJKREGIE_MKBA_RELAPSE", "0.2")),
    # Discount rate: 2.5% real plus a 3% risk premium.
    "DISCOUNT_RATE": float(os.environ.get("WIJKREGIE_MKBA_DISCOUNT_RATE", "0.055")),
    # Coordination: professional hours saved per intervention in a household with multiple problems.
    "COORDINATION_HOURS": float(os.environ.get("WIJKREGIE_MKBA_COORDINATION_HOURS", "0.5")),
    # Quality of life: QALY gained per person per domain (Financiën, Dagbesteding/Tijdsbesteding) that rises
    # from at most QALY_FROM_MAX_SCORE to above it.
    "QALY_PER_IMPROVEMENT": float(os.environ.get("WIJKREGIE_MKBA_QALY_PER_IMPROVEMENT", "0.05")),
    "QALY_FROM_MAX_SCORE": env_int("WIJKREGIE_MKBA_QALY_FROM_MAX_SCORE", 2),
    # Base scenario: share of the team additionally financed (not replacing earlier work), and friction share.
    "ADDITIONAL_SHARE": float(os.environ.get("WIJKREGIE_MKBA_ADDITIONAL_SHARE", "0")),
    "FRICTION_SHARE": float(os.environ.get("WIJKREGIE_MKBA_FRICTION_SHARE", "0")),
}

# Log lines never carry a query string (common.log_filters); Django's own loggers, the development server's
# request log included, write through the same filtered handler.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_query_strings": {"()": "common.log_filters.StripQueryStrings"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["no_query_strings"]}},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
