"""The offline outbox keeps a request the server answered with 503 and sends it again later."""

import re

import pytest
from django.db import OperationalError
from playwright.sync_api import expect

from appeals.models import Appeal
from appeals.views import filing
from tests.browser.test_offline import sign_in, wait_for_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def database_away_once(monkeypatch):
    """The first appeal sent meets a database that is away (the 503 page's case)."""
    real = filing.appeal_submit
    calls = []

    def away_then_back(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise OperationalError("the server closed the connection unexpectedly")
        return real(**kwargs)

    # The live server runs in a thread of this process: the view sees the patch.
    monkeypatch.setattr(filing, "appeal_submit", away_then_back)
    return calls


def test_a_request_answered_503_is_kept_and_sent_again(
    phone_page, live_server, city, eager, database_away_once
):
    _category, resident = city
    page = phone_page
    sign_in(page, live_server, resident, "/requests/new/%3Fkind%3Dproblem%26category%3Dpothole")
    expect(page).to_have_url(re.compile(r"category=pothole"))
    wait_for_worker(page)

    page.context.set_offline(True)
    page.fill("#id_title", "Немає світла на зупинці")
    page.fill("#id_description", "Ліхтар на зупинці не світить третій вечір поспіль.")
    map_box = page.locator("#appeal-map")
    map_box.scroll_into_view_if_needed()
    map_box.click()
    expect(page.locator("#id_latitude")).not_to_have_value("")
    page.locator('#appeal-form button[type="submit"]:not([formaction])').click()
    status = page.locator("#outbox-status")
    expect(status).to_contain_text("Немає світла на зупинці")

    page.context.set_offline(False)

    # The first try met the 503; the outbox kept it (not "refused") and tried again.
    expect(status.get_by_role("link", name=re.compile(r"KH-\d{4}-\d{6}"))).to_be_visible(
        timeout=30_000
    )
    assert len(database_away_once) == 2
    assert Appeal.objects.get().title == "Немає світла на зупинці"
