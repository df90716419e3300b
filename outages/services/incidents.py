"""Incidents: declare, update, answer, resolve; tell residents exactly once.

Every status change goes through the one table (mycity.incident_workflow)
under a row lock and is recorded as an IncidentEvent (who, when, from, to,
why). Residents hear of an incident like an alert: one broadcast to the
affected districts (and to the people who asked for alerts there, minus
those who muted the kind), claimed with a conditional UPDATE on
`notified_at`; each saved place inside the area is told once (citizens.places),
in a task after commit. The official answer given on an incident goes to
every linked appeal through the `incident_answered` signal; the people
told that way are not told again by the broadcast that follows.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from shapely.geometry import mapping, shape
from shapely.ops import unary_union

from citizens.notifications import audiences
from citizens.notifications.services import notify, notify_audience
from citizens.places import places_tell
from mycity.incident_workflow import (
    CONFIRM,
    DECLARE,
    DISMISS,
    FINAL_STATUSES,
    REOPEN,
    RESOLVE,
    STAFF,
    WORKFLOW,
)
from mycity.incidents import incident_answered, incident_dismissed, incident_linked_authors
from mycity.lib import geojson
from mycity.lib import tasks as task_queue
from mycity.lib.i18n import field_in_every_language, in_every_language
from mycity.models import District, Incident, IncidentEvent, IncidentUpdate, boundary_geometry

DECLARED = "outages.incident"
FOLLOWED = "outages.incident_update"
TELL_PLACES = "outages.tasks.tell_places"
DELIVER_ANSWER = "outages.tasks.deliver_answer"

WHAT_STARTED = gettext_lazy("Started")
WHAT_UPDATE = gettext_lazy("update")
WHAT_OVER = gettext_lazy("restored")
WHAT_ANSWER = gettext_lazy("official answer")
OVER = gettext_lazy("The outage is over.")
MAX_POLYGONS = 50


class IncidentError(Exception):
    """A refused change, in the user's words."""


@dataclass(frozen=True)
class Area:
    whole_city: bool
    district_ids: list[int]
    area: dict | None


def _refused(status: str) -> IncidentError:
    return IncidentError(
        _("This incident is %(status)s: it cannot be changed that way.") % {"status": status}
    )


def _record(incident: Incident, action: str, before: str, by, note: str = "") -> None:
    IncidentEvent.objects.create(
        incident=incident,
        action=action,
        from_status=before or "",
        to_status=incident.status,
        actor=by if getattr(by, "pk", None) else None,
        note=note[:500],
    )


def area_polygon(raw) -> dict | None:
    """A drawn area (GeoJSON geometry, Feature or FeatureCollection, text or dict) as
    one Polygon or MultiPolygon; ValidationError in the user's words."""
    data = geojson.load(raw)
    if data is None:
        return None
    geometries = geojson.geometries(data)
    polygons = []
    for geometry in geometries[: MAX_POLYGONS + 1]:
        if not isinstance(geometry, dict) or geometry.get("type") not in (
            "Polygon",
            "MultiPolygon",
        ):
            raise ValidationError(_("The area must be drawn as one or more polygons."))
        polygons.append(boundary_geometry(geometry))
    if not polygons:
        return None
    if len(polygons) > MAX_POLYGONS:
        raise ValidationError(_("At most %(n)s polygons.") % {"n": MAX_POLYGONS})
    merged = unary_union(polygons)
    minx, miny, maxx, maxy = merged.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise ValidationError(_("Coordinates must be longitude, latitude in degrees."))
    return mapping(merged)


def _validate(incident: Incident, districts) -> None:
    if not incident.whole_city and not incident.area and not districts:
        raise IncidentError(
            _("Choose the affected districts, draw the area, or mark it as the whole city.")
        )
    if incident.expected_at and incident.expected_at <= incident.started_at:
        raise IncidentError(_("The expected restoration must be after the start."))
    try:
        incident.full_clean(exclude=["districts"])
    except ValidationError as exc:
        raise IncidentError(" ".join(exc.messages)) from exc


