"""The daily jobs of the law's terms: escalate overdue appeals, close unanswered returns."""

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from citizens.notifications.services import notify
from mycity.lib.departments import department_staff_ids

from ...models import (
    Appeal,
)
from ...workflow import (
    OPEN_STATUSES,
    SYSTEM,
    Action,
    Status,
)
from ..common import transition
from .base import (
    AUDIT_ESCALATE,
    audit,
    audit_code,
)


def appeals_escalate_overdue(*, today: dt.date | None = None) -> int:
    """Tell department heads about overdue appeals, once per appeal per day; returns how many.

    For each overdue appeal not yet escalated `today`, a conditional UPDATE
    (… WHERE escalated_on IS DISTINCT FROM today) claims it in its own
    transaction, and only the run whose UPDATE changed the row notifies the
    head (or, with no head, the department's staff) and audits it: two runs
    at once, or a task delivered twice, send one escalation.
    """
    today = today or timezone.localdate()
    not_today = Q(escalated_on__isnull=True) | ~Q(escalated_on=today)
    candidates = list(
        Appeal.objects.overdue(today)
        .filter(not_today)
        .order_by("deadline", "pk")
        .values_list("pk", "escalated_on")
    )
    escalated = 0
    for pk, last in candidates:
        with transaction.atomic():
            claimed = (
                Appeal.objects.filter(pk=pk, status__in=OPEN_STATUSES, deadline__lt=today)
                .filter(not_today)
                .update(escalated_on=today)
            )
            if not claimed:
                continue
            appeal = Appeal.objects.select_related("department").get(pk=pk)
            _escalate(appeal, today=today, last=last)
            escalated += 1
    return escalated


def _escalate(appeal: Appeal, *, today: dt.date, last: dt.date | None) -> None:
    department = appeal.department
    head = department.head
    if head is not None and head.is_active:
        # The deputy heads hear too: they act for the head (and may extend the term).
        deputies = department.deputies.filter(is_active=True).values_list("pk", flat=True)
        recipients = sorted({head.pk, *deputies})
    else:
        recipients = department_staff_ids(department, head=False)
    if recipients:
        notify(
            recipients=recipients,
            event="appeals.escalated",
            context={
                "reference": appeal.reference,
                "title": appeal.title,
                "deadline": appeal.deadline.strftime("%d.%m.%Y"),
                "days": (today - appeal.deadline).days,
            },
            url=appeal.get_absolute_url(),
        )
    if last is None and appeal.author_id:
        # Art. 20: the author hears once that the term passed, who owes the answer
        # and where to complain.
        notify(
            recipients=[appeal.author_id],
            event="appeals.term_passed",
            context={
                "reference": appeal.reference,
                "title": appeal.title,
                "deadline": appeal.deadline.strftime("%d.%m.%Y"),
                "department": department.name,
            },
            url=appeal.get_absolute_url(),
        )
    audit(
        appeal,
        actor=None,
        action=AUDIT_ESCALATE,
        changes={"escalated_on": (last, today), "notified": (None, recipients)},
    )


def appeals_close_unanswered_returns(*, today: dt.date | None = None) -> int:
    """Close returned appeals whose author did not reply in time; returns how many.

    Art. 5, 7: the author of a returned appeal has the stated time
    (`reply_due`) to reply; the day after, the appeal is closed without
    consideration (the LAPSE transition, actor SYSTEM) and the author is told
    (event `appeals.reply_time_passed`). Each appeal is locked and checked
    again in its own transaction (a second run waits, then finds it closed), so two
    runs at once, or a task delivered twice, close and notify it once.
    """
    today = today or timezone.localdate()
    due = Q(status=Status.RETURNED, reply_due__lt=today)
    closed = 0
    for pk in Appeal.objects.filter(due).order_by("reply_due", "pk").values_list("pk", flat=True):
        with transaction.atomic():
            locked = (
                Appeal.objects.select_for_update(of=("self",))
                .select_related("department")
                .filter(due, pk=pk)
                .first()
            )
            if locked is None:
                continue
            reply_due = locked.reply_due
            lapsed = transition(appeal=locked, action=Action.LAPSE, actor=None, role=SYSTEM)
            if lapsed.author_id:
                notify(
                    recipients=[lapsed.author_id],
                    event="appeals.reply_time_passed",
                    context={
                        "reference": lapsed.reference,
                        "title": lapsed.title,
                        "reply_due": reply_due.strftime("%d.%m.%Y"),
                    },
                    url=lapsed.get_absolute_url(),
                )
            audit(
                lapsed,
                actor=None,
                action=audit_code(Action.LAPSE),
                changes={
                    "status": (Status.RETURNED, lapsed.status),
                    "reply_due": (reply_due, None),
                },
            )
            closed += 1
    return closed
