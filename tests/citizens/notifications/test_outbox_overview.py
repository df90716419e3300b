"""The outbox per channel and lane for staff, and the front page's warning when
the priority lane falls behind (issue 21, point 5)."""

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from citizens.notifications import overview
from citizens.notifications.events import APP, EMAIL, SMS, TELEGRAM, WEBPUSH, priority_keys
from citizens.notifications.models import Delivery, Notification
from tests.citizens.notifications.delivery_helpers import Status, person

pytestmark = pytest.mark.django_db

OVERVIEW = "admin:citizens_delivery_overview"
OTHER_EVENT = "citizens.resident_verified"
NOW = timezone.now()


@pytest.fixture(autouse=True)
def _now(monkeypatch):
    """The rows' times are relative to the start of each test."""
    monkeypatch.setattr(f"{__name__}.NOW", timezone.now())


def priority_event() -> str:
    return sorted(priority_keys())[0]


def row(*, priority: bool, channel: str = EMAIL, status: str = Status.PENDING, **fields):
    """One outbox row of the given lane; times are given relative to NOW by the callers."""
    notification = Notification.objects.create(
        recipient=person(), event=priority_event() if priority else OTHER_EVENT
    )
    return Delivery.objects.create(
        notification=notification, channel=channel, status=status, **fields
    )


def due(**ago) -> dict:
    return {"next_attempt_at": NOW - dt.timedelta(**ago)}


def held(**later) -> dict:
    return {"next_attempt_at": NOW + dt.timedelta(**later)}


def sent(**ago) -> dict:
    return {"status": Status.SENT, "sent_at": NOW - dt.timedelta(**ago)}


def failed(**ago) -> dict:
    return {"status": Status.FAILED, "claimed_at": NOW - dt.timedelta(**ago)}


def figures(result: overview.OutboxOverview, channel: str, lane: str) -> dict:
    [found] = [r for r in result.rows if (r.channel, r.lane) == (channel, lane)]
    return {
        "queued": found.queued,
        "held": found.held,
        "sending": found.sending,
        "sent_hour": found.sent_hour,
        "sent_day": found.sent_day,
        "failed_day": found.failed_day,
        "waited": result.waited(found),
    }


def zero() -> dict:
    return dict.fromkeys(
        ["queued", "held", "sending", "sent_hour", "sent_day", "failed_day"], 0
    ) | {"waited": None}


@pytest.fixture
def outbox():
    """A mix of both lanes, every status, inside and outside the time windows."""
    # The priority lane, e-mail.
    row(priority=True, **due(minutes=5))
    row(priority=True, **due(seconds=30))
    row(priority=True, **held(minutes=10))  # the person's quiet hours
    row(priority=True, status=Status.SENDING)
    row(priority=True, **sent(minutes=10))
    row(priority=True, **sent(hours=3))
    row(priority=True, **sent(days=2))  # outside the day
    row(priority=True, **failed(hours=2))
    row(priority=True, **failed(days=3))  # outside the day
    row(priority=True, status=Status.CANCELLED)
    # The other lane, e-mail.
    row(priority=False, **due(hours=2))
    row(priority=False, **held(hours=1))
    row(priority=False, **held(minutes=3))  # a retry's wait
    row(priority=False, status=Status.SENDING)
    row(priority=False, status=Status.SENDING)
    row(priority=False, **sent(minutes=30))
    row(priority=False, **sent(hours=25))  # outside the day
    row(priority=False, **failed(minutes=5))
    # The priority lane, Telegram.
    row(priority=True, channel=TELEGRAM, **due(seconds=90))
    row(priority=True, channel=TELEGRAM, **sent(hours=23))


# --- The figures ------------------------------------------------------------------


