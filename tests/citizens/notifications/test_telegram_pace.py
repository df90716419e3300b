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
