from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from citizens.notifications.bot_commands import BotCommand
from citizens.notifications.events import ALERTS, EMAIL, TELEGRAM, WEBPUSH, EventType


def _alert_district_subscribers(*, district_ids):
    from .models import Subscription

    return (
        Subscription.objects.filter(alert_districts__in=district_ids).values("user_id").distinct()
    )


def _muted_kind(*, kind):
    from .models import Subscription

    return Subscription.objects.filter(muted_kinds__contains=f",{kind},").values("user_id")


def _incident_changed(sender, **kwargs) -> None:
    from . import live

    live.refresh_on_commit()


class NewsConfig(AppConfig):
    name = "news"
    verbose_name = _("News and alerts")
    # Anonymous visitors' copies of these pages are kept (mycity/pagecache.py);
    # the alert banner is on every page. The live poll answers by itself.
    cached_pages = ["/news/", "!/news/subscriptions/", "/alerts/", "!/alerts/live/"]
    on_every_page = True
    private_models = ["Subscription", "DigestRun"]
    # Rows shown on their people's own kept pages (citizens/pagecache.py).
    personal_rows = {"Subscription": ["user_id"]}

    # The history of alerts as open data (mycity/transparency.py, published by stats).
    open_datasets = ["news.transparency.ALERTS"]

    # Active outages and the newest items on the home page (mycity.home).
    home_blocks = ["news/_home_outages.html", "news/_home_latest.html"]
    # The alerts in force at a resident's saved places (citizens.places.places_now).
    saved_place_now = "news.places.alerts_at"
    # The city's alerts with their times on the offline page (mycity.pwa).
    offline_blocks = ["news/_offline_blocks.html"]

    notification_events = [
        EventType(
            key="news.alert_critical",
            label=_("Critical city alerts (air-raid shelters, outages) for my districts"),
            title=_("%(icon)s %(title)s"),
            text=_("%(text)s"),
            urgent=True,
            priority=True,
            default_channels=frozenset({EMAIL, WEBPUSH, TELEGRAM}),
            group=ALERTS,
            # A resident may choose SMS for these, and one whose push did not
            # arrive gets an SMS instead (SMS_FALLBACK_AFTER_MINUTES).
            sms=True,
            sms_fallback=True,
        ),
        EventType(
            key="news.alert",
            label=_("City alerts (outages, road closures, water trucks) for my districts"),
            title=_("%(icon)s %(title)s"),
            text=_("%(text)s"),
            priority=True,
            default_channels=frozenset({EMAIL, WEBPUSH, TELEGRAM}),
            group=ALERTS,
        ),
        EventType(
            key="news.alert_update",
            label=_("Updates and ends of alerts I was told about"),
            title=_("%(icon)s %(title)s: %(what)s"),
            text=_("%(text)s"),
            priority=True,
            default_channels=frozenset({WEBPUSH, TELEGRAM}),
            group=ALERTS,
        ),
        EventType(
            key="news.digest",
            label=_("Daily news digest (switched on on the news subscriptions page)"),
            title=_("City news: %(count)s new"),
            text=_("%(items)s"),
            default_channels=frozenset({EMAIL}),
            group=ALERTS,
        ),
    ]

    # The Telegram bot's commands (citizens/notifications/telegram/bot.py).
    bot_commands = [
        BotCommand(
            name="alerts",
            description=_("Active alerts for my district"),
            handler="news.bot.active_alerts",
            button=_("⚠️ Alerts"),
        ),
    ]

    notification_audiences = {
        "news.alert_districts": _alert_district_subscribers,
        "news.muted_kind": _muted_kind,
    }

    role_permissions = {
        "editor": [
            "news.view_newsitem",
            "news.add_newsitem",
            "news.change_newsitem",
            "news.delete_newsitem",
            "news.view_topic",
            "news.view_alert",
            "news.add_alert",
            "news.change_alert",
            "news.view_alertupdate",
            "news.add_alertupdate",
            "news.change_alertupdate",
        ],
        "city_admin": [
            "news.view_newsitem",
            "news.view_topic",
            "news.add_topic",
            "news.change_topic",
            "news.delete_topic",
            "news.view_alert",
            "news.view_alertupdate",
            "news.view_subscription",
            "news.view_digestrun",
        ],
    }

    def ready(self):
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from citizens.personal_data import register
        from mycity.models import Incident, IncidentUpdate

        from .personal_data import ENTRY

        register(ENTRY)

        # The city's incidents are in the banner cache (news/live.py) beside the
        # alerts: the alerts page, its map and the home page follow them.
        for model in (Incident, IncidentUpdate):
            for signal in (post_save, post_delete):
                signal.connect(
                    _incident_changed, sender=model, dispatch_uid=f"news-live-{model._meta}"
                )
        m2m_changed.connect(
            _incident_changed,
            sender=Incident.districts.through,
            dispatch_uid="news-live-incident-districts",
        )
