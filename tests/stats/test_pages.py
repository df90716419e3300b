"""The statistics pages: figures as the sources give them, small groups withheld, no JS."""

import pytest
from django.urls import reverse

from tests.query_counts import assert_flat, counts_at_growing_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def roads(db):
    from mycity.models import Department

    return Department.objects.create(name="Roads", slug="roads")


def test_overview_shows_the_city_figures(client, fake_source):
    response = client.get(reverse("stats:overview"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-measure="received"' in page
    assert "75,0 %" in page  # Ukrainian decimal comma
    assert set(response["Cache-Control"].split(", ")) == {"public", "max-age=300"}


def test_english(client, fake_source):
    client.cookies["django_language"] = "en"
    page = client.get(reverse("stats:overview")).content.decode()
    assert "How the city answers" in page
    assert "75.0 %" in page


def test_ranking_best_first_with_shared_places_and_small_groups_last(client, fake_source):
    response = client.get(reverse("stats:overview"))
    ranking = response.context["sections"][0].ranking
    # Parks: 100 % of 3 answered (under 5): withheld; Tiny: 2 cases in all.
    assert [(place, row.key) for place, row in ranking] == [
        (1, "water"),
        (2, "roads"),
        (None, "parks"),
        (None, "tiny"),
    ]


def test_a_small_group_shows_no_figure(client, fake_source):
    page = client.get(reverse("stats:overview")).content.decode()
    tiny = page.split('data-key="tiny"')[1].split("</tr>")[0]
    assert "50,0" not in tiny
    assert "&lt;5" in tiny


def test_department_page(client, fake_source, roads):
    response = client.get(reverse("stats:department", args=["roads"]))
    assert response.status_code == 200
    assert response.context["sections"][0].summary.key == "roads"
    assert [by for by, _t, _r in response.context["sections"][0].breakdowns] == ["category"]
    assert client.get(reverse("stats:department", args=["nope"])).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "period=2026",
        "period=2026-q3",
        "period=custom&start=2026-01-01&end=2026-02-01",
        "period=custom&start=2026-03-01&end=2026-02-01",
        "period=custom&start=x&end=2026-13-45",
        "period=%ED%A0%80",
        "period=1999",
        "period=9999-q9",
        "start=2026-01-01",
    ],
)
def test_any_period_input_gives_a_page(client, fake_source, query):
    assert client.get(reverse("stats:overview") + "?" + query).status_code == 200


def test_queries_do_not_grow(client, fake_source, roads):
    counts = counts_at_growing_data(client, reverse("stats:overview"), seed=lambda n: None)
    assert_flat(counts)


def test_a_nul_byte_is_refused_as_every_page_refuses_it(client, fake_source):
    assert client.get(reverse("stats:overview") + "?period=%00").status_code == 400
