"""The staff services: moderation, routing, department work, with scoping and audit."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from appeals.models import (
    AnswerAttachment,
    Appeal,
    AppealAudit,
    AppealEvent,
    AppealFollower,
    AppealMessage,
    AppealNote,
    AppealPhoto,
    Kind,
    RejectReason,
    legal_deadline,
)
from appeals.services import (
    AppealError,
    appeal_accept,
    appeal_answer,
    appeal_assign,
    appeal_close,
    appeal_extend,
    appeal_forward,
    appeal_merge,
    appeal_note,
    appeal_redact,
    appeal_reject,
    appeal_return,
    appeal_start,
    appeals_for_staff,
    photo_hide,
    photo_remove,
    staff_role,
    transition,
)
from appeals.workflow import DEPARTMENT, MODERATOR, Action, Status
from citizens.notifications.models import Notification
from tests.appeals.following_helpers import photo_upload, staff_of
from tests.factories import CategoryFactory, DepartmentFactory, UserFactory, submit_appeal
from tests.services.factories import pdf_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "media_root")]


class World:
    """An author, a department with staff and a head, and appeals in any state."""

    def __init__(self, *, resident, moderator, department, department_staff):
        self.author = resident
        self.moderator = moderator
        self.department = department
        self.other_staff = department_staff  # works in another department
        self.staff = staff_of(department)
        self.head = staff_of(DepartmentFactory())  # staff elsewhere, head here
        department.head = self.head
        department.save(update_fields=["head"])
        self.category = CategoryFactory(department=department)

    def appeal(self, state: str = "moderation", **fields) -> Appeal:
        appeal = submit_appeal(self.author, self.category, **fields)
        if state == "moderation":
            return appeal
        appeal = appeal_accept(appeal=appeal, moderator=self.moderator)
        if state == "accepted":
            return appeal
        appeal = appeal_start(appeal=appeal, staff=self.staff)
        if state == "in_progress":
            return appeal
        appeal = appeal_answer(appeal=appeal, staff=self.staff, text="Яму залатано.")
        assert state == "answered"
        return appeal

    def photo(self, appeal: Appeal) -> AppealPhoto:
        return AppealPhoto.objects.create(
            appeal=appeal, image=photo_upload(), width=40, height=30, added_by=self.author
        )

    def original(self) -> Appeal:
        return submit_appeal(UserFactory(), self.category, title="Та сама яма")


@pytest.fixture
def world(resident, moderator, department, department_staff):
    return World(
        resident=resident,
        moderator=moderator,
        department=department,
        department_staff=department_staff,
    )


def told(event: str = "appeals.status_changed") -> set[int]:
    return set(Notification.objects.filter(event=event).values_list("recipient_id", flat=True))


def pdf_upload(name: str = "answer.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def png_upload(name: str = "scheme.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), (0, 120, 200)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


# --- every function: who may call it ----------------------------------------

# name -> (the state the appeal must be in, the call with `actor`)
CALLS = {
    "accept": ("moderation", lambda w, a, u: appeal_accept(appeal=a, moderator=u)),
    "redact": ("moderation", lambda w, a, u: appeal_redact(appeal=a, moderator=u, title="Яма")),
    "photo_hide": ("moderation", lambda w, a, u: photo_hide(photo=w.photo(a), moderator=u)),
    "photo_remove": ("moderation", lambda w, a, u: photo_remove(photo=w.photo(a), moderator=u)),
    "return": ("accepted", lambda w, a, u: appeal_return(appeal=a, actor=u, question="Де?")),
    "reject": (
        "moderation",
        lambda w, a, u: appeal_reject(appeal=a, moderator=u, reason=RejectReason.SPAM),
    ),
    "forward": ("accepted", lambda w, a, u: appeal_forward(appeal=a, actor=u, body="Облводоканал")),
    "merge": ("accepted", lambda w, a, u: appeal_merge(appeal=a, into=w.original(), moderator=u)),
    "start": ("accepted", lambda w, a, u: appeal_start(appeal=a, staff=u)),
    "assign": ("accepted", lambda w, a, u: appeal_assign(appeal=a, assignee=w.staff, actor=u)),
    "answer": ("in_progress", lambda w, a, u: appeal_answer(appeal=a, staff=u, text="Зроблено.")),
    "close": ("answered", lambda w, a, u: appeal_close(appeal=a, actor=u)),
    "extend": (
        "in_progress",
        lambda w, a, u: appeal_extend(appeal=a, actor=u, days=5, reason="Потрібна експертиза."),
    ),
    "note": ("accepted", lambda w, a, u: appeal_note(appeal=a, author=u, text="Подзвонити.")),
}
MODERATOR_ONLY = {"accept", "redact", "photo_hide", "photo_remove", "reject", "merge"}
DEPARTMENT_ONLY = {"start", "answer"}
HEAD_ONLY = {"extend"}  # Art. 20: only the head of the department extends the term
EVERY_STAFF = set(CALLS) - MODERATOR_ONLY - DEPARTMENT_ONLY - HEAD_ONLY
AUDIT_CODES = {
    "accept": "appeals.accept",
    "redact": "appeals.redact",
    "photo_hide": "appeals.photo_hide",
    "photo_remove": "appeals.photo_remove",
    "return": "appeals.return",
    "reject": "appeals.reject",
    "forward": "appeals.forward",
    "merge": "appeals.merge",
    "start": "appeals.start",
    "assign": "appeals.assign",
    "answer": "appeals.answer",
    "close": "appeals.close",
    "extend": "appeals.extend",
    "note": "appeals.note",
}


def _refused(world, name, actor, match):
    state, call = CALLS[name]
    appeal = world.appeal(state)
    audits = AppealAudit.objects.count()
    with pytest.raises(AppealError, match=match):
        call(world, appeal, actor)
    after = Appeal.objects.get(pk=appeal.pk)
    assert after.status == appeal.status
    assert AppealAudit.objects.count() == audits


@pytest.mark.parametrize("name", sorted(CALLS))
def test_staff_of_another_department_are_refused(world, name):
    _refused(world, name, world.other_staff, "your department")


@pytest.mark.parametrize("name", sorted(CALLS))
def test_residents_are_refused_even_on_their_own_appeal(world, name):
    _refused(world, name, world.author, "your department")


@pytest.mark.parametrize("name", sorted(MODERATOR_ONLY))
def test_department_staff_cannot_moderate(world, name):
    _refused(world, name, world.staff, "Only a moderator")


@pytest.mark.parametrize("name", sorted(DEPARTMENT_ONLY))
def test_moderators_cannot_do_the_departments_work(world, name):
    _refused(world, name, world.moderator, "Only the staff of the department")


@pytest.mark.parametrize("name", sorted(MODERATOR_ONLY | EVERY_STAFF))
def test_moderators_may_act_on_any_departments_appeal(world, name):
    state, call = CALLS[name]
    call(world, world.appeal(state), world.moderator)


@pytest.mark.parametrize("who", ["staff", "head"])
@pytest.mark.parametrize("name", sorted(DEPARTMENT_ONLY | EVERY_STAFF))
def test_department_staff_and_head_may_act_on_their_departments_appeal(world, name, who):
    state, call = CALLS[name]
    call(world, world.appeal(state), getattr(world, who))


@pytest.mark.parametrize("name", sorted(CALLS))
def test_every_staff_action_is_audited_with_who_and_what(world, name):
    state, call = CALLS[name]
    actor = {**dict.fromkeys(DEPARTMENT_ONLY, world.staff), "extend": world.head}.get(
        name, world.moderator
    )
    appeal = world.appeal(state)

    call(world, appeal, actor)

    entry = AppealAudit.objects.filter(appeal=appeal).order_by("-pk").first()
    assert (entry.action, entry.actor) == (AUDIT_CODES[name], actor)
    assert entry.changes
    assert all(isinstance(v, list) and len(v) == 2 for v in entry.changes.values())


def test_an_inactive_moderator_is_refused(world):
    world.moderator.is_active = False
    world.moderator.save(update_fields=["is_active"])

    with pytest.raises(AppealError, match="your department"):
        appeal_accept(appeal=world.appeal(), moderator=world.moderator)


# --- staff_role and appeals_for_staff ---------------------------------------


def test_staff_role_for_each_kind_of_person(world, superuser):
    appeal = world.appeal()

    assert staff_role(world.moderator, appeal) == MODERATOR
    assert staff_role(superuser, appeal) == MODERATOR
    assert staff_role(world.staff, appeal) == DEPARTMENT
    assert staff_role(world.head, appeal) == DEPARTMENT
    assert staff_role(world.other_staff, appeal) is None
    assert staff_role(world.author, appeal) is None


def test_appeals_for_staff_are_scoped_to_their_departments(world, other_department):
    ours = world.appeal()
    theirs = submit_appeal(world.author, CategoryFactory(department=other_department))

    assert set(appeals_for_staff(world.moderator)) == {ours, theirs}
    assert set(appeals_for_staff(world.staff)) == {ours}
    assert set(appeals_for_staff(world.head)) == {ours}
    assert set(appeals_for_staff(world.other_staff)) == {theirs}
    assert not appeals_for_staff(world.author).exists()


# --- accept -------------------------------------------------------------------


def test_accept_routes_to_the_categorys_department_and_tells_the_author(world):
    appeal = appeal_accept(appeal=world.appeal(), moderator=world.moderator)

    assert (appeal.status, appeal.department) == (Status.ACCEPTED, world.department)
    event = appeal.events.order_by("-pk").first()
    assert (event.action, event.from_status, event.to_status, event.actor) == (
        Action.ACCEPT,
        Status.MODERATION,
        Status.ACCEPTED,
        world.moderator,
    )
    assert told() == {world.author.pk}


def test_the_moderator_may_route_to_another_department(world, other_department):
    appeal = appeal_accept(
        appeal=world.appeal(), moderator=world.moderator, department=other_department
    )

    assert appeal.department == other_department
    entry = AppealAudit.objects.get(appeal=appeal, action="appeals.accept")
    assert entry.changes["department"] == [world.department.pk, other_department.pk]


@pytest.mark.parametrize("term", [15, 30])
def test_accept_sets_the_deadline_from_registration(world, term):
    appeal = appeal_accept(appeal=world.appeal(), moderator=world.moderator, term_days=term)

    assert appeal.term_days == term
    assert appeal.deadline == legal_deadline(appeal.registered_at, term)


@pytest.mark.parametrize("term", [0, 10, 20, 45])
def test_accept_refuses_a_term_the_law_does_not_know(world, term):
    appeal = world.appeal()

    with pytest.raises(AppealError, match="15 or 30"):
        appeal_accept(appeal=appeal, moderator=world.moderator, term_days=term)

    appeal.refresh_from_db()
    assert appeal.status == Status.MODERATION


def test_accept_with_redacted_text_publishes_the_redaction_and_search_finds_it(world):
    appeal = world.appeal(description="Яма біля будинку Петренка, тел. 0501234567.")

    appeal = appeal_accept(
        appeal=appeal,
        moderator=world.moderator,
        title="Яма на дорозі",
        description="Яма біля будинку.",
    )

    assert appeal.description == "Яма біля будинку."
    assert "0501234567" not in appeal.search_text
    assert "будинок" in appeal.search_text


def test_accept_keeps_a_sensitive_appeal_private(world):
    world.category.sensitive = True
    world.category.save(update_fields=["sensitive"])
    appeal = world.appeal()
    Appeal.objects.filter(pk=appeal.pk).update(is_public=True)

    appeal = appeal_accept(appeal=appeal, moderator=world.moderator)

    assert appeal.is_public is False


def test_accept_is_refused_once_accepted(world):
    with pytest.raises(AppealError, match="Accepted"):
        appeal_accept(appeal=world.appeal("accepted"), moderator=world.moderator)


# --- redaction and photos -----------------------------------------------------


def test_redact_replaces_the_public_text_and_keeps_the_old_one_in_the_audit(world):
    appeal = world.appeal("accepted", title="Яма біля кв. 5")

    appeal = appeal_redact(appeal=appeal, moderator=world.moderator, title="Яма на дорозі")

    assert Appeal.objects.get(pk=appeal.pk).title == "Яма на дорозі"
    entry = AppealAudit.objects.get(appeal=appeal, action="appeals.redact")
    assert entry.changes == {"title": ["Яма біля кв. 5", "Яма на дорозі"]}


@pytest.mark.parametrize(("title", "description"), [(None, None), ("", None), (None, "  ")])
def test_redact_refuses_empty_text(world, title, description):
    with pytest.raises(AppealError):
        appeal_redact(
            appeal=world.appeal(), moderator=world.moderator, title=title, description=description
        )


def test_a_hidden_photo_is_no_longer_public(world):
    appeal = world.appeal()
    photo = world.photo(appeal)

    photo_hide(photo=photo, moderator=world.moderator)

    assert AppealPhoto.objects.get(pk=photo.pk).is_public is False


def test_a_removed_photo_loses_its_row_and_file(world, django_capture_on_commit_callbacks):
    appeal = world.appeal()
    photo = world.photo(appeal)
    storage, name = photo.image.storage, photo.image.name
    assert storage.exists(name)

    with django_capture_on_commit_callbacks(execute=True):
        photo_remove(photo=photo, moderator=world.moderator)

    assert not AppealPhoto.objects.filter(pk=photo.pk).exists()
    assert not storage.exists(name)


# --- return, reject, forward -------------------------------------------------


def test_return_asks_the_author_and_states_the_reply_date(world):
    appeal = world.appeal("accepted")
    reply_by = (timezone.localdate() + dt.timedelta(days=30)).strftime("%d.%m.%Y")

    appeal = appeal_return(appeal=appeal, actor=world.staff, question="Який номер будинку?")

    assert appeal.status == Status.RETURNED
    question = AppealMessage.objects.get(appeal=appeal, type=AppealMessage.Type.QUESTION)
    assert (question.text, question.author) == ("Який номер будинку?", world.staff)
    event = appeal.events.order_by("-pk").first()
    assert event.action == Action.RETURN
    assert f"reply by {reply_by}" in event.reason
    notice = Notification.objects.filter(recipient=world.author).order_by("-pk").first()
    assert f"reply by {reply_by}" in notice.context["reason"]


def test_return_needs_a_question(world):
    with pytest.raises(AppealError, match="what the author should add"):
        appeal_return(appeal=world.appeal("accepted"), actor=world.staff, question="  ")


def test_reject_tells_the_author_the_reason_and_comment(world):
    appeal = appeal_reject(
        appeal=world.appeal(),
        moderator=world.moderator,
        reason=RejectReason.ABUSE,
        comment="Образи на адресу працівників.",
    )

    assert appeal.status == Status.REJECTED
    reason = appeal.events.order_by("-pk").first().reason
    assert reason == "Abusive language. Образи на адресу працівників."
    notice = Notification.objects.get(recipient=world.author, event="appeals.status_changed")
    assert notice.context["reason"] == reason


def test_reject_refuses_a_reason_not_on_the_list(world):
    with pytest.raises(AppealError, match="reason from the list"):
        appeal_reject(appeal=world.appeal(), moderator=world.moderator, reason="dislike")


def test_an_accepted_appeal_cannot_be_rejected(world):
    with pytest.raises(AppealError):
        appeal_reject(
            appeal=world.appeal("accepted"), moderator=world.moderator, reason=RejectReason.SPAM
        )


def test_forward_records_the_body_and_tells_the_author(world):
    appeal = appeal_forward(
        appeal=world.appeal("accepted"), actor=world.staff, body="Херсонська ОВА"
    )

    assert (appeal.status, appeal.forwarded_to) == (Status.FORWARDED, "Херсонська ОВА")
    notice = Notification.objects.filter(recipient=world.author).order_by("-pk").first()
    assert "Херсонська ОВА" in notice.context["reason"]
    assert "5 days" in notice.context["reason"]


def test_forward_needs_the_body(world):
    with pytest.raises(AppealError, match="Name the body"):
        appeal_forward(appeal=world.appeal("accepted"), actor=world.staff, body="")


# --- merge --------------------------------------------------------------------


def test_merge_moves_the_author_and_followers_to_the_original_and_tells_them(world):
    original = appeal_accept(appeal=world.original(), moderator=world.moderator)
    duplicate = world.appeal("accepted")
    follower, both = UserFactory(), UserFactory()
    for user in (follower, both):
        AppealFollower.objects.create(appeal=duplicate, user=user)
    AppealFollower.objects.create(appeal=original, user=both)
    AppealFollower.objects.create(appeal=duplicate, user=original.author)
    Notification.objects.all().delete()

    merged = appeal_merge(appeal=duplicate, into=original, moderator=world.moderator)

    assert (merged.status, merged.merged_into) == (Status.MERGED, original)
    followers = list(
        AppealFollower.objects.filter(appeal=original).values_list("user_id", flat=True)
    )
    assert sorted(followers) == sorted([world.author.pk, follower.pk, both.pk])
    assert not AppealFollower.objects.filter(appeal=duplicate).exists()
    notices = Notification.objects.filter(event="appeals.merged")
    assert {n.recipient_id for n in notices} == {world.author.pk, follower.pk, both.pk}
    assert {n.url for n in notices} == {original.get_absolute_url()}
    assert notices.first().context["into"] == original.reference


def test_merge_refuses_the_appeal_itself(world):
    appeal = world.appeal()
    with pytest.raises(AppealError, match="itself"):
        appeal_merge(appeal=appeal, into=appeal, moderator=world.moderator)


def test_merge_refuses_an_original_that_is_merged(world):
    original = world.original()
    appeal_merge(appeal=original, into=world.appeal(), moderator=world.moderator)

    with pytest.raises(AppealError, match="Merged"):
        appeal_merge(appeal=world.appeal(), into=original, moderator=world.moderator)


def test_merge_refuses_another_persons_private_appeal(world):
    original = submit_appeal(UserFactory(), world.category, is_public=False)

    with pytest.raises(AppealError, match="public"):
        appeal_merge(appeal=world.appeal(), into=original, moderator=world.moderator)


# --- start, assign ------------------------------------------------------------


def test_start_puts_the_appeal_in_progress_and_tells_followers(world):
    appeal = world.appeal("accepted")
    follower = UserFactory()
    AppealFollower.objects.create(appeal=appeal, user=follower)
    Notification.objects.all().delete()

    appeal = appeal_start(appeal=appeal, staff=world.staff)

    assert appeal.status == Status.IN_PROGRESS
    assert told() == {world.author.pk, follower.pk}


def test_assign_tells_the_assignee(world):
    colleague = staff_of(world.department)

    appeal = appeal_assign(appeal=world.appeal("accepted"), assignee=colleague, actor=world.head)

    assert appeal.assignee == colleague
    assert told("appeals.assigned") == {colleague.pk}


def test_assigning_oneself_sends_no_notification(world):
    appeal_assign(appeal=world.appeal("accepted"), assignee=world.staff, actor=world.staff)

    assert told("appeals.assigned") == set()


def test_assign_none_unassigns(world):
    appeal = appeal_assign(appeal=world.appeal("accepted"), assignee=world.staff, actor=world.head)

    appeal = appeal_assign(appeal=appeal, assignee=None, actor=world.head)

    assert Appeal.objects.get(pk=appeal.pk).assignee is None
    entry = AppealAudit.objects.filter(appeal=appeal, action="appeals.assign").first()
    assert entry.changes == {"assignee": [world.staff.pk, None]}


@pytest.mark.parametrize("who", ["other_staff", "author", "moderator"])
def test_assign_refuses_someone_outside_the_department(world, who):
    with pytest.raises(AppealError, match="does not work in"):
        appeal_assign(
            appeal=world.appeal("accepted"), assignee=getattr(world, who), actor=world.head
        )


def test_a_closed_appeal_cannot_be_assigned(world):
    appeal = appeal_close(appeal=world.appeal("answered"), actor=world.staff)

    with pytest.raises(AppealError, match="Closed"):
        appeal_assign(appeal=appeal, assignee=world.staff, actor=world.head)


# --- answer -------------------------------------------------------------------


def test_answer_with_attachments(world):
    appeal = world.appeal("in_progress")

    appeal = appeal_answer(
        appeal=appeal,
        staff=world.staff,
        text="Яму залатано 12 травня.",
        attachments=[pdf_upload("акт.pdf"), png_upload("схема.png")],
    )

    assert appeal.status == Status.ANSWERED
    assert appeal.answered_at is not None
    answer = AppealMessage.objects.get(appeal=appeal, type=AppealMessage.Type.ANSWER)
    assert answer.text == "Яму залатано 12 травня."
    files = AnswerAttachment.objects.filter(message=answer).order_by("pk")
    assert [f.name for f in files] == ["акт.pdf", "схема.png"]
    assert files[0].file.name.endswith(".pdf")
    assert files[1].file.name.endswith(".png")
    assert told() >= {world.author.pk}


@pytest.mark.parametrize(
    "upload",
    [
        pytest.param(SimpleUploadedFile("note.txt", b"hello"), id="text"),
        pytest.param(SimpleUploadedFile("fake.pdf", b"<html>hi</html>"), id="html-named-pdf"),
        pytest.param(
            SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024)), id="over-10-MB"
        ),
    ],
)
def test_answer_refuses_files_that_are_not_small_pdf_jpeg_or_png(world, upload):
    appeal = world.appeal("in_progress")

    with pytest.raises(AppealError, match=r"PDF, JPEG or PNG|larger than 10 MB"):
        appeal_answer(appeal=appeal, staff=world.staff, text="Відповідь.", attachments=[upload])

    assert Appeal.objects.get(pk=appeal.pk).status == Status.IN_PROGRESS
    assert not AppealMessage.objects.filter(appeal=appeal, type="answer").exists()


def test_answer_needs_text(world):
    with pytest.raises(AppealError, match="Write the answer"):
        appeal_answer(appeal=world.appeal("in_progress"), staff=world.staff, text=" ")


def test_an_appeal_awaiting_moderation_cannot_be_answered(world):
    with pytest.raises(AppealError):
        appeal_answer(appeal=world.appeal(), staff=world.staff, text="Відповідь.")


# --- close --------------------------------------------------------------------


def _proposal_answered_without_a_message(world) -> Appeal:
    appeal = world.appeal("accepted", kind=Kind.PROPOSAL)
    Appeal.objects.filter(pk=appeal.pk).update(threshold_reached_at=timezone.now())
    return transition(appeal=appeal, action=Action.ANSWER, actor=world.staff, role=DEPARTMENT)


def test_a_proposal_that_reached_its_threshold_cannot_close_without_an_official_answer(world):
    appeal = _proposal_answered_without_a_message(world)

    with pytest.raises(AppealError, match="official answer"):
        appeal_close(appeal=appeal, actor=world.staff)

    assert Appeal.objects.get(pk=appeal.pk).status == Status.ANSWERED


def test_a_proposal_that_reached_its_threshold_closes_once_answered_officially(world):
    appeal = world.appeal("in_progress", kind=Kind.PROPOSAL)
    Appeal.objects.filter(pk=appeal.pk).update(threshold_reached_at=timezone.now())
    appeal = appeal_answer(appeal=appeal, staff=world.staff, text="Офіційна відповідь.")

    appeal = appeal_close(appeal=appeal, actor=world.moderator)

    assert appeal.status == Status.CLOSED
    assert appeal.closed_at is not None


def test_an_appeal_in_progress_cannot_be_closed(world):
    with pytest.raises(AppealError):
        appeal_close(appeal=world.appeal("in_progress"), actor=world.staff)


# --- extend -------------------------------------------------------------------


def test_extend_moves_the_deadline_and_tells_the_author_why(world):
    appeal = world.appeal("in_progress")
    before = appeal.deadline

    appeal = appeal_extend(appeal=appeal, actor=world.head, days=10, reason="Потрібна експертиза.")

    saved = Appeal.objects.get(pk=appeal.pk)
    assert saved.deadline == before + dt.timedelta(days=10)
    assert (saved.deadline_extended, saved.extension_reason) == (True, "Потрібна експертиза.")
    event = saved.events.order_by("-pk").first()
    assert (event.action, event.reason, event.is_public) == (
        Action.EXTEND,
        "Потрібна експертиза.",
        True,
    )
    notice = Notification.objects.filter(recipient=world.author).order_by("-pk").first()
    assert notice.context["reason"] == "Потрібна експертиза."


def test_the_deadline_is_extended_only_once(world):
    appeal = world.appeal("in_progress")
    appeal_extend(appeal=appeal, actor=world.head, days=5, reason="Експертиза.")

    with pytest.raises(AppealError, match="already been extended"):
        appeal_extend(appeal=appeal, actor=world.head, days=5, reason="Ще одна.")


@pytest.mark.parametrize(
    ("term", "beyond_cap", "allowed"),
    [(15, 0, True), (15, 1, False), (30, 0, True), (30, 1, False)],
)
def test_the_deadline_never_passes_45_days_from_registration(world, term, beyond_cap, allowed):
    appeal = appeal_accept(appeal=world.appeal(), moderator=world.moderator, term_days=term)
    # A one-month term ends on a calendar date, so the days left to the cap vary.
    cap = legal_deadline(appeal.registered_at, 45)
    days = (cap - appeal.deadline).days + beyond_cap

    if allowed:
        appeal = appeal_extend(appeal=appeal, actor=world.head, days=days, reason="Експертиза.")
        assert appeal.deadline == legal_deadline(appeal.registered_at, 45)
    else:
        with pytest.raises(AppealError, match="45 days"):
            appeal_extend(appeal=appeal, actor=world.head, days=days, reason="Експертиза.")
        assert Appeal.objects.get(pk=appeal.pk).deadline_extended is False


@pytest.mark.parametrize(("days", "reason"), [(5, ""), (5, "   "), (0, "Причина."), (-3, "Так.")])
def test_extend_needs_a_reason_and_a_positive_number_of_days(world, days, reason):
    with pytest.raises(AppealError):
        appeal_extend(
            appeal=world.appeal("in_progress"), actor=world.head, days=days, reason=reason
        )


# --- notes --------------------------------------------------------------------


def test_a_note_is_internal_and_not_on_the_timeline(world):
    appeal = world.appeal("accepted")
    events = AppealEvent.objects.filter(appeal=appeal).count()

    note = appeal_note(appeal=appeal, author=world.staff, text="Подзвонити в ЖЕК.")

    assert AppealNote.objects.get(pk=note.pk).text == "Подзвонити в ЖЕК."
    assert AppealEvent.objects.filter(appeal=appeal).count() == events
    assert told() == {world.author.pk}  # from the acceptance only


def test_a_note_needs_text(world):
    with pytest.raises(AppealError, match="Write the note"):
        appeal_note(appeal=world.appeal("accepted"), author=world.staff, text="")