def incident_save(*, incident: Incident, by=None, districts=None) -> Incident:
    """Validate and save an incident's fields (new: declared at once; else edited).

    A new incident is declared: active, residents told after commit. An
    edit of a live one keeps its status (the admin offers the actions).
    """
    districts = list(districts) if districts is not None else None
    if districts is None and incident.pk:
        districts = list(incident.districts.all())
    _validate(incident, districts)
    creating = incident.pk is None
    with transaction.atomic():
        if creating:
            if not WORKFLOW.allowed(DECLARE, None, STAFF):
                raise _refused("")
            incident.status = WORKFLOW.target(DECLARE, None)
            incident.created_by = by if getattr(by, "pk", None) else None
        incident.save()
        if districts is not None:
            incident.districts.set(districts)
        if creating:
            _record(incident, DECLARE, "", by)
            _tell_declared_on_commit(incident.pk)
    return incident


def incident_declare(*, by=None, districts=(), **fields) -> Incident:
    """Declare a new incident from its fields (kind, title_uk/en, started_at, area …)."""
    fields.setdefault("started_at", timezone.now())
    return incident_save(incident=Incident(**fields), by=by, districts=districts)


def _move(incident: Incident, action: str, by, note: str = "") -> tuple[Incident, str]:
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    if WORKFLOW.needs_reason(action) and not note.strip():
        raise IncidentError(_("Say why."))
    before = WORKFLOW.move(locked, action, STAFF, refused=_refused)
    return locked, before


def incident_confirm(*, incident: Incident, by=None) -> Incident:
    """A suggestion from reports is a real incident: it goes public and residents are told."""
    with transaction.atomic():
        locked, before = _move(incident, CONFIRM, by)
        if not locked.whole_city and not locked.area and not locked.districts.exists():
            raise IncidentError(_("Choose the affected districts or draw the area first."))
        locked.created_by = locked.created_by or (by if getattr(by, "pk", None) else None)
        locked.save(update_fields=["status", "created_by", "updated_at"])
        _record(locked, CONFIRM, before, by)
        _tell_declared_on_commit(locked.pk)
    return locked


def incident_dismiss(*, incident: Incident, by=None, reason: str) -> Incident:
    """A suggestion was no incident: the reports linked to it go on as ordinary appeals."""
    with transaction.atomic():
        locked, before = _move(incident, DISMISS, by, reason)
        locked.save(update_fields=["status", "updated_at"])
        _record(locked, DISMISS, before, by, reason)
        incident_dismissed.send(sender=Incident, incident=locked, by=by)
    return locked


def incident_update_add(*, incident: Incident, text_uk: str, text_en: str, by=None):
    """A new line on a live incident; the people told about it hear it."""
    text_uk, text_en = (text_uk or "").strip(), (text_en or "").strip()
    if not text_uk or not text_en:
        raise IncidentError(_("Write the update in Ukrainian and in English."))
    with transaction.atomic():
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        if locked.status in FINAL_STATUSES or locked.status == Incident.Status.RESOLVED:
            raise IncidentError(_("This incident is over: declare a new one instead."))
        update = IncidentUpdate.objects.create(
            incident=locked, text_uk=text_uk, text_en=text_en, author=by
        )
        locked.save(update_fields=["updated_at"])
        if locked.notified_at is not None:
            _tell_followers_and_area(
                locked, {"uk": text_uk, "en": text_en}, in_every_language(WHAT_UPDATE)
            )
    return update


def incident_answer(
    *, incident: Incident, answer_uk: str, answer_en: str, by=None, tell_followers: bool = True
) -> Incident:
    """Give the incident its official answer, once; it goes to every linked appeal.

    The answer is saved here; its delivery runs after the commit, in a task
    (`deliver_answer`): each linked report is answered in its own
    transaction, so a city-wide outage with thousands of reports never holds
    one over all of them. With `tell_followers`, followers who filed no
    report hear it too (resolving sends them the "restored" message instead).
    """
    answer_uk, answer_en = (answer_uk or "").strip(), (answer_en or "").strip()
    if not answer_uk or not answer_en:
        raise IncidentError(_("Write the answer in Ukrainian and in English."))
    with transaction.atomic():
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        if locked.status not in (Incident.Status.ACTIVE, Incident.Status.RESOLVED):
            raise _refused(locked.get_status_display())
        if locked.answered_at is not None:
            raise IncidentError(_("This incident already has its official answer."))
        locked.answer_uk, locked.answer_en = answer_uk, answer_en
        locked.answered_at = timezone.now()
        locked.answered_by = by if getattr(by, "pk", None) else None
        locked.save(update_fields=["answer_uk", "answer_en", "answered_at", "answered_by"])
        pk = locked.pk
        transaction.on_commit(lambda: task_queue.queue(DELIVER_ANSWER, pk, tell_followers))
    incident.answered_at = locked.answered_at
    return locked


