"""Data for the schema fuzzing (tests/api/test_schema.py) of the news resources."""

import datetime as dt

from django.utils import timezone

from news.models import AlertKind, NewsItem, Severity
from news.services import alert_resolve, alert_update_add, subscription_set
from tests.factories import DistrictFactory
from tests.news.factories import TopicFactory, committed, make_alert, make_item


def make_fuzz_data(*, resident, other_resident) -> None:
    """Rows the news resources can answer about, so the fuzzing reaches past empty lists.

    Published, scheduled and draft news in two topics, one for a district;
    active alerts (one with a map area and updates), a resolved one and a
    draft; the resident's subscription.
    """
    district = DistrictFactory(slug="fuzz-news-district")
    city = TopicFactory(slug="city", name_uk="Місто", name_en="City")
    water = TopicFactory(slug="water", name_uk="Вода", name_en="Water")
    make_item(topic=city, pinned=True)
    make_item(topic=water, districts=[district])
    make_item(topic=city, published_at=timezone.now() + dt.timedelta(days=1))
    make_item(topic=city, status=NewsItem.Status.DRAFT)
    area = {
        "type": "Polygon",
        "coordinates": [[[32.6, 46.6], [32.7, 46.6], [32.7, 46.7], [32.6, 46.6]]],
    }
    with_area = make_alert(districts=[district], geometry=area, kind=AlertKind.WATER)
    with committed():
        alert_update_add(alert=with_area, text_uk="Воду дали.", text_en="Water is back.")
    make_alert(whole_city=True, severity=Severity.INFO, kind=AlertKind.POWER)
    over = make_alert(whole_city=True)
    with committed():
        alert_resolve(alert=over)
    make_alert(whole_city=True, publish=False)
    subscription_set(user=resident, digest=True, digest_topics=[water], alert_districts=[district])
