"""Reads of appeals that depend on who is looking.

`get_appeal_for_user` is the one way to open a single appeal: it answers 404
to everyone the permissions rule keeps out (never 403, so a reference number
reveals nothing). `Viewer` says what the person may see and do on the page.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _

from citizens.access import has_staff_powers
from mycity.lib.pagination import EstimatedCountPaginator
from mycity.models import Department

from .forms import NO, YES
from .models import (
    AnswerAttachment,
    Appeal,
    AppealFollower,
    AppealMessage,
    AppealPhoto,
    CategoryQuestion,
    ProposalSupport,
)
from .workflow import AUTHOR_CAN_ADD, PUBLIC_STATUSES

MINE_PER_PAGE = 20
FOLLOWING_PER_PAGE = 20


def is_public(appeal: Appeal) -> bool:
    """On public pages: accepted by a moderator, public by choice, not sensitive."""
    return appeal.is_public and appeal.status in PUBLIC_STATUSES and not appeal.category.sensitive


@dataclass(frozen=True)
class Viewer:
    """Who is looking at one appeal, and so what the page shows them."""

    user: object
    is_author: bool = False
    is_moderator: bool = False
    in_department: bool = False

    @property
    def is_staff(self) -> bool:
        """A moderator or staff of the department the appeal is routed to."""
        return self.is_moderator or self.in_department

    @property
    def sees_private(self) -> bool:
        """Exact address, every photo, staff questions and the author's added information."""
        return self.is_author or self.is_staff

    @property
    def is_resident(self) -> bool:
        return bool(self.user is not None and self.user.is_authenticated)


def get_appeal_for_user(user, ref: str) -> Appeal:
    """The appeal with reference `ref` if `user` may see it, else Http404.

    Public appeals are open to everyone; a private, sensitive or not yet
    accepted one only to its author, to moderators and to staff of the
    department it is routed to (members or head). The answer carries
    `appeal.viewer`, a Viewer for `user`.
    """
    queryset = Appeal.objects.visible_to(user).select_related(
        "category", "department", "district", "author", "rating", "incident"
    )
    staff_of_department = has_staff_powers(user)
    if staff_of_department:
        members = Department.members.through.objects.filter(
            department_id=OuterRef("department_id"), user_id=user.pk
        )
        queryset = queryset.annotate(
            viewer_is_member=Exists(members),
        )
    # What the page shows besides the row, in the same query: how many follow
    # it and whether the viewer follows or supports it.
    followers = (
        AppealFollower.objects.filter(appeal=OuterRef("pk"))
        .order_by()
        .values("appeal")
        .annotate(total=Count("pk"))
        .values("total")
    )
    queryset = queryset.annotate(follower_total=Coalesce(Subquery(followers), 0))
    if user.is_authenticated:
        queryset = queryset.annotate(
            viewer_follows=Exists(
                AppealFollower.objects.filter(appeal=OuterRef("pk"), user_id=user.pk)
            ),
            viewer_supports=Exists(
                ProposalSupport.objects.filter(appeal=OuterRef("pk"), user_id=user.pk)
            ),
        )
    # By its unique reference, unordered: an ORDER BY … LIMIT 1 had the planner weigh
    # every index of the list orders, 16 ms of planning at a million appeals.
    try:
        appeal = queryset.order_by().get(reference=ref)
    except Appeal.DoesNotExist:
        raise Http404("No such request.") from None
    if not user.is_authenticated:
        appeal.viewer = Viewer(user=None)
        return appeal
    appeal.viewer = Viewer(
        user=user,
        is_author=appeal.author_id == user.pk,
        is_moderator=user.has_perm("appeals.moderate_appeal"),
        in_department=staff_of_department
        and (appeal.viewer_is_member or appeal.department.head_id == user.pk),
    )
    return appeal


def get_public_appeal_for_user(user, ref: str) -> Appeal:
    """Like get_appeal_for_user, but 404 unless the appeal is on public pages too.

    Following is for public appeals: one that is private or not yet accepted
    cannot be followed, even by those who may open it.
    """
    appeal = get_appeal_for_user(user, ref)
    if not is_public(appeal):
        raise Http404("No such request.")
    return appeal


