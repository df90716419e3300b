"""Telegram takes about 30 messages a second from one bot: every worker together keeps under it.

`TELEGRAM_MESSAGES_PER_SECOND` slots a second are counted in the shared
cache; a 429 with `retry_after` pauses every sender; a message that would
wait longer than MAX_PACE_WAIT goes back to the outbox for a later attempt.
"""

import pytest

from citizens.notifications import telegram
from citizens.notifications.telegram import BotApiError


class Clock:
    """A clock that moves only when someone sleeps."""

    def __init__(self, start: float = 1_000_000.25):
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds


@pytest.fixture
def clock(settings):
    settings.TELEGRAM_MESSAGES_PER_SECOND = 3
    return Clock()


def pace(clock):
    telegram.api._pace(clock=clock, sleep=clock.sleep)


def test_a_second_holds_as_many_messages_as_the_limit(clock):
    for _ in range(3):
        pace(clock)
    assert clock.slept == []

    pace(clock)  # the fourth waits for the next second

    assert clock.slept == [0.75]
    assert int(clock.now) == 1_000_001


def test_telegrams_retry_after_pauses_every_sender(clock, monkeypatch):
    def too_many(*args, **kwargs):
        raise BotApiError("Too Many Requests: retry after 4", status=429, retry_after=4)

    monkeypatch.setattr(telegram.api, "call", too_many)
    monkeypatch.setattr(telegram.api.time, "time", clock)
    with pytest.raises(BotApiError):
        telegram.send_message(42, "Тривога")

    pace(clock)  # another worker's next message

    assert clock.slept == [4.0]


def test_a_message_that_would_wait_too_long_goes_back_to_the_outbox(clock, monkeypatch):
    monkeypatch.setattr(telegram.api.time, "time", clock)
    telegram.api._paused_by_telegram(60)

    with pytest.raises(BotApiError) as refused:
        pace(clock)

    assert refused.value.status == 429
    assert refused.value.retry_after == 60
    assert clock.slept == []


def test_no_pace_when_the_limit_is_zero(settings, clock):
    settings.TELEGRAM_MESSAGES_PER_SECOND = 0
    for _ in range(100):
        pace(clock)
    assert clock.slept == []


# --- Paid broadcasts for the priority lane -----------------------------------

ALERT = {"icon": "🚨", "title": "Повітряна тривога", "text": "Пройдіть до укриття."}


def test_paid_broadcasts_have_their_own_allowance(settings, clock):
    settings.TELEGRAM_PAID_MESSAGES_PER_SECOND = 5
    for _ in range(5):
        telegram.api._pace(clock=clock, sleep=clock.sleep, paid=True)
    for _ in range(3):
        pace(clock)  # the usual allowance is untouched
    assert clock.slept == []

    telegram.api._pace(clock=clock, sleep=clock.sleep, paid=True)

    assert clock.slept == [0.75]


def send(event, context, user, capture):
    from citizens.notifications.models import Delivery
    from citizens.notifications.services import notify

    with capture(execute=True):
        notify(recipients=[user], event=event, context=context, url="/alerts/")
    return Delivery.objects.get(
        notification__recipient=user, notification__event=event, channel="telegram"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("paid_setting", "event", "context", "flagged"),
    [
        (True, "news.alert_critical", ALERT, True),
        (True, "citizens.test", {}, False),  # not the priority lane: never paid
        (False, "news.alert_critical", ALERT, False),
    ],
)
def test_the_priority_lane_pays_to_pass_the_broadcast_limit_when_allowed(
    settings,
    bot_api,
    eager,
    linked_resident,
    django_capture_on_commit_callbacks,
    paid_setting,
    event,
    context,
    flagged,
):
    settings.TELEGRAM_PAID_BROADCAST = paid_setting

    delivery = send(event, context, linked_resident, django_capture_on_commit_callbacks)

    assert delivery.status == "sent"
    [message] = bot_api.sent()
    assert message.get("allow_paid_broadcast", False) is flagged


@pytest.mark.django_db
def test_without_stars_the_alert_goes_at_the_usual_pace_and_paying_stops_a_while(
    settings, bot_api, eager, linked_resident, django_capture_on_commit_callbacks, caplog
):
    settings.TELEGRAM_PAID_BROADCAST = True
    bot_api.no_stars = True

    first = send("news.alert_critical", ALERT, linked_resident, django_capture_on_commit_callbacks)

    assert first.status == "sent"
    refused, sent = bot_api.sent()
    assert refused["allow_paid_broadcast"] is True
    assert "allow_paid_broadcast" not in sent
    assert "sending at the usual rate" in caplog.text

    bot_api.reset()
    bot_api.no_stars = True
    second = send("news.alert_update", ALERT, linked_resident, django_capture_on_commit_callbacks)
    assert second.status == "sent"
    [only] = bot_api.sent()
    assert "allow_paid_broadcast" not in only
