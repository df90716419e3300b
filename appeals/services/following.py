"""What a resident does with an appeal after filing it, and following others' appeals."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mycity.lib.i18n import in_every_language

from .. import photos as photo_rules
from ..models import (
    Appeal,
    AppealEvent,
    AppealFollower,
    AppealMessage,
    AppealPhoto,
    AppealRating,
    legal_deadline,
)
from ..selectors import is_public
from ..workflow import ANSWERED_STATUSES, AUTHOR, AUTHOR_CAN_ADD, Action, Status
from .common import (
    AppealError,
    notify_department_of_reply,
    notify_status,
    transition,
)

# The author may reopen an answered appeal this long after the answer, once.
REOPEN_DAYS = 30


def appeal_follow(*, appeal: Appeal, user) -> bool:
    """Subscribe `user` to news of a public appeal; True if they were not following yet.

    Following twice is harmless (the database keeps one row per person and
    appeal). One's own appeal, and one that is not public, cannot be followed.
    """
    if appeal.author_id == user.pk:
        raise AppealError(_("You filed this request: you hear about it anyway."))
    if not is_public(appeal):
        raise AppealError(_("Only public requests can be followed."))
    try:
        with transaction.atomic():
            _follower, created = AppealFollower.objects.get_or_create(appeal=appeal, user=user)
    except IntegrityError:
        # A second tap won the race: the person follows it either way.
        return False
    return created


def appeal_unfollow(*, appeal: Appeal, user) -> bool:
    """Stop following; True if `user` was following. Unfollowing twice is harmless."""
    deleted, _per_model = AppealFollower.objects.filter(appeal=appeal, user=user).delete()
    return bool(deleted)


ADDED_INFO = gettext_lazy("The author added information.")
REOPENED = gettext_lazy("The author reopened it: the problem is not solved.")


def appeal_add_info(*, appeal: Appeal, author, text: str, photos=()) -> Appeal:
    """The author adds information or photos to an appeal that is still open.

    Allowed while the status is in AUTHOR_CAN_ADD. A request returned for
    information goes back to moderation (the ADD_INFO transition), and the
    author and followers hear about it; otherwise the addition is recorded on
    the timeline. Photos are re-encoded without EXIF before anything is saved.
    Returns the updated appeal.
    """
    text = text.strip()
    if appeal.author_id != author.pk:
        raise AppealError(_("Only the author can add information to a request."))
    if not text and not photos:
        raise AppealError(_("Write something or attach a photo."))
    if len(photos) > photo_rules.MAX_PHOTOS:
        raise AppealError(_("You can attach up to %(n)d photos.") % {"n": photo_rules.MAX_PHOTOS})
    try:
        cleaned = [photo_rules.clean_photo(upload) for upload in photos]
    except ValidationError as exc:
        raise AppealError(exc.messages[0]) from exc

    with transaction.atomic():
        locked = Appeal.objects.select_for_update().select_related("category").get(pk=appeal.pk)
        if locked.status not in AUTHOR_CAN_ADD:
            raise AppealError(
                _("Information can no longer be added to a request that is “%(status)s”.")
                % {"status": locked.get_status_display()}
            )
        now = timezone.now()
        if text:
            AppealMessage.objects.create(
                appeal=locked,
                type=AppealMessage.Type.INFO,
                author=author,
                text=text,
                created_at=now,
            )
        for photo in cleaned:
            AppealPhoto.objects.create(
                appeal=locked,
                image=photo,
                width=photo.width,
                height=photo.height,
                added_by=author,
                is_public=not locked.category.sensitive,
                created_at=now,
            )
        if locked.status == Status.RETURNED:
            locked = transition(appeal=locked, action=Action.ADD_INFO, actor=author, role=AUTHOR)
            # Art. 5, 7: the term restarts from the author's reply, not the old filing date.
            locked.deadline = legal_deadline(now, locked.term_days)
            locked.reply_due = None
            locked.save(update_fields=["deadline", "reply_due", "updated_at"])
            # ADD_INFO is not one of the table's notified actions; here the
            # status did change, so the author and followers see it move on.
            notify_status(locked)
        else:
            AppealEvent.objects.create(
                appeal=locked,
                action=Action.ADD_INFO,
                from_status=locked.status,
                to_status=locked.status,
                actor=author,
                created_at=now,
            )
            locked.save(update_fields=["updated_at"])
        notify_department_of_reply(locked, what=in_every_language(ADDED_INFO))
    return locked


def has_rating(appeal: Appeal) -> bool:
    """Whether the answer is rated (uses a select_related rating when there is one)."""
    try:
        appeal.rating  # noqa: B018
    except AppealRating.DoesNotExist:
        return False
    return True


def rating_refusal(appeal: Appeal) -> str | None:
    """Why the author cannot rate the answer now, or None if they can."""
    if appeal.answered_at is None or appeal.status not in ANSWERED_STATUSES:
        return _("A request can be rated once it is answered.")
    if has_rating(appeal):
        return _("You have already rated the answer to this request.")
    return None


def appeal_rate(*, appeal: Appeal, author, score: int, comment: str = "") -> AppealRating:
    """The author rates the answer, 1 to 5 with an optional comment, once."""
    if appeal.author_id != author.pk:
        raise AppealError(_("Only the author can rate the answer."))
    if not 1 <= score <= 5:
        raise AppealError(_("Choose from 1 to 5 stars."))
    with transaction.atomic():
        locked = Appeal.objects.select_for_update().get(pk=appeal.pk)
        refusal = rating_refusal(locked)
        if refusal:
            raise AppealError(refusal)
        rating = AppealRating(appeal=locked, score=score, comment=comment.strip())
        rating.full_clean()
        rating.save()
    return rating


def reopen_refusal(appeal: Appeal, now: dt.datetime | None = None) -> str | None:
    """Why the author cannot reopen the appeal now, or None if they can."""
    now = now or timezone.now()
    if appeal.reopened:
        return _("This request has already been reopened once.")
    if appeal.answered_at is None or appeal.status not in ANSWERED_STATUSES:
        return _("A request can be reopened only after it is answered.")
    if now - appeal.answered_at > dt.timedelta(days=REOPEN_DAYS):
        return _("A request can be reopened within %(days)d days of the answer.") % {
            "days": REOPEN_DAYS
        }
    return None


def appeal_reopen(*, appeal: Appeal, author, reason: str) -> Appeal:
    """The author reopens an answered appeal that is not solved ("closed but not fixed").

    Once per appeal, within REOPEN_DAYS of the answer, with a reason shown on
    the public timeline. The appeal goes back to the department (in progress)
    with a fresh legal deadline; the author and followers are told.
    """
    reason = reason.strip()
    if appeal.author_id != author.pk:
        raise AppealError(_("Only the author can reopen a request."))
    if not reason:
        raise AppealError(_("Tell the city what is still wrong."))
    with transaction.atomic():
        locked = Appeal.objects.select_for_update().select_related("category").get(pk=appeal.pk)
        refusal = reopen_refusal(locked)
        if refusal:
            raise AppealError(refusal)
        answer_days = locked.category.answer_days
        locked = transition(
            appeal=locked, action=Action.REOPEN, actor=author, role=AUTHOR, reason=reason
        )
        now = timezone.now()
        locked.reopened = True
        # The repeated request is answered within the same legal term, from today.
        locked.deadline = legal_deadline(now, answer_days)
        locked.save(update_fields=["reopened", "deadline", "updated_at"])
        notify_department_of_reply(locked, what=in_every_language(REOPENED))
    return locked
