"""An incident's official answer reaches every linked report once, through the workflow;
a dismissed suggestion lets its reports go; the outages side asks how many are linked."""

import pytest
from django.utils import timezone

from appeals.models import Appeal, AppealEvent, AppealMessage
from appeals.services import (
    AppealError,
    appeal_accept,
    appeal_answer,
    appeal_return,
    appeal_start,
)
from appeals.services import incidents as incident_services
from appeals.services.following import appeal_reopen
from appeals.workflow import Action
from citizens.notifications.models import Notification
from mycity.incidents import (
    incident_answered,
    incident_dismissed,
    linked_appeals_count,
)
from mycity.models import Incident
from tests.appeals.following_helpers import staff_of
from tests.appeals.incident_helpers import outage_category
from tests.factories import DistrictFactory, IncidentFactory, UserFactory, submit_appeal

pytestmark = pytest.mark.django_db

ANSWER_UK = "Живлення відновлено о 18:00. Причина — пошкодження кабелю."
ANSWER_EN = "Power was restored at 18:00. The cause was a damaged cable."


class City:
    def __init__(self, moderator):
        self.moderator = moderator
        self.district = DistrictFactory()
        self.category = outage_category(slug="no-power")
        self.department = self.category.department
        self.staff = staff_of(self.department)
        self.clerk = staff_of(self.department)  # answers the outage
        self.incident = IncidentFactory(districts=[self.district])

    def report(self, state="moderation", author=None):
        appeal = submit_appeal(author or UserFactory(), self.category, district=self.district)
        assert appeal.incident_id == self.incident.pk
        if state == "moderation":
            return appeal
        if state == "returned":
            return appeal_return(appeal=appeal, actor=self.moderator, question="Вкажіть під'їзд.")
        appeal = appeal_accept(appeal=appeal, moderator=self.moderator)
        if state == "accepted":
            return appeal
        appeal = appeal_start(appeal=appeal, staff=self.staff)
        if state == "in_progress":
            return appeal
        assert state == "answered"
        return appeal_answer(appeal=appeal, staff=self.staff, text="Власна відповідь.")

    def answer(self, incident=None):
        incident = incident or self.incident
        incident.answer_uk, incident.answer_en = ANSWER_UK, ANSWER_EN
        incident.answered_at = timezone.now()
        incident.answered_by = self.clerk
        incident.save()
        return incident

    def send(self, incident=None) -> set[int]:
        incident = incident or self.incident
        told = set()
        for _receiver, ids in incident_answered.send(
            sender=Incident, incident=incident, by=incident.answered_by
        ):
            told |= set(ids or ())
        return told


@pytest.fixture
def city(moderator):
    return City(moderator)


def answered_told() -> list[int]:
    return list(
        Notification.objects.filter(event="appeals.answered").values_list("recipient_id", flat=True)
    )


def test_the_answer_reaches_every_linked_author_once(city):
    appeals = [city.report(state) for state in ("moderation", "accepted", "in_progress")]
    city.answer()

    told = city.send()

    authors = {a.author_id for a in appeals}
    assert told == authors
    assert sorted(answered_told()) == sorted(authors)


def test_a_second_signal_tells_nobody_again(city):
    appeals = [city.report("accepted") for _ in range(2)]
    city.answer()
    city.send()

    assert city.send() == set()
    assert sorted(answered_told()) == sorted(a.author_id for a in appeals)
    for appeal in appeals:
        assert AppealMessage.objects.filter(appeal=appeal, type="answer").count() == 1


def test_the_answer_is_recorded_on_each_report_with_a_transition(city):
    appeal = city.report("in_progress")
    city.answer()
    city.send()

    appeal.refresh_from_db()
    assert appeal.status == "answered"
    assert appeal.answered_at is not None
    [message] = AppealMessage.objects.filter(appeal=appeal, type="answer")
    assert message.text == ANSWER_UK
    assert message.author == city.clerk
    event = AppealEvent.objects.filter(appeal=appeal).last()
    assert (event.action, event.from_status, event.to_status, event.actor) == (
        Action.ANSWER,
        "in_progress",
        "answered",
        city.clerk,
    )
    assert city.incident.title_uk in event.reason


def test_a_report_awaiting_moderation_is_accepted_then_answered_and_kept_private(city):
    appeal = city.report("moderation")
    city.answer()
    city.send()

    appeal.refresh_from_db()
    assert appeal.status == "answered"
    assert not appeal.is_public  # nobody moderated its text: it does not go public
    steps = list(
        AppealEvent.objects.filter(appeal=appeal)
        .order_by("pk")
        .values_list("action", "from_status", "to_status", "actor")
    )
    assert steps[-2:] == [
        (Action.ACCEPT, "moderation", "accepted", city.clerk.pk),
        (Action.ANSWER, "accepted", "answered", city.clerk.pk),
    ]
    # One message for the two steps: the answer.
    assert (
        Notification.objects.filter(recipient=appeal.author)
        .exclude(event="appeals.submitted")
        .values_list("event", flat=True)
        .count()
        == 1
    )


