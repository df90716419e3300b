"""Appeals in the states the following pages care about, driven through the workflow.

The staff-side services do not exist yet, so moderators and department staff
act through `transition()` with their roles, and official answers and
questions are written as AppealMessage rows directly.
"""

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from appeals.models import Appeal, AppealMessage
from appeals.services import transition
from appeals.workflow import DEPARTMENT, MODERATOR, Action


def photo_upload(name: str = "photo.jpg", size=(40, 30), *, exif: bool = False):
    """A small JPEG upload; with `exif`, one that names the camera that took it."""
    buffer = io.BytesIO()
    image = Image.new("RGB", size, (200, 40, 40))
    tags = Image.Exif()
    if exif:
        tags[0x010F] = "Phone maker"  # Make
    image.save(buffer, "JPEG", exif=tags)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def accept(appeal: Appeal, moderator) -> Appeal:
    return transition(appeal=appeal, action=Action.ACCEPT, actor=moderator, role=MODERATOR)


def return_to_author(appeal: Appeal, moderator, question: str = "Де саме яма?") -> Appeal:
    appeal = transition(
        appeal=appeal, action=Action.RETURN, actor=moderator, role=MODERATOR, reason=question
    )
    AppealMessage.objects.create(
        appeal=appeal, type=AppealMessage.Type.QUESTION, author=moderator, text=question
    )
    return appeal


def answer(appeal: Appeal, staff, text: str = "Яму залатано.", *, days_ago: int = 0) -> Appeal:
    """Accepted → answered by the department, with an official answer; `days_ago` back-dates it."""
    appeal = transition(appeal=appeal, action=Action.ANSWER, actor=staff, role=DEPARTMENT)
    AppealMessage.objects.create(
        appeal=appeal, type=AppealMessage.Type.ANSWER, author=staff, text=text
    )
    if days_ago:
        Appeal.objects.filter(pk=appeal.pk).update(
            answered_at=timezone.now() - dt.timedelta(days=days_ago)
        )
        appeal.refresh_from_db()
    return appeal


def staff_of(department, **fields):
    """A staff member of `department` (a member, not the head)."""
    from tests.conftest import _staff

    user = _staff("department_staff", **fields)
    department.members.add(user)
    return user
