"""E-mail through Django's backend (EMAIL_URL), plain text and HTML, with a
one-click unsubscribe link (RFC 8058) in every message.

Every attempt of one outbox row carries the same Message-ID, so a message
sent again after a worker died (docs/operations.md) is a copy that mail
systems and clients can recognise and drop.

Within `batch()` every message shares one SMTP connection, opened at the
first message and closed at the end (a priority alert to thousands of
people must not pay a TCP and TLS handshake and a login per message); a
connection the server dropped is replaced at the next message."""

import contextlib
import contextvars
import smtplib

from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string

from ..keys import message_id
from ..links import absolute, unsubscribe_url
from . import PermanentFailure, TemporaryFailure

# The open connection of the current batch: {"connection": backend or None}.
_batch: contextvars.ContextVar[dict | None] = contextvars.ContextVar("smtp_batch", default=None)


@contextlib.contextmanager
def batch():
    """One connection for every e-mail sent inside the block."""
    holder = {"connection": None}
    token = _batch.set(holder)
    try:
        yield
    finally:
        _batch.reset(token)
        _drop(holder)


def _drop(holder: dict) -> None:
    connection, holder["connection"] = holder["connection"], None
    if connection is not None:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            connection.close()


def _connection():
    """The batch's open connection (opened now if need be), or None outside a batch."""
    holder = _batch.get()
    if holder is None:
        return None
    if holder["connection"] is None:
        connection = get_connection()
        connection.open()
        holder["connection"] = connection
    return holder["connection"]


def send(delivery, title: str, text: str, url: str) -> None:
    notification = delivery.notification
    user = notification.recipient
    unsubscribe = unsubscribe_url(user_id=user.pk, event=notification.event)
    context = {
        "title": title,
        "text": text,
        "url": absolute(url) if url else "",
        "unsubscribe_url": unsubscribe,
        "user": user,
        "urgent": notification.urgent,
    }
    message = EmailMultiAlternatives(
        subject=title,
        body=render_to_string("citizens/notifications/email.txt", context),
        to=[user.email],
        headers={
            "Message-ID": message_id(delivery),
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(
        render_to_string("citizens/notifications/email.html", context), "text/html"
    )
    try:
        message.connection = _connection()
        message.send()
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _msg in exc.recipients.values()]
        if codes and all(code >= 500 for code in codes):
            raise PermanentFailure(f"recipient refused: {exc.recipients}") from exc
        raise TemporaryFailure(f"recipient deferred: {exc.recipients}") from exc
    except smtplib.SMTPResponseException as exc:
        _drop_batch_connection()
        failure = PermanentFailure if exc.smtp_code >= 500 else TemporaryFailure
        raise failure(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}") from exc
    except (smtplib.SMTPException, OSError) as exc:
        _drop_batch_connection()
        raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from exc


def _drop_batch_connection() -> None:
    # After an error the session's state is unknown: the next message starts a new one.
    holder = _batch.get()
    if holder is not None:
        _drop(holder)
