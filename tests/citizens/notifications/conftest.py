"""Fixtures shared by the notification tests."""

import pytest

from tests.citizens.notifications.webpush_helpers import (
    SUBJECT,
    Browser,
    FakePushService,
    new_vapid_keys,
    subscribe,
)


@pytest.fixture
def push_service():
    service = FakePushService()
    yield service
    service.close()


@pytest.fixture
def vapid(settings):
    """Push configured with a fresh key pair; endpoints on 127.0.0.1 accepted."""
    public, private = new_vapid_keys()
    settings.VAPID_PUBLIC_KEY = public
    settings.VAPID_PRIVATE_KEY = private
    settings.VAPID_SUBJECT = SUBJECT
    settings.WEBPUSH_ALLOW_LOOPBACK = True
    return public


@pytest.fixture
def subscribed(vapid, push_service, client_for):
    """Give a person a push device on the fake push service; returns its Browser."""

    def make(user, device: str = "device-1") -> Browser:
        browser = Browser()
        response = subscribe(client_for(user), browser, push_service.endpoint(device))
        assert response.status_code == 201, response.content
        return browser

    return make
