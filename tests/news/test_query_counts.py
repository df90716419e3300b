"""Issue 20: news and alerts pages make as many queries at 30 rows as at 3, and at most 10.

The pattern and the helper are in tests/query_counts.py. Items carry a
topic and districts in both languages; alerts carry districts and updates.
"""

import datetime as dt

import pytest
from django.utils import timezone

from news.models import AlertUpdate
from news.services.items import latest_refresh
from tests.factories import DistrictFactory
from tests.news.factories import TopicFactory, make_alert, make_item
from tests.query_counts import assert_flat, counts_at_growing_data

pytestmark = pytest.mark.django_db

VIEWERS = ["anonymous", "resident"]


def add_items(n: int) -> list:
    """n published items, each of its own topic and two districts of its own."""
    return [
        make_item(topic=TopicFactory(), districts=[DistrictFactory(), DistrictFactory()])
        for _ in range(n)
    ]


def add_alerts(n: int) -> None:
    """n alerts in force and n that ended an hour ago, each with two districts and an update."""
    for i in range(n):
        for ends_at in (None, timezone.now() - dt.timedelta(minutes=5)):
            alert = make_alert(
                districts=[DistrictFactory(), DistrictFactory()],
                starts_at=timezone.now() - dt.timedelta(hours=1),
                ends_at=ends_at,
                title_uk=f"Немає води {i}",
                title_en=f"No water {i}",
            )
            AlertUpdate.objects.create(alert=alert, text="Воду дали частково.")


@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_news_list_does_not_grow(request, client_for, viewer):
    """A cold cache would also have the list rebuild the home page's latest news
    (two queries), an entry news writes on every change: it is there, as in production."""
    client = client_for(request.getfixturevalue(viewer))
    counts = counts_at_growing_data(client, "/news/", seed=add_items, prepare=latest_refresh)
    assert_flat(counts)


@pytest.mark.parametrize("viewer", VIEWERS)
def test_a_news_item_does_not_grow(request, client_for, viewer):
    """More items around it, and more districts on the item itself."""
    (item,) = add_items(1)

    def seed(n):
        add_items(n)
        item.districts.add(*(DistrictFactory() for _ in range(n)))

    client = client_for(request.getfixturevalue(viewer))
    assert_flat(counts_at_growing_data(client, item.get_absolute_url(), seed=seed))


@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_alerts_page_does_not_grow(request, client_for, viewer):
    client = client_for(request.getfixturevalue(viewer))
    assert_flat(counts_at_growing_data(client, "/alerts/", seed=add_alerts))
