"""The public lists, the REST API and Open311 at a city's scale: estimated counts, fresh caches."""

import re

import pytest
from django.urls import reverse

from appeals.services import transition
from appeals.workflow import MODERATOR, Action
from mycity.lib import pagination
from mycity.lib.pagination import EstimatedCountPaginator
from tests.factories import UserFactory, submit_appeal

pytestmark = pytest.mark.django_db


def accepted(title, **fields):
    appeal = submit_appeal(UserFactory(), title=title, **fields)
    return transition(
        appeal=appeal, action=Action.ACCEPT, actor=UserFactory(is_staff=True), role=MODERATOR
    )


@pytest.fixture
def estimated(monkeypatch):
    """Past a cap of 2 rows, PostgreSQL would guess 81,234; pages of 2, so the first is full."""
    monkeypatch.setattr(EstimatedCountPaginator, "CAP", 2)
    monkeypatch.setattr(pagination, "estimated_count", lambda queryset: 81_234)
    monkeypatch.setattr("appeals.views.public.PAGE_SIZE", 2)
    monkeypatch.setattr("appeals.views.proposals.PER_PAGE", 2)
    monkeypatch.setattr(pagination.EstimatedCountPagination, "page_size", 2)


def test_the_list_says_about_how_many_when_the_count_is_an_estimate(client, estimated):
    for n in range(3):
        accepted(f"Яма {n}")
    client.cookies["django_language"] = "en"

    html = client.get("/requests/").content.decode()

    assert "about 81000 requests" in html
    assert "Page 1 of about 40500" in html


def test_the_list_gives_the_exact_count_below_the_cap(client):
    for n in range(3):
        accepted(f"Яма {n}")
    client.cookies["django_language"] = "en"

    html = client.get("/requests/").content.decode()

    assert "3 requests" in html
    assert "about" not in html.split('id="results-count"')[1].split("</p>")[0]


def test_proposals_say_about_how_many_when_the_count_is_an_estimate(client, estimated):
    for n in range(3):
        accepted(f"Сквер {n}", kind="proposal")
    client.cookies["django_language"] = "en"

    html = client.get("/proposals/").content.decode()

    assert "about 81000 public proposals" in html


def test_the_ukrainian_list_says_about_too(client, estimated):
    for n in range(3):
        accepted(f"Яма {n}")

    html = client.get("/requests/").content.decode()

    assert "близько 81000" in html


def test_the_api_says_whether_its_count_is_an_estimate(client, estimated):
    for n in range(3):
        accepted(f"Яма {n}")

    body = client.get("/api/v1/appeals/").json()

    assert body["count"] == 81_000
    assert body["count_is_estimate"] is True
    assert len(body["results"]) == 2
    assert body["next"]


def test_the_apis_short_last_page_gives_the_exact_count_whatever_the_estimate(client, estimated):
    for n in range(3):
        accepted(f"Яма {n}")

    body = client.get("/api/v1/appeals/?page=2").json()

    assert len(body["results"]) == 1
    assert body["count"] == 3
    assert body["count_is_estimate"] is False
    assert body["next"] is None


def test_the_api_count_is_exact_and_said_so_below_the_cap(client):
    accepted("Яма")

    body = client.get("/api/v1/appeals/").json()

    assert body["count"] == 1
    assert body["count_is_estimate"] is False
    assert body["next"] is None


def test_the_api_list_drops_a_hidden_appeal_at_once(client, django_capture_on_commit_callbacks):
    appeal = accepted("Яма на Суворова")
    assert client.get("/api/v1/appeals/").json()["count"] == 1  # now kept for a minute

    with django_capture_on_commit_callbacks(execute=True):
        appeal.is_public = False
        appeal.save()

    assert client.get("/api/v1/appeals/").json()["count"] == 0


def test_open311_drops_a_hidden_request_at_once(client, django_capture_on_commit_callbacks):
    appeal = accepted("Яма на Суворова")
    assert appeal.reference in client.get("/open311/v2/requests.json").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        appeal.is_public = False
        appeal.save()

    assert appeal.reference not in client.get("/open311/v2/requests.json").content.decode()


