"""The appeal itself, its yearly reference counter and the moderators' queue (a proxy)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from citizens.access import has_staff_powers
from citizens.models import PriorityCategory
from citizens.services import appeal_details_complete
from mycity.incident_workflow import PUBLIC_STATUSES as INCIDENT_PUBLIC_STATUSES
from mycity.lib.references import YearlyCounter

from ..registration import REGISTERED_VIA, Channel
from ..workflow import OPEN_STATUSES, PUBLIC_STATUSES, Status
from .categories import Category, Kind
from .rules import public_point


class ReferenceCounter(YearlyCounter):
    """The last reference number given out in a year (locked while incremented)."""


class AppealQuerySet(models.QuerySet):
    def public(self):
        return self.filter(is_public=True, status__in=PUBLIC_STATUSES, category__sensitive=False)

    def visible_to(self, user):
        """Appeals `user` may open: public ones, their own, and staff scope."""
        if not user.is_authenticated:
            return self.public()
        # The rule of public(), with the category tested in a subquery rather than a
        # join: an OR across two tables cost PostgreSQL 15 ms of planning (0.7 this
        # way) on every appeal page a signed-in resident opens, at a million appeals.
        sensitive = Category.objects.filter(pk=OuterRef("category_id"), sensitive=True)
        public = Q(is_public=True, status__in=PUBLIC_STATUSES) & ~Exists(sensitive)
        scope = public | Q(author=user)
        if user.has_perm("appeals.moderate_appeal"):
            return self
        if has_staff_powers(user):
            # Through the department's members: one row per member, hence distinct().
            scope |= Q(department__members=user) | Q(department__head=user)
            return self.filter(scope).distinct()
        # A resident's scope joins only single-valued relations: no duplicate rows, and no
        # DISTINCT over every column for the planner to sort.
        return self.filter(scope)

    def overdue(self, today=None):
        today = today or timezone.localdate()
        return self.filter(status__in=OPEN_STATUSES, deadline__lt=today)


class Appeal(models.Model):
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="appeals"
    )
    department = models.ForeignKey(
        "mycity.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="appeals",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="appeals",
        # None: staff registered it for a resident without an account
        # (registration.py), until the resident claims it.
        null=True,
        blank=True,
    )
    # The author's details as the appeal carried them when it was registered
    # (Art. 5 of the Law "On Citizens' Appeals"): a later change of profile
    # does not rewrite a registered appeal.
    author_full_name = models.CharField(_("author's full name"), max_length=150, blank=True)
    author_residence = models.CharField(
        _("author's place of residence"), max_length=200, blank=True
    )
    # Art. 20: the author's verified priority status when the appeal was
    # registered. Staff-only (sensitive data): never on public pages or APIs.
    priority = models.BooleanField(_("priority (Art. 20)"), default=False)
    priority_category = models.CharField(
        _("priority category"), max_length=32, choices=PriorityCategory.choices, blank=True
    )
    # Oral and paper appeals (Art. 5): who registered it and how it came.
    channel = models.CharField(
        _("received by"), max_length=16, choices=Channel, default=Channel.ONLINE, blank=True
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by staff"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # A hash of the one-time code a resident without an account claims it with.
    claim_code_hash = models.CharField(max_length=128, blank=True, editable=False)
    title = models.CharField(_("title"), max_length=150)
    description = models.TextField(_("description"), max_length=5000)
    extra_answers = models.JSONField(_("answers to extra questions"), default=dict, blank=True)
    is_public = models.BooleanField(_("public"), default=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status, default=Status.MODERATION, db_index=True
    )
    district = models.ForeignKey(
        "mycity.District",
        verbose_name=_("district"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appeals",
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=250, blank=True)
    # From the city's reverse geocoder (settings.GEOCODER_URL), once, after
    # filing (services/places.py). `geocoded_address`: the nearest address of
    # the exact point, for the author and staff only. `public_address`: the
    # street at the public (rounded) point, without a house number: the only
    # address the public sees, so it tells no more than the public point.
    geocoded_address = models.CharField(
        _("nearest address (geocoder)"), max_length=250, blank=True, editable=False
    )
    public_address = models.CharField(
        _("street near the public point (geocoder)"), max_length=250, blank=True, editable=False
    )
    # Set once the geocoder was asked, whatever it answered: never asked twice.
    geocoded_at = models.DateTimeField(null=True, blank=True, editable=False)
    registered_at = models.DateTimeField(_("registered"), default=timezone.now, db_index=True)
    deadline = models.DateField(_("answer due"))
    deadline_extended = models.BooleanField(_("deadline extended"), default=False)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    reopened = models.BooleanField(_("reopened"), default=False)
    support_count = models.PositiveIntegerField(_("supports"), default=0)
    support_until = models.DateField(_("supports collected until"), null=True, blank=True)
    threshold_reached_at = models.DateTimeField(_("threshold reached"), null=True, blank=True)
    # Lower-cased lemmas of title, description and address, for search in
    # Ukrainian word forms on both PostgreSQL and SQLite (see search.py).
    search_text = models.TextField(editable=False, blank=True)
    idempotency_key = models.UUIDField(editable=False, null=True, blank=True)
    # --- staff side ---
    term_days = models.PositiveSmallIntegerField(
        _("term in days"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(45)],
        help_text=_("15 when no extra study is needed, otherwise 30 (the law)."),
    )
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_appeals",
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
    )
    forwarded_to = models.CharField(_("forwarded to"), max_length=250, blank=True)
    # The known outage this report is about (services/incidents.py): its
    # official answer, given once on the incident, is delivered to this appeal.
    incident = models.ForeignKey(
        "mycity.Incident",
        verbose_name=_("outage"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appeals",
    )
    # While returned for information: the last day the author may reply (Art. 5, 7).
    reply_due = models.DateField(_("author's reply due"), null=True, blank=True)
    escalated_on = models.DateField(_("last escalated"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = AppealQuerySet.as_manager()

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-registered_at", "-pk"]
        permissions = [
            ("moderate_appeal", _("Can moderate appeals of every department")),
            ("register_appeal", _("Can register an oral or paper appeal for a resident")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "idempotency_key"], name="appeals_submit_once"
            ),
            models.UniqueConstraint(
                fields=["registered_by", "idempotency_key"],
                condition=Q(registered_by__isnull=False),
                name="appeals_register_once",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="appeals_location_valid",
            ),
        ]
        indexes = [
            models.Index(
                fields=["status", "is_public", "-registered_at"], name="appeals_public_list"
            ),
            # Covering (PostgreSQL): an area or `near` list finds its rows' keys, and
            # orders them by the public point's distance, without reading the rows.
            models.Index(
                fields=["latitude", "longitude"],
                include=["is_public", "status", "category", "registered_at", "id"],
                name="appeals_location",
            ),
            models.Index(fields=["deadline"], name="appeals_deadline"),
            models.Index(
                fields=["department", "status", "registered_at"], name="appeals_dept_queue"
            ),
            models.Index(fields=["assignee", "status"], name="appeals_assignee"),
            # The staff admin at a million rows (docs/benchmarks.md): the moderation
            # queue and status filters in list order, deep pages by an index-only
            # scan, overdue and the dashboard over open appeals only, and the
            # dashboard's 30-day window of answers.
            models.Index(
                fields=["status", "registered_at", "id"], name="appeals_status_registered"
            ),
            models.Index(fields=["registered_at", "id", "department"], name="appeals_list_order"),
            # Staff lists put priority appeals (Art. 20) first: the same deep-page
            # index-only scans, with priority as the leading key.
            models.Index(
                fields=["priority", "registered_at", "id", "department"],
                name="appeals_priority_order",
            ),
            # Status filters of the staff list (newest first: scanned backward) ...
            models.Index(
                fields=["status", "priority", "registered_at", "id"],
                name="appeals_status_priority",
            ),
            # ... and the moderation queue (priority first, then oldest first).
            models.Index(
                fields=["-priority", "registered_at", "id"],
                condition=Q(status=Status.MODERATION),
                name="appeals_moderation_priority",
            ),
            models.Index(
                fields=["-registered_at", "deadline"],
                condition=Q(status__in=sorted(OPEN_STATUSES)),
                name="appeals_open_recent",
            ),
            # The "overdue" filter of the staff list, in its order (priority first):
            # the deadline is tested in the index, not in a million rows of the table.
            models.Index(
                # A key column, not an included one: then it is tested inside the index.
                fields=["priority", "registered_at", "id", "deadline"],
                include=["department"],
                condition=Q(status__in=sorted(OPEN_STATUSES)),
                name="appeals_open_priority",
            ),
            # Open and overdue by department (the dashboard), category and district
            # (the public statistics): index-only.
            models.Index(
                fields=["department", "deadline", "priority"],
                include=["category", "district"],
                condition=Q(status__in=sorted(OPEN_STATUSES)),
                name="appeals_open_by_department",
            ),
            # Every column the dashboard and the public statistics (appeals/transparency)
            # read of the answers of a period: an index-only scan of the window.
            models.Index(
                fields=["answered_at"],
                include=[
                    "department",
                    "category",
                    "district",
                    "registered_at",
                    "deadline",
                    "deadline_extended",
                    "reopened",
                ],
                condition=Q(answered_at__isnull=False),
                name="appeals_answered_window",
            ),
            # The statistics of the appeals received in a period: index-only too.
            models.Index(
                fields=["registered_at"],
                include=["status", "department", "category", "district"],
                name="appeals_received_window",
            ),
            # Proposals that reached their threshold in a period (a few in a million).
            models.Index(
                fields=["threshold_reached_at"],
                condition=Q(threshold_reached_at__isnull=False),
                name="appeals_threshold_reached",
            ),
            # /proposals/ at a million appeals (docs/benchmarks.md): the most supported
            # first straight from the index, and the count by an index-only scan.
            models.Index(
                fields=["-support_count", "-registered_at", "-id"],
                include=["status", "category"],
                condition=Q(kind=Kind.PROPOSAL, is_public=True),
                name="appeals_public_proposals",
            ),
            # The public lists' deep pages at a million appeals: their keys in list
            # order by an index-only scan, with every column the filters test.
            models.Index(
                fields=["-registered_at", "-id"],
                include=["status", "category", "kind", "district"],
                condition=Q(is_public=True),
                name="appeals_public_order",
            ),
            # One's own requests, newest first (an Open311 client's account files
            # hundreds of thousands): deep pages' keys by an index-only scan.
            models.Index(fields=["author", "-registered_at", "-id"], name="appeals_author_order"),
        ]

    def __str__(self):
        return f"{self.reference}: {self.title}"

    def get_absolute_url(self):
        return reverse("appeals:detail", args=[self.reference])

    @property
    def is_sensitive(self) -> bool:
        return self.category.sensitive

    @property
    def is_anonymous(self) -> bool:
        """Registered without the author's full name and residence (Art. 5, 8 of the law).

        Not for an author who later deleted their account: the details were
        there when it was registered; only the erasure blanked them.
        """
        if self.author_id and self.author.erased_at:
            return False
        return not appeal_details_complete(
            full_name=self.author_full_name, residence=self.author_residence
        )

    @property
    def registered_via(self):
        """ "the hotline" / "a service centre" for an appeal staff registered, else ""."""
        return REGISTERED_VIA.get(self.channel, "") if self.registered_by_id else ""

    @property
    def is_open(self) -> bool:
        """Still waiting for the city: the answer deadline runs."""
        return self.status in OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.status in OPEN_STATUSES and self.deadline < timezone.localdate()

    @property
    def days_left(self) -> int:
        return (self.deadline - timezone.localdate()).days

    @property
    def public_place(self) -> str:
        """The place as everyone sees it: the street at the public point, else the district.

        Never the typed address or the geocoded address of the exact point:
        those may name a house (a resident's home) finer than the public point.
        """
        if self.public_address:
            return self.public_address
        return self.district.name if self.district_id else ""

    @property
    def place(self) -> str:
        """The place for the author and staff: as typed, else the pin's nearest address."""
        return self.address or self.geocoded_address or self.public_place

    @property
    def shown_publicly(self) -> bool:
        """Whether public pages may show it (the page cache asks of a new appeal;
        Appeal.objects.public() is the rule for queries)."""
        return self.is_public and self.status in PUBLIC_STATUSES

    @property
    def known_outage(self):
        """The declared incident (live or over) this report is part of; never a suggestion."""
        if self.incident_id is None or self.incident.status not in INCIDENT_PUBLIC_STATUSES:
            return None
        return self.incident

    @property
    def approximate_location(self) -> tuple[float, float] | None:
        """Rounded to ~100 m: public pages never show the exact point."""
        if self.latitude is None:
            return None
        return public_point(self.latitude, self.longitude)


class ModerationQueue(Appeal):
    """The moderators' queue in the admin: appeals awaiting moderation, oldest first."""

    class Meta:
        proxy = True
        verbose_name = _("appeal awaiting moderation")
        verbose_name_plural = _("awaiting moderation")
