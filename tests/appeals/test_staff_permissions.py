"""The staff services' scoping and audit: who may call each function, and which
appeals each member of staff sees."""

import pytest

from appeals.models import (
    Appeal,
    AppealAudit,
    RejectReason,
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
)
from appeals.workflow import DEPARTMENT, MODERATOR
from tests.factories import CategoryFactory, submit_appeal

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "media_root")]


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
