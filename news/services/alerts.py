"""Urgent alerts: publish, update, resolve, and tell residents exactly once.

Allowed status changes are one table (news.alert_workflow). Every change refreshes
the banner cache after commit (news/live.py), so open pages see it on their
next poll. Residents are told through the notifications outbox: one
broadcast per alert, targeted by district, claimed with a conditional
UPDATE on `notified_at` so that the service and the beat task never both
send it.
"""

import functools

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from shapely.geometry import shape

from citizens.notifications.services import notify_audience
from citizens.places import places_tell
from mycity.lib import geojson
from mycity.lib import tasks as task_queue
from mycity.lib.i18n import in_every_language

from .. import live
from ..alert_workflow import EDITOR, FINAL_STATUSES, PUBLISH, RESOLVE, WORKFLOW
from ..models import Alert, AlertUpdate, Severity
from .common import NewsError

GEOMETRY_TYPES = {
    "Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon",
    "GeometryCollection",
}  # fmt: skip
MAX_FEATURES = 500


OVER = gettext_lazy("The alert is over.")
WHAT_OVER = gettext_lazy("over")
WHAT_UPDATE = gettext_lazy("update")
# What a saved place's owner is told happened there ("Home: … Started. …").
PLACE_WHAT = {
    "published": gettext_lazy("It has started"),
    "resolved": gettext_lazy("It is over"),
}
PLACES_TASK = "news.tasks.tell_saved_places"


def geometry_parse(raw) -> dict | None:
    """GeoJSON text or dict -> a FeatureCollection dict, or ValidationError in the user's words."""
    raw = geojson.load(raw)
    if raw is None:
        return None
    kind = raw.get("type")
    if kind == "FeatureCollection":
        features = raw.get("features")
    elif kind == "Feature":
        features = [raw]
    elif kind in GEOMETRY_TYPES:
        features = [{"type": "Feature", "geometry": raw, "properties": {}}]
    else:
        raise ValidationError(
            _("Unknown GeoJSON type: use a geometry, Feature or FeatureCollection.")
        )
    if not isinstance(features, list) or not features:
        raise ValidationError(_("The GeoJSON has no features."))
    if len(features) > MAX_FEATURES:
        raise ValidationError(_("At most %(n)s features.") % {"n": MAX_FEATURES})
    clean = []
    for feature in features:
        if not isinstance(feature, dict) or not isinstance(feature.get("geometry"), dict):
            raise ValidationError(_("Every feature needs a geometry."))
        try:
            geometry = shape(feature["geometry"])
        except Exception:
            raise ValidationError(_("A geometry could not be read.")) from None
        if geometry.is_empty or not geometry.is_valid:
            raise ValidationError(_("A geometry is empty or crosses itself."))
        minx, miny, maxx, maxy = geometry.bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise ValidationError(_("Coordinates must be longitude, latitude in degrees."))
        props = feature.get("properties") or {}
        name = props.get("name") if isinstance(props, dict) else None
        clean.append(
            {
                "type": "Feature",
                "geometry": feature["geometry"],
                "properties": {"name": str(name)[:200]} if name else {},
            }
        )
    return {"type": "FeatureCollection", "features": clean}


def alert_save(*, alert: Alert, author=None, districts=None) -> Alert:
    """Validate and save an alert (new or edited); a live one's change reaches pages at once."""
    if not alert.whole_city and districts is not None and not districts:
        raise NewsError(
            _("Choose the affected districts, or mark the alert as for the whole city.")
        )
    try:
        alert.geometry = geometry_parse(alert.geometry)
        alert.full_clean()
    except ValidationError as exc:
        raise NewsError(" ".join(exc.messages)) from exc
    if alert.author_id is None and author is not None:
        alert.author = author
    with transaction.atomic():
        alert.save()
        if districts is not None:
            alert.districts.set(districts)
        live.refresh_on_commit()
        if alert.status == Alert.Status.PUBLISHED:
            _notify_if_due(alert.pk)
    return alert


def _transition(alert_id: int, action: str) -> Alert:
    alert = Alert.objects.select_for_update().get(pk=alert_id)
    WORKFLOW.move(alert, action, EDITOR, refused=_refused)
    return alert


def _refused(status: str) -> NewsError:
    return NewsError(
        _("This alert is %(status)s: it cannot be changed that way.") % {"status": status}
    )


def alert_publish(*, alert: Alert, by=None) -> Alert:
    """Put a draft alert live. Residents of its districts are told at once, or at its start."""
    with transaction.atomic():
        locked = _transition(alert.pk, PUBLISH)
        if not locked.whole_city and not locked.districts.exists():
            raise NewsError(
                _("Choose the affected districts, or mark the alert as for the whole city.")
            )
        locked.published_at = timezone.now()
        locked.save(update_fields=["status", "published_at", "updated_at"])
        live.refresh_on_commit()
        _notify_if_due(locked.pk)
    return locked


def alert_resolve(*, alert: Alert, by=None, text_uk: str = "", text_en: str = "") -> Alert:
    """Close an alert: it leaves the banner; residents who were told hear that it is over."""
    with transaction.atomic():
        locked = _transition(alert.pk, RESOLVE)
        locked.resolved_at = timezone.now()
        locked.save(update_fields=["status", "resolved_at", "updated_at"])
        uk = text_uk.strip() or in_every_language(OVER)["uk"]
        en = text_en.strip() or in_every_language(OVER)["en"]
        AlertUpdate.objects.create(alert=locked, text_uk=uk, text_en=en, author=by)
        live.refresh_on_commit()
        if locked.notified_at is not None:
            _notify_update(locked, {"uk": uk, "en": en}, in_every_language(WHAT_OVER))
            if locked.severity >= Severity.WARNING:
                _places_on_commit(locked.pk, "resolved")
    return locked


