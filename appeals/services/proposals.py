"""Supports of public proposals: one per person, counted exactly, threshold once.

Concurrency: every support and withdrawal first locks the proposal's row,
then inserts or deletes the support row inside a savepoint and moves
`support_count` with an F() UPDATE. The lock serialises all changes to one
proposal, so the counter always equals the number of rows and the threshold
is crossed in exactly one transaction; the F() keeps the arithmetic in the
database, so even a writer that skipped the lock could not lose an update.
Locking before the insert matters: the insert's foreign-key check takes a
KEY SHARE lock on the appeal row, and a FOR UPDATE taken after the insert
would deadlock with a second supporter holding its own KEY SHARE. The lock
is NO KEY UPDATE, so followers, photos and events can still be added to the
proposal meanwhile.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from citizens.notifications.services import notify
from mycity.lib.departments import department_staff_ids
from mycity.lib.i18n import in_every_language

from ..models import Appeal, Kind, ProposalSupport
from ..policies import support_state, support_threshold
from .common import AppealError

THRESHOLD_STATUS = gettext_lazy("reached its support threshold")
THRESHOLD_NOTE = gettext_lazy("The city must answer it officially.")


def _lock(appeal: Appeal) -> Appeal:
    # Only the appeal's row: `of` keeps the category row (shared by many
    # proposals) unlocked. NO KEY UPDATE: see the module docstring.
    return (
        Appeal.objects.select_for_update(no_key=True, of=("self",))
        .select_related("category")
        .get(pk=appeal.pk)
    )


def _check_collecting(appeal: Appeal, today: dt.date) -> None:
    if appeal.kind != Kind.PROPOSAL:
        raise AppealError(_("Only proposals can be supported."))
    state = support_state(appeal, today)
    if not state.supportable:
        raise AppealError(_("Only public proposals accepted by a moderator can be supported."))
    if not state.collecting:
        if appeal.support_until is None:
            raise AppealError(_("This proposal does not collect supports."))
        raise AppealError(
            _("Supports for this proposal were collected until %(date)s.")
            % {"date": date_format(appeal.support_until, "DATE_FORMAT")}
        )


def proposal_support(*, appeal: Appeal, user) -> tuple[Appeal, bool]:
    """Add `user`'s support to a public proposal; returns (appeal, counted).

    Refused with AppealError unless the proposal is public, accepted or later,
    not sensitive, within its collection period, and not the user's own. A
    second support by the same person (a double tap, two tabs) is not an
    error: the database's unique constraint refuses the row and `counted` is
    False. The transaction whose support first reaches the threshold marks
    the proposal and tells the routed department and the author.
    """
    now = timezone.now()
    with transaction.atomic():
        locked = _lock(appeal)
        _check_collecting(locked, timezone.localdate(now))
        if locked.author_id == user.pk:
            raise AppealError(_("You cannot support your own proposal."))
        try:
            # A savepoint: the unique constraint's refusal must not spoil the
            # caller's transaction.
            with transaction.atomic():
                ProposalSupport.objects.create(appeal=locked, user=user, created_at=now)
        except IntegrityError:
            return locked, False
        Appeal.objects.filter(pk=locked.pk).update(
            support_count=F("support_count") + 1, updated_at=now
        )
        locked.refresh_from_db(fields=["support_count", "updated_at"])
        if locked.threshold_reached_at is None and locked.support_count >= support_threshold(
            locked.category
        ):
            locked.threshold_reached_at = now
            locked.save(update_fields=["threshold_reached_at", "updated_at"])
            _notify_threshold(locked)
    return locked, True


def proposal_unsupport(*, appeal: Appeal, user) -> tuple[Appeal, bool]:
    """Withdraw `user`'s support while the proposal still collects; returns (appeal, withdrawn).

    A person who does not support it gets (appeal, False), not an error. A
    threshold once reached stays reached: the city's duty to answer began then.
    """
    now = timezone.now()
    with transaction.atomic():
        locked = _lock(appeal)
        _check_collecting(locked, timezone.localdate(now))
        deleted, _per_model = ProposalSupport.objects.filter(appeal=locked, user=user).delete()
        if not deleted:
            return locked, False
        Appeal.objects.filter(pk=locked.pk).update(
            support_count=F("support_count") - 1, updated_at=now
        )
        locked.refresh_from_db(fields=["support_count", "updated_at"])
    return locked, True


def support_count_recount(*, appeal_id: int) -> int | None:
    """Set a proposal's `support_count` to its support rows (the counters check's fix).

    Takes the same row lock as a support, so no support lands between the
    count and the store. A recount that reaches the threshold marks it as a
    support would. Returns the stored count, or None if the appeal is gone.
    """
    now = timezone.now()
    with transaction.atomic():
        locked = (
            Appeal.objects.select_for_update(no_key=True, of=("self",))
            .select_related("category")
            .filter(pk=appeal_id)
            .first()
        )
        if locked is None:
            return None
        count = ProposalSupport.objects.filter(appeal_id=appeal_id).count()
        Appeal.objects.filter(pk=appeal_id).update(support_count=count)
        locked.support_count = count
        if (
            locked.kind == Kind.PROPOSAL
            and locked.threshold_reached_at is None
            and count >= support_threshold(locked.category)
        ):
            locked.threshold_reached_at = now
            locked.save(update_fields=["threshold_reached_at", "updated_at"])
            _notify_threshold(locked)
    return count


def _notify_threshold(appeal: Appeal) -> None:
    """Tell the routed department (staff and head), then the author and followers."""
    staff = department_staff_ids(appeal.department)
    url = appeal.get_absolute_url()
    if staff:
        notify(
            recipients=staff,
            event="appeals.threshold_reached",
            context={
                "reference": appeal.reference,
                "title": appeal.title,
                "count": appeal.support_count,
            },
            url=url,
        )
    # The author and followers hear it as news about their request: it now
    # must get an official answer, which is what they waited for.
    residents = (
        {
            appeal.author_id,
            *appeal.followers.values_list("user_id", flat=True),
        }
        - set(staff)
        - {None}
    )
    notify(
        recipients=sorted(residents),
        event="appeals.status_changed",
        context={
            "reference": appeal.reference,
            "title": appeal.title,
            "status": in_every_language(THRESHOLD_STATUS),
            "reason": in_every_language(THRESHOLD_NOTE),
        },
        url=url,
    )
