"""Settings for the newsroom fact-checking desk.

One file, driven by environment variables. The small helpers below fail loudly on a bad
value instead of guessing, so a typo in production configuration stops the process at boot.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from newsroom import task_limits

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_networks(name: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    networks = []
    for item in env_list(name):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(f"{name}: {item!r} is not a CIDR network") from exc
    return networks


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    # The key below is public (it is in the repository): only development (`make run` sets
    # DEBUG=1) and the test run (pytest sets PYTEST_VERSION) may use it.
    if not DEBUG and not os.environ.get("PYTEST_VERSION"):
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off: set SECRET_KEY to a long random "
            "value (the Docker image makes one and keeps it), or DEBUG=1 for development."
        )
    SECRET_KEY = "dev-insecure-change-me-0123456789abcdefghijklmnopqrstuvwxyz"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "pgtrigger",
    "pghistory",
    "django_htmx",
    "template_partials",
    "annotations",
]

MIDDLEWARE = [
    "newsroom.middleware.ServerTimingMiddleware",
    # First the redirect to HTTPS (SECURE=1): no answer, not even a cached one, skips it.
    "django.middleware.security.SecurityMiddleware",
    "newsroom.middleware.QueuePollMiddleware",
    "newsroom.middleware.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The staff's chosen language (cookie, then the browser's), the desk's on public pages.
    "newsroom.middleware.DeskLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, handed the user read with the session (no query of its own).
    "annotations.auth.SessionUserMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "newsroom.middleware.UnstorableInputMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "newsroom.middleware.ContentSecurityPolicyMiddleware",
    # DEBUG only: a readable 404 page with the routes (Django's own is styled inline).
    "newsroom.middleware.DebugNotFoundMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

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
                "annotations.context_processors.desk",
            ],
        },
    },
]

# PostgreSQL only: DATABASE_URL, else the local server on 127.0.0.1:5432.
# `make run` and `make test` start an embedded server and set DATABASE_URL when neither exists.
DATABASE_URL = env_str("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/newsroom")
DATABASES = {
    # Persistent connections are checked before reuse: a PostgreSQL restart costs no request.
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL", "")
CACHES = {
    "default": (
        {
            # A Redis that is down is a cache miss, not an error (newsroom/cache.py).
            "BACKEND": "newsroom.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Sessions live in the database and are read in one statement with the logged-in user, their
# roles and desks (annotations/sessions.py says why not signed cookies or a cache).
SESSION_ENGINE = "annotations.sessions"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["annotations.auth.RoleAwareModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "annotations:article_list"
LOGOUT_REDIRECT_URL = "login"
# Failed logins per (username, client address) before the login form refuses for a while.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", 900)

# The languages the interface speaks (the Spanish catalogue is locale/es/LC_MESSAGES/django.po).
# English keeps the en-gb code: dates read "3 December 2015".
LANGUAGES = [("en-gb", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
_DESK_LANGUAGES = {"en": "en-gb", "en-gb": "en-gb", "es": "es"}
_desk_language = env_str("DESK_LANGUAGE", "en").strip().lower()
if _desk_language not in _DESK_LANGUAGES:
    raise ImproperlyConfigured(f"DESK_LANGUAGE must be en or es, got {_desk_language!r}")
# The desk's language: every public page (/checks/, the API) is in it whatever the reader's
# browser asks, so one cached copy serves everyone; staff start in it until they choose
# another with the switch in the header; e-mails and worker messages use it.
DESK_LANGUAGE = LANGUAGE_CODE = _DESK_LANGUAGES[_desk_language]
# The staff's choice is kept in this cookie for a year (Django's set_language view sets it).
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# The Docker image collects static files and serves them with WhiteNoise from gunicorn;
# `make run` (DEBUG) and the tests serve them straight from the app folders.
COLLECTED_STATIC = env_bool("STATIC_MANIFEST", False)
if COLLECTED_STATIC:
    MIDDLEWARE.insert(4, "whitenoise.middleware.WhiteNoiseMiddleware")  # after SecurityMiddleware
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if COLLECTED_STATIC
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Security headers. HTTPS-only settings switch on with SECURE=1 (docker-compose sets it).
SECURE = env_bool("SECURE", False)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
LANGUAGE_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31_536_000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
# The admin's templates carry style attributes of their own; its scripts are files.
ADMIN_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)

# Where the desk is reached from outside (links in e-mails), and how it sends mail. The
# console backend prints mail in development; set EMAIL_URL-style settings in production.
SITE_URL = env_str("SITE_URL", "http://localhost:8000")
# The desk's public identity: ClaimReview's author, the Atom feed, Open Graph tags.
SITE_NAME = env_str("SITE_NAME", "Fact-check desk")
SITE_LOGO_URL = env_str("SITE_LOGO_URL", "")
# Public pages: how long browsers and shared caches may reuse a page before revalidating
# (cheap: a 304). Publishing, correcting or retracting changes every ETag at once.
PUBLIC_MAX_AGE = env_int("PUBLIC_MAX_AGE", 60)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Fact-check desk <desk@localhost>")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10

# Related coverage. Every endpoint is configurable so tests point it at a local server.
COVERAGE_GDELT_URL = env_str("COVERAGE_GDELT_URL", "https://api.gdeltproject.org/api/v2/doc/doc")
COVERAGE_NEWSAPI_URL = env_str("COVERAGE_NEWSAPI_URL", "https://newsapi.org/v2/everything")
COVERAGE_NEWSAPI_KEY = env_str("COVERAGE_NEWSAPI_KEY", "")
COVERAGE_SEARCH_TEMPLATES = env_list("COVERAGE_SEARCH_TEMPLATES", "")  # ...?q={query}&format=rss
COVERAGE_MAX_PER_PROVIDER = env_int("COVERAGE_MAX_PER_PROVIDER", 25)
COVERAGE_MAX_ARTICLES = env_int("COVERAGE_MAX_ARTICLES", 60)
COVERAGE_CONCURRENCY = env_int("COVERAGE_CONCURRENCY", 20)  # fetches at once, in all
COVERAGE_PER_HOST = env_int("COVERAGE_PER_HOST", 3)  # fetches at once from one host
COVERAGE_FETCH_RETRIES = env_int("COVERAGE_FETCH_RETRIES", 1)  # transient errors only
COVERAGE_FEED_MAX_BYTES = env_int("COVERAGE_FEED_MAX_BYTES", 2 * 1024 * 1024)
# Sentence similarity by meaning when the `paraphrase` extra is installed (off: words alone).
COVERAGE_PARAPHRASE = env_bool("COVERAGE_PARAPHRASE", True)

# Celery. REDIS_URL is the broker; CELERY_BROKER_URL overrides it (`make run` sets an
# embedded filesystem broker when no Redis answers). Never eager in the running app.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or "redis://127.0.0.1:6379/0")
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = Path(env_str("CELERY_FILESYSTEM_BROKER_DIR", str(BASE_DIR / ".data" / "broker")))
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        # Exchange bindings; kombu's default is a `control` folder in the working directory.
        "control_folder": str(_broker_dir / "control"),
    }
else:
    # A message taken by a worker that then died outright (a pool process's death puts it back
    # at once) is handed out again after the visibility timeout. It outlasts every task that
    # runs without a lease, or one still running would start a second time: their hard time
    # limit (newsroom/task_limits.py, 75 s) plus 20 s. (A leased job's second delivery stands
    # down while its holder lives.) Workers look for such messages every 10 s (kombu's
    # default throttle looks only every 100 s), so a lost worker's task is back within about
    # 105 s of being taken. Jobs with a lease come back through the sweep below.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env_int(
            "CELERY_VISIBILITY_TIMEOUT", task_limits.LONGEST_UNLEASED_HARD + 20, minimum=1
        ),
        "unacked_restore_interval": 10,
        "unacked_restore_throttle": 1,
    }
# The queue tasks go to, chained steps included (tests give each worker a queue of its own).
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = task_limits.SHORT.soft  # tasks that name none of their own
CELERY_TASK_TIME_LIMIT = task_limits.SHORT.hard
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A request that queues work waits at most about a second for a broker that is down
# (annotations/queueing.py); the job stays stored and the sweep sends it later.
CELERY_BROKER_CONNECTION_TIMEOUT = 2

# The change watch (annotations.ingest.watch): beat asks every WATCH_CHECK_EVERY_SECONDS
# which articles are due; each article is due WATCH_INTERVAL_HOURS after its last check,
# doubled for every check in a row that found no change, at most WATCH_MAX_INTERVAL_DAYS.
WATCH_CHECK_EVERY_SECONDS = env_int("WATCH_CHECK_EVERY_SECONDS", 900, minimum=1)
WATCH_INTERVAL_HOURS = env_int("WATCH_INTERVAL_HOURS", 24, minimum=1)
WATCH_MAX_INTERVAL_DAYS = env_int("WATCH_MAX_INTERVAL_DAYS", 14, minimum=1)
# No job left behind (annotations/jobs): a task running an import or a coverage step
# refreshes its job's heartbeat every JOB_HEARTBEAT_SECONDS. Beat runs the sweep every
# JOB_SWEEP_EVERY_SECONDS; it queues a job again when its heartbeat stopped for
# JOB_HEARTBEAT_STALE_SECONDS (the worker is gone) or when it waited JOB_QUEUED_GRACE_SECONDS
# with no worker on it (the message was lost), at most JOB_MAX_REQUEUES times, and then fails
# it with the reason. So a job whose worker died runs again within about 45 + 30 s, and a
# lost one within 180 + 30 s.
JOB_SWEEP_EVERY_SECONDS = env_int("JOB_SWEEP_EVERY_SECONDS", 30, minimum=1)
JOB_HEARTBEAT_SECONDS = env_int("JOB_HEARTBEAT_SECONDS", 10, minimum=1)
JOB_HEARTBEAT_STALE_SECONDS = env_int("JOB_HEARTBEAT_STALE_SECONDS", 45, minimum=1)
JOB_QUEUED_GRACE_SECONDS = env_int("JOB_QUEUED_GRACE_SECONDS", 180, minimum=1)
JOB_MAX_REQUEUES = env_int("JOB_MAX_REQUEUES", 3, minimum=0)
if JOB_HEARTBEAT_STALE_SECONDS < 3 * JOB_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured(
        "JOB_HEARTBEAT_STALE_SECONDS must be at least three heartbeats (3 x JOB_HEARTBEAT_SECONDS)"
    )
CELERY_BEAT_SCHEDULE = {
    "watch-articles": {
        "task": "annotations.watch_articles",
        "schedule": float(WATCH_CHECK_EVERY_SECONDS),
        # A beat tick that no worker took before the next one is worthless: drop it.
        "options": {"expires": float(WATCH_CHECK_EVERY_SECONDS)},
    },
    "sweep-jobs": {
        "task": "annotations.sweep_jobs",
        "schedule": float(JOB_SWEEP_EVERY_SECONDS),
        "options": {"expires": float(JOB_SWEEP_EVERY_SECONDS)},
    },
}

# Outbound fetching (articles, sources, related coverage): one guarded client for all of it.
# FETCH_ALLOW_NETWORKS lets named CIDRs through the private-address guard; it is empty in
# production and is how tests reach their own server on 127.0.0.1.
FETCH_ALLOW_NETWORKS = env_networks("FETCH_ALLOW_NETWORKS")
FETCH_CONNECT_TIMEOUT = float(env_int("FETCH_CONNECT_TIMEOUT_MS", 5000)) / 1000
FETCH_READ_TIMEOUT = float(env_int("FETCH_READ_TIMEOUT_MS", 10000)) / 1000
FETCH_TOTAL_TIMEOUT = float(env_int("FETCH_TOTAL_TIMEOUT_MS", 30000)) / 1000
FETCH_MAX_BYTES = env_int("FETCH_MAX_BYTES", 5 * 1024 * 1024)
FETCH_MAX_REDIRECTS = env_int("FETCH_MAX_REDIRECTS", 5)
FETCH_USER_AGENT = env_str(
    "FETCH_USER_AGENT", "NewsroomFactCheck/0.1 (+https://example.org/fact-check-desk)"
)

# Article import limits.
IMPORT_MAX_UPLOAD_BYTES = env_int("IMPORT_MAX_UPLOAD_BYTES", 5 * 1024 * 1024)
IMPORT_MAX_TEXT_CHARS = env_int("IMPORT_MAX_TEXT_CHARS", 2_000_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = IMPORT_MAX_TEXT_CHARS * 4 + 1024 * 1024  # pasted text is UTF-8

# Dotted path of the check-worthiness scorer; a model-backed scorer can replace the heuristic.
CHECKWORTHINESS_SCORER = env_str(
    "CHECKWORTHINESS_SCORER", "annotations.ingest.checkworthiness.HeuristicScorer"
)
CHECKWORTHY_THRESHOLD = env_int("CHECKWORTHY_THRESHOLD", 55)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"httpx": {"level": "WARNING"}, "httpcore": {"level": "WARNING"}},
}
