"""Oral and paper appeals (Art. 5): staff register them, with the same numbering and terms."""

import datetime as dt
import uuid

import pytest
from django.core import mail
from django.utils import timezone

from appeals.models import Appeal, AppealContact, AppealEvent, legal_deadline
from appeals.services import AppealError, staff
from appeals.services.registration import appeal_claim, appeal_register
from appeals.workflow import Action, Status
from citizens.notifications.models import Notification
from tests.conftest import _staff
from tests.factories import CategoryFactory, submit_appeal

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PHONE = "+380501112233"


@pytest.fixture
def category(department):
    return CategoryFactory(department=department)


def register(staff_user, category, **fields):
    values = {
        "channel": "hotline",
        "full_name": "Петренко Олена Іванівна",
        "residence": "Херсон, вул. Соборна",
        "kind": "problem",
        "title": "Не світить ліхтар",
        "description": "Третій тиждень не світить ліхтар біля будинку.",
        "phone": PHONE,
        "idempotency_key": uuid.uuid4(),
    }
    values.update(fields)
    return appeal_register(staff=staff_user, category=category, **values)


def test_a_hotline_call_gets_the_next_number_and_the_legal_term(moderator, resident, category):
    online = submit_appeal(resident, category)

    appeal, code, created = register(moderator, category)

    assert created
    assert code
    year, number = online.reference.rsplit("-", 2)[1:]
    assert appeal.reference == f"KH-{year}-{int(number) + 1:06d}"
    assert appeal.deadline == legal_deadline(appeal.registered_at, category.answer_days)
    assert appeal.status == Status.MODERATION
    assert appeal.author is None
    assert appeal.registered_by == moderator
    assert appeal.author_full_name == "Петренко Олена Іванівна"
    assert appeal.author_residence == "Херсон, вул. Соборна"
    assert not appeal.is_public
    assert AppealContact.objects.get(appeal=appeal).phone == PHONE
    event = AppealEvent.objects.get(appeal=appeal)
    assert event.action == Action.SUBMIT
    assert event.actor == moderator
    assert event.reason == "Registered by the hotline (hotline call)."
    assert appeal.claim_code_hash
    assert code not in appeal.claim_code_hash


def test_a_paper_letter_counts_its_term_from_the_day_it_arrived(moderator, category):
    arrived = timezone.now() - dt.timedelta(days=3)

    appeal, _code, _created = register(moderator, category, channel="letter", received_at=arrived)

    assert appeal.registered_at == arrived
    assert appeal.deadline == legal_deadline(arrived, category.answer_days)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"full_name": "Олена"}, "surname and name"),
        ({"residence": "  "}, "place of residence"),
        ({"phone": ""}, "phone number, a postal address or an e-mail"),
        ({"phone": "12345"}, "Ukrainian phone number"),
        ({"channel": "online"}, "how the appeal was received"),
        ({"received_at": timezone.now() + dt.timedelta(days=1)}, "future"),
        ({"received_at": timezone.now() - dt.timedelta(days=60)}, "within days"),
        ({"title": ""}, "title"),
    ],
)
def test_bad_input_is_refused(moderator, category, fields, message):
    with pytest.raises(AppealError, match=message):
        register(moderator, category, **fields)

    assert not Appeal.objects.exists()


def test_the_same_form_sent_twice_registers_once(moderator, category):
    key = uuid.uuid4()
    first, _code, created = register(moderator, category, idempotency_key=key)
    again, second_code, created_again = register(moderator, category, idempotency_key=key)

    assert created
    assert not created_again
    assert again == first
    assert second_code == ""
    assert Appeal.objects.count() == 1


def test_for_a_resident_with_an_account_they_are_the_author_and_are_told(
    moderator, resident, category
):
    appeal, code, _created = register(
        moderator, category, channel="letter", phone="", resident=resident
    )

    assert appeal.author == resident
    assert code == ""
    assert Notification.objects.filter(recipient=resident, event="appeals.submitted").exists()
    assert not AppealContact.objects.filter(appeal=appeal).exists()


