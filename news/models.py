"""News items, urgent alerts and what residents subscribe to.

Title, lead, body and alert texts are stored in Ukrainian and English
(modeltranslation, news/translation.py). Markdown bodies are rendered and
sanitised at save time into `body_html` (news/rendering.py), so a page never
renders Markdown on the request path.
"""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .alert_workflow import PUBLIC_STATUSES
from .alert_workflow import Status as AlertStatus


class Topic(models.Model):
    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    ordering = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["ordering", "slug"]

    def __str__(self):
        return self.name


class NewsItemQuerySet(models.QuerySet):
    def published(self, now=None):
        """Live items: published and their publish time has come (scheduled ones wait)."""
        return self.filter(
            status=NewsItem.Status.PUBLISHED, published_at__lte=now or timezone.now()
        )

    def in_district(self, district_id: int):
        """Items for one district: those tagged with it and those for the whole city."""
        through = NewsItem.districts.through
        tagged = through.objects.filter(newsitem_id=OuterRef("pk"))
        mine = tagged.filter(district_id=district_id)
        return self.filter(Exists(mine) | ~Exists(tagged))

    def in_order(self):
        return self.order_by("-pinned", "-published_at", "-pk")


class NewsItem(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=120,
        blank=True,
        db_index=True,
        allow_unicode=False,
        help_text=_("Made from the title on first save and never changed, so links stay valid."),
    )
    lead = models.TextField(_("lead"), max_length=600, help_text=_("One or two sentences."))
    body = models.TextField(
        _("body"),
        help_text=_("Markdown: **bold**, _italic_, lists, [links](https://…), ## headings."),
    )
    body_html = models.TextField(_("body as HTML"), blank=True, editable=False)
    cover = models.ImageField(_("cover image"), upload_to="news/covers/", blank=True)
    cover_sizes = models.JSONField(_("cover sizes"), default=dict, blank=True, editable=False)
    cover_alt = models.CharField(
        _("cover description"),
        max_length=200,
        blank=True,
        help_text=_("What the picture shows, for people who cannot see it."),
    )
    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), on_delete=models.PROTECT, related_name="items"
    )
    districts = models.ManyToManyField(
        "mycity.District",
        verbose_name=_("districts"),
        blank=True,
        related_name="news_items",
        help_text=_("Leave empty for news about the whole city."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(
        _("publish time"),
        default=timezone.now,
        help_text=_("A time in the future schedules the item: it appears by itself then."),
    )
    pinned = models.BooleanField(_("pinned"), default=False, help_text=_("Shown first."))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = NewsItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news items")
        ordering = ["-pinned", "-published_at", "-pk"]
        indexes = [
            models.Index(
                fields=["-pinned", "-published_at"],
                condition=Q(status="published"),
                name="news_item_live_order",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("news:detail", kwargs={"slug": self.slug})

    @property
    def is_live(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.published_at <= timezone.now()

    def cover_srcset(self) -> str:
        from .images import srcset

        return srcset(self.cover_sizes)

    def cover_url(self, width: int = 960) -> str:
        from .images import url_for

        return url_for(self.cover_sizes, width)


class AlertKind(models.TextChoices):
    POWER = "power", _("Power outage")
    WATER = "water", _("Water outage")
    HEAT = "heat", _("Heating outage")
    GAS = "gas", _("Gas outage")
    MOBILE = "mobile", _("Mobile network outage")
    SHELTER = "shelter", _("Shelter change")
    ROAD = "road", _("Road closure")
    WATER_TRUCK = "water_truck", _("Water truck")
    INVINCIBILITY = "invincibility", _("Invincibility point")
    OTHER = "other", _("Other")


KIND_ICONS = {
    "power": "⚡",
    "water": "🚱",
    "heat": "🌡️",
    "gas": "🔥",
    "mobile": "📶",
    "shelter": "🛡️",
    "road": "🚧",
    "water_truck": "🚰",
    "invincibility": "🏠",
    "other": "ℹ️",
}


class Severity(models.IntegerChoices):
    # Integers so that "most severe first" is a plain ORDER BY.
    INFO = 1, _("information")
    WARNING = 2, _("warning")
    CRITICAL = 3, _("critical")


class AlertQuerySet(models.QuerySet):
    def public(self):
        """What the alerts page and the API show: every alert but drafts."""
        return self.filter(status__in=sorted(PUBLIC_STATUSES))

    def active(self, now=None):
        """Published, started, not resolved and not past their expected end."""
        now = now or timezone.now()
        return self.filter(status=Alert.Status.PUBLISHED, starts_at__lte=now).filter(
            Q(ends_at__isnull=True) | Q(ends_at__gt=now)
        )

    def current_or_upcoming(self, now=None):
        """What the banner cache holds: published and not yet over (upcoming ones included)."""
        now = now or timezone.now()
        return self.filter(status=Alert.Status.PUBLISHED).filter(
            Q(ends_at__isnull=True) | Q(ends_at__gt=now)
        )

    def recent(self, now=None, days: int = 7):
        """Alerts that ended (resolved or expired) within the last `days`."""
        now = now or timezone.now()
        since = now - timezone.timedelta(days=days)
        resolved = Q(status=Alert.Status.RESOLVED, resolved_at__gte=since)
        expired = Q(status=Alert.Status.PUBLISHED, ends_at__lte=now, ends_at__gte=since)
        return self.filter(resolved | expired)

    def in_order(self):
        return self.order_by("-severity", "-starts_at", "-pk")


class Alert(models.Model):
    # The statuses and their transition table: news/alert_workflow.py.
    Status = AlertStatus

    kind = models.CharField(_("kind"), max_length=20, choices=AlertKind)
    severity = models.PositiveSmallIntegerField(
        _("severity"), choices=Severity, default=Severity.WARNING
    )
    title = models.CharField(_("title"), max_length=160)
    text = models.TextField(_("text"), max_length=2000)
    whole_city = models.BooleanField(
        _("whole city"), default=False, help_text=_("Every district is affected.")
    )
    districts = models.ManyToManyField(
        "mycity.District", verbose_name=_("affected districts"), blank=True, related_name="alerts"
    )
    geometry = models.JSONField(
        _("map area or points"),
        null=True,
        blank=True,
        help_text=_(
            "GeoJSON (longitude, latitude): a Point, Polygon, Feature or FeatureCollection. "
            'A feature may have a "name" property, shown on the map.'
        ),
    )
    starts_at = models.DateTimeField(_("start"), default=timezone.now)
    ends_at = models.DateTimeField(
        _("expected end"),
        null=True,
        blank=True,
        help_text=_("The alert leaves the banner by itself at this time."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True, editable=False)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True, editable=False)
    notified_at = models.DateTimeField(
        _("residents notified"), null=True, blank=True, editable=False
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("urgent alert")
        verbose_name_plural = _("urgent alerts")
        ordering = ["-severity", "-starts_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "ends_at"], name="news_alert_status_end"),
            models.Index(
                fields=["starts_at"],
                condition=Q(status="published", notified_at__isnull=True),
                name="news_alert_to_notify",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="news_alert_ends_after_start",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("news:alert", kwargs={"pk": self.pk})

    @property
    def icon(self) -> str:
        return KIND_ICONS.get(self.kind, "ℹ️")

    def is_active(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.status == self.Status.PUBLISHED
            and self.starts_at <= now
            and (self.ends_at is None or self.ends_at > now)
        )


class AlertUpdate(models.Model):
    """A later line on an alert ("water back in Korabelnyi district")."""

    alert = models.ForeignKey(
        Alert, verbose_name=_("alert"), on_delete=models.CASCADE, related_name="updates"
    )
    text = models.TextField(_("text"), max_length=1000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("alert update")
        verbose_name_plural = _("alert updates")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.text[:60]


class Subscription(models.Model):
    """What a resident wants from news and alerts, beyond the notification channels.

    Alerts reach everyone whose home district is affected (the channels are
    chosen on the notification settings page); here a resident adds other
    districts (parents, work) and mutes kinds of non-critical alerts. The
    daily digest is off unless asked for.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="news_subscription"
    )
    digest = models.BooleanField(_("daily news digest"), default=False)
    digest_topics = models.ManyToManyField(
        Topic, verbose_name=_("digest topics"), blank=True, related_name="+"
    )
    digest_districts = models.ManyToManyField(
        "mycity.District", verbose_name=_("digest districts"), blank=True, related_name="+"
    )
    alert_districts = models.ManyToManyField(
        "mycity.District", verbose_name=_("alerts also for"), blank=True, related_name="+"
    )
    # ",power,road," — a LIKE-able list that works the same on SQLite and PostgreSQL.
    muted_kinds = models.CharField(_("muted alert kinds"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("news subscription")
        verbose_name_plural = _("news subscriptions")

    def __str__(self):
        return str(self.user)

    @property
    def muted_kind_list(self) -> list[str]:
        return [k for k in self.muted_kinds.split(",") if k]


class DigestRun(models.Model):
    """One row per day the digest went out: the unique day makes it once a day."""

    day = models.DateField(_("day"), unique=True)
    since = models.DateTimeField(_("items since"))
    until = models.DateTimeField(_("items until"))
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("digest run")
        verbose_name_plural = _("digest runs")
        ordering = ["-day"]

    def __str__(self):
        return str(self.day)
