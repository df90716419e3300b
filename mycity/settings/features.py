"""Settings of the feature areas: maps, appeals, notifications, personal data, the
API, e-services and news. Loaded after base.py by mycity/settings/__init__.py;
every name of base.py is in scope here (the environment helpers among them).
"""

import json
import re
from email.utils import parseaddr
from urllib.parse import urlsplit

from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Queue

from .base import *
from .base import file_or_env

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
# Two reports of one category within DUPLICATE_RADIUS_METRES filed within this
# many hours of each other are flagged to moderators as likely duplicates.
DUPLICATE_WINDOW_HOURS = env_int("DUPLICATE_WINDOW_HOURS", 24, minimum=1)
# Outage clustering: this many reports of one outage kind (power, water, ...)
# within INCIDENT_CLUSTER_RADIUS_M metres and INCIDENT_CLUSTER_MINUTES minutes,
# not linked to a known incident, become a suggested incident for moderators.
INCIDENT_CLUSTER_REPORTS = env_int("INCIDENT_CLUSTER_REPORTS", 5, minimum=2)
INCIDENT_CLUSTER_RADIUS_M = env_int("INCIDENT_CLUSTER_RADIUS_M", 300, minimum=10)
INCIDENT_CLUSTER_MINUTES = env_int("INCIDENT_CLUSTER_MINUTES", 60, minimum=1)
# A Nominatim-compatible reverse geocoder (its base URL, perhaps with a key in
# its query; {url}/reverse is asked) names the place of a pin once after filing.
# Empty: the district name is shown.
GEOCODER_URL = env_str("GEOCODER_URL", "").rstrip("/")
if GEOCODER_URL and (
    urlsplit(GEOCODER_URL).scheme not in ("http", "https") or not urlsplit(GEOCODER_URL).netloc
):
    # Not quoted: a provider's URL may carry its key.
    raise ImproperlyConfigured("GEOCODER_URL must be an http(s) URL")
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
VAPID_PRIVATE_KEY = file_or_env("VAPID_PRIVATE_KEY") or ""
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
# Sent outbox rows are recorded this many at a time (and at least every
# second): a worker killed between two writes sends at most these again.
NOTIFICATIONS_RECORD_EVERY = env_int("NOTIFICATIONS_RECORD_EVERY", 20, minimum=1)
# Web push and Telegram messages (each an HTTP request that mostly waits on
# the network) are transmitted this many at a time by each worker process;
# 1 sends one after another.
NOTIFICATIONS_SEND_THREADS = env_int("NOTIFICATIONS_SEND_THREADS", 8, minimum=1)
# The priority lane: critical and warning alerts (EventType.priority) are
# fanned out and sent through this Celery queue, which workers read first
# (`-Q priority,celery`) and a dedicated worker reads alone (`-Q priority`).
NOTIFICATIONS_PRIORITY_QUEUE = env_str("NOTIFICATIONS_PRIORITY_QUEUE", "priority")
# A worker started without -Q reads every queue listed here, the lane's first.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = [Queue(NOTIFICATIONS_PRIORITY_QUEUE), Queue(CELERY_TASK_DEFAULT_QUEUE)]
# Staff are warned on the admin's front page when a priority message has
# waited longer than this to go out.
NOTIFICATIONS_PRIORITY_MAX_WAIT_SECONDS = env_int("NOTIFICATIONS_PRIORITY_MAX_WAIT_SECONDS", 60)
TELEGRAM_BOT_TOKEN = file_or_env("TELEGRAM_BOT_TOKEN") or ""
TELEGRAM_BOT_USERNAME = env_str("TELEGRAM_BOT_USERNAME", "")
TELEGRAM_API_URL = env_str("TELEGRAM_API_URL", "https://api.telegram.org").rstrip("/")
TELEGRAM_WEBHOOK_SECRET = file_or_env("TELEGRAM_WEBHOOK_SECRET") or ""
# Messages a second from the bot, all workers together (Telegram takes about
# 30 from one bot, fewer into one group); 0: not paced.
TELEGRAM_MESSAGES_PER_SECOND = env_int("TELEGRAM_MESSAGES_PER_SECOND", 25)
# The priority lane's messages (critical and warning alerts) sent as Telegram
# paid broadcasts (allow_paid_broadcast: up to 1,000 a second for 0.1 Star
# each from the bot's balance) instead of waiting their turn at the rate
# above: 100,000 chats take about two minutes instead of over an hour.
TELEGRAM_PAID_BROADCAST = env_bool("TELEGRAM_PAID_BROADCAST", default=False)
TELEGRAM_PAID_MESSAGES_PER_SECOND = env_int("TELEGRAM_PAID_MESSAGES_PER_SECOND", 1000)
if TELEGRAM_BOT_TOKEN and not (TELEGRAM_BOT_USERNAME and TELEGRAM_WEBHOOK_SECRET):
    raise ImproperlyConfigured(
        "TELEGRAM_BOT_TOKEN needs TELEGRAM_BOT_USERNAME and TELEGRAM_WEBHOOK_SECRET too."
    )