def test_priority_lane_figures_per_channel(outbox):
    result = overview.count_outbox(NOW)

    assert figures(result, EMAIL, overview.PRIORITY) == {
        "queued": 2,
        "held": 1,
        "sending": 1,
        "sent_hour": 1,
        "sent_day": 2,
        "failed_day": 1,
        "waited": dt.timedelta(minutes=5),
    }
    assert figures(result, TELEGRAM, overview.PRIORITY) == zero() | {
        "queued": 1,
        "sent_day": 1,
        "waited": dt.timedelta(seconds=90),
    }


def test_other_lane_figures_are_counted_apart(outbox):
    result = overview.count_outbox(NOW)

    assert figures(result, EMAIL, overview.OTHER) == {
        "queued": 1,
        "held": 2,
        "sending": 2,
        "sent_hour": 1,
        "sent_day": 1,
        "failed_day": 1,
        "waited": dt.timedelta(hours=2),
    }
    assert figures(result, TELEGRAM, overview.OTHER) == zero()


def test_every_channel_and_lane_has_a_row_even_when_empty():
    result = overview.count_outbox(NOW)

    assert [(r.channel, r.lane) for r in result.rows] == [
        (EMAIL, overview.PRIORITY),
        (EMAIL, overview.OTHER),
        (WEBPUSH, overview.PRIORITY),
        (WEBPUSH, overview.OTHER),
        (TELEGRAM, overview.PRIORITY),
        (TELEGRAM, overview.OTHER),
        (SMS, overview.PRIORITY),
        (SMS, overview.OTHER),
        (APP, overview.PRIORITY),
        (APP, overview.OTHER),
    ]
    assert all(figures(result, r.channel, r.lane) == zero() for r in result.rows)


def test_without_priority_events_every_row_is_in_the_other_lane(outbox, monkeypatch):
    monkeypatch.setattr(overview, "priority_keys", frozenset)

    result = overview.count_outbox(NOW)

    assert figures(result, EMAIL, overview.PRIORITY) == zero()
    assert figures(result, EMAIL, overview.OTHER)["queued"] == 3


def test_only_the_late_rows_of_the_priority_lane_are_shown_late(outbox, settings):
    settings.NOTIFICATIONS_PRIORITY_MAX_WAIT_SECONDS = 120
    result = overview.count_outbox(NOW)

    late = [(r.channel, r.lane) for r in result.rows if result.is_late(r)]

    # E-mail's oldest waited 5 min; Telegram's 90 s; the other lane's 2 h is not "late".
    assert late == [(EMAIL, overview.PRIORITY)]


def test_the_overview_counts_in_three_queries_however_many_rows(outbox, django_assert_num_queries):
    for channel in (WEBPUSH, TELEGRAM):
        for _ in range(5):
            row(priority=False, channel=channel, **due(minutes=1))
            row(priority=True, channel=channel, **sent(minutes=1))

    with django_assert_num_queries(3):
        overview.count_outbox(NOW)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the query plans of PostgreSQL")
def test_every_count_reads_an_index_not_the_whole_outbox(outbox):
    with CaptureQueriesContext(connection) as captured:
        overview.count_outbox(NOW)
        overview.find_priority_delay(NOW)

    plans = []
    with connection.cursor() as cursor:
        # A sequential scan stays possible when no index fits: then it shows.
        cursor.execute("SET LOCAL enable_seqscan = off")
        for query in captured.captured_queries:
            cursor.execute(f"EXPLAIN {query['sql']}")
            plans.append("\n".join(line for (line,) in cursor.fetchall()))
    assert len(plans) == 4
    assert not [plan for plan in plans if "Seq Scan on citizens_delivery" in plan]
    assert "citizens_delivery_due" in plans[0]
    assert "citizens_delivery_heartbeat" in plans[1]
    assert "citizens_delivery_sent" in plans[2]
    assert "citizens_delivery_failed" in plans[2]
    assert "citizens_delivery_due" in plans[3]


# --- The priority lane's delay ----------------------------------------------------


