"""Helpers shared by the staff services tests: a world of an author, a department
with staff and a head, and appeals in any state; who was told of a change."""

from appeals.models import (
    Appeal,
    AppealPhoto,
)
from appeals.services import (
    appeal_accept,
    appeal_answer,
    appeal_start,
)
from citizens.notifications.models import Notification
from tests.appeals.following_helpers import photo_upload, staff_of
from tests.factories import CategoryFactory, DepartmentFactory, UserFactory, submit_appeal


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


def told(event: str = "appeals.status_changed") -> set[int]:
    return set(Notification.objects.filter(event=event).values_list("recipient_id", flat=True))