def appeal_page(appeal: Appeal) -> dict:
    """What the appeal page shows `appeal.viewer`, in a fixed number of queries."""
    viewer: Viewer = appeal.viewer
    photos = list(appeal_photos(appeal))
    for photo in photos:
        # Their links need the reference: no query per photo.
        photo.appeal = appeal
    public_photo = next((p for p in photos if photo_is_public(appeal, p)), None)

    message_types = [AppealMessage.Type.ANSWER]
    if viewer.sees_private:
        message_types += [AppealMessage.Type.QUESTION, AppealMessage.Type.INFO]
    messages = list(AppealMessage.objects.filter(appeal=appeal, type__in=message_types))
    answers = [m for m in messages if m.type == AppealMessage.Type.ANSWER]
    _attach_files(appeal, answers)
    correspondence = [m for m in messages if m.type != AppealMessage.Type.ANSWER]

    followers = AppealFollower.objects.filter(appeal=appeal)
    following = False
    if viewer.is_resident and not viewer.is_author and is_public(appeal):
        following = getattr(appeal, "viewer_follows", None)
        if following is None:
            following = followers.filter(user=viewer.user).exists()
    follower_count = getattr(appeal, "follower_total", None)
    if follower_count is None:
        follower_count = followers.count()
    rating = getattr(appeal, "rating", None) if appeal.answered_at else None
    extra = extra_answer_rows(appeal) if viewer.sees_private and appeal.extra_answers else []
    return {
        "appeal": appeal,
        "viewer": viewer,
        "is_public_appeal": is_public(appeal),
        "photos": photos,
        "og_photo": public_photo,
        "events": list(appeal.events.filter(is_public=True)),
        "answers": answers,
        "correspondence": correspondence,
        "question_waiting": _question_waiting(correspondence),
        "follower_count": follower_count,
        "following": following,
        "rating": rating,
        "extra_answers": [(row["question"], row["text"]) for row in extra],
        "extra_answer_rows": extra,
        "place": appeal_place(appeal),
    }


def appeal_place(appeal: Appeal) -> dict | None:
    """Where the appeal is, as `appeal.viewer` may see it, for the page's place box.

    The author and staff: the typed address (else the pin's nearest address)
    and the exact point. Everyone else: the street at the public point (else
    the district) and the public point, drawn as an area of about 100 m.
    """
    exact = appeal.viewer.sees_private
    label = appeal.place if exact else appeal.public_place
    point = None
    if appeal.latitude is not None:
        point = (appeal.latitude, appeal.longitude) if exact else appeal.approximate_location
    if not label and point is None:
        return None
    return {
        "label": label,
        "point": point,
        "exact": exact,
        # What the author and staff see here is more than the public sees.
        "private": exact and is_public(appeal) and label != appeal.public_place,
        "public_label": appeal.public_place,
        "tiles": settings.MAP_TILE_URL,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
    }


def appeal_photos(appeal: Appeal):
    """The photos of `appeal` that `appeal.viewer` may see, the page's rule.

    The author and staff who may see the appeal: all of them, hidden ones
    included. Anyone else: those not hidden, and only while the appeal is public.
    """
    photos = AppealPhoto.objects.filter(appeal=appeal)
    if appeal.viewer.sees_private:
        return photos
    if not is_public(appeal):
        return photos.none()
    return photos.filter(is_public=True)


def photo_is_public(appeal: Appeal, photo: AppealPhoto) -> bool:
    """Whether everyone may see `photo` (so caches may keep it): public appeal, not hidden."""
    return photo.is_public and is_public(appeal)


def get_photo_for_user(user, ref: str, pk: int) -> AppealPhoto:
    """A photo of appeal `ref` that `user` may see, else Http404 (appeal_photos' rule).

    The photo carries its appeal (with `viewer`), so photo_is_public needs no query.
    """
    appeal = get_appeal_for_user(user, ref)
    photo = appeal_photos(appeal).filter(pk=pk).first()
    if photo is None:
        raise Http404("No such photo.")
    photo.appeal = appeal
    return photo


def answer_attachments(appeal: Appeal):
    """The answer attachments of `appeal` that `appeal.viewer` may download.

    The author and staff who may see the appeal: all of them. Anyone else:
    only those staff marked public, and only while the appeal is public.
    """
    attachments = AnswerAttachment.objects.filter(
        message__appeal=appeal, message__type=AppealMessage.Type.ANSWER
    )
    if appeal.viewer.sees_private:
        return attachments
    if not is_public(appeal):
        return attachments.none()
    return attachments.filter(is_public=True)


def _attach_files(appeal: Appeal, answers: list[AppealMessage]) -> None:
    """Each answer's `files`: its attachments the viewer may download (one query)."""
    by_message: dict[int, list[AnswerAttachment]] = {answer.pk: [] for answer in answers}
    # Asked even without answers, so the page's query count does not depend on them.
    for attachment in answer_attachments(appeal):
        by_message.setdefault(attachment.message_id, []).append(attachment)
    for answer in answers:
        # The files' links need the reference: no query per file or answer.
        answer.appeal = appeal
        answer.files = by_message[answer.pk]
        for attachment in answer.files:
            attachment.message = answer


