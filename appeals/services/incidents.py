"""Reports about outages: linking them to known incidents, the incident's answer, clusters.

A problem report in a category with an outage kind (Category.incident_kind:
"No electricity" → power) whose point lies in a live incident of that kind
(mycity.incidents.incidents_covering) is linked to it when filed, whichever
way it came (web, API, Open311, Telegram: all file through appeal_submit).

The official answer given once on the incident is delivered to every linked
report that has no answer yet, each through the appeals workflow in its own
transaction (a report still awaiting moderation is accepted, then answered:
two recorded steps) and its author told once by the usual "answered"
message. Reports of one outage kind that gather near each other in a short
time, linked to nothing, become a suggested incident for moderators.
"""

import datetime as dt
import logging
import math
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from citizens.notifications.services import notify
from mycity import pagecache
from mycity.incident_workflow import LINKABLE_STATUSES
from mycity.incidents import METRES_PER_DEGREE, incident_suggest, incidents_covering
from mycity.lib.i18n import in_every_language
from mycity.lib.tasks import queue_on_commit
from mycity.models import Incident, IncidentKind, IncidentStatus

from ..models import Appeal, AppealMessage, Category, Kind
from ..workflow import OUTAGE, UNRESOLVED_STATUSES, Action, Status
from .common import transition
from .staff.base import audit, audit_code

logger = logging.getLogger(__name__)

# The incident's answer is delivered from these: a report still awaiting
# moderation is accepted first. A report returned to its author waits for
# them; answered, closed or final ones keep what they have.
ANSWERABLE_STATUSES = frozenset({Status.MODERATION, Status.ACCEPTED, Status.IN_PROGRESS})
# Reports delivered per batch: each is its own transaction, the ids are read a batch at a time.
ANSWER_BATCH = 200
# Reports that may still gather into a suggested incident (not rejected, merged, answered...).
CLUSTERED_STATUSES = UNRESOLVED_STATUSES
CLUSTER_TASK = "appeals.tasks.check_incident_cluster"


def outage_kind(*, category: Category, kind: str) -> str:
    """The incident kind a report of `kind` in `category` is about, or ""."""
    return category.incident_kind if kind == Kind.PROBLEM else ""


def known_outage(
    *,
    category: Category,
    kind: str,
    latitude: float | None,
    longitude: float | None,
    statuses=(IncidentStatus.ACTIVE,),
) -> Incident | None:
    """The incident a report at the point is about: active ones first, then the oldest.

    None unless it is a problem report with a point in a category with an
    outage kind, and the point lies in the area of such an incident.
    """
    incident_kind = outage_kind(category=category, kind=kind)
    if not incident_kind or latitude is None or longitude is None:
        return None
    found = incidents_covering(kind=incident_kind, lat=latitude, lon=longitude, statuses=statuses)
    found.sort(key=lambda incident: incident.status != IncidentStatus.ACTIVE)
    return found[0] if found else None


def incident_to_link(*, category: Category, kind: str, latitude, longitude) -> Incident | None:
    """The live incident (declared, or suggested by moderators' clusters) a new report joins."""
    return known_outage(
        category=category,
        kind=kind,
        latitude=latitude,
        longitude=longitude,
        statuses=sorted(LINKABLE_STATUSES),
    )


def after_filing(appeal: Appeal) -> None:
    """What follows the filing of a report, once it commits (appeal_submit calls this).

    Linked to an incident that was already answered: the answer is delivered
    now. Not linked, but about an outage: the cluster check runs in a task.
    """
    if appeal.incident_id is not None:
        if _has_answer(appeal.incident):
            appeal_id, incident_id = appeal.pk, appeal.incident_id
            transaction.on_commit(
                lambda: _deliver_after_commit(appeal_id=appeal_id, incident_id=incident_id)
            )
    elif outage_kind(category=appeal.category, kind=appeal.kind) and appeal.latitude is not None:
        queue_on_commit(CLUSTER_TASK, appeal.pk)


def _deliver_after_commit(*, appeal_id: int, incident_id: int) -> None:
    incident = Incident.objects.filter(pk=incident_id).first()
    if incident is None:
        return
    try:
        appeal_incident_answer(appeal_id=appeal_id, incident=incident)
    except Exception:
        # The report is filed; a failed delivery must not fail the request that filed it.
        logger.exception("could not deliver the answer of incident %s", incident_id)


# --- the incident's answer ---------------------------------------------------


def _has_answer(incident: Incident) -> bool:
    return bool((incident.answer_uk or "").strip() or (incident.answer_en or "").strip())


def _language_of(user) -> str:
    languages = [code for code, _name in settings.LANGUAGES]
    language = getattr(user, "preferred_language", "") if user is not None else ""
    return language if language in languages else settings.LANGUAGE_CODE


