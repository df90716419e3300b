"""Settings for My City, read only from the environment (12-factor).

A fresh clone needs no environment at all: it runs on the embedded default
(SQLite file, Celery tasks executed in-process, e-mail to the console, media
in a local folder). Production sets DEBUG=false and the variables listed in
the README; a missing secret or a malformed value stops start-up with an
ImproperlyConfigured that names the variable.
"""

import re
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _file_or_env(name: str) -> str | None:
    """A value from NAME, or from the file named by NAME_FILE (Docker secrets)."""
    path = env.str(f"{name}_FILE", default="")
    if path:
        try:
            return Path(path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {path}: {exc}") from exc
    return env.str(name, default=None)


def env_bool(name: str, default: bool) -> bool:
    raw = _file_or_env(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int, minimum: int = 0) -> int:
    raw = _file_or_env(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def env_str(name: str, default: str) -> str:
    raw = _file_or_env(name)
    return default if raw is None else raw


def env_list(name: str, default: list[str]) -> list[str]:
    raw = _file_or_env(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


_RATE = re.compile(r"\d+/(second|minute|hour|day)")


def env_rate(name: str, default: str) -> str:
    """A rate limit such as 60/minute."""
    value = env_str(name, default)
    if not _RATE.fullmatch(value):
        raise ImproperlyConfigured(f"{name} must look like 60/minute, not {value!r}")
    return value


def env_url(name: str, default: str, parse):
    """Parse a *_URL variable with django-environ, naming the variable on failure."""
    raw = env_str(name, default)
    try:
        return parse(raw)
    except Exception as exc:
        # Not the value itself: it may hold a password, and this lands in logs.
        raise ImproperlyConfigured(f"{name} is not a valid URL: {exc}") from exc


DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = _file_or_env("SECRET_KEY") or ""
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is required when DEBUG is off. Set SECRET_KEY (or SECRET_KEY_FILE) "
            "to a long random string, or DEBUG=true for local development."
        )
    SECRET_KEY = "insecure-development-key-only-for-debug-mode-never-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required when DEBUG is off (comma-separated).")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
for _origin in CSRF_TRUSTED_ORIGINS:
    if not _origin.startswith(("http://", "https://")):
        raise ImproperlyConfigured(
            f"CSRF_TRUSTED_ORIGINS entries must start with http:// or https://, not {_origin!r}"
        )

SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"SITE_URL must start with http:// or https://, not {SITE_URL!r}")
SITE_NAME = env_str("SITE_NAME", "")
CITY_CODE = env_str("CITY_CODE", "KH")

INSTALLED_APPS = [
    # modeltranslation patches the admin, so it comes before it.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "csp",
    "phonenumber_field",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "mycity",
    "citizens",
    "appeals",
    "news",
    "surveys",
    "services",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Cache-Control for personal answers, Vary on the API's session token,
    # Permissions-Policy: on every response, static files included.
    "mycity.middleware.PrivacyHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages travel compressed even without a proxy that compresses (phones on
    # slow mobile data). Django's gzip adds random padding against BREACH;
    # static files are already compressed by WhiteNoise, above.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "citizens.middleware.PreferredLanguageMiddleware",
    # NUL bytes and lone surrogates in any input are a 400 in the visitor's
    # language (after the language is chosen), never a 500 further in.
    "mycity.middleware.RefuseBadInputMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After MessageMiddleware: it leaves a message when it turns staff away.
    "citizens.middleware.StaffSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "mycity.urls"
WSGI_APPLICATION = "mycity.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mycity.context_processors.site",
                "citizens.context_processors.notifications",
                "news.context_processors.alerts",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
# Persistent connections with health checks: a page must not pay for a new
# connection (measured ~4x slower without).
DATABASES = {
    "default": env_url("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}", env.db_url_config)
}
# django-environ passes an unknown scheme through as the engine's name.
if DATABASES["default"]["ENGINE"] not in env.DB_SCHEMES.values():
    raise ImproperlyConfigured(
        f"DATABASE_URL has an unknown scheme {DATABASES['default']['ENGINE']!r}: "
        "use postgres://user@host/name or sqlite:///path"
    )
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 600)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, Celery --------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(f"REDIS_URL must be a redis:// or rediss:// URL, not {REDIS_URL!r}")

