"""Turning on push in a real Chromium: the service worker registers at /sw.js
with the whole site as its scope, and the subscription reaches the server.

Headless Chromium has no push service to talk to on a closed network, so
PushManager.subscribe is replaced by one that returns a subscription with
real keys; everything else (permission, service worker, CSRF, the POST, the
device list after reload) is the browser's and the server's own.
"""

import base64
import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings as django_settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template import RequestContext, Template
from django.test import Client
from django.urls import path
from playwright.sync_api import expect
from py_vapid import Vapid

from citizens.notifications.models import PushSubscription
from mycity import urls as site_urls
from tests.factories import UserFactory, verify_email

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ENDPOINT = "https://fcm.googleapis.com/fcm/send/browser-test"
PAGE = "/test-push-section/"

# The settings page that includes the section belongs to the inbox views; a
# page of our own keeps this test about push alone.
_PAGE_TEMPLATE = Template(
    '{% extends "base.html" %}{% block content %}'
    '{% include "citizens/notifications/_push.html" %}{% endblock %}'
)


@login_required
def push_section_page(request):
    context = RequestContext(
        request,
        {
            "vapid_public_key": django_settings.VAPID_PUBLIC_KEY,
            "push_devices": PushSubscription.objects.filter(user=request.user),
        },
    )
    return HttpResponse(_PAGE_TEMPLATE.render(context))


urlpatterns = [path(PAGE.strip("/") + "/", push_section_page), *site_urls.urlpatterns]


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@pytest.fixture
def push_site(settings):
    vapid = Vapid()
    vapid.generate_keys()
    settings.VAPID_PUBLIC_KEY = b64url(
        vapid.public_key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    )
    settings.VAPID_PRIVATE_KEY = b64url(
        vapid.private_key.private_numbers().private_value.to_bytes(32, "big")
    )
    settings.ROOT_URLCONF = __name__
    return settings


def signed_in(context, live_server, user):
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def fake_push_manager(endpoint: str) -> str:
    """An init script: PushManager without a push service, kept per tab in sessionStorage."""
    browser_key = ec.generate_private_key(ec.SECP256R1())
    keys = {
        "p256dh": b64url(
            browser_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        ),
        "auth": b64url(b"0123456789abcdef"),
    }
    script = """
    (() => {
      if (!("PushManager" in self)) return;
      const endpoint = ENDPOINT, keys = KEYS, stored = "fake-push-subscription";
      const make = (serverKey) => ({
        endpoint,
        options: { applicationServerKey: serverKey },
        toJSON: () => ({ endpoint, expirationTime: null, keys }),
        unsubscribe: async () => { sessionStorage.removeItem(stored); return true; },
      });
      const decode = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0)).buffer;
      const encode = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer)));
      PushManager.prototype.subscribe = async function (options) {
        const key = new Uint8Array(options.applicationServerKey).buffer;
        sessionStorage.setItem(stored, encode(key));
        return make(key);
      };
      PushManager.prototype.getSubscription = async function () {
        const key = sessionStorage.getItem(stored);
        return key ? make(decode(key)) : null;
      };
    })();
    """
    return script.replace("ENDPOINT", json.dumps(endpoint)).replace("KEYS", json.dumps(keys))


def test_resident_turns_on_push_and_sees_this_device_listed(
    push_site, phone_page, live_server, screenshot
):
    user = UserFactory(preferred_language="en")
    verify_email(user)
    page = phone_page
    signed_in(page.context, live_server, user)
    page.context.grant_permissions(["notifications"], origin=live_server.url)
    page.context.add_init_script(fake_push_manager(ENDPOINT))

    page.goto(f"{live_server.url}{PAGE}")
    section = page.locator("[data-push]")
    expect(section.locator("[data-push-unsupported]")).to_be_hidden()
    button = section.get_by_role("button", name="Turn on notifications on this device")
    expect(button).to_be_visible()
    screenshot(page, "1-before")

    button.click()

    expect(section.locator("[data-push-device]")).to_have_count(1)
    expect(section.locator("[data-push-this-device]")).to_be_visible()
    expect(section.get_by_role("status")).to_have_text("Notifications are on for this device.")
    screenshot(page, "2-on")
    device = PushSubscription.objects.get()
    assert (device.user, device.endpoint) == (user, ENDPOINT)
    assert device.user_agent  # a readable name for the browser
    worker = page.evaluate(
        """async () => {
          const registration = await navigator.serviceWorker.ready;
          return [registration.scope, registration.active.scriptURL];
        }"""
    )
    assert worker == [f"{live_server.url}/", f"{live_server.url}/sw.js"]
    assert page.errors == []

    section.get_by_role("button", name="Remove").click()

    expect(section.locator("[data-push-device]")).to_have_count(0)
    assert not PushSubscription.objects.exists()
    assert page.evaluate("sessionStorage.getItem('fake-push-subscription')") is None


def test_without_javascript_the_section_says_this_browser_cannot_receive_push(
    push_site, phone_page, live_server
):
    user = UserFactory(preferred_language="en")
    context = phone_page.context.browser.new_context(java_script_enabled=False)
    try:
        signed_in(context, live_server, user)
        page = context.new_page()
        page.goto(f"{live_server.url}{PAGE}")

        expect(page.locator("[data-push-unsupported]")).to_be_visible()
        expect(page.locator("[data-push-enable]")).to_be_hidden()
    finally:
        context.close()
