"""The appeals' part of the admin's front page (citizens.staff_tasks.staff_overview_for).

A moderator sees the queue waiting for moderation; whoever works on appeals
sees what is assigned to them and what is overdue in their scope (the whole
city for moderators, their departments for department staff), each count a
link to the list it counts, and the dashboard of departments. All the counts
come from one query over the open appeals of the scope.
"""

from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from citizens.staff_tasks import StaffCount

from .services.staff import appeals_for_staff
from .workflow import OPEN_STATUSES, Status


def _changelist(**params) -> str:
    return f"{reverse('admin:appeals_appeal_changelist')}?{urlencode(params)}"


def staff_overview(user) -> list[StaffCount]:
    if not user.has_perm("appeals.view_appeal"):
        return []
    moderates = user.has_perm("appeals.moderate_appeal")
    works = user.has_perm("appeals.change_appeal")
    counts = (
        appeals_for_staff(user)
        .filter(status__in=OPEN_STATUSES)
        .aggregate(
            queue=Count("pk", filter=Q(status=Status.MODERATION)),
            mine=Count("pk", filter=Q(assignee=user)),
            overdue=Count("pk", filter=Q(deadline__lt=timezone.localdate())),
        )
    )
    lines = []
    if moderates:
        lines.append(
            StaffCount(
                _("Awaiting moderation"),
                reverse("admin:appeals_moderationqueue_changelist"),
                counts["queue"],
                _("The moderation queue: priority requests first, then the oldest."),
            )
        )
    if works:
        lines.append(
            StaffCount(
                _("Assigned to me"),
                _changelist(assigned="me", status__in=",".join(sorted(OPEN_STATUSES))),
                counts["mine"],
                _("Open requests you are to answer."),
            )
        )
    lines.append(
        StaffCount(
            _("Overdue"),
            _changelist(overdue="yes"),
            counts["overdue"],
            _("The whole city's open requests past their answer date.")
            if moderates
            else _("Your departments' open requests past their answer date."),
            urgent=counts["overdue"] > 0,
        )
    )
    lines.append(
        StaffCount(
            _("Department dashboard"),
            reverse("admin:appeals_appeal_dashboard"),
            help=_("Open, overdue and answered in time, per department."),
        )
    )
    return lines
