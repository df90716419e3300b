"""E-mail through a real SMTP server on loopback (aiosmtpd): what arrives, and
how the server's answers become outbox outcomes."""

import contextlib
import email
import socket
from email import policy
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from django.urls import resolve
from django.utils import translation

from citizens.notifications.delivery import BACKOFF, deliver_many
from citizens.notifications.events import get_event
from citizens.notifications.links import read_unsubscribe_token
from citizens.notifications.models import Delivery
from citizens.notifications.services import notify
from tests.factories import UserFactory, verify_email

pytestmark = pytest.mark.django_db


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """An SMTP handler that keeps what it receives, or answers RCPT with `rcpt_reply`."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes = []
        self.rcpt_reply: str | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_settings(settings):
    def point_at(port: int):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = port
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 5

    return point_at


@contextlib.contextmanager
def serving(handler, smtp_settings):
    """An SMTP server on loopback with `handler`, and the e-mail settings pointed at it."""
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), ready_timeout=5)
    controller.start()
    smtp_settings(controller.port)
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def mailbox(smtp_settings):
    with serving(Mailbox(), smtp_settings) as handler:
        yield handler


def send_to(user, **kwargs) -> Delivery:
    notify(recipients=[user], event="citizens.test", **kwargs)
    deliver_many(Delivery.objects.values_list("pk", flat=True))
    return Delivery.objects.get()


@pytest.fixture
def resident_en(db):
    user = UserFactory(email="oksana@example.com", preferred_language="en")
    verify_email(user)
    return user


def test_delivery_arrives_with_text_and_html_parts(mailbox, resident_en, settings):
    delivery = send_to(resident_en, url="/me/")

    assert delivery.status == Delivery.Status.SENT
    [message] = mailbox.messages
    assert mailbox.envelopes == [
        (settings.DEFAULT_FROM_EMAIL.split("<")[1][:-1], [resident_en.email])
    ]
    assert message["To"] == resident_en.email
    assert message["Subject"] == "Test notification"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "This is the test you asked for" in text
    assert f"{settings.SITE_URL}/me/" in text
    assert "This is the test you asked for" in html


def test_delivery_carries_one_click_unsubscribe_headers(mailbox, resident_en):
    send_to(resident_en)

    [message] = mailbox.messages
    # A long header is folded ("List-Unsubscribe:" CRLF SP "<...>"), which RFC 5322 allows.
    header = str(message["List-Unsubscribe"]).strip()
    assert header.startswith("<http")
    assert header.endswith(">")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Auto-Submitted"] == "auto-generated"
    url = urlsplit(header[1:-1])
    match = resolve(url.path)
    assert match.view_name == "notifications:unsubscribe"
    assert read_unsubscribe_token(match.kwargs["token"]) == (resident_en.pk, "citizens.test")


def test_ukrainian_subject_survives_the_trip(mailbox):
    user = UserFactory(preferred_language="uk")
    verify_email(user)
    with translation.override("uk"):
        expected = str(get_event("citizens.test").title)

    send_to(user)

    assert mailbox.messages[0]["Subject"] == expected


def test_temporary_refusal_is_retried(mailbox, resident_en):
    mailbox.rcpt_reply = "451 4.7.1 Greylisted, try again later"

    delivery = send_to(resident_en)

    assert (delivery.status, delivery.attempts) == (Delivery.Status.PENDING, 1)
    assert "451" in delivery.last_error
    assert delivery.next_attempt_at > delivery.created_at + BACKOFF[0] / 2
    assert mailbox.messages == []


def test_permanent_refusal_fails_with_the_reason(mailbox, resident_en):
    mailbox.rcpt_reply = "550 5.1.1 No such mailbox"

    delivery = send_to(resident_en)

    assert (delivery.status, delivery.attempts) == (Delivery.Status.FAILED, 1)
    assert "550" in delivery.last_error
    assert "No such mailbox" in delivery.last_error


def test_server_down_is_a_temporary_failure(smtp_settings, resident_en):
    smtp_settings(free_port())  # nothing listens there

    delivery = send_to(resident_en)

    assert (delivery.status, delivery.attempts) == (Delivery.Status.PENDING, 1)
    assert "ConnectionRefusedError" in delivery.last_error or "refused" in delivery.last_error


def test_retry_after_greylisting_is_delivered_once(mailbox, resident_en):
    mailbox.rcpt_reply = "451 4.7.1 Greylisted"
    delivery = send_to(resident_en)
    mailbox.rcpt_reply = None
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=delivery.created_at)

    deliver_many([delivery.pk])
    deliver_many([delivery.pk])

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (
        Delivery.Status.SENT,
        2,
        "",
    )
    assert len(mailbox.messages) == 1


# --- One connection per batch ----------------------------------------------


class CountingMailbox(Mailbox):
    """Also counts SMTP sessions, and answers the n-th DATA (from 0) with `data_replies[n]`."""

    def __init__(self):
        super().__init__()
        self.sessions = 0
        self.data_calls = 0
        self.data_replies: dict[int, str] = {}

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):
        reply = self.data_replies.get(self.data_calls)
        self.data_calls += 1
        if reply:
            return reply
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def counting_mailbox(smtp_settings):
    with serving(CountingMailbox(), smtp_settings) as handler:
        yield handler


def residents(count: int) -> list:
    people = [UserFactory(email=f"person{i}@example.com") for i in range(count)]
    for person in people:
        verify_email(person)
    return people


def test_a_batch_of_e_mails_shares_one_connection(counting_mailbox):
    notify(recipients=residents(5), event="citizens.test")

    outcome = deliver_many(Delivery.objects.values_list("pk", flat=True))

    assert outcome == {"sent": 5, "retry": 0, "failed": 0}
    assert len(counting_mailbox.messages) == 5
    assert counting_mailbox.sessions == 1


def test_a_refused_recipient_keeps_the_connection_for_the_rest(counting_mailbox):
    people = residents(3)
    notify(recipients=people, event="citizens.test")
    refused = people[1].email

    async def rcpt(server, session, envelope, address, rcpt_options):
        if address == refused:
            return "550 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    counting_mailbox.handle_RCPT = rcpt
    outcome = deliver_many(Delivery.objects.values_list("pk", flat=True))

    assert outcome == {"sent": 2, "retry": 0, "failed": 1}
    assert counting_mailbox.sessions == 1


def test_after_a_server_error_the_next_message_opens_a_new_session(counting_mailbox):
    notify(recipients=residents(3), event="citizens.test")
    counting_mailbox.data_replies = {1: "421 Too busy, closing"}

    outcome = deliver_many(Delivery.objects.order_by("pk").values_list("pk", flat=True))

    assert outcome == {"sent": 2, "retry": 1, "failed": 0}
    assert counting_mailbox.sessions == 2
    assert Delivery.objects.filter(status=Delivery.Status.PENDING).count() == 1


def test_one_message_to_many_carries_each_persons_own_unsubscribe_link(counting_mailbox):
    people = residents(3)
    notify(recipients=people, event="citizens.test", url="/me/")

    deliver_many(Delivery.objects.values_list("pk", flat=True))

    by_address = {message["To"]: message for message in counting_mailbox.messages}
    for person in people:
        message = by_address[person.email]
        link = str(message["List-Unsubscribe"]).strip()[1:-1]
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert link in text
        assert f'href="{link}"' in html
        token = resolve(urlsplit(link).path).kwargs["token"]
        assert read_unsubscribe_token(token) == (person.pk, "citizens.test")
    assert "unsubscribe-" not in text
    assert "unsubscribe-" not in html
