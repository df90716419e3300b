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
import functools
import secrets
import smtplib

from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.translation import get_language

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


# Stands for each recipient's own unsubscribe link in bodies rendered once for
# everyone; random, so no title or text can contain it.
_UNSUBSCRIBE = f"unsubscribe-{secrets.token_hex(16)}"


@functools.lru_cache(maxsize=256)
def _bodies(title: str, text: str, url: str, urgent: bool, language: str) -> tuple[str, str]:
    """The text and HTML bodies of one message, in `language`, for every recipient.

    An alert to 100,000 people is the same message 100,000 times but for the
    unsubscribe link: the templates are rendered once per language.
    """
    context = {"title": title, "text": text, "url": url, "urgent": urgent}
    context["unsubscribe_url"] = _UNSUBSCRIBE
    return (
        render_to_string("citizens/notifications/email.txt", context),
        render_to_string("citizens/notifications/email.html", context),
    )


def send(delivery, title: str, text: str, url: str) -> None:
    notification = delivery.notification
    user = notification.recipient
    unsubscribe = unsubscribe_url(user_id=user.pk, event=notification.event)
    plain, html = _bodies(
        title, text, absolute(url) if url else "", notification.urgent, get_language()
    )
    message = EmailMultiAlternatives(
        subject=title,
        body=plain.replace(_UNSUBSCRIBE, unsubscribe),
        to=[user.email],
        headers={
            "Message-ID": message_id(delivery),
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html.replace(_UNSUBSCRIBE, escape(unsubscribe)), "text/html")
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
