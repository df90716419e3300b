"""mycity.lib.ratelimit: the client address behind the proxy; counts per account and address."""

import pytest
from allauth.account.adapter import get_adapter
from django.test import RequestFactory
from django.urls import resolve, reverse
from django.utils import translation

from mycity.lib import ratelimit
from tests.factories import UserFactory

rf = RequestFactory()


def request(remote="198.51.100.7", forwarded=None, user=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    req = rf.post("/", **extra)
    if user is not None:
        req.user = user
    return req


@pytest.fixture
def tight(settings):
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "appeal": {"account": "2/hour", "address": "3/hour"},
    }


def test_with_no_trusted_proxy_a_spoofed_forwarded_for_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert ratelimit.client_ip(request(forwarded="203.0.113.9")) == "198.51.100.7"


def test_behind_one_proxy_the_address_it_appended_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client wrote "6.6.6.6"; nginx appended the address it saw.
    assert ratelimit.client_ip(request("10.0.0.2", "6.6.6.6, 203.0.113.9")) == "203.0.113.9"


def test_behind_two_proxies_the_second_entry_from_the_right_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    forwarded = "6.6.6.6, 203.0.113.9, 10.0.0.5"
    assert ratelimit.client_ip(request("10.0.0.2", forwarded)) == "203.0.113.9"


@pytest.mark.parametrize("forwarded", ["", "not-an-address", "203.0.113.9"])
def test_a_short_or_malformed_forwarded_for_falls_back_to_the_peer(settings, forwarded):
    settings.TRUSTED_PROXY_COUNT = 2
    assert ratelimit.client_ip(request("10.0.0.2", forwarded)) == "10.0.0.2"


def test_ipv6_clients_share_a_bucket_per_64_network(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    one = ratelimit.address_bucket(request("2001:db8:1:2::1"))
    other = ratelimit.address_bucket(request("2001:db8:1:2:ffff::9"))
    assert one == other == "2001:db8:1:2::"


@pytest.mark.parametrize("count", [0, 1])
def test_allauth_and_the_api_throttles_read_the_same_address(settings, count):
    settings.TRUSTED_PROXY_COUNT = count
    req = request("10.0.0.2", "6.6.6.6, 203.0.113.9")
    expected = "203.0.113.9" if count else "10.0.0.2"
    assert get_adapter().get_client_ip(req) == expected
    assert ratelimit.AddressRateThrottle().get_ident(req) == expected
    assert ratelimit.AccountRateThrottle().get_ident(req) == expected


@pytest.mark.django_db
def test_an_account_is_refused_past_its_rate(tight):
    user = UserFactory()
    for n in range(2):
        ratelimit.acquire(request(f"203.0.113.{n}", user=user), "appeal")
    with pytest.raises(ratelimit.RateLimitedError) as refused:
        ratelimit.acquire(request("203.0.113.50", user=user), "appeal")
    assert 0 < refused.value.wait <= 3600


@pytest.mark.django_db
def test_an_address_is_refused_past_its_rate_whoever_signs_in(tight):
    for _ in range(3):
        ratelimit.acquire(request(user=UserFactory()), "appeal")
    with pytest.raises(ratelimit.RateLimitedError):
        ratelimit.acquire(request(user=UserFactory()), "appeal")
    ratelimit.acquire(request("203.0.113.1", user=UserFactory()), "appeal")


@pytest.mark.django_db
def test_a_refused_attempt_is_not_counted_and_a_given_back_one_is_not_either(tight):
    user = UserFactory()
    ratelimit.acquire(request(user=user), "appeal")
    ratelimit.acquire(request(user=user), "appeal").give_back()
    ratelimit.acquire(request(user=user), "appeal")
    with pytest.raises(ratelimit.RateLimitedError):
        ratelimit.acquire(request(user=user), "appeal")
    # The address counted two, not three: another person there gets one more.
    ratelimit.acquire(request(user=UserFactory()), "appeal")


def test_hit_counts_in_fixed_windows():
    assert [ratelimit.hit("test", "2/minute", now=120.0) for _ in range(3)] == [0, 0, 60]
    assert ratelimit.hit("test", "2/minute", now=180.0) == 0


def test_the_refusal_is_translated_and_rounds_the_wait_up_to_minutes():
    with translation.override("uk"):
        assert ratelimit.refusal_message(90) == (
            "Ви зробили це надто багато разів за короткий час. Спробуйте знову за 2 хвилини."
        )
    with translation.override("en"):
        assert ratelimit.refusal_message(30).endswith("try again in 1 minute.")


def test_every_abusable_web_form_is_limited():
    from appeals.views import filing, following, proposals
    from services.views import applying, booking
    from surveys.views import answering

    limited = {
        filing.new: "appeal",  # the page and the offline outbox
        proposals.support: "support",
        following.add_info: "message",
        answering.survey_answer: "survey_answer",
        applying.apply: "application",
        applying.application_write: "message",
        booking.book: "booking",
        booking.appointment_move: "booking",
    }
    for view, action in limited.items():
        assert view.rate_limit_action == action, view
    assert resolve(reverse("appeals:new")).func is filing.new


def test_every_abusable_api_write_is_limited():
    from appeals.api.views import AppealViewSet
    from services.api.applications import ApplicationViewSet
    from services.api.appointments import AppointmentViewSet
    from surveys.api.views import SurveyViewSet

    limited = {
        (AppealViewSet, "create"): "appeal",
        (AppealViewSet, "info"): "message",
        (AppealViewSet, "support"): "support",
        (SurveyViewSet, "respond"): "survey_answer",
        (ApplicationViewSet, "create"): "application",
        (ApplicationViewSet, "messages"): "message",
        (AppointmentViewSet, "create"): "booking",
        (AppointmentViewSet, "reschedule"): "booking",
    }
    for (viewset, method), action in limited.items():
        assert getattr(viewset, method).rate_limit_action == action, (viewset, method)