def alert_update_add(*, alert: Alert, text_uk: str, text_en: str, by=None) -> AlertUpdate:
    """Append an update to a live alert; residents who were told about it get the update."""
    if not text_uk.strip() or not text_en.strip():
        raise NewsError(_("Write the update in Ukrainian and in English."))
    with transaction.atomic():
        locked = Alert.objects.select_for_update().get(pk=alert.pk)
        if locked.status in FINAL_STATUSES:
            raise NewsError(_("This alert is resolved: publish a new one instead."))
        update = AlertUpdate.objects.create(
            alert=locked, text_uk=text_uk.strip(), text_en=text_en.strip(), author=by
        )
        # The banner's ETag follows updated_at: open pages re-render on their next poll.
        locked.save(update_fields=["updated_at"])
        live.refresh_on_commit()
        if locked.notified_at is not None:
            _notify_update(
                locked, {"uk": update.text_uk, "en": update.text_en}, in_every_language(WHAT_UPDATE)
            )
    return update


def _audience(alert: Alert) -> dict:
    district_ids = None if alert.whole_city else list(alert.districts.values_list("pk", flat=True))
    params = {"district_ids": district_ids}
    if district_ids is not None:
        params["also"] = [("news.alert_districts", {"district_ids": district_ids})]
    if alert.severity < Severity.CRITICAL:
        # Critical alerts (shelters, dangerous outages) cannot be muted by kind.
        params["exclude"] = [("news.muted_kind", {"kind": alert.kind})]
    return params


def _context(alert: Alert) -> dict:
    return {
        "icon": alert.icon,
        "title": {"uk": alert.title_uk, "en": alert.title_en},
        "text": {"uk": alert.text_uk, "en": alert.text_en},
        "severity": in_every_language(Severity(alert.severity).label),
        "kind": alert.kind,
    }


def _notify_update(alert: Alert, text: dict, what: dict) -> None:
    if alert.severity < Severity.WARNING:
        return
    notify_audience(
        event="news.alert_update",
        context={**_context(alert), "text": text, "what": what},
        url=alert.get_absolute_url(),
        **_audience(alert),
    )


def _notify_if_due(alert_id: int, now=None) -> bool:
    """Tell residents about a live alert, once: the UPDATE on notified_at IS NULL is the claim."""
    now = now or timezone.now()
    claimed = Alert.objects.filter(
        pk=alert_id,
        status=Alert.Status.PUBLISHED,
        notified_at__isnull=True,
        starts_at__lte=now,
    ).update(notified_at=now)
    if not claimed:
        return False
    alert = Alert.objects.get(pk=alert_id)
    if alert.ends_at is not None and alert.ends_at <= now:
        return False  # over before anyone was told: nothing to say
    if alert.severity >= Severity.WARNING:
        event = "news.alert_critical" if alert.severity == Severity.CRITICAL else "news.alert"
        notify_audience(
            event=event, context=_context(alert), url=alert.get_absolute_url(), **_audience(alert)
        )
        _places_on_commit(alert.pk, "published")
    return True


def _places_on_commit(alert_id: int, what: str) -> None:
    """Tell the saved places in a task once the claim commits, not in the editor's
    transaction: a whole-city alert may cover thousands of places."""
    transaction.on_commit(functools.partial(_places_queue, alert_id, what))


def _places_queue(alert_id: int, what: str) -> None:
    queued = task_queue.queue(PLACES_TASK, alert_id, what, on=settings.NOTIFICATIONS_PRIORITY_QUEUE)
    if not queued:
        # No broker and no sweep for this: told here, after the commit, rather than never.
        alert_places_tell(alert_id=alert_id, what=what)


def alert_places_tell(*, alert_id: int, what: str) -> int:
    """Tell the owners of saved places inside the alert's area that it started or is over.

    Once per place and event whatever the retries (citizens.places_tell keeps
    a unique row per place and subject). Warnings and critical alerts only,
    like the district fan-out; a start is not told once the alert is over.
    Returns how many places were told now.
    """
    alert = Alert.objects.prefetch_related("districts").filter(pk=alert_id).first()
    if alert is None or what not in PLACE_WHAT or alert.severity < Severity.WARNING:
        return 0
    if alert.notified_at is None:
        return 0  # never announced: nothing to tell about it
    if what == "published" and alert.status != Alert.Status.PUBLISHED:
        return 0
    text = {"uk": alert.text_uk, "en": alert.text_en or alert.text_uk}
    if what == "resolved":
        last = alert.updates.order_by("-created_at", "-pk").first()
        if last is not None:
            text = {"uk": last.text_uk, "en": last.text_en or last.text_uk}
    return places_tell(
        subject=f"alert:{alert.pk}:{what}",
        context={
            "icon": alert.icon,
            "title": {"uk": alert.title_uk, "en": alert.title_en or alert.title_uk},
            "text": text,
        },
        what=in_every_language(PLACE_WHAT[what]),
        url=alert.get_absolute_url(),
        district_ids=[d.pk for d in alert.districts.all()],
        whole_city=alert.whole_city,
        area=alert.geometry,
    )


def alerts_notify_due(*, now=None) -> int:
    """Tell residents about scheduled alerts whose start has come (Celery beat, every 20 s).

    Also refreshes the banner cache when an alert started or ended since the
    last build, so an ETag poll sees the change without waiting for the TTL.
    """
    now = now or timezone.now()
    due = list(
        Alert.objects.filter(
            status=Alert.Status.PUBLISHED, notified_at__isnull=True, starts_at__lte=now
        ).values_list("pk", flat=True)[:200]
    )
    sent = 0
    for pk in due:
        with transaction.atomic():
            sent += _notify_if_due(pk, now=now)
    return sent
