from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from citizens.notifications.events import EMAIL, SERVICES, TELEGRAM, WEBPUSH, EventType

CATALOGUE = [
    "services.{}_servicecategory",
    "services.{}_service",
    "services.{}_formfield",
    "services.{}_servicecentre",
    "services.{}_openinghours",
    "services.{}_centreexception",
]


def _perms(*verbs: str) -> list[str]:
    return [pattern.format(verb) for pattern in CATALOGUE for verb in verbs]


class ServicesConfig(AppConfig):
    name = "services"
    verbose_name = _("E-services")
    # Anonymous visitors' copies of these pages are kept (mycity/pagecache.py).
    cached_pages = [
        "/services/",
        "!/services/applications/",
        "!/services/documents/",
        "!/services/appointments/",
    ]
    # Applications are never public; only the catalogue and the free times are.
    private_models = [
        "ReferenceCounter",
        "Application",
        "ApplicationEvent",
        "ApplicationMessage",
        "Document",
        "RequesterContact",
    ]

    # Public figures and open data (mycity/transparency.py, published by stats).
    figure_sources = ["services.transparency.APPLICATIONS"]
    open_datasets = ["services.transparency.CATALOGUE", "services.transparency.CENTRES"]

    # Rows shown on their people's own kept pages (citizens/pagecache.py).
    personal_rows = {
        "Application": ["applicant_id"],
        "ApplicationEvent": ["application.applicant_id"],
        "ApplicationMessage": ["application.applicant_id"],
        "Document": ["uploaded_by_id", "application.applicant_id"],
        "Appointment": ["resident_id"],
    }

    notification_events = [
        EventType(
            key="services.submitted",
            label=_("Confirmation of an application I submitted"),
            title=_("Application %(reference)s is received"),
            text=_("“%(service)s” is received. The answer is due by %(deadline)s."),
            default_channels=frozenset({EMAIL}),
            group=SERVICES,
        ),
        EventType(
            key="services.status_changed",
            label=_("News about my applications for services"),
            title=_("Application %(reference)s: %(status)s"),
            text=_("“%(service)s” is now: %(status)s. %(reason)s"),
            default_channels=frozenset({EMAIL, WEBPUSH, TELEGRAM}),
            group=SERVICES,
        ),
        EventType(
            key="services.term_extended",
            label=_("The term of my request for public information is extended"),
            title=_("Application %(reference)s: the term is extended"),
            text=_("The answer on “%(service)s” is now due by %(deadline)s. Reason: %(reason)s"),
            default_channels=frozenset({EMAIL, WEBPUSH, TELEGRAM}),
            group=SERVICES,
        ),
        EventType(
            key="services.escalated",
            label=_("Overdue applications of my department (department heads)"),
            title=_("Application %(reference)s is overdue"),
            text=_("“%(service)s” was due by %(deadline)s and is still not answered."),
            default_channels=frozenset({EMAIL}),
            staff_permissions=frozenset({"services.change_application"}),
        ),
        EventType(
            key="services.officer_message",
            label=_("Messages from officers about my applications"),
            title=_("Application %(reference)s: a message from the officer"),
            text=_("“%(service)s”: %(excerpt)s"),
            default_channels=frozenset({EMAIL, WEBPUSH, TELEGRAM}),
            group=SERVICES,
        ),
        EventType(
            key="services.new_application",
            label=_("New applications for my department (staff)"),
            title=_("New application %(reference)s"),
            text=_("“%(service)s”. Due by %(deadline)s."),
            default_channels=frozenset({EMAIL}),
            staff_permissions=frozenset({"services.change_application"}),
        ),
        EventType(
            key="services.applicant_replied",
            label=_("Applicants' replies on my department's applications (staff)"),
            title=_("Application %(reference)s: the applicant replied"),
            text=_("“%(service)s”: %(what)s"),
            default_channels=frozenset({EMAIL}),
            staff_permissions=frozenset({"services.change_application"}),
        ),
        EventType(
            key="services.appointment_booked",
            label=_("Confirmation of a visit I booked"),
            title=_("Your visit %(code)s: %(when)s"),
            text=_("“%(service)s” at %(centre)s, %(address)s, on %(when)s."),
            default_channels=frozenset({EMAIL}),
            group=SERVICES,
        ),
        EventType(
            key="services.appointment_reminder",
            label=_("A reminder the day before my visit"),
            title=_("Tomorrow: your visit %(code)s at %(when)s"),
            text=_("“%(service)s” at %(centre)s, %(address)s. Bring your ID and documents."),
            default_channels=frozenset({EMAIL, WEBPUSH, TELEGRAM}),
            group=SERVICES,
        ),
        EventType(
            key="services.appointment_cancelled",
            label=_("A visit I booked is cancelled"),
            title=_("Visit %(code)s is cancelled"),
            text=_("“%(service)s” at %(centre)s on %(when)s is cancelled."),
            default_channels=frozenset({EMAIL, WEBPUSH, TELEGRAM}),
            group=SERVICES,
        ),
    ]

    def ready(self):
        from citizens.personal_data import register
        from mycity.lib import counters

        from . import cache
        from .counters import CHECKS
        from .personal_data import ENTRY

        cache.connect()
        register(ENTRY)
        for check in CHECKS:
            counters.register(check)

    role_permissions = {
        "service_officer": [
            *_perms("view", "add", "change"),
            "services.delete_formfield",
            "services.delete_openinghours",
            "services.delete_centreexception",
            "services.view_application",
            "services.change_application",
            "services.process_application",
            "services.view_appointment",
            "services.change_appointment",
            "services.view_document",
        ],
        "city_admin": [
            *_perms("view", "add", "change", "delete"),
        ],
    }
