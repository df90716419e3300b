"""The department's services: start, assign, answer with attachments, close,
extend the deadline, and internal notes."""

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
    Kind,
    legal_deadline,
)
from appeals.services import (
    AppealError,
    appeal_accept,
    appeal_answer,
    appeal_assign,
    appeal_close,
    appeal_extend,
    appeal_note,
    appeal_start,
    transition,
)
from appeals.workflow import DEPARTMENT, Action, Status
from citizens.notifications.models import Notification
from tests.appeals.following_helpers import staff_of
from tests.appeals.staff_helpers import told
from tests.factories import UserFactory
from tests.services.factories import pdf_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "media_root")]


def pdf_upload(name: str = "answer.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def png_upload(name: str = "scheme.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), (0, 120, 200)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


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