def _in_language(incident: Incident, field: str, language: str) -> str:
    """The incident's `field` in `language`, else in the other one."""
    first = (getattr(incident, f"{field}_{language}", "") or "").strip()
    if first:
        return first
    for code, _name in settings.LANGUAGES:
        value = (getattr(incident, f"{field}_{code}", "") or "").strip()
        if value:
            return value
    return ""


def appeal_incident_answer(*, appeal_id: int, incident: Incident) -> int | None:
    """Record `incident`'s official answer on one linked report; the author's id if told.

    One transaction with the report's row locked. Nothing happens to a report
    no longer linked, one that already has an official answer (answered on
    its own by its department, or by an earlier delivery), or one not in
    ANSWERABLE_STATUSES; so a repeated delivery tells nobody twice. A report
    still awaiting moderation was never read by a moderator: it is accepted
    and answered (two steps on its timeline) but kept off public pages.
    """
    if not _has_answer(incident):
        return None
    with transaction.atomic():
        # Only the appeal's row: the category and author rows are shared.
        locked = (
            Appeal.objects.filter(pk=appeal_id)
            .select_for_update(of=("self",))
            .select_related("category", "department", "author")
            .first()
        )
        if (
            locked is None
            or locked.incident_id != incident.pk
            or locked.status not in ANSWERABLE_STATUSES
            or AppealMessage.objects.filter(
                appeal_id=appeal_id, type=AppealMessage.Type.ANSWER
            ).exists()
        ):
            return None
        by = incident.answered_by
        language = _language_of(locked.author)
        text = _in_language(incident, "answer", language)
        with translation.override(language):
            note = _("Answered on the outage “%(title)s”.") % {
                "title": _in_language(incident, "title", language)
            }
        before = locked.status
        changes = {"incident_answer": (None, incident.pk)}
        if locked.status == Status.MODERATION:
            if locked.is_public:
                # Unmoderated text never goes public on its own.
                locked.is_public = False
                locked.save(update_fields=["is_public", "updated_at"])
                changes["is_public"] = (True, False)
            locked = transition(
                appeal=locked, action=Action.ACCEPT, actor=by, role=OUTAGE, reason=note, tell=False
            )
        message = AppealMessage.objects.create(
            appeal=locked, type=AppealMessage.Type.ANSWER, author=by, text=text
        )
        answered = transition(
            appeal=locked, action=Action.ANSWER, actor=by, role=OUTAGE, reason=note
        )
        audit(
            answered,
            actor=by,
            action=audit_code(Action.ANSWER),
            changes={
                "status": (before, answered.status),
                "answer": (None, message.pk),
                **changes,
            },
        )
    return answered.author_id


def incident_answer_deliver(*, incident: Incident) -> set[int]:
    """Deliver `incident`'s official answer to every linked report without one.

    Returns the ids of the authors told. The reports are read a batch at a
    time and each is answered in its own transaction, so a city-wide outage
    with thousands of reports never holds one transaction over all of them.
    """
    told: set[int] = set()
    if not _has_answer(incident):
        return told
    last = 0
    while True:
        ids = list(
            Appeal.objects.filter(
                incident=incident, status__in=sorted(ANSWERABLE_STATUSES), pk__gt=last
            )
            .order_by("pk")
            .values_list("pk", flat=True)[:ANSWER_BATCH]
        )
        if not ids:
            return told
        for appeal_id in ids:
            author_id = appeal_incident_answer(appeal_id=appeal_id, incident=incident)
            if author_id is not None:
                told.add(author_id)
        last = ids[-1]


def incident_unlink(*, incident: Incident) -> int:
    """Moderators dismissed the suggestion: its reports go on as ordinary reports."""
    with transaction.atomic():
        unlinked = Appeal.objects.filter(incident=incident).update(
            incident=None, updated_at=timezone.now()
        )
        if unlinked:
            pagecache.bump_on_commit("appeals")
    return unlinked


def linked_count(*, incident: Incident) -> int:
    return Appeal.objects.filter(incident=incident).count()


def linked_authors(*, incident: Incident) -> set[int]:
    """The authors the incident's answer will reach: those of linked reports still open."""
    return set(
        Appeal.objects.filter(
            incident=incident, status__in=sorted(ANSWERABLE_STATUSES), author__isnull=False
        ).values_list("author_id", flat=True)
    )


# --- clusters of reports -----------------------------------------------------


@dataclass(frozen=True)
class Box:
    south: float
    north: float
    west: float
    east: float


