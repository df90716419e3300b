from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from citizens.notifications.events import ALERTS, EMAIL, TELEGRAM, WEBPUSH, EventType


def _followers(*, incident_id):
    from mycity.models import IncidentFollower

    return IncidentFollower.objects.filter(incident_id=incident_id).values("user_id")


def _people(*, ids):
    from citizens.models import User

    return User.objects.filter(pk__in=ids).values("pk")


class OutagesConfig(AppConfig):
    name = "outages"
    verbose_name = _("Outages and points of help")
    # Anonymous visitors' copies of the outage pages are kept (mycity/pagecache.py);
    # incidents are core rows, so a change to one drops them.
    cached_pages = ["/outages/"]
    # Live incidents and suggestions to confirm, on the admin's front page.
    staff_overview = "outages.admin_home.staff_overview"

    notification_events = [
        EventType(
            key="outages.incident",
            label=_("Outages (power, water, heating, gas, mobile network) in my districts"),
            title=_("%(icon)s %(title)s"),
            text=_("%(text)s"),
            priority=True,
            default_channels=frozenset({EMAIL, WEBPUSH, TELEGRAM}),
            group=ALERTS,
        ),
        EventType(
            key="outages.incident_update",
            label=_("Updates, answers and ends of outages I follow or was told about"),
            title=_("%(icon)s %(title)s: %(what)s"),
            text=_("%(text)s"),
            priority=True,
            default_channels=frozenset({WEBPUSH, TELEGRAM, EMAIL}),
            group=ALERTS,
        ),
    ]

    notification_audiences = {
        "outages.followers": _followers,
        "outages.people": _people,
    }

    # Clerks and editors declare and resolve incidents; moderators confirm
    # or dismiss the ones suggested from clusters of reports.
    role_permissions = {
        "editor": [
            "mycity.view_incident",
            "mycity.add_incident",
            "mycity.change_incident",
            "mycity.view_incidentupdate",
            "mycity.add_incidentupdate",
        ],
        "department_staff": [
            "mycity.view_incident",
            "mycity.add_incident",
            "mycity.change_incident",
            "mycity.view_incidentupdate",
            "mycity.add_incidentupdate",
        ],
        "moderator": ["mycity.view_incident", "mycity.change_incident"],
        "city_admin": ["mycity.view_incident", "mycity.view_incidentupdate"],
    }
