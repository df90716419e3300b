"""citizens' part of the admin's front page (citizens.staff_tasks.staff_overview_for).

Whoever looks after the notification outbox (citizens.view_delivery) gets a
link to its overview per channel, and a warning above everything else when
the priority lane falls behind: at most one query over the due-rows index,
kept for a few seconds (citizens.notifications.overview).
"""

from django.urls import reverse
from django.utils.translation import gettext as _

from .notifications import overview
from .staff_tasks import StaffCount


def staff_overview(user) -> list[StaffCount]:
    if not user.has_perm("citizens.view_delivery"):
        return []
    url = reverse("admin:citizens_delivery_overview")
    lines = []
    delay = overview.priority_delay()
    if delay is not None:
        lines.append(
            StaffCount(
                _("The priority lane is behind"),
                url,
                delay.count,
                urgent=True,
                alert=overview.delay_text(delay),
            )
        )
    lines.append(
        StaffCount(
            _("Outbox by channel"),
            url,
            help=_("Messages queued, sent and failed per channel, and the longest wait."),
        )
    )
    return lines