if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache, with a Redis outage served as a cold cache
            # (docs/operations.md): short timeouts, so a dead Redis costs little.
            "BACKEND": "mycity.lib.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "mycity",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1, "down_seconds": 5},
        }
    }
    SESSION_ENGINE = "mycity.sessions.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "mycity.sessions.db"

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Longer than the longest task and any countdown, or Redis redelivers it.
    "visibility_timeout": 6 * 3600,
    # A Redis that hangs (no answer, connection open) would hold a request
    # that queues a task forever: publishing gives up and the sweeps catch up.
    # Longer than kombu's 1-second BRPOP, which workers wait on.
    "socket_timeout": 2,
    "socket_connect_timeout": 1,
}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "Europe/Kyiv"
# Exceptions from publishing fail fast: the outbox sweep covers a down broker.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BEAT_SCHEDULE = {
    "notifications-sweep": {"task": "citizens.tasks.sweep_outbox", "schedule": 60.0},
    # Hourly in working hours, so a missed run is made up the same day; the
    # service escalates each overdue appeal at most once per day however often it runs.
    "appeals-escalate-overdue": {
        "task": "appeals.tasks.escalate_overdue_appeals",
        "schedule": crontab(minute=5, hour="8-18"),
    },
    # Returned appeals whose author's reply time passed are closed without
    # consideration; the service closes each once however often it runs.
    "appeals-close-unanswered-returns": {
        "task": "appeals.tasks.close_unanswered_returns",
        "schedule": crontab(minute=15, hour="8-18"),
    },
}

# --- Accounts -------------------------------------------------------------
AUTH_USER_MODEL = "citizens.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "citizens:cabinet"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
# A resident who signs up twice is told so on the form (rate limits cap probing).
ACCOUNT_PREVENT_ENUMERATION = False
ACCOUNT_FORMS = {"signup": "citizens.forms.SignupForm"}
# Extra sign-up fields (full name) for the web form and the headless API alike.
ACCOUNT_SIGNUP_FORM_CLASS = "citizens.signup.SignupDetailsForm"
ACCOUNT_ADAPTER = "citizens.adapters.AccountAdapter"
SIGNUP_OPEN = env_bool("SIGNUP_OPEN", default=True)
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https://") else "http"
# allauth's rate limits need the shared cache; see "Abuse limits" below for them.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env_str("MFA_TOTP_ISSUER", "My City")

PHONENUMBER_DEFAULT_REGION = "UA"
PHONENUMBER_DB_FORMAT = "E164"

# --- E-mail ---------------------------------------------------------------
_email = env_url("EMAIL_URL", "consolemail://", env.email_url_config)
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = _file_or_env("EMAIL_HOST_PASSWORD") or _email.get("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS"))
EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL"))
EMAIL_FILE_PATH = _email.get("EMAIL_FILE_PATH") or None
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "My City <noreply@localhost>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
ADMINS = [("Admins", a) for a in env_list("ADMIN_EMAILS", [])]

