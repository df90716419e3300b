"""Supports of public proposals: the service, the support button and /proposals/."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from appeals.models import Appeal, AppealFollower, ProposalSupport
from appeals.services import AppealError, transition
from appeals.services.proposals import (
    proposal_support,
    proposal_unsupport,
    support_state,
    support_threshold,
)
from appeals.workflow import MODERATOR, Action, Status
from citizens.notifications.models import Notification
from tests.factories import CategoryFactory, DepartmentFactory, UserFactory, submit_appeal

pytestmark = pytest.mark.django_db


def make_proposal(author, category=None, *, accept=True, **fields) -> Appeal:
    """A proposal filed through the service and, unless told otherwise, accepted."""
    appeal = submit_appeal(author, category, kind="proposal", **fields)
    if accept:
        appeal = transition(appeal=appeal, action=Action.ACCEPT, actor=None, role=MODERATOR)
    return Appeal.objects.select_related("category").get(pk=appeal.pk)


def fresh(appeal: Appeal) -> Appeal:
    return Appeal.objects.select_related("category").get(pk=appeal.pk)


@pytest.fixture(autouse=True)
def _in_english(everything_in_english):
    """These tests match the English wording of messages."""


@pytest.fixture
def proposal(resident):
    return make_proposal(resident)


# --- The service -------------------------------------------------------------


def test_a_support_is_counted(proposal, other_resident):
    appeal, counted = proposal_support(appeal=proposal, user=other_resident)

    assert counted is True
    assert appeal.support_count == 1
    assert fresh(proposal).support_count == 1
    assert ProposalSupport.objects.filter(appeal=proposal, user=other_resident).exists()


def test_a_second_support_by_the_same_person_changes_nothing(proposal, other_resident):
    proposal_support(appeal=proposal, user=other_resident)

    _appeal, counted = proposal_support(appeal=proposal, user=other_resident)

    assert counted is False
    assert fresh(proposal).support_count == 1
    assert ProposalSupport.objects.filter(appeal=proposal).count() == 1


def test_the_database_refuses_a_duplicate_support_row(proposal, other_resident):
    ProposalSupport.objects.create(appeal=proposal, user=other_resident)

    with pytest.raises(IntegrityError), transaction.atomic():
        ProposalSupport.objects.create(appeal=proposal, user=other_resident)


def test_the_author_cannot_support_their_own_proposal(proposal, resident):
    with pytest.raises(AppealError, match="your own proposal"):
        proposal_support(appeal=proposal, user=resident)

    assert fresh(proposal).support_count == 0
    assert not ProposalSupport.objects.exists()


def test_a_support_on_the_last_day_of_the_period_is_counted(proposal, other_resident):
    Appeal.objects.filter(pk=proposal.pk).update(support_until=timezone.localdate())

    _appeal, counted = proposal_support(appeal=proposal, user=other_resident)

    assert counted is True


def test_a_support_after_the_period_is_refused(proposal, other_resident):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Appeal.objects.filter(pk=proposal.pk).update(support_until=yesterday)

    with pytest.raises(AppealError, match="collected until"):
        proposal_support(appeal=proposal, user=other_resident)

    assert fresh(proposal).support_count == 0


def _private(appeal):
    Appeal.objects.filter(pk=appeal.pk).update(is_public=False)


def _sensitive(appeal):
    appeal.category.sensitive = True
    appeal.category.save()


def _status(status):
    def change(appeal):
        Appeal.objects.filter(pk=appeal.pk).update(status=status)

    return change


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(_private, id="private"),
        pytest.param(_sensitive, id="sensitive"),
        pytest.param(_status(Status.MODERATION), id="awaiting-moderation"),
        pytest.param(_status(Status.RETURNED), id="returned"),
        pytest.param(_status(Status.REJECTED), id="rejected"),
        pytest.param(_status(Status.MERGED), id="merged"),
    ],
)
def test_a_proposal_that_is_not_public_cannot_be_supported(proposal, other_resident, change):
    change(proposal)

    with pytest.raises(AppealError, match="Only public proposals"):
        proposal_support(appeal=fresh(proposal), user=other_resident)

    assert not ProposalSupport.objects.exists()


@pytest.mark.parametrize("status", [Status.IN_PROGRESS, Status.ANSWERED, Status.CLOSED])
def test_a_public_proposal_later_than_accepted_can_be_supported(proposal, other_resident, status):
    Appeal.objects.filter(pk=proposal.pk).update(status=status)

    _appeal, counted = proposal_support(appeal=fresh(proposal), user=other_resident)

    assert counted is True


def test_an_appeal_of_another_kind_cannot_be_supported(resident, other_resident):
    appeal = submit_appeal(resident, kind="problem")
    appeal = transition(appeal=appeal, action=Action.ACCEPT, actor=None, role=MODERATOR)

    with pytest.raises(AppealError, match="Only proposals"):
        proposal_support(appeal=appeal, user=other_resident)


def test_a_withdrawn_support_leaves_the_counter_equal_to_the_rows(proposal, other_resident):
    proposal_support(appeal=proposal, user=other_resident)
    proposal_support(appeal=proposal, user=UserFactory())

    appeal, withdrawn = proposal_unsupport(appeal=proposal, user=other_resident)

    assert withdrawn is True
    assert appeal.support_count == 1 == ProposalSupport.objects.filter(appeal=proposal).count()


def test_withdrawing_a_support_never_given_changes_nothing(proposal, other_resident):
    _appeal, withdrawn = proposal_unsupport(appeal=proposal, user=other_resident)

    assert withdrawn is False
    assert fresh(proposal).support_count == 0


def test_a_support_cannot_be_withdrawn_after_the_period(proposal, other_resident):
    proposal_support(appeal=proposal, user=other_resident)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Appeal.objects.filter(pk=proposal.pk).update(support_until=yesterday)

    with pytest.raises(AppealError, match="collected until"):
        proposal_unsupport(appeal=proposal, user=other_resident)

    assert fresh(proposal).support_count == 1


def test_the_category_threshold_overrides_the_city_wide_one(settings, resident):
    settings.PROPOSAL_SUPPORT_THRESHOLD = 100
    proposal = make_proposal(resident, CategoryFactory(support_threshold=2))

    for _i in range(2):
        proposal_support(appeal=proposal, user=UserFactory())

    assert support_threshold(proposal.category) == 2
    assert fresh(proposal).threshold_reached_at is not None


def test_the_city_wide_threshold_applies_when_the_category_has_none(settings, resident):
    settings.PROPOSAL_SUPPORT_THRESHOLD = 3
    proposal = make_proposal(resident)

    for _i in range(2):
        proposal_support(appeal=proposal, user=UserFactory())
    assert fresh(proposal).threshold_reached_at is None

    proposal_support(appeal=proposal, user=UserFactory())
    assert fresh(proposal).threshold_reached_at is not None


def test_reaching_the_threshold_tells_the_department_once(settings, resident):
    settings.PROPOSAL_SUPPORT_THRESHOLD = 2
    member, head, stranger = UserFactory(), UserFactory(), UserFactory()
    department = DepartmentFactory(head=head)
    department.members.add(member)
    proposal = make_proposal(resident, CategoryFactory(department=department))

    for _i in range(4):
        proposal_support(appeal=proposal, user=UserFactory())

    told = Notification.objects.filter(event="appeals.threshold_reached")
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted([member.pk, head.pk])
    assert told.first().context == {
        "reference": proposal.reference,
        "title": proposal.title,
        "count": 2,
    }
    assert not Notification.objects.filter(recipient=stranger).exists()


def test_reaching_the_threshold_tells_the_author_and_followers(settings, resident):
    settings.PROPOSAL_SUPPORT_THRESHOLD = 1
    proposal = make_proposal(resident)
    follower = UserFactory()
    AppealFollower.objects.create(appeal=proposal, user=follower)

    proposal_support(appeal=proposal, user=UserFactory())

    news = Notification.objects.filter(
        event="appeals.status_changed", context__status__en="reached its support threshold"
    )
    assert {n.recipient_id for n in news} == {resident.pk, follower.pk}
    title, _text = news[0].rendered()
    assert proposal.reference in title


def test_the_threshold_stays_reached_when_supports_are_withdrawn(settings, resident):
    settings.PROPOSAL_SUPPORT_THRESHOLD = 1
    head = UserFactory()
    proposal = make_proposal(resident, CategoryFactory(department=DepartmentFactory(head=head)))
    supporter = UserFactory()
    proposal_support(appeal=proposal, user=supporter)
    reached_at = fresh(proposal).threshold_reached_at

    proposal_unsupport(appeal=proposal, user=supporter)
    proposal_support(appeal=proposal, user=UserFactory())

    assert fresh(proposal).threshold_reached_at == reached_at
    assert Notification.objects.filter(event="appeals.threshold_reached").count() == 1


def test_support_state_shows_days_left_and_progress(settings, resident):
    settings.PROPOSAL_SUPPORT_THRESHOLD = 4
    proposal = make_proposal(resident)
    for _i in range(6):
        proposal_support(appeal=proposal, user=UserFactory())

    state = support_state(fresh(proposal))

    assert state.collecting
    assert state.reached
    assert state.count == 6
    assert state.progress == 4
    assert state.days_left == settings.PROPOSAL_SUPPORT_DAYS


# --- POST /requests/<ref>/support/ -------------------------------------------


def support_url(appeal) -> str:
    return reverse("appeals:support", args=[appeal.reference])


def test_supporting_redirects_back_with_a_message(client_for, proposal, other_resident):
    response = client_for(other_resident).post(
        support_url(proposal), {"next": "/proposals/?sort=newest"}, follow=True
    )

    assert response.redirect_chain[-1][0] == "/proposals/?sort=newest"
    assert "your support is counted" in response.content.decode()
    assert fresh(proposal).support_count == 1


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", "javascript:x"])
def test_a_next_address_on_another_site_is_ignored(client_for, proposal, other_resident, next_url):
    response = client_for(other_resident).post(support_url(proposal), {"next": next_url})

    assert response.status_code == 302
    assert response.url == proposal.get_absolute_url()


def test_supporting_twice_through_the_page_is_a_gentle_message(
    client_for, proposal, other_resident
):
    client = client_for(other_resident)
    client.post(support_url(proposal), {"next": "/proposals/"})

    response = client.post(support_url(proposal), {"next": "/proposals/"}, follow=True)

    assert "You already support this proposal" in response.content.decode()
    assert fresh(proposal).support_count == 1


def test_withdrawing_through_the_page(client_for, proposal, other_resident):
    client = client_for(other_resident)
    client.post(support_url(proposal), {"next": "/proposals/"})

    response = client.post(
        support_url(proposal), {"next": "/proposals/", "action": "withdraw"}, follow=True
    )

    assert "Your support is withdrawn" in response.content.decode()
    assert fresh(proposal).support_count == 0


def test_supporting_with_htmx_returns_the_support_box(client_for, proposal, other_resident):
    response = client_for(other_resident).post(
        support_url(proposal), {"next": "/proposals/"}, headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div class="support-box"')
    assert "<html" not in html
    assert "You support this proposal" in html
    assert 'name="action" value="withdraw"' in html
    assert 'value="/proposals/"' in html


def test_a_refusal_with_htmx_is_shown_in_the_box(client_for, proposal, resident):
    response = client_for(resident).post(support_url(proposal), headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert "cannot support your own proposal" in response.content.decode()


def test_the_author_supporting_gets_a_message_not_an_error(client_for, proposal, resident):
    response = client_for(resident).post(support_url(proposal), follow=True)

    assert response.status_code == 200
    assert "cannot support your own proposal" in response.content.decode()
    assert fresh(proposal).support_count == 0


def test_supporting_after_the_period_gets_a_message(client_for, proposal, other_resident):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Appeal.objects.filter(pk=proposal.pk).update(support_until=yesterday)

    response = client_for(other_resident).post(support_url(proposal), follow=True)

    assert response.status_code == 200
    assert "collected until" in response.content.decode()


def test_supporting_a_public_problem_report_gets_a_message(client_for, resident, other_resident):
    appeal = submit_appeal(resident, kind="problem")
    transition(appeal=appeal, action=Action.ACCEPT, actor=None, role=MODERATOR)

    response = client_for(other_resident).post(support_url(appeal), follow=True)

    assert response.status_code == 200
    assert "Only proposals can be supported" in response.content.decode()


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(_private, id="private"),
        pytest.param(_sensitive, id="sensitive"),
        pytest.param(_status(Status.MODERATION), id="awaiting-moderation"),
        pytest.param(_status(Status.REJECTED), id="rejected"),
    ],
)
def test_a_proposal_the_person_cannot_see_is_not_found(
    client_for, proposal, other_resident, change
):
    change(proposal)

    response = client_for(other_resident).post(support_url(proposal))

    assert response.status_code == 404
    assert not ProposalSupport.objects.exists()


def test_the_author_of_a_private_proposal_is_told_it_cannot_collect_supports(client_for, resident):
    proposal = make_proposal(resident, is_public=False)

    response = client_for(resident).post(support_url(proposal), follow=True)

    assert response.status_code == 200
    assert "Only public proposals" in response.content.decode()


def test_an_anonymous_visitor_is_sent_to_sign_in_and_back_to_the_proposal(client, proposal):
    response = client.post(support_url(proposal))

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={proposal.get_absolute_url()}"
    assert not ProposalSupport.objects.exists()


def test_support_accepts_only_post(client_for, proposal, other_resident):
    assert client_for(other_resident).get(support_url(proposal)).status_code == 405


# --- /proposals/ -------------------------------------------------------------


def titles(response) -> list[str]:
    return [appeal.title for appeal in response.context["page"].object_list]


@pytest.fixture
def three_proposals(resident):
    today = timezone.localdate()
    popular = make_proposal(resident, title="Popular")
    ending = make_proposal(resident, title="Ending")
    newest = make_proposal(resident, title="Newest")
    Appeal.objects.filter(pk=popular.pk).update(
        support_count=9,
        support_until=today + dt.timedelta(days=10),
        registered_at=timezone.now() - dt.timedelta(days=3),
    )
    Appeal.objects.filter(pk=ending.pk).update(
        support_count=1,
        support_until=today + dt.timedelta(days=1),
        registered_at=timezone.now() - dt.timedelta(days=2),
    )
    Appeal.objects.filter(pk=newest.pk).update(support_count=0)
    ended = make_proposal(resident, title="Ended")
    Appeal.objects.filter(pk=ended.pk).update(
        support_until=today - dt.timedelta(days=1),
        registered_at=timezone.now() - dt.timedelta(days=100),
    )
    return popular, ending, newest, ended


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("supported", ["Popular", "Ending", "Newest", "Ended"]),
        ("newest", ["Newest", "Ending", "Popular", "Ended"]),
        ("ending", ["Ending", "Popular", "Newest", "Ended"]),
        ("nonsense", ["Popular", "Ending", "Newest", "Ended"]),
    ],
)
def test_proposals_are_sorted_by_the_chosen_order(client, three_proposals, sort, expected):
    response = client.get(reverse("appeals:proposals"), {"sort": sort})

    assert response.status_code == 200
    assert titles(response) == expected


def test_the_list_shows_only_public_accepted_proposals(client, resident):
    make_proposal(resident, title="Shown")
    make_proposal(resident, title="Waiting", accept=False)
    make_proposal(resident, title="Private", is_public=False)
    make_proposal(resident, CategoryFactory(sensitive=True), title="Sensitive")
    problem = submit_appeal(resident, kind="problem", title="A pothole")
    transition(appeal=problem, action=Action.ACCEPT, actor=None, role=MODERATOR)

    response = client.get(reverse("appeals:proposals"))

    assert titles(response) == ["Shown"]


def test_an_anonymous_visitor_is_invited_to_sign_in_to_support(client, proposal):
    html = client.get(reverse("appeals:proposals")).content.decode()

    assert "Sign in to support" in html
    assert 'role="progressbar"' in html or "<progress" in html


def test_the_list_marks_the_proposals_the_viewer_supports(client_for, resident, other_resident):
    supported = make_proposal(resident, title="Supported")
    make_proposal(resident, title="Not yet")
    proposal_support(appeal=supported, user=other_resident)

    html = client_for(other_resident).get(reverse("appeals:proposals")).content.decode()

    assert html.count("You support this proposal") == 1
    assert html.count(">Support<") == 1


def test_the_list_shows_reached_and_ended_proposals(settings, client, resident):
    settings.PROPOSAL_SUPPORT_THRESHOLD = 1
    reached = make_proposal(resident, title="Reached")
    proposal_support(appeal=reached, user=UserFactory())
    ended = make_proposal(resident, title="Ended")
    Appeal.objects.filter(pk=ended.pk).update(
        support_until=timezone.localdate() - dt.timedelta(days=1)
    )

    html = client.get(reverse("appeals:proposals")).content.decode()

    assert "Reached the threshold on" in html
    assert "Collection ended" in html


def test_the_list_with_htmx_returns_only_the_rows(client, proposal):
    response = client.get(reverse("appeals:proposals"), headers={"HX-Request": "true"})

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="proposal-rows"')
    assert "<html" not in html
    assert "HX-Request" in response["Vary"]


def test_the_list_is_paginated(client, resident):
    for i in range(25):
        make_proposal(resident, title=f"Proposal {i}")

    second = client.get(reverse("appeals:proposals"), {"page": 2, "sort": "newest"})

    assert len(second.context["page"].object_list) == 5
    assert "?sort=newest&amp;page=1" in second.content.decode()


# Anonymous: count + page. Signed in: session, user, unread notifications, count,
# page (whether the viewer supports each row is a subquery of the page query).
@pytest.mark.parametrize(
    ("signed_in", "queries"), [(False, 2), (True, 5)], ids=["anonymous", "resident"]
)
def test_the_list_makes_a_fixed_number_of_queries(
    client_for, django_assert_max_num_queries, other_resident, signed_in, queries
):
    author = UserFactory()
    for i in range(30):
        proposal = make_proposal(author, title=f"Proposal {i}")
        if i % 2:
            proposal_support(appeal=proposal, user=other_resident)
    client = client_for(other_resident if signed_in else None)

    with django_assert_max_num_queries(queries):
        response = client.get(reverse("appeals:proposals"))

    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 20