def test_the_lane_is_fine_while_its_oldest_has_waited_less_than_the_limit(settings):
    settings.NOTIFICATIONS_PRIORITY_MAX_WAIT_SECONDS = 60
    row(priority=True, **due(seconds=59))

    assert overview.find_priority_delay(NOW) is None


def test_the_lane_is_behind_once_its_oldest_has_waited_longer_than_the_limit(settings):
    settings.NOTIFICATIONS_PRIORITY_MAX_WAIT_SECONDS = 60
    row(priority=True, **due(minutes=7))
    row(priority=True, channel=TELEGRAM, **due(seconds=61))
    row(priority=True, channel=WEBPUSH, **due(seconds=10))  # within the limit

    delay = overview.find_priority_delay(NOW)

    assert delay.count == 2
    assert delay.waited == dt.timedelta(minutes=7)


def test_only_the_priority_lanes_due_pending_rows_make_it_late(settings):
    settings.NOTIFICATIONS_PRIORITY_MAX_WAIT_SECONDS = 60
    row(priority=False, **due(hours=3))  # the other lane may wait
    row(priority=True, **held(minutes=30))  # not due yet
    row(priority=True, status=Status.SENDING, **due(hours=1))
    row(priority=True, status=Status.FAILED, **due(hours=1))
    row(priority=True, **sent(hours=1) | due(hours=1))

    assert overview.find_priority_delay(NOW) is None


def test_the_delay_reads_in_the_staffs_words(settings):
    settings.NOTIFICATIONS_PRIORITY_MAX_WAIT_SECONDS = 60
    delay = overview.LaneDelay(count=3, oldest_due=NOW - dt.timedelta(minutes=12), checked_at=NOW)

    with translation.override("en"):
        english = overview.delay_text(delay)
    with translation.override("uk"):
        ukrainian = overview.delay_text(delay)

    assert english == (
        "The priority lane is behind: 3 urgent messages waiting longer than 1 min, "
        "the oldest for 12 min."
    )
    assert ukrainian == (
        "Пріоритетна черга відстає: 3 термінові повідомлення чекають довше ніж 1 хв, "
        "найстаріше — 12 хв."
    )


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0 s"), (59, "59 s"), (60, "1 min"), (3599, "59 min"), (3600 * 3 + 300, "3 h 05 min")],
)
def test_waits_read_in_seconds_minutes_or_hours(seconds, text):
    with translation.override("en"):
        assert overview.duration_text(dt.timedelta(seconds=seconds)) == text


def test_waits_read_in_ukrainian():
    with translation.override("uk"):
        assert overview.duration_text(dt.timedelta(seconds=3600 * 3 + 300)) == "3 год 05 хв"


# --- The page -----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["resident", "moderator", "department_staff"])
def test_the_overview_is_refused_without_the_permission_to_see_deliveries(as_role, role):
    response = as_role(role).get(reverse(OVERVIEW), follow=True)

    assert response.status_code == 403


def test_a_visitor_is_sent_to_sign_in(client):
    response = client.get(reverse(OVERVIEW), follow=True)

    assert urlsplit(response.redirect_chain[-1][0]).path == reverse("account_login")


@pytest.mark.parametrize("role", ["city_admin", "superuser"])
def test_the_overview_is_shown_to_those_who_see_deliveries(as_role, role):
    response = as_role(role).get(reverse(OVERVIEW))

    assert response.status_code == 200
    assert 'id="outbox-overview"' in response.content.decode()


def test_the_overview_shows_the_figures_in_ukrainian(outbox, client_for, city_admin):
    response = client_for(city_admin).get(reverse(OVERVIEW))

    html = response.content.decode()
    assert "Вихідні повідомлення за каналами" in html
    assert "Пріоритетна" in html
    late = html.index('data-channel="email" data-lane="priority"')
    assert 'class="waited outbox-late">5 хв' in html[late:]


def test_the_overview_shows_the_figures_in_english(outbox, client_for, city_admin):
    city_admin.preferred_language = "en"
    city_admin.save(update_fields=["preferred_language"])

    html = client_for(city_admin).get(reverse(OVERVIEW)).content.decode()

    assert "Outbox by channel" in html
    assert "counted again at most every 30 s." in html


