"""The person's side of notifications: inbox, settings, test message, unsubscribe."""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from citizens.pagecache import kept_per_person

from ...models import User
from .. import events, links, services
from ..events import APP, EMAIL, SMS, TELEGRAM, WEBPUSH
from ..forms import PhoneForm, SettingsForms
from ..models import NotificationPreference, TelegramLink
from ..sms.phone import verified_phone

PER_PAGE = 20
TEST_COOLDOWN = 60  # seconds between test notifications of one person

ROWS_TEMPLATE = "citizens/notifications/_inbox_rows.html"


# --- Inbox -----------------------------------------------------------------


def _inbox_context(request, page_number) -> dict:
    page = Paginator(request.user.notifications.all(), PER_PAGE).get_page(page_number)
    for notification in page.object_list:
        notification.title, notification.text = notification.rendered()
    return {"page": page}


def _is_partial(request) -> bool:
    # A history restore wants the whole page, even though htmx asks for it.
    return bool(request.htmx) and not request.htmx.history_restore_request


@kept_per_person
@login_required
def inbox(request):
    partial = _is_partial(request)
    response = render(
        request,
        ROWS_TEMPLATE if partial else "citizens/notifications/inbox.html",
        _inbox_context(request, request.GET.get("page")),
    )
    # The same URL answers with a page or a fragment: caches must tell them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_POST
@login_required
def open_notification(request, pk):
    try:
        notification = services.notification_mark_read(user=request.user, notification_id=pk)
    except services.NotificationError:
        raise Http404 from None
    url = notification.url
    # Only a path on this site: a stored link must never send a person elsewhere.
    if url.startswith("/") and url_has_allowed_host_and_scheme(
        url, allowed_hosts=set(), require_https=request.is_secure()
    ):
        return redirect(url)
    return redirect("notifications:inbox")


@require_POST
@login_required
def read_all(request):
    count = services.notifications_mark_all_read(user=request.user)
    page_number = request.POST.get("page")
    if _is_partial(request):
        context = _inbox_context(request, page_number)
        context["bell_oob"] = True
        return render(request, ROWS_TEMPLATE, context)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    url = reverse("notifications:inbox")
    if page_number and page_number.isdigit() and page_number != "1":
        url = f"{url}?page={page_number}"
    return redirect(url)


# --- Settings --------------------------------------------------------------


def _channel_sections(request, available: tuple[str, ...]) -> tuple[list[str], dict]:
    """Templates (and their context) of the channels that have their own section."""
    sections, context = [], {}
    if WEBPUSH in available:
        sections.append("citizens/notifications/_push.html")
        context["vapid_public_key"] = settings.VAPID_PUBLIC_KEY
        context["push_devices"] = request.user.push_subscriptions.all()
    if APP in available:
        sections.append("citizens/notifications/_app.html")
        context["app_devices"] = request.user.devices.order_by("-last_seen_at", "-pk")
    if TELEGRAM in available:
        sections.append("citizens/notifications/_telegram.html")
        context["telegram_link"] = TelegramLink.objects.filter(user=request.user).first()
        context["telegram_bot_username"] = settings.TELEGRAM_BOT_USERNAME
    if SMS in available:
        sections.append("citizens/notifications/_sms.html")
        context["sms_phone"] = verified_phone(request.user)
        phone_form = PhoneForm(initial={"phone": str(request.user.phone or "")})
        phone_form.fields["phone"].widget.attrs["class"] = "form-control"
        context["sms_phone_form"] = phone_form
    return sections, context


@login_required
def preferences(request):
    user = request.user
    data = request.POST if request.method == "POST" else None
    settings_forms = SettingsForms(user, data)
    available = settings_forms.available

    if data is not None:
        if settings_forms.is_valid():
            try:
                settings_forms.save()
            except services.NotificationError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("Your notification settings are saved."))
                return redirect("notifications:settings")
        else:
            messages.error(request, _("Nothing was saved yet: please correct the marked fields."))

    sections, section_context = _channel_sections(request, available)
    email_confirmed = (
        EMAIL in available
        and EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()
    )
    return render(
        request,
        "citizens/notifications/settings.html",
        {
            "prefs_form": settings_forms.prefs,
            "quiet_form": settings_forms.quiet,
            "available_channels": available,
            "has_fixed_events": any(not e.mutable for e in events.registry().values()),
            "email_confirmed": email_confirmed,
            "channel_sections": sections,
            **section_context,
        },
    )


@require_POST
@login_required
def send_test(request):
    # cache.add is atomic: two quick clicks (or a script) send one message.
    if not cache.add(f"notifications:test:{request.user.pk}", 1, timeout=TEST_COOLDOWN):
        messages.error(
            request,
            _("A test notification was sent less than a minute ago. Please wait a moment."),
        )
        return redirect("notifications:settings")
    with transaction.atomic():
        services.notify(
            recipients=[request.user],
            event="citizens.test",
            url=reverse("notifications:inbox"),
        )
    messages.success(
        request,
        _(
            "A test notification is on its way. It is in your inbox already; "
            "other channels may take a minute."
        ),
    )
    return redirect("notifications:settings")


# --- Unsubscribe (from an e-mail, without signing in) ----------------------


def _masked(email: str) -> str:
    """o•••@example.com: enough to recognise one's own address on a forwarded link."""
    name, _at, domain = email.partition("@")
    return f"{name[:1]}•••@{domain}" if domain else "•••"


# Mail clients POST "List-Unsubscribe=One-Click" to this URL with no CSRF token
# and no session (RFC 8058); the signed token is what authorises it.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    template = "citizens/notifications/unsubscribe.html"
    try:
        user_id, event_key = links.read_unsubscribe_token(token)
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return render(request, template, {"problem": "bad_link"}, status=400)

    user = User.objects.filter(pk=user_id).only("pk", "email").first()
    if user is None:
        return render(request, template, {"problem": "no_account"}, status=404)
    if event_key == "*":
        event = None
    else:
        try:
            event = events.get_event(event_key)
        except LookupError:
            return render(request, template, {"problem": "unknown_event"}, status=404)
        if not event.mutable:
            return render(request, template, {"problem": "fixed", "event": event})

    context = {"event": event, "email": _masked(user.email)}
    if request.method == "POST":
        with transaction.atomic():
            services.unsubscribe(user_id=user.pk, event=event_key, channel=EMAIL)
        return render(request, "citizens/notifications/unsubscribed.html", context)

    if event is not None:
        pref = NotificationPreference.objects.filter(
            user=user, event=event.key, channel=EMAIL
        ).first()
        context["already_off"] = not pref.enabled if pref else EMAIL not in event.default_channels
    return render(request, template, context)