def test_a_resident_with_a_verified_priority_status_is_considered_first(
    moderator, resident, category
):
    """Art. 20: the same priority rule as online filing, whoever registers the appeal."""
    from citizens.services import priority_decide, priority_declare

    priority_decide(
        status=priority_declare(user=resident, category="combatant"), by=moderator, verified=True
    )

    with_status, _code, _created = register(moderator, category, phone="", resident=resident)
    without_account, _code, _created = register(moderator, category)

    assert with_status.priority
    assert with_status.priority_category == "combatant"
    assert not without_account.priority


def test_without_an_account_the_notices_go_to_the_e_mail_given(
    moderator, category, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        appeal, _code, _created = register(moderator, category, email="olena@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        staff.appeal_accept(appeal=appeal, moderator=moderator)

    assert [m.to for m in mail.outbox] == [["olena@example.com"], ["olena@example.com"]]
    assert appeal.reference in mail.outbox[1].body
    assert not Notification.objects.exists()


def test_without_an_account_the_answer_is_e_mailed_in_full(
    moderator, department, category, django_capture_on_commit_callbacks
):
    appeal, _code, _created = register(moderator, category, email="olena@example.com")
    worker = _staff("department_staff", email="worker@example.com")
    department.members.add(worker)
    appeal = staff.appeal_accept(appeal=appeal, moderator=moderator)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        staff.appeal_answer(appeal=appeal, staff=worker, text="Ліхтар замінено 5 грудня.")

    assert len(mail.outbox) == 1
    assert "Ліхтар замінено 5 грудня." in mail.outbox[0].body


def test_without_an_e_mail_nothing_is_sent_and_nothing_breaks(
    moderator, category, django_capture_on_commit_callbacks
):
    appeal, _code, _created = register(moderator, category)
    with django_capture_on_commit_callbacks(execute=True):
        staff.appeal_accept(appeal=appeal, moderator=moderator)

    assert mail.outbox == []


def test_the_resident_claims_it_with_the_code_once(moderator, resident, other_resident, category):
    appeal, code, _created = register(moderator, category)

    claimed = appeal_claim(user=resident, reference=appeal.reference, code=code.lower())

    assert claimed.author == resident
    assert claimed.claim_code_hash == ""
    assert not AppealContact.objects.filter(appeal=appeal).exists()
    with pytest.raises(AppealError, match="do not match"):
        appeal_claim(user=other_resident, reference=appeal.reference, code=code)
    appeal.refresh_from_db()
    assert appeal.author == resident
    # The timeline records when it joined the account, once, keeping the status.
    claim = AppealEvent.objects.get(appeal=appeal, action=Action.CLAIM)
    assert (claim.actor, claim.from_status, claim.to_status) == (
        resident,
        Status.MODERATION,
        Status.MODERATION,
    )


def test_the_resident_may_keep_the_contact(moderator, resident, category):
    appeal, code, _created = register(moderator, category)

    appeal_claim(user=resident, reference=appeal.reference, code=code, keep_contact=True)

    assert AppealContact.objects.get(appeal=appeal).phone == PHONE


def test_every_refused_claim_says_the_same(moderator, resident, category):
    appeal, code, _created = register(moderator, category)
    online = submit_appeal(resident, category)
    with_account, _none, _c = register(moderator, category, resident=resident, phone="")

    messages = set()
    for reference, attempt in [
        (appeal.reference, "WRONG-CODE1"),
        ("KH-2000-000001", code),
        (online.reference, code),
        (with_account.reference, code),
        (appeal.reference, ""),
    ]:
        with pytest.raises(AppealError) as refused:
            appeal_claim(user=resident, reference=reference, code=attempt)
        messages.add(str(refused.value))

    assert len(messages) == 1
    appeal.refresh_from_db()
    assert appeal.author is None


def test_merging_two_appeals_without_an_account_is_not_one_authors(moderator, category):
    first, _c1, _x = register(moderator, category)
    second, _c2, _y = register(moderator, category)
    staff.appeal_accept(appeal=first, moderator=moderator)

    with pytest.raises(AppealError, match="public request"):
        staff.appeal_merge(appeal=second, into=first, moderator=moderator)
