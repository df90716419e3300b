"""The outages' part of the admin's front page (citizens.staff_tasks.staff_overview_for).

Whoever handles incidents sees how many are live; moderators (and whoever
may change incidents) also see the suggestions from clusters of reports
waiting to be confirmed or dismissed. One query.
"""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from citizens.staff_tasks import StaffCount
from mycity.models import Incident


def staff_overview(user) -> list[StaffCount]:
    if not user.has_perm("mycity.view_incident"):
        return []
    counts = Incident.objects.aggregate(
        live=Count("pk", filter=Q(status=Incident.Status.ACTIVE)),
        suggested=Count("pk", filter=Q(status=Incident.Status.SUGGESTED)),
    )
    changelist = reverse("admin:mycity_incident_changelist")
    lines = [
        StaffCount(
            _("Live outages"),
            f"{changelist}?status__exact=active",
            counts["live"],
            _("Incidents residents see now; resolve them when the service is back."),
        )
    ]
    if user.has_perm("mycity.change_incident"):
        lines.append(
            StaffCount(
                _("Outages suggested from reports"),
                f"{changelist}?status__exact=suggested",
                counts["suggested"],
                _("Many similar reports nearby: confirm the outage or dismiss it."),
                urgent=bool(counts["suggested"]),
            )
        )
    return lines