def get_answer_attachment_for_user(user, ref: str, pk: int) -> AnswerAttachment:
    """An answer attachment of appeal `ref` that `user` may download, else Http404.

    Who may open the appeal is get_appeal_for_user's rule (Appeal.objects.visible_to);
    which of its attachments they may have is answer_attachments'.
    """
    appeal = get_appeal_for_user(user, ref)
    attachment = answer_attachments(appeal).filter(pk=pk).first()
    if attachment is None:
        raise Http404("No such file.")
    return attachment


def extra_answer_rows(appeal: Appeal) -> list[dict]:
    """The answers to the category's extra questions, in the questions' order.

    Each row: `code`, `question` (its label), `value` as stored (a choice's key,
    a list of keys, "yes"/"no", a number or text) and `text`, the answer as a
    person reads it: choices by their label, in the active language. Two queries.
    """
    answers = appeal.extra_answers or {}
    questions = list(
        CategoryQuestion.objects.filter(category_id=appeal.category_id).prefetch_related("choices")
    )
    known = {q.code for q in questions}
    rows = []
    for question in questions:
        value = answers.get(question.code)
        if value in (None, "", []):
            continue
        rows.append(
            {
                "code": question.code,
                "question": question.label,
                "value": value,
                "text": _answer_text(question, value),
            }
        )
    # An answer to a question deleted since: shown by its code, as it was stored.
    for code, value in answers.items():
        if code not in known and value not in (None, "", []):
            rows.append({"code": code, "question": code, "value": value, "text": _plain(value)})
    return rows


def _plain(value) -> str:
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def _answer_text(question: CategoryQuestion, value) -> str:
    if question.type == CategoryQuestion.Type.YES_NO and value in (YES, NO):
        return _("yes") if value == YES else _("no")
    if question.has_choices:
        labels = {c.key: c.label for c in question.choices.all()}
        values = value if isinstance(value, list | tuple) else [value]
        # A key whose choice was deleted since is shown as it was stored.
        return ", ".join(labels.get(v, str(v)) if isinstance(v, str) else str(v) for v in values)
    return _plain(value)


def extra_answer_pairs(appeal: Appeal) -> list[tuple[str, str]]:
    """(question, answer) pairs of the category's extra questions, as text."""
    return [(row["question"], row["text"]) for row in extra_answer_rows(appeal)]


def _question_waiting(correspondence: list[AppealMessage]) -> bool:
    """A staff question that the author has not answered since."""
    waiting = False
    for message in correspondence:  # oldest first
        waiting = message.type == AppealMessage.Type.QUESTION
    return waiting


def follow_context(appeal: Appeal) -> dict:
    """The follow button's context alone (for an htmx swap)."""
    viewer = appeal.viewer
    followers = AppealFollower.objects.filter(appeal=appeal)
    return {
        "appeal": appeal,
        "viewer": viewer,
        "is_public_appeal": is_public(appeal),
        "following": viewer.is_resident and followers.filter(user=viewer.user).exists(),
        "follower_count": followers.count(),
    }


def my_appeals(user):
    """Everything `user` filed, any status, newest first, with their latest question and reply."""

    def latest(kind):
        return Subquery(
            AppealMessage.objects.filter(appeal=OuterRef("pk"), type=kind)
            .order_by("-created_at")
            .values("created_at")[:1]
        )

    return (
        Appeal.objects.filter(author=user)
        .select_related("category", "district")
        .annotate(
            last_question_at=latest(AppealMessage.Type.QUESTION),
            last_info_at=latest(AppealMessage.Type.INFO),
        )
        .order_by("-registered_at", "-pk")
    )


def followed_appeals(user):
    """Public appeals `user` follows, most recently followed first."""
    return (
        Appeal.objects.public()
        .filter(followers__user=user)
        .select_related("category", "district")
        .order_by("-followers__created_at", "-pk")
    )


def my_requests_page(user, *, page: str | None, following_page: str | None) -> dict:
    mine = EstimatedCountPaginator(my_appeals(user), MINE_PER_PAGE).get_page(page)
    for appeal in mine.object_list:
        appeal.question_waiting = appeal.status in AUTHOR_CAN_ADD and bool(
            appeal.last_question_at
            and (appeal.last_info_at is None or appeal.last_info_at < appeal.last_question_at)
        )
    followed = EstimatedCountPaginator(followed_appeals(user), FOLLOWING_PER_PAGE).get_page(
        following_page
    )
    return {"mine": mine, "followed": followed}