def deliver_answer(incident_id: int, tell_followers: bool = True) -> set[int]:
    """Deliver an incident's answer to what the apps linked, then to followers; the ids told.

    Idempotent: the receivers skip what already has an answer, and followers
    are told only by the run that marks the delivery done.
    """
    incident = Incident.objects.select_related("answered_by").get(pk=incident_id)
    if incident.answered_at is None or incident.answer_delivered_at is not None:
        return set()
    told: set[int] = set()
    for _receiver, ids in incident_answered.send(
        sender=Incident, incident=incident, by=incident.answered_by
    ):
        told.update(ids or ())
    with transaction.atomic():
        claimed = Incident.objects.filter(pk=incident_id, answer_delivered_at__isnull=True).update(
            answer_delivered_at=timezone.now()
        )
        followers = set()
        if claimed and tell_followers:
            followers = set(incident.follows.values_list("user_id", flat=True)) - told
        if followers:
            notify(
                recipients=sorted(followers),
                event=FOLLOWED,
                context={
                    **_context(incident),
                    "text": field_in_every_language(incident, "answer"),
                    "what": in_every_language(WHAT_ANSWER),
                },
                url=incident.get_absolute_url(),
            )
    return told | followers


def answers_deliver_due(*, now=None) -> int:
    """Finish deliveries a lost task left undone (the minute sweep); how many ran."""
    since = (now or timezone.now()) - timezone.timedelta(minutes=2)
    due = Incident.objects.filter(
        answered_at__lte=since, answer_delivered_at__isnull=True
    ).values_list("pk", flat=True)[:20]
    for pk in due:
        deliver_answer(pk)
    return len(due)


def incident_resolve(
    *, incident: Incident, by=None, text_uk: str = "", text_en: str = "",
    answer_uk: str = "", answer_en: str = "",
) -> Incident:  # fmt: skip
    """The outage is over. With an answer, it first goes to every linked appeal.

    Everyone told of the incident (the area, followers, saved places) hears
    that it is over, except the authors the answer already reached.
    """
    told: set[int] = set()
    with transaction.atomic():
        if answer_uk.strip() or answer_en.strip():
            # The authors of linked reports get it on their appeal; everyone
            # else hears it in the "restored" message below.
            incident_answer(
                incident=incident, answer_uk=answer_uk, answer_en=answer_en, by=by,
                tell_followers=False,
            )  # fmt: skip
            for _receiver, ids in incident_linked_authors.send(sender=Incident, incident=incident):
                told.update(ids or ())
            text_uk = text_uk.strip() or answer_uk.strip()
            text_en = text_en.strip() or answer_en.strip()
        locked, before = _move(incident, RESOLVE, by)
        locked.resolved_at = timezone.now()
        locked.save(update_fields=["status", "resolved_at", "updated_at"])
        _record(locked, RESOLVE, before, by)
        uk = text_uk.strip() or in_every_language(OVER)["uk"]
        en = text_en.strip() or in_every_language(OVER)["en"]
        IncidentUpdate.objects.create(incident=locked, text_uk=uk, text_en=en, author=by)
        if locked.notified_at is not None:
            _tell_followers_and_area(
                locked, {"uk": uk, "en": en}, in_every_language(WHAT_OVER), skip=told
            )
            _tell_places_on_commit(locked.pk, "resolved")
    return locked


def incident_reopen(*, incident: Incident, by=None, reason: str) -> Incident:
    """It came back: a resolved incident is live again (the reason is recorded)."""
    with transaction.atomic():
        locked, before = _move(incident, REOPEN, by, reason)
        locked.resolved_at = None
        locked.save(update_fields=["status", "resolved_at", "updated_at"])
        _record(locked, REOPEN, before, by, reason)
    return locked


# Telling people ---------------------------------------------------------------


