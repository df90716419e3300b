from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from citizens.notifications.events import ALERTS, EMAIL, TELEGRAM, WEBPUSH, EventType

POINTS = [
    "outages.{}_helppoint",
    "outages.{}_pointstatuschange",
    "outages.{}_pointreport",
]


def _followers(*, incident_id):
    from mycity.models import IncidentFollower

    return IncidentFollower.objects.filter(incident_id=incident_id).values("user_id")


def _people(*, ids):
    from citizens.models import User

    return User.objects.filter(pk__in=ids).values("pk")


class OutagesConfig(AppConfig):
    name = "outages"
    verbose_name = _("Outages and points of help")
    # Anonymous visitors' copies of the outage pages and of the register of
    # points of help are kept (mycity/pagecache.py); incidents are core rows,
    # so a change to one drops them, and a point's change bumps this app's
    # version. The operator screen never.
    cached_pages = ["/outages/", "/points/", "!/points/operate/"]
    # Who changed a point, and residents' reports, are never on a public page.
    private_models = ["PointStatusChange", "PointReport"]
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
        EventType(
            key="outages.point_reported",
            label=_("Residents' reports on points of help (operators and moderators)"),
            title=_("%(point)s: %(problem)s"),
            text=_("A resident reports about “%(point)s”: %(problem)s. %(comment)s"),
            priority=True,
            default_channels=frozenset({EMAIL, WEBPUSH, TELEGRAM}),
            staff_permissions=frozenset(
                {"outages.operate_helppoint", "outages.handle_pointreport"}
            ),
        ),
    ]

    notification_audiences = {
        "outages.followers": _followers,
        "outages.people": _people,
    }

    # Clerks and editors declare and resolve incidents; moderators confirm
    # or dismiss the ones suggested from clusters of reports, and handle
    # residents' reports on points of help; point operators keep the status
    # of the points they are assigned to.
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
        "moderator": [
            "mycity.view_incident",
            "mycity.change_incident",
            "outages.view_helppoint",
            "outages.view_pointreport",
            "outages.handle_pointreport",
        ],
        "point_operator": [
            "outages.view_helppoint",
            "outages.operate_helppoint",
            "outages.view_pointstatuschange",
            "outages.view_pointreport",
        ],
        "city_admin": [
            "mycity.view_incident",
            "mycity.view_incidentupdate",
            *[p.format("view") for p in POINTS],
            "outages.add_helppoint",
            "outages.change_helppoint",
            "outages.delete_helppoint",
        ],
    }

    def ready(self):
        from . import cache

        cache.connect()