def test_the_author_reads_the_answer_in_their_language(city):
    author = UserFactory(preferred_language="en")
    appeal = city.report("accepted", author=author)
    city.answer()
    city.send()
    assert AppealMessage.objects.get(appeal=appeal, type="answer").text == ANSWER_EN
    event = AppealEvent.objects.filter(appeal=appeal).last()
    assert event.reason == f"Answered on the outage “{city.incident.title_en}”."


def test_a_report_answered_on_its_own_keeps_its_own_answer(city):
    own = city.report("answered")
    city.answer()

    assert city.send() == set()

    assert list(
        AppealMessage.objects.filter(appeal=own, type="answer").values_list("text", flat=True)
    ) == ["Власна відповідь."]


def test_a_reopened_report_that_had_its_own_answer_is_not_answered_again(city):
    own = city.report("answered")
    appeal_reopen(appeal=own, author=own.author, reason="Світла досі немає.")
    city.answer()

    assert city.send() == set()
    assert Appeal.objects.get(pk=own.pk).status == "in_progress"


def test_a_linked_report_can_still_be_answered_on_its_own(city):
    appeal = city.report("in_progress")
    answered = appeal_answer(appeal=appeal, staff=city.staff, text="Окрема відповідь.")
    assert answered.status == "answered"
    assert answered.incident_id == city.incident.pk


def test_a_report_returned_to_its_author_waits_for_them(city):
    returned = city.report("returned")
    city.answer()
    assert city.send() == set()
    assert Appeal.objects.get(pk=returned.pk).status == "returned"


def test_reports_not_linked_are_not_answered(city):
    other = submit_appeal(UserFactory(), city.category, district=DistrictFactory())
    assert other.incident_id is None
    city.answer()
    city.send()
    assert Appeal.objects.get(pk=other.pk).status == "moderation"


def test_an_incident_without_an_answer_tells_nobody(city):
    city.report("accepted")
    assert city.send() == set()


def test_a_report_linked_after_the_answer_gets_it_at_once(city, django_capture_on_commit_callbacks):
    city.answer()
    with django_capture_on_commit_callbacks(execute=True):
        appeal = submit_appeal(UserFactory(), city.category, district=city.district)
    appeal.refresh_from_db()
    assert appeal.incident_id == city.incident.pk
    assert appeal.status == "answered"
    assert answered_told() == [appeal.author_id]


def test_the_answer_goes_out_in_batches(city, monkeypatch):
    monkeypatch.setattr(incident_services, "ANSWER_BATCH", 2)
    appeals = [city.report("accepted") for _ in range(5)]
    city.answer()
    assert city.send() == {a.author_id for a in appeals}
    assert set(Appeal.objects.values_list("status", flat=True)) == {"answered"}


def test_the_department_cannot_answer_twice_after_the_outage_answer(city):
    appeal = city.report("accepted")
    city.answer()
    city.send()
    with pytest.raises(AppealError):
        appeal_answer(appeal=appeal, staff=city.staff, text="Ще одна відповідь.")


# --- dismissed suggestions and the count --------------------------------------------


def test_a_dismissed_suggestion_lets_its_reports_go(moderator):
    district = DistrictFactory()
    category = outage_category(slug="no-water", kind="water")
    suggestion = IncidentFactory(kind="water", districts=[district], status="suggested")
    appeals = [submit_appeal(UserFactory(), category, district=district) for _ in range(2)]
    assert all(a.incident_id == suggestion.pk for a in appeals)

    suggestion.status = "dismissed"
    suggestion.save()
    incident_dismissed.send(sender=Incident, incident=suggestion, by=moderator)

    assert not Appeal.objects.filter(incident__isnull=False).exists()
    assert set(Appeal.objects.values_list("status", flat=True)) == {"moderation"}


def test_the_outages_side_learns_how_many_reports_are_linked(city):
    city.report()
    city.report("accepted")
    assert linked_appeals_count(city.incident) == 2
    assert linked_appeals_count(IncidentFactory()) == 0


# --- the outage's actor in the one table ----------------------------------------------


@pytest.mark.parametrize(
    ("action", "source", "allowed"),
    [
        (Action.ACCEPT, "moderation", True),
        (Action.ANSWER, "accepted", True),
        (Action.ANSWER, "in_progress", True),
        (Action.ANSWER, "moderation", False),
        (Action.ANSWER, "returned", False),
        (Action.ANSWER, "answered", False),
        (Action.ANSWER, "closed", False),
        (Action.REJECT, "moderation", False),
        (Action.RETURN, "accepted", False),
        (Action.CLOSE, "answered", False),
        (Action.MERGE, "accepted", False),
        (Action.EXTEND, "accepted", False),
    ],
)
def test_what_an_outage_answer_may_do(action, source, allowed):
    from appeals.workflow import OUTAGE, WORKFLOW

    assert WORKFLOW.allowed(action, source, OUTAGE) is allowed