def _box(lat: float, lon: float, radius_m: float) -> Box:
    dlat = radius_m / METRES_PER_DEGREE
    dlon = radius_m / (METRES_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01))
    return Box(south=lat - dlat, north=lat + dlat, west=lon - dlon, east=lon + dlon)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Metres between two points (equirectangular: exact enough within a city)."""
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return math.hypot(x, y) * METRES_PER_DEGREE * 180 / math.pi


def moderator_ids() -> list[int]:
    """Active staff accounts that moderate appeals (by group, by own permission, superusers)."""
    permission = Permission.objects.filter(
        content_type__app_label="appeals", codename="moderate_appeal"
    ).first()
    scope = Q(is_superuser=True)
    if permission is not None:
        scope |= Q(groups__permissions=permission) | Q(user_permissions=permission)
    return list(
        get_user_model()
        .objects.filter(scope, is_active=True, is_staff=True)
        .values_list("pk", flat=True)
        .distinct()
        .order_by("pk")
    )


def incident_admin_url(incident: Incident) -> str:
    """The incident's admin page (its admin is registered by the outages side)."""
    try:
        return reverse("admin:mycity_incident_change", args=[incident.pk])
    except NoReverseMatch:
        return f"{reverse('admin:index')}mycity/incident/{incident.pk}/change/"


def _link(appeal_ids, incident: Incident) -> int:
    linked = Appeal.objects.filter(pk__in=appeal_ids, incident__isnull=True).update(
        incident=incident, updated_at=timezone.now()
    )
    if linked:
        pagecache.bump_on_commit("appeals")
        if _has_answer(incident):
            for appeal_id in appeal_ids:
                transaction.on_commit(
                    lambda appeal_id=appeal_id: _deliver_after_commit(
                        appeal_id=appeal_id, incident_id=incident.pk
                    )
                )
    return linked


def appeals_cluster_check(*, appeal_id: int, now: dt.datetime | None = None) -> Incident | None:
    """Link report `appeal_id` to an incident, suggesting one when a cluster formed.

    A report already covered by a live incident or suggestion is linked to it.
    Otherwise, when INCIDENT_CLUSTER_REPORTS reports of the same outage kind,
    none linked, were filed within INCIDENT_CLUSTER_RADIUS_M metres of it in
    the last INCIDENT_CLUSTER_MINUTES minutes, a suggested incident is made
    around their centre, they are linked to it and moderators are told once.

    The candidates are found by a bounding box in SQL (the location index),
    then by distance here. Their rows are locked in id order: a second check
    running at the same time waits, then no longer sees the reports the
    first linked, so two checks never make two suggestions.
    """
    now = now or timezone.now()
    radius = settings.INCIDENT_CLUSTER_RADIUS_M
    with transaction.atomic():
        appeal = (
            Appeal.objects.filter(pk=appeal_id, incident__isnull=True)
            .select_related("category")
            .first()
        )
        if appeal is None or appeal.latitude is None or appeal.status not in CLUSTERED_STATUSES:
            return None
        kind = outage_kind(category=appeal.category, kind=appeal.kind)
        if not kind:
            return None
        lat, lon = appeal.latitude, appeal.longitude
        box = _box(lat, lon, radius)
        candidates = list(
            Appeal.objects.select_for_update(of=("self",))
            .filter(
                kind=Kind.PROBLEM,
                category__incident_kind=kind,
                incident__isnull=True,
                status__in=sorted(CLUSTERED_STATUSES),
                registered_at__gte=now - dt.timedelta(minutes=settings.INCIDENT_CLUSTER_MINUTES),
                latitude__gte=box.south,
                latitude__lte=box.north,
                longitude__gte=box.west,
                longitude__lte=box.east,
            )
            .order_by("pk")
            .values_list("pk", "latitude", "longitude", "registered_at")
        )
        if appeal_id not in {pk for pk, *_rest in candidates}:
            # Linked meanwhile by another check, or filed too long ago to gather others.
            return None
        covering = incident_to_link(
            category=appeal.category, kind=appeal.kind, latitude=lat, longitude=lon
        )
        if covering is not None:
            _link([appeal_id], covering)
            return covering
        near = [row for row in candidates if distance_m(lat, lon, row[1], row[2]) <= radius]
        if len(near) < settings.INCIDENT_CLUSTER_REPORTS:
            return None
        centre_lat = sum(row[1] for row in near) / len(near)
        centre_lon = sum(row[2] for row in near) / len(near)
        label = IncidentKind(kind).label
        titles = {}
        for language in ("uk", "en"):
            with translation.override(language):
                titles[language] = _("%(kind)s: %(count)d reports nearby") % {
                    "kind": label,
                    "count": len(near),
                }
        suggestion = incident_suggest(
            kind=kind,
            lat=centre_lat,
            lon=centre_lon,
            radius_m=radius,
            title_uk=titles["uk"],
            title_en=titles["en"],
            started_at=min(row[3] for row in near),
        )
        incident = suggestion.incident
        _link([row[0] for row in near], incident)
        if suggestion.created:
            moderators = moderator_ids()
            if moderators:
                notify(
                    recipients=moderators,
                    event="appeals.incident_suggested",
                    context={"kind": in_every_language(label), "count": len(near)},
                    url=incident_admin_url(incident),
                )
    return incident
