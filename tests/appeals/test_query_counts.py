"""Issue 20: the appeals' pages make as many queries at 30 rows as at 3, and at most 10.

The pattern and the helper are in tests/query_counts.py. Each row carries
what the page shows of it: photos, supports, messages and answers, events,
followers, categories and districts in both languages.
"""

import pytest

from appeals.models import AppealEvent, AppealFollower, AppealMessage, AppealPhoto
from appeals.services.proposals import proposal_support
from appeals.views.public import PAGE_SIZE
from appeals.workflow import Action
from tests.appeals.following_helpers import accept
from tests.factories import CategoryFactory, DistrictFactory, UserFactory, submit_appeal
from tests.query_counts import assert_flat, counts_at_growing_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeder(resident, moderator):
    """`add(n, **fields)`: n public appeals, each of its own category and district,
    with two photos, an official answer and, for proposals, two supports."""
    supporters = UserFactory.create_batch(2)

    def add(n: int, *, author=None, **fields) -> list:
        appeals = []
        for i in range(n):
            category = CategoryFactory(icon="💡")
            appeal = accept(
                submit_appeal(
                    author or resident,
                    category,
                    district=DistrictFactory(),
                    title=f"Не працюють ліхтарі {i}",
                    **fields,
                ),
                moderator,
            )
            AppealPhoto.objects.bulk_create(
                AppealPhoto(
                    appeal=appeal, image=f"appeals/test/{appeal.pk}-{k}.jpg", width=10, height=10
                )
                for k in range(2)
            )
            AppealMessage.objects.create(
                appeal=appeal, type=AppealMessage.Type.ANSWER, author=moderator, text="Відповідь"
            )
            if appeal.kind == "proposal":
                for supporter in supporters:
                    proposal_support(appeal=appeal, user=supporter)
            appeals.append(appeal)
        return appeals

    return add


@pytest.mark.parametrize("viewer", ["anonymous", "resident"])
def test_the_list_does_not_grow(request, client_for, seeder, viewer):
    client = client_for(request.getfixturevalue(viewer))
    assert_flat(counts_at_growing_data(client, "/requests/", seed=seeder))


@pytest.mark.parametrize("viewer", ["anonymous", "resident"])
def test_the_second_page_of_a_filtered_list_does_not_grow(request, client_for, seeder, viewer):
    client = client_for(request.getfixturevalue(viewer))
    counts = counts_at_growing_data(
        client,
        "/requests/",
        seed=seeder,
        # A second page exists at both sizes.
        sizes=(PAGE_SIZE + 3, PAGE_SIZE + 30),
        data={"kind": "problem", "status": "accepted", "page": 2},
    )
    assert_flat(counts)


@pytest.mark.parametrize("viewer", ["anonymous", "resident"])
def test_the_proposals_list_does_not_grow(request, client_for, seeder, viewer):
    client = client_for(request.getfixturevalue(viewer))
    counts = counts_at_growing_data(
        client, "/proposals/", seed=lambda n: seeder(n, kind="proposal")
    )
    assert_flat(counts)


@pytest.fixture
def busy(moderator):
    """`add(appeal, n)`: n more of everything its page lists (events, photos,
    messages, followers, supports)."""

    def add(appeal, n: int) -> None:
        AppealEvent.objects.bulk_create(
            AppealEvent(appeal=appeal, action=Action.EXTEND, reason=f"Причина {i}", actor=moderator)
            for i in range(n)
        )
        AppealPhoto.objects.bulk_create(
            AppealPhoto(appeal=appeal, image=f"appeals/p{appeal.pk}-{i}.jpg", width=40, height=30)
            for i in range(n)
        )
        AppealMessage.objects.bulk_create(
            AppealMessage(appeal=appeal, type=kind, author=moderator, text=f"Повідомлення {i}")
            for i, kind in enumerate(["info", "question"] * n)
        )
        people = UserFactory.create_batch(n)
        AppealFollower.objects.bulk_create(AppealFollower(appeal=appeal, user=u) for u in people)
        if appeal.kind == "proposal":
            for person in people:
                proposal_support(appeal=appeal, user=person)

    return add


@pytest.mark.parametrize("viewer", ["anonymous", "resident", "other_resident"])
@pytest.mark.parametrize("kind", ["problem", "proposal"])
def test_an_appeal_page_does_not_grow(request, client_for, seeder, busy, viewer, kind):
    """The author ("resident") sees their own appeal; others see it as public."""
    (appeal,) = seeder(1, kind=kind)
    client = client_for(request.getfixturevalue(viewer))
    counts = counts_at_growing_data(
        client, appeal.get_absolute_url(), seed=lambda n: busy(appeal, n)
    )
    assert_flat(counts)


def test_my_requests_do_not_grow(client_for, resident, other_resident, seeder):
    """The author's own appeals and the ones they follow, both listed on the page."""

    def seed(n):
        seeder(n)
        for appeal in seeder(n, author=other_resident):
            AppealFollower.objects.create(appeal=appeal, user=resident)

    assert_flat(counts_at_growing_data(client_for(resident), "/me/requests/", seed=seed))