def test_a_search_lists_its_first_pages_and_says_how_to_narrow_it(client, monkeypatch):
    monkeypatch.setattr("appeals.views.public.PAGE_SIZE", 1)
    monkeypatch.setattr("appeals.views.public.SEARCH_PAGES", 2)
    for n in range(3):
        accepted(f"Яма {n}")
    client.cookies["django_language"] = "en"

    last = client.get("/requests/?q=яма&page=2").content.decode()
    past = client.get("/requests/?q=яма&page=3").content.decode()
    unsearched = client.get("/requests/?page=3").content.decode()

    assert "A search shows its first 2 pages" in last
    assert 'rel="next"' not in last
    assert past.count('<li class="appeal-row">') == last.count('<li class="appeal-row">') == 1
    # Past its cap (the pages it shows) a search's count is PostgreSQL's estimate.
    assert re.search(r"Page 2 of (about )?2<", past)
    assert "Page 3 of 3" in unsearched


@pytest.fixture
def planner(monkeypatch):
    """PostgreSQL would guess 250,400 rows; the calls say which lists asked it."""
    asked = []

    def estimate(queryset):
        asked.append(queryset.model)
        return 250_400

    monkeypatch.setattr(pagination, "estimated_count", estimate)
    return asked


@pytest.mark.parametrize(
    ("url", "asks"),
    [
        ("/requests/", False),
        ("/requests/?q=Яма", True),
        ("/api/v1/appeals/", False),
        ("/api/v1/appeals/?q=Яма", True),
    ],
)
def test_a_word_search_asks_the_planner_before_counting_and_a_plain_list_does_not(
    client, planner, url, asks
):
    for n in range(3):
        accepted(f"Яма {n}")
    client.cookies["django_language"] = "en"

    assert client.get(url).status_code == 200

    assert bool(planner) is asks


def test_the_admins_word_search_asks_the_planner_first(client_for, moderator, planner):
    for n in range(3):
        accepted(f"Яма {n}")
    admin = client_for(moderator)
    url = reverse("admin:appeals_appeal_changelist")

    assert admin.get(url).status_code == 200
    assert planner == []
    assert admin.get(url, {"q": "Яма"}).status_code == 200
    assert planner


@pytest.fixture
def clock(monkeypatch):
    from mycity.lib import cache as kept

    now = [1_000_000.0]
    monkeypatch.setattr(kept.time, "time", lambda: now[0])
    return now


class BusyElsewhere:
    """The cache, as seen while another request holds every recompute lock."""

    def __init__(self, cache):
        self.cache = cache

    def __getattr__(self, name):
        return getattr(self.cache, name)

    def add(self, key, *args, **kwargs):
        return False if key.endswith(":lock") else self.cache.add(key, *args, **kwargs)


@pytest.mark.parametrize(
    ("url", "shows"),
    [
        ("/requests/", lambda response, title: title in response.content.decode()),
        (
            "/api/v1/appeals/",
            lambda response, title: title in [row["title"] for row in response.json()["results"]],
        ),
    ],
    ids=["web", "api"],
)
def test_a_due_list_is_computed_by_one_request_while_the_others_serve_the_last_copy(
    client, clock, monkeypatch, url, shows
):
    from mycity.lib import cache as kept

    accepted("Яма на Суворова")
    assert client.get(url).status_code == 200  # kept for a minute
    # A new appeal (its commit would change the appeals' version; a test never commits).
    newer = accepted("Ліхтар на Перекопській")
    assert not shows(client.get(url), newer.title)  # the copy is still fresh

    clock[0] += 61
    with monkeypatch.context() as busy:
        busy.setattr(kept, "cache", BusyElsewhere(kept.cache))
        assert not shows(client.get(url), newer.title)  # due; another request recomputes

    assert shows(client.get(url), newer.title)  # due, and this request recomputes it