def _context(incident: Incident) -> dict:
    return {
        "icon": incident.icon,
        "title": field_in_every_language(incident, "title"),
        "text": _summary(incident),
        "kind": incident.kind,
    }


def _summary(incident: Incident) -> dict:
    """ "Since 07:40, expected back 18:00. <description>" in every language."""
    local = timezone.localtime
    texts = {}
    description = field_in_every_language(incident, "description")
    for language, since in in_every_language(gettext_lazy("Since %(since)s")).items():
        line = since % {"since": local(incident.started_at).strftime("%H:%M")}
        if incident.expected_at:
            with_end = in_every_language(gettext_lazy("expected back %(time)s"))[language]
            line += ", " + with_end % {"time": local(incident.expected_at).strftime("%d.%m %H:%M")}
        texts[language] = f"{line}. {description.get(language, '')}".strip()
    return texts


def area_of(incident: Incident) -> Area:
    """The districts an incident reaches (a drawn area: the districts it touches)."""
    if incident.whole_city:
        return Area(True, [], incident.area)
    if incident.area:
        drawn = shape(incident.area)
        touched = [
            pk
            for pk, boundary in District.objects.values_list("pk", "boundary")
            if shape(boundary).intersects(drawn)
        ]
        return Area(False, touched, incident.area)
    return Area(False, list(incident.districts.values_list("pk", flat=True)), None)


def _audience(incident: Incident, skip=()) -> dict:
    area = area_of(incident)
    registered = audiences.registry()
    params: dict = {}
    if not area.whole_city:  # the whole city: everyone, followers included
        params["district_ids"] = area.district_ids
        params["also"] = [("outages.followers", {"incident_id": incident.pk})]
        # Those who asked news for alerts in other districts hear of outages
        # there too; muting a kind of alert (power, water…) mutes that kind of outage.
        if "news.alert_districts" in registered:
            params["also"].append(("news.alert_districts", {"district_ids": area.district_ids}))
    exclude = []
    if "news.muted_kind" in registered:
        exclude.append(("news.muted_kind", {"kind": incident.kind}))
    if skip:
        exclude.append(("outages.people", {"ids": sorted(skip)}))
    params["exclude"] = exclude
    return params


def _tell_declared_on_commit(incident_id: int) -> None:
    transaction.on_commit(lambda: tell_declared(incident_id))


def tell_declared(incident_id: int, now=None) -> bool:
    """Tell the area about a live incident, once: the UPDATE on notified_at is the claim."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = Incident.objects.filter(
            pk=incident_id, status=Incident.Status.ACTIVE, notified_at__isnull=True
        ).update(notified_at=now)
        if not claimed:
            return False
        incident = Incident.objects.get(pk=incident_id)
        notify_audience(
            event=DECLARED,
            context=_context(incident),
            url=incident.get_absolute_url(),
            **_audience(incident),
        )
        _tell_places_on_commit(incident_id, "declared")
    return True


def incidents_tell_due() -> int:
    """Tell residents about live incidents nobody was told of yet (beat; a lost commit hook).

    Also finishes the deliveries of answers whose task was lost.
    """
    answers_deliver_due()
    due = Incident.objects.filter(status=Incident.Status.ACTIVE, notified_at__isnull=True)
    return sum(tell_declared(pk) for pk in due.values_list("pk", flat=True)[:100])


def _tell_followers_and_area(incident: Incident, text: dict, what: dict, skip=()) -> None:
    notify_audience(
        event=FOLLOWED,
        context={**_context(incident), "text": text, "what": what},
        url=incident.get_absolute_url(),
        **_audience(incident, skip=skip),
    )


def _tell_places_on_commit(incident_id: int, what: str) -> None:
    transaction.on_commit(lambda: task_queue.queue(TELL_PLACES, incident_id, what))


def tell_places(incident_id: int, what: str) -> int:
    """Tell each saved place inside the incident's area, once per place and `what`."""
    incident = Incident.objects.get(pk=incident_id)
    area = area_of(incident)
    label = WHAT_STARTED if what == "declared" else WHAT_OVER
    return places_tell(
        subject=f"incident:{incident.pk}:{what}",
        context=_context(incident),
        what=in_every_language(label),
        url=incident.get_absolute_url(),
        district_ids=area.district_ids,
        whole_city=area.whole_city,
        area=area.area,
    )
