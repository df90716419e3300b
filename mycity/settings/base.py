"""Settings for My City, read only from the environment (12-factor).

A fresh clone needs no environment at all: it runs on the embedded default
(SQLite file, Celery tasks executed in-process, e-mail to the console, media
in a local folder). Production sets DEBUG=false and the variables listed in
the README; a missing secret or a malformed value stops start-up with an
ImproperlyConfigured that names the variable.
"""

import re
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parents[2]

env = environ.Env()

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def file_or_env(name: str) -> str | None:
    """A value from NAME, or from the file named by NAME_FILE (Docker secrets)."""
    path = env.str(f"{name}_FILE", default="")
    if path:
        try:
            return Path(path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {path}: {exc}") from exc
    return env.str(name, default=None)


def env_bool(name: str, default: bool) -> bool:
    raw = file_or_env(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int, minimum: int = 0) -> int:
    raw = file_or_env(name)
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
    raw = file_or_env(name)
    return default if raw is None else raw


def env_list(name: str, default: list[str]) -> list[str]:
    raw = file_or_env(name)
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

SECRET_KEY = file_or_env("SECRET_KEY") or ""
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
    "outages",
    "stats",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Cache-Control for personal answers, Vary on the API's session token,
    # Permissions-Policy: on every response, static files included.
    "mycity.middleware.PrivacyHeadersMiddleware",
    # RateLimit-* on every /api/v1/ answer, above the page cache (fresh numbers).
    "mycity.middleware.RateLimitHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Public pages for anonymous visitors from the cache, compressed as sent
    # (mycity/pagecache.py): above the compression, the session and the rest.
    "mycity.pagecache.AnonymousPageCacheMiddleware",
    # A signed-in resident's own pages, kept for their session alone
    # (citizens/pagecache.py); also drops them after the person's writes.
    "citizens.pagecache.PersonalPageCacheMiddleware",
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
# connection (measured ~4x slower without). Each process holds at most one
# connection per alias, so the server sees at most (web nodes x gunicorn
# workers) + (Celery workers x concurrency, plus each worker's main process)
# connections, plus beat (docs/operations.md, "Running on more than one machine").
# DATABASE_POOL_SIZE=N puts psycopg's pool in each process instead (N at most,
# for threaded workers); DATABASE_PGBOUNCER=true is for PgBouncer in
# transaction mode, which cannot keep server-side cursors across statements.
DATABASE_POOL_SIZE = env_int("DATABASE_POOL_SIZE", 0)
DATABASE_PGBOUNCER = env_bool("DATABASE_PGBOUNCER", default=False)


def _database(name: str, default: str) -> dict:
    config = env_url(name, default, env.db_url_config)
    # django-environ passes an unknown scheme through as the engine's name.
    if config["ENGINE"] not in env.DB_SCHEMES.values():
        raise ImproperlyConfigured(
            f"{name} has an unknown scheme {config['ENGINE']!r}: "
            "use postgres://user@host/name or sqlite:///path"
        )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        return config
    config["CONN_HEALTH_CHECKS"] = True
    if DATABASE_POOL_SIZE:
        if config["ENGINE"] != "django.db.backends.postgresql":
            raise ImproperlyConfigured("DATABASE_POOL_SIZE needs PostgreSQL.")
        # The pool keeps the connections; Django must not keep one as well.
        config["CONN_MAX_AGE"] = 0
        config.setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1,
            "max_size": DATABASE_POOL_SIZE,
            "timeout": 10,
        }
    else:
        config["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 600)
    if DATABASE_PGBOUNCER:
        config["DISABLE_SERVER_SIDE_CURSORS"] = True
    return config


DATABASES = {"default": _database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# A read replica: only reads that opt in go there (mycity/lib/replica.py), so
# nothing reads its own writes from a copy that lags (mycity/db_router.py).
if env_str("DATABASE_REPLICA_URL", ""):
    DATABASES["replica"] = _database("DATABASE_REPLICA_URL", "")
    # Tests read the replica from the test database itself.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["mycity.db_router.ReplicaRouter"]
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
# How long an anonymous visitor's copy of a public page is kept at most
# (mycity/pagecache.py; a change to what it shows drops it at once); 0: off.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 300)
# How long a signed-in resident's copy of their own page is kept at most
# (citizens/pagecache.py; their own writes and changes to their rows drop it
# at once, this bounds the rest); 0: off. Off without Redis: a cache in each
# process's memory would not hear of changes made in another.
PERSONAL_PAGE_CACHE_SECONDS = env_int("PERSONAL_PAGE_CACHE_SECONDS", 60 if REDIS_URL else 0)

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
# Confirming the e-mail in the browser that signed up signs the person in and
# resumes where they were going (the `next` of sign-up). allauth does this only
# for the same session; elsewhere the link's own `next` leads on (adapter).
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# A short code in the e-mail, typed where the person signed up (the web form or
# an app), instead of a link: an app has no browser to open it in. Confirming
# by code signs the person in there (ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION). The
# same for a forgotten password. allauth limits the attempts and the code's life.
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = True
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
EMAIL_HOST_PASSWORD = file_or_env("EMAIL_HOST_PASSWORD") or _email.get("EMAIL_HOST_PASSWORD") or ""
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
            "access_key": file_or_env("S3_ACCESS_KEY_ID"),
            "secret_key": file_or_env("S3_SECRET_ACCESS_KEY"),
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
    # Codes that confirm a phone for SMS (each is a paid SMS); also per number.
    "sms_code": _limits("sms_code", "5/hour", "20/hour"),
    # Residents' reports that a point of help is closed or full (outages).
    "point_report": _limits("point_report", "10/hour", "30/hour"),
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
