"""All settings come from the environment; the defaults give a working demo on SQLite.

Read by every process (web, worker, CLI, tests).  Production: set ARRIVAL_ENV=production,
SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL.
"""

import importlib.util
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PRODUCTION = os.environ.get("ARRIVAL_ENV", "development") == "production"
DEBUG = env_bool("DEBUG", False)
if PRODUCTION and DEBUG:
    # Debug pages show settings, queries and tracebacks to anyone: never on a public site.
    raise ImproperlyConfigured("DEBUG must be off when ARRIVAL_ENV=production: unset DEBUG or set DEBUG=false.")

DATA_DIR = Path(os.environ.get("ARRIVAL_DATA_DIR", BASE_DIR / "data"))
DATA_DIR.mkdir(parents=True, exist_ok=True)

_DEV_SECRET = "dev-only-insecure-key-never-used-in-production"  # noqa: S105 - refused below in production
SECRET_KEY = os.environ.get("SECRET_KEY", "" if PRODUCTION else _DEV_SECRET)
if PRODUCTION and (not SECRET_KEY or SECRET_KEY == _DEV_SECRET):
    raise RuntimeError("SECRET_KEY must be set when ARRIVAL_ENV=production")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rules.apps.AutodiscoverRulesConfig",
    "ninja",
    # Arrival, in dependency order (docs/architecture.md)
    "arrival.core",
    "arrival.frameworks",
    "arrival.actors",
    "arrival.accounts",
    "arrival.engagement",
    "arrival.reports",
    "arrival.assessments",
    "arrival.practices",
    "arrival.consultations",
    "arrival.commitments",
    "arrival.participation",
    "arrival.planning",
]

MIDDLEWARE = [
    "arrival.core.middleware.RequestSizeMiddleware",  # first: refuses an oversized body before anything reads it
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "arrival.accounts.middleware.SecondFactorMiddleware",
    "arrival.accounts.middleware.TimeZoneMiddleware",
    "arrival.engagement.middleware.WorkCountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "arrival.accounts.middleware.SignInSlowDownMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "arrival" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "arrival.core.context_processors.site",
                "arrival.engagement.context_processors.notifications",
            ],
        },
    }
]

# --- Database: SQLite file in WAL mode by default, PostgreSQL through DATABASE_URL -----------------
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'arrival.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers and the one writer work at once; IMMEDIATE avoids lock upgrades mid-transaction.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: in the database unless Redis is configured, so app servers keep no state ---------------
# Rate limits (arrival/core/ratelimit.py) count in the "throttle" cache when Redis is configured (one count
# across all servers), otherwise in a SQLite file of their own that the processes of this machine share — a
# count per request must not turn every public read into a write to the main database.
if os.environ.get("REDIS_URL"):
    _redis = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}
    CACHES = {"default": _redis, "throttle": {**_redis, "KEY_PREFIX": "throttle"}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "arrival_cache"}}
ARRIVAL_RATE_LIMIT_FILE = Path(os.environ.get("ARRIVAL_RATE_LIMIT_FILE", DATA_DIR / "rate-limits.sqlite3"))

SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Accounts and security ------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:me"
LOGOUT_REDIRECT_URL = "home"

# Login throttling: lock a username+IP pair after repeated failures for a cool-off period.
AXES_FAILURE_LIMIT = int(os.environ.get("ARRIVAL_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Sign-in from one address (password spraying: many usernames, one address) is slowed down, never locked out:
# after LIMIT failures within the cool-off, each further attempt from it waits 1, 2, 4 … seconds after the
# last failure, at most MAX_DELAY (docs/operations.md, "Sign-in records").
ARRIVAL_LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("ARRIVAL_LOGIN_ADDRESS_FAILURE_LIMIT", "20"))
ARRIVAL_LOGIN_ADDRESS_MAX_DELAY = int(os.environ.get("ARRIVAL_LOGIN_ADDRESS_MAX_DELAY", "30"))  # seconds
# The client's address: REMOTE_ADDR, or the header the deployment's own proxy sets (docs/operations.md,
# "Running behind a proxy"); no header is believed unless named here.
ARRIVAL_TRUSTED_PROXY_HEADER = os.environ.get("ARRIVAL_TRUSTED_PROXY_HEADER", "").strip()
ARRIVAL_TRUSTED_PROXY_COUNT = int(os.environ.get("ARRIVAL_TRUSTED_PROXY_COUNT", "1"))
if ARRIVAL_TRUSTED_PROXY_COUNT < 1:
    raise ImproperlyConfigured("ARRIVAL_TRUSTED_PROXY_COUNT is the number of proxies in front of Arrival: 1 or more.")
AXES_CLIENT_IP_CALLABLE = "arrival.core.http.client_address"
# Only what the lockout needs is kept (docs/operations.md, "Sign-in records"): failed attempts, deleted once
# the cool-off has passed by `accounts.prune_sign_in_records`; no log of successful sign-ins or of failures.
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"  # a translated page, not axes' bare text
OTP_TOTP_ISSUER = "Arrival"  # the name authenticator apps show next to the code

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie, but admin JS may need it
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

# Content Security Policy: everything from our own origin; no inline scripts; map shapes are data.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Languages: English, French, Spanish, Arabic first; then Chinese and Russian -------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("ar", _("Arabic")),
    ("zh-hans", _("Simplified Chinese")),
    ("ru", _("Russian")),
]
LANGUAGES_BIDI = ["ar"]
LOCALE_PATHS = [BASE_DIR / "arrival" / "locale"]
FORMAT_MODULE_PATH = ["arrival.formats"]  # international English and Arabic digit grouping (arrival/formats)
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