def test_the_figures_are_kept_for_a_short_time(client_for, city_admin):
    client = client_for(city_admin)
    client.get(reverse(OVERVIEW))
    row(priority=True, **due(minutes=1))

    response = client.get(reverse(OVERVIEW))

    email = response.context["rows"][0]["figures"]
    assert (email.channel, email.lane, email.queued) == (EMAIL, overview.PRIORITY, 0)


def test_the_page_makes_as_many_queries_with_many_rows(client_for, city_admin):
    client = client_for(city_admin)
    client.get(reverse("admin:index"))  # the session and the permissions, as on any page

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(OVERVIEW)).status_code == 200
        return len(captured)

    row(priority=True, **due(minutes=1))
    few = queries()
    for channel in (EMAIL, WEBPUSH, TELEGRAM):
        for priority in (True, False):
            for _ in range(4):
                row(priority=priority, channel=channel, **due(minutes=1))
                row(priority=priority, channel=channel, **sent(minutes=1))
    cache.delete("citizens:outbox-overview")

    assert queries() == few


def test_the_delivery_list_links_to_the_overview(client_for, city_admin):
    html = client_for(city_admin).get(reverse("admin:citizens_delivery_changelist")).content

    assert reverse(OVERVIEW).encode() in html


# --- The front page -----------------------------------------------------------------


def test_the_front_page_links_to_the_overview(client_for, city_admin):
    html = client_for(city_admin).get(reverse("admin:index")).content.decode()

    assert f'href="{reverse(OVERVIEW)}"' in html
    assert 'role="alert"' not in html


def test_the_front_page_warns_when_the_priority_lane_is_behind(client_for, city_admin, settings):
    settings.NOTIFICATIONS_PRIORITY_MAX_WAIT_SECONDS = 60
    city_admin.preferred_language = "en"
    city_admin.save(update_fields=["preferred_language"])
    row(priority=True, **due(minutes=4))
    row(priority=True, channel=TELEGRAM, **due(minutes=2))

    html = client_for(city_admin).get(reverse("admin:index")).content.decode()

    assert 'role="alert"' in html
    assert "The priority lane is behind: 2 urgent messages waiting longer than 1 min" in html
    assert "the oldest for 4 min" in html


def test_the_warning_is_in_ukrainian_by_default(client_for, city_admin):
    row(priority=True, **due(minutes=4))

    html = client_for(city_admin).get(reverse("admin:index")).content.decode()

    assert "Пріоритетна черга відстає" in html


def test_no_warning_while_the_priority_lane_keeps_up(client_for, city_admin, settings):
    settings.NOTIFICATIONS_PRIORITY_MAX_WAIT_SECONDS = 60
    row(priority=True, **due(seconds=20))
    row(priority=False, **due(hours=2))  # the other lane behind is no alarm

    html = client_for(city_admin).get(reverse("admin:index")).content.decode()

    assert 'role="alert"' not in html


def test_no_warning_for_staff_who_may_not_see_deliveries(client_for, moderator):
    row(priority=True, **due(hours=1))

    html = client_for(moderator).get(reverse("admin:index")).content.decode()

    assert 'role="alert"' not in html
    assert reverse(OVERVIEW) not in html


def test_the_warning_costs_the_front_page_at_most_one_query(client_for, city_admin, monkeypatch):
    row(priority=True, **due(hours=1))
    client = client_for(city_admin)
    client.get(reverse("admin:index"))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("admin:index")).status_code == 200
        return len(captured)

    with monkeypatch.context() as patched:
        patched.setattr(overview, "priority_delay", lambda: None)
        without = queries()
    cache.delete("citizens:priority-delay")  # as when the kept copy runs out

    assert queries() == without + 1
    assert queries() == without  # kept for a few seconds
