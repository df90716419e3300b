"""“Is it one of these?”: open public appeals of the same category near the pin."""

import pytest
from django.urls import reverse

from appeals.services import transition
from appeals.services.duplicates import distance_m, similar_open_appeals
from appeals.workflow import DEPARTMENT, MODERATOR, Action
from tests.factories import CategoryFactory, DistrictFactory, UserFactory, submit_appeal

pytestmark = pytest.mark.django_db

METRE_LAT = 1 / 111_195  # one metre north, in degrees of latitude


@pytest.fixture
def district():
    return DistrictFactory()


@pytest.fixture
def pin(district):
    """The resident's pin: the middle of the district."""
    west, south = district.boundary["coordinates"][0][0]
    return south + 0.005, west + 0.005


@pytest.fixture
def category():
    return CategoryFactory()


@pytest.fixture
def reporter():
    return UserFactory()


def filed(reporter, category, district, pin, *, north_m=0.0, accept=True, **fields):
    appeal = submit_appeal(
        reporter,
        category,
        district=district,
        latitude=pin[0] + north_m * METRE_LAT,
        longitude=pin[1],
        **fields,
    )
    if accept:
        appeal = transition(appeal=appeal, action=Action.ACCEPT, actor=reporter, role=MODERATOR)
    return appeal


def found(category, pin, **kwargs):
    return [
        a.pk
        for a in similar_open_appeals(
            category=category, latitude=pin[0], longitude=pin[1], **kwargs
        )
    ]


def test_open_appeal_50_m_away_is_suggested_with_a_distance_band(reporter, category, district, pin):
    near = filed(reporter, category, district, pin, north_m=50)

    [suggestion] = similar_open_appeals(category=category, latitude=pin[0], longitude=pin[1])

    assert suggestion.pk == near.pk
    assert suggestion.distance_band == 100


def test_appeal_500_m_away_is_not_suggested(reporter, category, district, pin):
    filed(reporter, category, district, pin, north_m=500)

    assert found(category, pin) == []


def test_appeal_just_outside_the_radius_but_inside_the_box_is_not_suggested(
    reporter, category, district, pin
):
    # 140 m north and 140 m east: inside the 150 m bounding box, 198 m away.
    appeal = filed(reporter, category, district, pin)
    appeal.latitude = pin[0] + 140 * METRE_LAT
    appeal.longitude = pin[1] + 140 * METRE_LAT / 0.6873  # cos(46.6°)
    appeal.save(update_fields=["latitude", "longitude"])

    assert found(category, pin, radius_m=150) == []


def test_appeal_of_another_category_is_not_suggested(reporter, category, district, pin):
    filed(reporter, CategoryFactory(), district, pin, north_m=20)

    assert found(category, pin) == []


def test_private_appeal_is_not_suggested(reporter, category, district, pin):
    filed(reporter, category, district, pin, north_m=20, is_public=False)

    assert found(category, pin) == []


def test_appeal_awaiting_moderation_is_not_suggested(reporter, category, district, pin):
    filed(reporter, category, district, pin, north_m=20, accept=False)

    assert found(category, pin) == []


def test_answered_appeal_is_not_suggested(reporter, category, district, pin):
    appeal = filed(reporter, category, district, pin, north_m=20)
    transition(appeal=appeal, action=Action.ANSWER, actor=reporter, role=DEPARTMENT)

    assert found(category, pin) == []


def test_appeal_in_progress_is_suggested(reporter, category, district, pin):
    appeal = filed(reporter, category, district, pin, north_m=20)
    transition(appeal=appeal, action=Action.START, actor=reporter, role=DEPARTMENT)

    assert found(category, pin) == [appeal.pk]


def test_sensitive_category_suggests_nothing(reporter, district, pin):
    sensitive = CategoryFactory(sensitive=True)
    filed(reporter, sensitive, district, pin, north_m=20)

    assert found(sensitive, pin) == []


def test_nearest_come_first_and_the_list_is_limited(reporter, category, district, pin):
    # Far enough apart to round to different public points (~111 m a step).
    appeals = [filed(reporter, category, district, pin, north_m=m) for m in (300, 10, 200, 100)]

    found_ = found(category, pin, limit=3, radius_m=500)

    assert found_ == [appeals[1].pk, appeals[3].pk, appeals[2].pk]


def test_haversine_distance_of_a_known_pair():
    # Kherson railway station to Freedom Square, about 2.1 km.
    assert distance_m(46.6557, 32.6036, 46.6379, 32.6146) == pytest.approx(2150, rel=0.03)


def test_lookup_makes_one_query_however_many_appeals_are_near(
    reporter, category, district, pin, django_assert_num_queries
):
    for m in range(0, 100, 10):
        filed(reporter, category, district, pin, north_m=m)

    with django_assert_num_queries(1):
        suggestions = similar_open_appeals(category=category, latitude=pin[0], longitude=pin[1])
        [(a.reference, a.title, a.get_status_display()) for a in suggestions]

    assert len(suggestions) == 5


def test_similar_partial_lists_nearby_appeals_with_a_follow_button(
    client, reporter, category, district, pin
):
    near = filed(reporter, category, district, pin, north_m=40, title="Яма <b>біля</b> школи")

    response = client.get(
        reverse("appeals:similar"),
        {"category": category.slug, "latitude": pin[0], "longitude": pin[1]},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Is it one of these?" in html
    assert "Яма &lt;b&gt;біля&lt;/b&gt; школи" in html
    assert "under 100 m from your pin" in html
    assert f'formaction="{reverse("appeals:follow", args=[near.reference])}"' in html
    assert "<html" not in html


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"category": "no-such-category", "latitude": "46.6", "longitude": "32.6"},
        {"category": "{slug}", "latitude": "north", "longitude": "32.6"},
        {"category": "{slug}", "latitude": "nan", "longitude": "nan"},
        {"category": "{slug}", "latitude": "1e999", "longitude": "32.6"},
    ],
)
def test_similar_partial_is_empty_for_bad_input(client, category, params):
    params = {k: v.format(slug=category.slug) for k, v in params.items()}

    response = client.get(reverse("appeals:similar"), params)

    assert response.status_code == 200
    assert response.content.strip() == b""


def test_similar_partial_query_count_does_not_grow_with_suggestions(
    client_for, resident, reporter, category, district, pin, django_assert_max_num_queries
):
    for m in range(0, 100, 10):
        filed(reporter, category, district, pin, north_m=m)
    client = client_for(resident)

    # session, user, category, appeals
    with django_assert_max_num_queries(4):
        response = client.get(
            reverse("appeals:similar"),
            {"category": category.slug, "latitude": pin[0], "longitude": pin[1]},
        )

    assert response.content.decode().count("similar-item") == 5