# --- Languages ------------------------------------------------------------
LANGUAGE_CODE = "uk"
LANGUAGES = [("uk", "Українська"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/Kyiv"
MODELTRANSLATION_DEFAULT_LANGUAGE = "uk"
MODELTRANSLATION_LANGUAGES = ("uk", "en")
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("uk",), "uk": ("en",)}

# --- Static and media -----------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_FINDERS = [
    "mycity.staticfiles.FileSystemFinder",  # STATICFILES_DIRS minus unused vendored builds
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
# Front-end libraries come from npm (package-lock.json) and are served as our
# own static files: nothing is loaded from a CDN.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/leaflet", BASE_DIR / "node_modules" / "leaflet" / "dist"),
    ("vendor/markercluster", BASE_DIR / "node_modules" / "leaflet.markercluster" / "dist"),
    ("vendor/swagger-ui", BASE_DIR / "node_modules" / "swagger-ui-dist"),
]
MEDIA_URL = env_str("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_STORAGE = env_str("MEDIA_STORAGE", "local")
if MEDIA_STORAGE == "local":
    _media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif MEDIA_STORAGE == "s3":
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("S3_BUCKET", ""),
            "endpoint_url": env_str("S3_ENDPOINT_URL", "") or None,
            "access_key": _file_or_env("S3_ACCESS_KEY_ID"),
            "secret_key": _file_or_env("S3_SECRET_ACCESS_KEY"),
            "region_name": env_str("S3_REGION", "") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
    if not _media_storage["OPTIONS"]["bucket_name"]:
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs S3_BUCKET.")
else:
    raise ImproperlyConfigured(f"MEDIA_STORAGE must be 'local' or 's3', not {MEDIA_STORAGE!r}")
# Private files (applicants' documents, attachments of official answers) live
# under a root of their own, never under MEDIA_ROOT: the web server publishes
# MEDIA_ROOT at MEDIA_URL, and private files leave only through the
# permission-checked views. SERVICES_PRIVATE_ROOT is the variable's old name.
PRIVATE_ROOT = Path(
    env_str("PRIVATE_ROOT", env_str("SERVICES_PRIVATE_ROOT", str(BASE_DIR / "private")))
).resolve()
MEDIA_ROOT = MEDIA_ROOT.resolve()
if (
    PRIVATE_ROOT == MEDIA_ROOT
    or MEDIA_ROOT in PRIVATE_ROOT.parents
    or (PRIVATE_ROOT in MEDIA_ROOT.parents)
):
    raise ImproperlyConfigured(
        "PRIVATE_ROOT and MEDIA_ROOT must be separate folders, neither inside the other: "
        "everything under MEDIA_ROOT is public."
    )
# Behind nginx, a private download is an X-Accel-Redirect to this internal
# location (nginx maps it to PRIVATE_ROOT); empty: Django streams the file.
PRIVATE_FILES_X_ACCEL_PREFIX = env_str("PRIVATE_FILES_X_ACCEL_PREFIX", "")
if PRIVATE_FILES_X_ACCEL_PREFIX and not (
    PRIVATE_FILES_X_ACCEL_PREFIX.startswith("/") and PRIVATE_FILES_X_ACCEL_PREFIX.endswith("/")
):
    raise ImproperlyConfigured("PRIVATE_FILES_X_ACCEL_PREFIX must start and end with '/'.")
if PRIVATE_FILES_X_ACCEL_PREFIX and PRIVATE_FILES_X_ACCEL_PREFIX.startswith(MEDIA_URL):
    raise ImproperlyConfigured("PRIVATE_FILES_X_ACCEL_PREFIX must not be under MEDIA_URL.")
if MEDIA_STORAGE == "s3":
    # The same bucket, under a prefix of its own; objects private, reached
    # only through the download views (which stream them).
    _private_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **_media_storage["OPTIONS"],
            "location": env_str("PRIVATE_S3_PREFIX", "services-private"),
        },
    }
else:
    _private_storage = {
        "BACKEND": "mycity.lib.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_ROOT)},
    }