# --- Static and media ------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("ARRIVAL_STATIC_ROOT", DATA_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it even before collectstatic
# Leaflet's files come from the django-leaflet package; its Django app is not installed because its admin
# widgets need GDAL, which Arrival does not use.
_LEAFLET_SPEC = importlib.util.find_spec("leaflet")
if _LEAFLET_SPEC is None or not _LEAFLET_SPEC.submodule_search_locations:
    raise ImproperlyConfigured("The django-leaflet package is missing: run scripts/bootstrap.")
_LEAFLET_STATIC = Path(_LEAFLET_SPEC.submodule_search_locations[0]) / "static"
STATICFILES_DIRS = [BASE_DIR / "arrival" / "static", _LEAFLET_STATIC]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("ARRIVAL_MEDIA_ROOT", DATA_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": os.environ.get(
            "ARRIVAL_STATICFILES_STORAGE", "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "arrival@localhost")

# --- Arrival ---------------------------------------------------------------------------------------
ARRIVAL_DATA_LICENCE = os.environ.get("ARRIVAL_DATA_LICENCE", "CC BY 4.0")
# Whom the API's OpenAPI document names as its contact (`info.contact`).
ARRIVAL_CONTACT_NAME = os.environ.get("ARRIVAL_CONTACT_NAME", "Arrival")
ARRIVAL_CONTACT_EMAIL = os.environ.get("ARRIVAL_CONTACT_EMAIL", DEFAULT_FROM_EMAIL)
ARRIVAL_API_PAGE_SIZE = 50
ARRIVAL_API_RATE_ANON = os.environ.get("ARRIVAL_API_RATE_ANON", "120/min")
ARRIVAL_API_RATE_USER = os.environ.get("ARRIVAL_API_RATE_USER", "600/min")
# Comments a person may post (engagement), counted in the "throttle" cache: "<count>/<s|m|h|d>".
ARRIVAL_POST_RATE = os.environ.get("ARRIVAL_POST_RATE", "10/m")
# The one public address every link in a notification or e-mail starts with (digests, reminders, guests' links).
# Outside production it is where `arrival demo` serves; production must name its own public address.
ARRIVAL_SITE_URL = os.environ.get("ARRIVAL_SITE_URL", "" if PRODUCTION else "http://127.0.0.1:8000").rstrip("/")
if PRODUCTION and (not ARRIVAL_SITE_URL.startswith("https://")
                   or any(host in ARRIVAL_SITE_URL for host in ("//localhost", "//127.", "//[::1]"))):
    raise RuntimeError("ARRIVAL_SITE_URL must be the public https:// address when ARRIVAL_ENV=production")
# Background jobs (docs/operations.md): EAGER runs each job in the enqueuing process right after commit
# (tests, or a demo without `arrival worker`); a running job with no heartbeat for STALE seconds is
# requeued or failed; finished jobs are kept KEEP_DAYS.
ARRIVAL_JOBS_EAGER = env_bool("ARRIVAL_JOBS_EAGER", False)
ARRIVAL_JOBS_STALE_SECONDS = int(os.environ.get("ARRIVAL_JOBS_STALE_SECONDS", "300"))
ARRIVAL_JOBS_POLL_SECONDS = float(os.environ.get("ARRIVAL_JOBS_POLL_SECONDS", "1"))
ARRIVAL_JOBS_KEEP_DAYS = int(os.environ.get("ARRIVAL_JOBS_KEEP_DAYS", "90"))
ARRIVAL_ATTACHMENT_MAX_BYTES = int(os.environ.get("ARRIVAL_ATTACHMENT_MAX_BYTES", str(20 * 1024 * 1024)))
# Request bodies (docs/operations.md, "Request size limits"): a body announcing more than the largest attachment
# plus room for the form's other fields is refused with 413 before it is read; bodies without a length with 411.
# Form fields and JSON bodies are read into memory up to DATA_UPLOAD_MAX_MEMORY_SIZE (larger: 400); uploaded
# files above FILE_UPLOAD_MAX_MEMORY_SIZE go to a temporary file, which the cap above keeps bounded.
ARRIVAL_REQUEST_MAX_BYTES = int(os.environ.get("ARRIVAL_REQUEST_MAX_BYTES",
                                               str(ARRIVAL_ATTACHMENT_MAX_BYTES + 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 10

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
