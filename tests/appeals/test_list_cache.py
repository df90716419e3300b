"""The public list answers a repeated question from the cache for a minute."""

import pytest
from django.core.cache import cache

from appeals.services import transition
from appeals.workflow import MODERATOR, Action
from tests.factories import UserFactory, submit_appeal

pytestmark = pytest.mark.django_db


def accepted(title):
    appeal = submit_appeal(UserFactory(), title=title)
    return transition(
        appeal=appeal, action=Action.ACCEPT, actor=UserFactory(is_staff=True), role=MODERATOR
    )


def test_a_repeated_question_does_not_query_the_appeals_again(
    client, django_assert_max_num_queries
):
    accepted("Яма на дорозі")
    client.get("/requests/?q=яма")

    # Only the filter form's category and district lists.
    with django_assert_max_num_queries(2):
        response = client.get("/requests/?q=яма")

    assert "Яма на дорозі" in response.content.decode()


def test_each_language_gets_its_own_cached_results(client):
    accepted("Яма на дорозі")
    client.get("/requests/")
    client.cookies["django_language"] = "en"

    response = client.get("/requests/")

    assert response.headers["Content-Language"] == "en"
    assert "Accepted" in response.content.decode()


def test_new_appeals_appear_once_the_cached_results_expire(client):
    client.get("/requests/")
    accepted("Не працюють ліхтарі")

    cache.clear()  # what a minute does
    response = client.get("/requests/")

    assert "Не працюють ліхтарі" in response.content.decode()
