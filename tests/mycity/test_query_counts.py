"""Issue 20: the home page makes as many queries at 30 rows as at 3, and at most 10.

The pattern and the helper are in tests/query_counts.py. Every app's rows
grow at once. The home page makes no query of its own by design: its latest
news are the cache entry news writes on every change (left out on a cold
cache), so each count starts from that entry written, as production has it.
"""

import pytest

from news.services.items import latest_refresh
from tests.appeals.public_factories import public_appeal
from tests.factories import DistrictFactory, UserFactory
from tests.news.factories import TopicFactory, make_alert, make_item
from tests.query_counts import assert_flat, counts_at_growing_data
from tests.services.factories import ServiceCentreFactory, ServiceFactory
from tests.surveys.factories import SurveyFactory, question_with_choices

pytestmark = pytest.mark.django_db


def add_everything(n: int) -> None:
    author = UserFactory()
    for _ in range(n):
        districts = [DistrictFactory(), DistrictFactory()]
        make_item(topic=TopicFactory(), districts=districts)
        make_alert(districts=districts)
        public_appeal(author, district=districts[0])
        question_with_choices(SurveyFactory(districts=districts))
        ServiceFactory(centres=[ServiceCentreFactory()])


@pytest.mark.parametrize("viewer", ["anonymous", "resident"])
def test_the_home_page_does_not_grow(request, client_for, viewer):
    client = client_for(request.getfixturevalue(viewer))
    counts = counts_at_growing_data(client, "/", seed=add_everything, prepare=latest_refresh)
    assert_flat(counts)
    assert 'id="latest-news-title"' in client.get("/").content.decode()  # the block was there
