"""Points of help: saving a point, its live status, residents' reports.

A status change locks the point, checks the table (outages/point_workflow.py),
saves with update_fields, records a PointStatusChange (who, when, from, to)
and invalidates the public feed once the transaction commits. Operators act
only on the points they are assigned to, in a session that passed
two-factor authentication (citizens.access.has_staff_powers).
"""

from __future__ import annotations

import uuid

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from citizens.access import has_staff_powers
from citizens.notifications.services import notify
from mycity.lib.i18n import field_in_every_language, in_every_language
from mycity.models import District

from .. import cache
from .. import point_workflow as workflow
from ..models import HelpPoint, PointReport, PointStatus, PointStatusChange, Problem
from ..models.points import COMMENT_MAX

OPERATE = "outages.operate_helppoint"
HANDLE = "outages.handle_pointreport"


class PointError(Exception):
    """A refused operation on a point; the message is in the user's language."""


# --- who may do what ---------------------------------------------------------------


def can_operate(user) -> bool:
    """Staff with the operator's permission, in a session that passed two-factor authentication."""
    return has_staff_powers(user) and user.has_perm(OPERATE)


def may_handle_reports(user) -> bool:
    return has_staff_powers(user) and user.has_perm(HANDLE)


def get_point_for_operator(user, pk, *, queryset=None) -> HelpPoint:
    """The point `pk` if `user` operates it. PermissionDenied for a non-operator, 404 otherwise.

    Another operator's point is a 404: whether it exists is not theirs to know.
    """
    if not can_operate(user):
        raise PermissionDenied
    base = queryset if queryset is not None else HelpPoint.objects.all()
    try:
        return base.operated_by(user).get(pk=pk)
    except (HelpPoint.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


# --- saving a point ----------------------------------------------------------------


def point_save(*, point: HelpPoint, operators=None) -> HelpPoint:
    """Save a point (new or changed), its district found from its place on the map.

    Refuses a place outside the city's districts. `operators` (users), when
    given, replaces the point's operators.
    """
    try:
        lat, lon = float(point.latitude), float(point.longitude)
    except (TypeError, ValueError):
        raise PointError(_("Give the point's latitude and longitude.")) from None
    district = District.objects.locate(lat=lat, lon=lon)
    if district is None:
        raise PointError(_("This place is outside the city. Put the pin inside the city."))
    point.district = district
    try:
        point.full_clean()
    except ValidationError as exc:
        raise PointError(" ".join(exc.messages)) from exc
    with transaction.atomic():
        point.save()
        if operators is not None:
            point.operators.set(operators)
        cache.bump_on_commit()
    return point


# --- the live status -----------------------------------------------------------------


def _record(point, *, action, before, generator_before, by, note="", now) -> PointStatusChange:
    return PointStatusChange.objects.create(
        point=point,
        action=action,
        from_status=before,
        to_status=point.status,
        generator_before=generator_before,
        generator_after=point.generator_on,
        actor=by,
        note=note,
        created_at=now,
    )


def point_set_status(
    *, point: HelpPoint, by, status: str | None = None, generator_on: bool | None = None
) -> HelpPoint:
    """Give a point a new status and/or generator flag, confirmed now by `by`.

    `by` must operate the point. A status equal to the current one with the
    same generator flag is a confirmation ("still accurate"). Each change is
    recorded as one PointStatusChange; the public feed is invalidated on commit.
    """
    if status is not None and status not in PointStatus.values:
        raise PointError(_("Choose open, closed or full."))
    with transaction.atomic():
        locked = get_point_for_operator(
            by, point.pk, queryset=HelpPoint.objects.select_for_update()
        )
        before, generator_before = locked.status, locked.generator_on
        now = timezone.now()
        actions = []
        if status is not None and status != before:
            action = workflow.ACTION_TO[status]
            if not workflow.allowed(action, before):
                raise PointError(
                    _("A point that is %(from)s cannot be marked %(to)s.")
                    % {"from": PointStatus(before).label, "to": PointStatus(status).label}
                )
            locked.status = workflow.WORKFLOW.target(action, before)
            actions.append(action)
        if generator_on is not None and bool(generator_on) != generator_before:
            locked.generator_on = bool(generator_on)
            actions.append(workflow.GENERATOR)
        if not actions:
            actions.append(workflow.CONFIRM)
        locked.confirmed_at = now
        locked.confirmed_by = by
        locked.save(
            update_fields=["status", "generator_on", "confirmed_at", "confirmed_by", "updated_at"]
        )
        _record(
            locked,
            action="+".join(actions),
            before=before,
            generator_before=generator_before,
            by=by,
            now=now,
        )
        cache.bump_on_commit()
    return locked


def point_confirm(*, point: HelpPoint, by) -> HelpPoint:
    """ "Still accurate": the operator confirms the status as it is; only the time moves."""
    return point_set_status(point=point, by=by)


# --- residents' reports --------------------------------------------------------------


def report_recipients(point: HelpPoint) -> tuple[list[int], list[int]]:
    """(the point's active operators, the moderators who handle reports and do not operate it)."""
    permission = Permission.objects.filter(
        content_type__app_label="outages", codename=HANDLE.split(".")[1]
    ).first()
    users = get_user_model().objects.filter(is_active=True)
    operators = set(users.filter(operated_points=point).values_list("pk", flat=True))
    moderators = set()
    if permission is not None:
        moderators = set(
            users.filter(is_staff=True)
            .filter(Q(groups__permissions=permission) | Q(user_permissions=permission))
            .values_list("pk", flat=True)
        )
    return sorted(operators), sorted(moderators - operators)


def point_report(
    *, point: HelpPoint, problem: str, comment: str = "", reporter=None, key: uuid.UUID
) -> tuple[PointReport, bool]:
    """A resident's report that the point is closed, not working or full.

    Returns (report, created). The same form sent twice (the same key) is one
    report and tells nobody twice. Its operators and the moderators are told
    through the notification outbox in this transaction.
    """
    if problem not in Problem.values:
        raise PointError(_("Choose what is wrong with the point."))
    comment = " ".join(str(comment or "").split())
    if len(comment) > COMMENT_MAX:
        raise PointError(_("Shorten the comment to %(n)d characters.") % {"n": COMMENT_MAX})
    if not point.is_published:
        raise PointError(_("This point is no longer in the register."))
    reporter = reporter if reporter is not None and reporter.is_authenticated else None
    existing = PointReport.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            report = PointReport.objects.create(
                point=point,
                problem=problem,
                comment=comment,
                reporter=reporter,
                idempotency_key=key,
            )
            operators, moderators = report_recipients(point)
            context = {
                "point": field_in_every_language(point, "name"),
                "problem": in_every_language(Problem(problem).label),
                "comment": comment,
            }
            # Operators act on their screen; moderators read reports in the admin.
            for recipients, url in (
                (operators, f"{reverse('outages:points_operate')}#point-{point.pk}"),
                (moderators, reverse("admin:outages_pointreport_changelist")),
            ):
                if recipients:
                    notify(
                        recipients=recipients,
                        event="outages.point_reported",
                        context=context,
                        url=url,
                    )
    except IntegrityError:
        # The same key committed by a request running alongside.
        return PointReport.objects.get(idempotency_key=key), False
    return report, True


def report_handle(*, report: PointReport, by) -> PointReport:
    """Mark a report handled: by an operator of its point or a moderator."""
    with transaction.atomic():
        locked = PointReport.objects.select_for_update().select_related("point").get(pk=report.pk)
        if not may_handle_reports(by):
            get_point_for_operator(by, locked.point_id)
        if locked.handled_at is None:
            locked.handled_at = timezone.now()
            locked.handled_by = by
            locked.save(update_fields=["handled_at", "handled_by"])
    return locked
