"""E-mail through Django's backend (EMAIL_URL), plain text and HTML, with a
one-click unsubscribe link (RFC 8058) in every message.

Every attempt of one outbox row carries the same Message-ID, so a message
sent again after a worker died (docs/operations.md) is a copy that mail
systems and clients can recognise and drop."""

import smtplib

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from ..keys import message_id
from ..links import absolute, unsubscribe_url
from . import PermanentFailure, TemporaryFailure


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
        message.send()
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _msg in exc.recipients.values()]
        if codes and all(code >= 500 for code in codes):
            raise PermanentFailure(f"recipient refused: {exc.recipients}") from exc
        raise TemporaryFailure(f"recipient deferred: {exc.recipients}") from exc
    except smtplib.SMTPResponseException as exc:
        failure = PermanentFailure if exc.smtp_code >= 500 else TemporaryFailure
        raise failure(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}") from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from exc
