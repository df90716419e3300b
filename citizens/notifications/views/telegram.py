"""Telegram: the cabinet page that links a chat, and the bot's webhook."""

import logging
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from mycity.lib import untrusted
from mycity.middleware import checks_own_input

from .. import telegram
from ..models import TelegramLink

logger = logging.getLogger(__name__)


def _telegram_required(view):
    """404 on a site without a Telegram bot: the channel does not exist there."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not telegram.is_configured():
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


@_telegram_required
@login_required
def link(request):
    user = request.user
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "link":
            telegram.telegram_link_start(user=user)
        elif action == "unlink" and telegram.telegram_unlink(user=user):
            messages.success(request, _("Telegram is unlinked: notifications no longer go there."))
        return redirect("notifications:telegram")

    telegram_link = TelegramLink.objects.filter(user=user).first()
    pending = (
        telegram_link is not None
        and not telegram_link.is_linked
        and telegram_link.code
        and telegram_link.code_expires_at > timezone.now()
    )
    return render(
        request,
        "citizens/notifications/telegram.html",
        {
            "telegram_link": telegram_link,
            "telegram_bot_username": telegram.bot_username(),
            "code": telegram_link.code if pending else None,
            "code_expires_at": telegram_link.code_expires_at if pending else None,
            "deep_link": telegram.deep_link(telegram_link.code) if pending else None,
        },
    )


@checks_own_input  # a 400 would make Telegram resend: junk is ignored with a 200 below
@csrf_exempt
def webhook(request, secret):
    """Updates from Telegram. Anything it cannot use is answered 200 so it is not resent."""
    if not telegram.webhook_secret_matches(
        path_secret=secret,
        header_secret=request.headers.get("X-Telegram-Bot-Api-Secret-Token", ""),
    ):
        raise Http404
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        update = untrusted.loads(request.body)
    except ValueError:  # not JSON, nested too deep, or with a NUL byte or a lone surrogate
        logger.info("Telegram webhook: ignored a body that is not usable JSON")
        return HttpResponse()
    telegram.telegram_handle_update(update=update)
    return HttpResponse()