STORAGES = {
    "default": _media_storage,
    "private": _private_storage,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security -------------------------------------------------------------
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
USE_X_FORWARDED_HOST = env_bool("USE_X_FORWARDED_HOST", default=False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# The map may ask for the location; the rest of the powerful features are off
# (photos are chosen through a file input, which needs no camera permission).
PERMISSIONS_POLICY = ", ".join(
    [
        "geolocation=(self)",
        *(
            f"{feature}=()"
            for feature in (
                "camera",
                "microphone",
                "payment",
                "usb",
                "serial",
                "hid",
                "bluetooth",
                "midi",
                "magnetometer",
                "gyroscope",
                "accelerometer",
                "ambient-light-sensor",
                "display-capture",
                "xr-spatial-tracking",
                "browsing-topics",
            )
        ),
    ]
)
SESSION_COOKIE_SECURE = not DEBUG and env_bool("SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
X_FRAME_OPTIONS = "DENY"

# --- Abuse limits -----------------------------------------------------------
# Proxies in front of the app that append to X-Forwarded-For (1 behind one
# nginx). With 0 the header is ignored (anyone can send one) and REMOTE_ADDR is
# the client. One reading of the client address (mycity.lib.ratelimit.client_ip)
# for allauth's limits, the API's throttles, Open311 and the limits below.
# API_NUM_PROXIES is its former name, still read.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", env_int("API_NUM_PROXIES", 0))
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT


def _limits(action: str, account: str, address: str) -> dict[str, str]:
    name = f"RATE_LIMIT_{action.upper()}"
    return {
        "account": env_rate(f"{name}_ACCOUNT", account),
        "address": env_rate(f"{name}_ADDRESS", address),
    }


# Per account and per client address (a whole block of flats or a mobile
# operator's NAT may share one address, hence the higher second rate).
# Attempts the site refuses (a 4xx) are not counted.
RATE_LIMITS = {
    # Appeals: web form, offline outbox, REST API, Open311 POST.
    "appeal": _limits("appeal", "10/hour", "30/hour"),
    "support": _limits("support", "60/hour", "300/hour"),
    # Every screen of a survey is a POST (and autosaves): per minute.
    "survey_answer": _limits("survey_answer", "30/minute", "120/minute"),
    "application": _limits("application", "10/hour", "30/hour"),
    # Requests for public information without an account: counted per address.
    "public_request": _limits("public_request", "5/hour", "10/hour"),
    "booking": _limits("booking", "10/hour", "30/hour"),
    # Messages on one's appeals and applications (added information, notes).
    "message": _limits("message", "30/hour", "120/hour"),
    # Claiming an appeal staff registered, with its one-time code.
    "appeal_claim": _limits("appeal_claim", "5/hour", "20/hour"),
    # Exports of all one's personal data (each builds an archive).
    "data_export": _limits("data_export", "3/day", "10/day"),
}


_ALLAUTH_PERIODS = {"second": "s", "minute": "m", "hour": "h", "day": "d"}


def _allauth_rate(name: str, default: str, per: str) -> str:
    """One of our rates ("20/hour") in allauth's notation ("20/h/ip")."""
    count, period = env_rate(name, default).split("/")
    return f"{count}/{_ALLAUTH_PERIODS[period]}/{per}"


# Sign-in and sign-up, web and the API's session tokens alike (allauth's
# limits, counted per client address as read above and, for failed sign-ins,
# per account).
ACCOUNT_RATE_LIMITS = {
    "login": _allauth_rate("RATE_LIMIT_LOGIN_ADDRESS", "30/minute", "ip"),
    "login_failed": ",".join(
        [
            _allauth_rate("RATE_LIMIT_LOGIN_FAILED_ADDRESS", "10/minute", "ip"),
            _allauth_rate("RATE_LIMIT_LOGIN_FAILED_ACCOUNT", "5/minute", "key"),
        ]
    ),
    "signup": _allauth_rate("RATE_LIMIT_SIGNUP_ADDRESS", "30/hour", "ip"),
}

# --- Maps ------------------------------------------------------------------
MAP_TILE_URL = env_str("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env_str("MAP_TILE_ATTRIBUTION", "&copy; OpenStreetMap contributors")
_tiles = urlsplit(MAP_TILE_URL)
if _tiles.scheme not in ("http", "https") or not _tiles.netloc:
    raise ImproperlyConfigured(f"MAP_TILE_URL must be an http(s) URL, not {MAP_TILE_URL!r}")
# CSP source for the tile server; "{s}" subdomains become a wildcard.
MAP_TILE_ORIGINS = [f"{_tiles.scheme}://{_tiles.netloc.replace('{s}', '*')}"]
MAP_CENTER = (46.6354, 32.6169)  # Kherson
MAP_ZOOM = 13

# --- Appeals ---------------------------------------------------------------
PROPOSAL_SUPPORT_THRESHOLD = env_int("PROPOSAL_SUPPORT_THRESHOLD", 250, minimum=1)
PROPOSAL_SUPPORT_DAYS = env_int("PROPOSAL_SUPPORT_DAYS", 90, minimum=1)
# A paper letter is registered with its receipt date, at most this many days back.
APPEAL_REGISTER_MAX_LATE_DAYS = env_int("APPEAL_REGISTER_MAX_LATE_DAYS", 30, minimum=1)
DUPLICATE_RADIUS_METRES = env_int("DUPLICATE_RADIUS_METRES", 150, minimum=10)
# Days the author has to reply to an appeal returned for information (Art. 5, 7);
# after that a daily job closes it without consideration.
APPEALS_RETURN_REPLY_DAYS = env_int("APPEALS_RETURN_REPLY_DAYS", 30, minimum=1)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # data: for the TOTP QR code allauth renders inline; the map's tiles.
        "img-src": [SELF, "data:", "blob:", *MAP_TILE_ORIGINS],
        "connect-src": [SELF],
        "font-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Uploaded PDFs are parsed by pypdf: a damaged one is refused with a
        # message to the user, not logged as a warning per object.
        "pypdf": {"level": "ERROR"},
    },
}

# --- Notifications -------------------------------------------------------
# A channel without configuration is not offered.
VAPID_PUBLIC_KEY = env_str("VAPID_PUBLIC_KEY", "")
VAPID_PRIVATE_KEY = _file_or_env("VAPID_PRIVATE_KEY") or ""
# Push services want a contact: mailto: or an https URL.
VAPID_SUBJECT = env_str("VAPID_SUBJECT", f"mailto:{parseaddr(DEFAULT_FROM_EMAIL)[1]}")
if VAPID_PUBLIC_KEY and not VAPID_SUBJECT.startswith(("mailto:", "https://")):
    raise ImproperlyConfigured(
        f"VAPID_SUBJECT must be a mailto: or https:// URL, not {VAPID_SUBJECT!r}"
    )
# Endpoints on this machine only for development and tests with a fake push service.
WEBPUSH_ALLOW_LOOPBACK = env_bool("WEBPUSH_ALLOW_LOOPBACK", default=DEBUG)
# Our workers POST to whatever endpoint a browser hands in: only to the
# browsers' push services (and their subdomains). Empty = any public host.
WEBPUSH_ALLOWED_HOSTS = env_list(
    "WEBPUSH_ALLOWED_HOSTS",
    [
        "fcm.googleapis.com",
        "push.services.mozilla.com",
        "push.apple.com",
        "notify.windows.com",
    ],
)
# How long a worker's claim on an outbox row lasts without a heartbeat
# (docs/operations.md, "Notification outbox after a crash"). The sending loop
# renews it; it must outlast the slowest single send (SMTP steps of
# EMAIL_TIMEOUT, a Telegram call with its fallback, a push request: ~30 s).
NOTIFICATIONS_CLAIM_LEASE_SECONDS = env_int("NOTIFICATIONS_CLAIM_LEASE_SECONDS", 90, minimum=30)
TELEGRAM_BOT_TOKEN = _file_or_env("TELEGRAM_BOT_TOKEN") or ""
TELEGRAM_BOT_USERNAME = env_str("TELEGRAM_BOT_USERNAME", "")
TELEGRAM_API_URL = env_str("TELEGRAM_API_URL", "https://api.telegram.org").rstrip("/")
TELEGRAM_WEBHOOK_SECRET = _file_or_env("TELEGRAM_WEBHOOK_SECRET") or ""
if TELEGRAM_BOT_TOKEN and not (TELEGRAM_BOT_USERNAME and TELEGRAM_WEBHOOK_SECRET):
    raise ImproperlyConfigured(
        "TELEGRAM_BOT_TOKEN needs TELEGRAM_BOT_USERNAME and TELEGRAM_WEBHOOK_SECRET too."
    )
if TELEGRAM_WEBHOOK_SECRET and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", TELEGRAM_WEBHOOK_SECRET):
    raise ImproperlyConfigured(
        "TELEGRAM_WEBHOOK_SECRET may hold only A-Z, a-z, 0-9, _ and - (1 to 256 characters)."
    )
if bool(VAPID_PUBLIC_KEY) != bool(VAPID_PRIVATE_KEY):
    raise ImproperlyConfigured("Set both VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY, or neither.")

# Where a human can tell the user how to reach help: shown in the footer.
CITY_HOTLINE = env_str("CITY_HOTLINE", "15-80")

# --- personal data (Law "On Personal Data Protection") ---
# The privacy notice's version: raise it when /privacy/ changes in substance,
# and sign-ups record the version they accepted.
PRIVACY_NOTICE_VERSION = "2026-12"
# Years the private texts of an erased account (private appeal texts, messages,
# application documents) are kept as the public record before a scheduled job
# erases them.
PRIVACY_RETENTION_YEARS = env_int("PRIVACY_RETENTION_YEARS", 5, minimum=1)
# The controller named on the privacy notice and how to reach it.
PRIVACY_CONTROLLER = env_str("PRIVACY_CONTROLLER", "Херсонська міська рада")
PRIVACY_CONTROLLER_ADDRESS = env_str(
    "PRIVACY_CONTROLLER_ADDRESS", "вул. Михайлівська, 34, м. Херсон, 73000"
)
PRIVACY_CONTROLLER_EMAIL = env_str("PRIVACY_CONTROLLER_EMAIL", parseaddr(DEFAULT_FROM_EMAIL)[1])
# Days a personal data export stays downloadable before it is deleted.
DATA_EXPORT_DAYS = env_int("DATA_EXPORT_DAYS", 7, minimum=1)

# Labels of the languages in the switcher, translated for screen readers.
LANGUAGE_LABELS = {"uk": _("Ukrainian"), "en": _("English")}

# --- api ---
# REST API v1 (/api/v1/) for the city's apps and Open311 GeoReport v2 (/open311/v2/).
# Apps sign in through allauth's headless API (/api/v1/auth/app/v1/...): the same
# rate limits, e-mail verification and two-factor step as the web, and a session
# token sent back in the X-Session-Token header. The browsable API uses the session.
INSTALLED_APPS += ["allauth.headless"]
HEADLESS_CLIENTS = ("app",)
HEADLESS_SERVE_SPECIFICATION = False


REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "citizens.access.SessionTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [
        # DRF's parsers refusing NUL bytes and lone surrogates; JSON nesting bounded.
        "mycity.lib.parsers.BoundedJSONParser",
        "mycity.lib.parsers.BoundedFormParser",
        "mycity.lib.parsers.BoundedMultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Counted in the shared cache (Redis in production): per person, and per IP
    # for anonymous callers.
    "DEFAULT_THROTTLE_CLASSES": [
        "mycity.lib.ratelimit.AddressRateThrottle",
        "mycity.lib.ratelimit.AccountRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_rate("API_ANON_RATE", "120/minute"),
        "user": env_rate("API_USER_RATE", "240/minute"),
    },
    # Our throttles read the address with mycity.lib.ratelimit.client_ip; the
    # same count here for anything of DRF's that reads it on its own.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "My City API",
    "DESCRIPTION": (
        "The REST API of My City for the city's own apps.\n\n"
        '**Signing in**: POST `{"email", "password"}` to '
        "`/api/v1/auth/app/v1/auth/login` (allauth's headless API: sign-up, e-mail "
        "confirmation, password reset and two-factor steps are there too) and send the "
        "`meta.session_token` it returns in the `X-Session-Token` header.\n\n"
        "Texts come in Ukrainian, or in English with `Accept-Language: en`. Lists are "
        "paged (`?page=`, 20 a page). Calls are limited per person, or per IP without "
        "sign-in (429 with `Retry-After`)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # The timeline's from/to statuses are one enum.
    "ENUM_NAME_OVERRIDES": {
        "AppealStatusEnum": "appeals.workflow.Status",
        "AppealKindEnum": "appeals.models.Kind",
        "AlertKindEnum": "news.models.AlertKind",
        # An answer (with its files) and the other messages share one message type.
        "AppealMessageTypeEnum": "appeals.models.AppealMessage.Type",
    },
    # The docs page at /api/v1/docs/ (Swagger UI from our own static files).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "displayRequestDuration": True},
}
OPEN311_JURISDICTION = env_str("OPEN311_JURISDICTION", urlsplit(SITE_URL).hostname or "localhost")
OPEN311_CONTACT = env_str(
    "OPEN311_CONTACT", f"{CITY_HOTLINE} {parseaddr(DEFAULT_FROM_EMAIL)[1]}".strip()
)
OPEN311_KEY_SERVICE = env_str(
    "OPEN311_KEY_SERVICE", f"API keys are issued by the city: {parseaddr(DEFAULT_FROM_EMAIL)[1]}"
)
OPEN311_KEY_RATE = env_rate("OPEN311_KEY_RATE", "60/minute")
OPEN311_ANON_RATE = env_rate("OPEN311_ANON_RATE", "120/minute")

# --- services ---
SERVICES_UPLOAD_MAX_MB = env_int("SERVICES_UPLOAD_MAX_MB", 10, minimum=1)
SERVICES_PDF_MAX_PAGES = env_int("SERVICES_PDF_MAX_PAGES", 50, minimum=1)
SERVICES_MAX_FILES = env_int("SERVICES_MAX_FILES", 10, minimum=1)
# Under martial law public holidays are working days (Law of Ukraine No. 2136-IX,
# art. 6): the legally correct default is false. Set true once martial law ends.
SERVICES_HOLIDAYS_ARE_DAYS_OFF = env_bool("SERVICES_HOLIDAYS_ARE_DAYS_OFF", default=False)
# How many days ahead residents may book a visit to a service centre.
SERVICES_BOOKING_DAYS_AHEAD = env_int("SERVICES_BOOKING_DAYS_AHEAD", 21, minimum=1)
CELERY_BEAT_SCHEDULE["services-appointment-reminders"] = {
    "task": "services.tasks.send_appointment_reminders",
    # Every 15 minutes in the daytime; each appointment is reminded once.
    "schedule": crontab(minute="*/15", hour="9-20"),
}
# Personal data: private texts of erased accounts past the retention period,
# and data exports past their days. Both idempotent.
CELERY_BEAT_SCHEDULE["citizens-privacy-sweep"] = {
    "task": "citizens.tasks.privacy_sweep",
    "schedule": crontab(minute=40, hour=3),
}
# Denormalised counters against their rows (docs/operations.md, "Counters"):
# daily, report only; differences are logged at ERROR level.
CELERY_BEAT_SCHEDULE["mycity-check-counters"] = {
    "task": "mycity.tasks.check_counters",
    "schedule": crontab(minute=20, hour=4),
}
# Data exports whose task was lost to a broker outage at the request.
CELERY_BEAT_SCHEDULE["citizens-missed-data-exports"] = {
    "task": "citizens.tasks.build_missed_data_exports",
    "schedule": crontab(minute="*/15"),
}
# Overdue applications (requests for public information among them) go to the
# department head, like overdue appeals: hourly, each at most once per day.
CELERY_BEAT_SCHEDULE["services-escalate-overdue"] = {
    "task": "services.tasks.escalate_overdue_applications",
    "schedule": crontab(minute=10, hour="8-18"),
}

# --- news ---
# Alerts whose start has come are sent to residents within this many seconds
# (the banner shows them by the clock regardless); also refreshes the banner cache.
NEWS_ALERT_SWEEP_SECONDS = env_int("NEWS_ALERT_SWEEP_SECONDS", 20, minimum=5)
CELERY_BEAT_SCHEDULE["news-alerts-notify-due"] = {
    "task": "news.tasks.notify_due_alerts",
    "schedule": float(NEWS_ALERT_SWEEP_SECONDS),
}
# The daily news digest, local time (Europe/Kyiv), for residents who asked for it.
NEWS_DIGEST_HOUR = env_int("NEWS_DIGEST_HOUR", 18)
if NEWS_DIGEST_HOUR > 23:
    raise ImproperlyConfigured(f"NEWS_DIGEST_HOUR must be 0 to 23, not {NEWS_DIGEST_HOUR}")
CELERY_BEAT_SCHEDULE["news-daily-digest"] = {
    "task": "news.tasks.send_daily_digest",
    "schedule": crontab(minute=0, hour=NEWS_DIGEST_HOUR),
}