if TELEGRAM_WEBHOOK_SECRET and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", TELEGRAM_WEBHOOK_SECRET):
    raise ImproperlyConfigured(
        "TELEGRAM_WEBHOOK_SECRET may hold only A-Z, a-z, 0-9, _ and - (1 to 256 characters)."
    )
# SMS (citizens/notifications/sms): a dotted path to the gateway's backend.
# Empty: no SMS channel. The JSON gateway POSTs to SMS_GATEWAY_URL with the
# token as a bearer; while DEBUG the console backend prints messages instead.
_SMS_BACKENDS = "citizens.notifications.sms.backends."
SMS_BACKEND = env_str("SMS_BACKEND", f"{_SMS_BACKENDS}ConsoleBackend" if DEBUG else "")
SMS_GATEWAY_URL = env_str("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = file_or_env("SMS_GATEWAY_TOKEN") or ""
# The sender name registered with the operators (at most 11 Latin characters).
SMS_SENDER = env_str("SMS_SENDER", "MyCity")
SMS_GATEWAY_CONNECT_TIMEOUT = env_int("SMS_GATEWAY_CONNECT_TIMEOUT", 5, minimum=1)
SMS_GATEWAY_READ_TIMEOUT = env_int("SMS_GATEWAY_READ_TIMEOUT", 15, minimum=1)
if SMS_BACKEND.endswith(".JsonGatewayBackend"):
    if (
        urlsplit(SMS_GATEWAY_URL).scheme not in ("http", "https")
        or not urlsplit(SMS_GATEWAY_URL).netloc
    ):
        # Not quoted: a gateway's URL may carry its key.
        raise ImproperlyConfigured("SMS_GATEWAY_URL must be an http(s) URL for the JSON gateway")
    if not SMS_GATEWAY_TOKEN:
        raise ImproperlyConfigured("SMS_GATEWAY_TOKEN is needed for the JSON gateway")
if not re.fullmatch(r"[A-Za-z0-9 .-]{1,11}", SMS_SENDER):
    raise ImproperlyConfigured("SMS_SENDER must be 1 to 11 Latin letters, digits, spaces, . or -")
# Cost limits: segments of one message (a Cyrillic segment is 70 characters,
# 67 in a longer message), SMS a resident gets a day, SMS the city sends a day
# (0: no city-wide cap). Over a cap the message fails with the reason.
SMS_MAX_SEGMENTS = env_int("SMS_MAX_SEGMENTS", 2, minimum=1)
SMS_DAILY_CAP_PER_RESIDENT = env_int("SMS_DAILY_CAP_PER_RESIDENT", 10)
SMS_DAILY_CAP_TOTAL = env_int("SMS_DAILY_CAP_TOTAL", 0)
# A critical alert whose push no device acknowledged within this many minutes
# (or whose push and Telegram failed) comes by SMS to a confirmed phone; 0: off.
SMS_FALLBACK_AFTER_MINUTES = env_int("SMS_FALLBACK_AFTER_MINUTES", 5)
# Older alerts than this are not sent by SMS any more (as push's TTL).
SMS_FALLBACK_MAX_AGE_HOURS = env_int("SMS_FALLBACK_MAX_AGE_HOURS", 6, minimum=1)
# Confirming a phone: how long a code lasts, wrong tries, seconds between codes.
SMS_CODE_VALID_MINUTES = env_int("SMS_CODE_VALID_MINUTES", 10, minimum=1)
SMS_CODE_MAX_ATTEMPTS = env_int("SMS_CODE_MAX_ATTEMPTS", 5, minimum=1)
SMS_CODE_RESEND_SECONDS = env_int("SMS_CODE_RESEND_SECONDS", 60)
CELERY_BEAT_SCHEDULE["notifications-sms-fallback"] = {
    "task": "citizens.tasks.sms_fallback",
    "schedule": 60.0,
}
if bool(VAPID_PUBLIC_KEY) != bool(VAPID_PRIVATE_KEY):
    raise ImproperlyConfigured("Set both VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY, or neither.")

# Native push to the city's phone app through Firebase Cloud Messaging (HTTP v1).
# FCM_CREDENTIALS: the service account's JSON key (or FCM_CREDENTIALS_FILE, its
# path); empty = the app channel is not offered. The project defaults to the
# key's own project_id. Its token_uri is where access tokens come from.
FCM_CREDENTIALS = file_or_env("FCM_CREDENTIALS") or ""
FCM_PROJECT_ID = env_str("FCM_PROJECT_ID", "")
FCM_ENDPOINT = env_str("FCM_ENDPOINT", "https://fcm.googleapis.com").rstrip("/")
if FCM_CREDENTIALS:
    try:
        _fcm_key = json.loads(FCM_CREDENTIALS)
    except ValueError as exc:
        raise ImproperlyConfigured(f"FCM_CREDENTIALS is not JSON: {exc}") from None
    if not isinstance(_fcm_key, dict) or _fcm_key.get("type") != "service_account":
        raise ImproperlyConfigured("FCM_CREDENTIALS must be a service account's JSON key.")
    FCM_PROJECT_ID = FCM_PROJECT_ID or str(_fcm_key.get("project_id") or "")
    if not FCM_PROJECT_ID:
        raise ImproperlyConfigured("Set FCM_PROJECT_ID: the service account key names none.")

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
# allauth's OpenAPI specification of the headless API is merged into /api/v1/schema/
# (mycity/api_schema.py) rather than served on its own: its views reverse
# "headless:…", which the "api" namespace here breaks (a 500), and its HTML page
# loads Redoc from a CDN (our pages load nothing from elsewhere).
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
    "DEFAULT_PAGINATION_CLASS": "mycity.lib.pagination.EstimatedCountPagination",
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
    # No OPTIONS answers: DRF's describe the form of a PUT by fetching an object,
    # which fails on actions without one (a 500), and the schema is the
    # description; OPTIONS is a 405 like any method an operation does not list.
    "DEFAULT_METADATA_CLASS": None,
    # Every error as RFC 9457 problem details (docs/api.md, "Errors").
    "EXCEPTION_HANDLER": "mycity.api_errors.exception_handler",
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
    # The default hook first; every operation's error responses as one Problem
    # component (mycity/api_errors.py); then allauth's headless API (sign-up,
    # sign-in, codes, with its own error shape) merged into the same schema; and
    # the RateLimit headers on every response (docs/api.md).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "mycity.api_errors.problem_responses_hook",
        "mycity.api_schema.merge_allauth_spec",
        "mycity.lib.ratelimit.openapi_headers",
    ],
    # The timeline's from/to statuses are one enum.
    "ENUM_NAME_OVERRIDES": {
        "AppealStatusEnum": "appeals.workflow.Status",
        "AppealKindEnum": "appeals.models.Kind",
        "AlertKindEnum": "news.models.AlertKind",
        "IncidentKindEnum": "mycity.models.IncidentKind",
        # An answer (with its files) and the other messages share one message type.
        "AppealMessageTypeEnum": "appeals.models.AppealMessage.Type",
        # Points of help (outages/api.py): their live status and kind.
        "HelpPointStatusEnum": "outages.point_workflow.PointStatus",
        "HelpPointKindEnum": "outages.models.Kind",
        # The profile and notification settings (citizens/api_profile.py).
        "NotificationChannelEnum": "citizens.notifications.models.Channel",
        "NotificationEventEnum": "citizens.api_profile.event_keys",
        "UrgentNotificationEventEnum": "citizens.api_profile.urgent_event_keys",
        "NotificationGroupEnum": "citizens.notifications.events.GROUPS",
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
# Pins the geocoder was not asked about yet (a task lost to a broker outage,
# a geocoder configured later): a few per run, paced.
CELERY_BEAT_SCHEDULE["appeals-geocode-missing"] = {
    "task": "appeals.tasks.geocode_missing_places",
    "schedule": crontab(minute="*/30"),
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

# --- outages: incidents ---
# Live incidents whose residents were not told yet (a lost commit hook, a
# broker outage) are told by this sweep.
CELERY_BEAT_SCHEDULE["outages-incidents-tell-due"] = {
    "task": "outages.tasks.tell_due_incidents",
    "schedule": 60.0,
}

# --- stats: open data ---
# The data passports' publisher and responsible person (Resolution No. 835 of
# the Cabinet of Ministers); empty: the city council and its open-data officer.
OPEN_DATA_PUBLISHER = env_str("OPEN_DATA_PUBLISHER", "")
OPEN_DATA_CONTACT_NAME = env_str("OPEN_DATA_CONTACT_NAME", "")
OPEN_DATA_CONTACT_EMAIL = env_str("OPEN_DATA_CONTACT_EMAIL", parseaddr(DEFAULT_FROM_EMAIL)[1])
# The files behind repeated downloads are rebuilt nightly at this hour.
OPEN_DATA_BUILD_HOUR = env_int("OPEN_DATA_BUILD_HOUR", 3)
if OPEN_DATA_BUILD_HOUR > 23:
    raise ImproperlyConfigured(f"OPEN_DATA_BUILD_HOUR must be 0 to 23, not {OPEN_DATA_BUILD_HOUR}")
CELERY_BEAT_SCHEDULE["stats-build-open-data"] = {
    "task": "stats.tasks.build_open_data",
    "schedule": crontab(minute=17, hour=OPEN_DATA_BUILD_HOUR),
}
