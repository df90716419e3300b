"""What news contributes to the open data (mycity/transparency.py): the history of alerts.

Only alerts the public saw (published, then perhaps resolved) are in it;
drafts never are. An alert's area is free-drawn GeoJSON (areas, lines,
several points), not one point, so the dataset has no geometry.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mycity.models import District
from mycity.transparency import DAILY, DATETIME, INTEGER, STRING, Dataset, Field

from .alert_workflow import PUBLIC_STATUSES
from .models import Alert, AlertKind, Severity

# Machine-readable names of the severities (the labels are translated).
SEVERITY_CODES = {Severity.INFO: "info", Severity.WARNING: "warning", Severity.CRITICAL: "critical"}


def _public():
    return Alert.objects.public()


def _district_ids():
    """(alert id, district id) of every public alert, in the alerts' order: one query."""
    through = Alert.districts.through
    return (
        through.objects.filter(alert__status__in=sorted(PUBLIC_STATUSES))
        .order_by("alert_id", "district_id")
        .values_list("alert_id", "district_id")
        .iterator(chunk_size=2000)
    )


def _alert_rows():
    # The districts are few: their names, in the active language and in their
    # order, are read once. Each alert's districts come from a second stream
    # in the same order as the alerts, so that nothing is loaded whole.
    districts = {d.pk: (n, d.name) for n, d in enumerate(District.objects.all())}
    whole_city = gettext("whole city")
    pairs = _district_ids()
    pending = next(pairs, None)
    alerts = _public().order_by("pk").iterator(chunk_size=2000)
    for alert in alerts:
        mine = []
        while pending is not None and pending[0] <= alert.pk:
            if pending[0] == alert.pk and pending[1] in districts:
                mine.append(districts[pending[1]])
            pending = next(pairs, None)
        names = ", ".join(name for _order, name in sorted(mine))
        yield {
            "id": alert.pk,
            "kind": alert.kind,
            "kind_label": _label(AlertKind, alert.kind),
            "severity": SEVERITY_CODES.get(alert.severity, str(alert.severity)),
            "severity_label": _label(Severity, alert.severity),
            "title": alert.title,
            "text": alert.text,
            "status": alert.status,
            "starts_at": alert.starts_at,
            "published_at": alert.published_at,
            "ends_at": alert.ends_at,
            "resolved_at": alert.resolved_at,
            "districts": whole_city if alert.whole_city else names,
            "url": f"{settings.SITE_URL}{reverse('news:alert', kwargs={'pk': alert.pk})}",
        }


def _label(choices, value) -> str:
    return str(choices(value).label) if value in choices.values else str(value)


def _modified():
    return _public().aggregate(latest=Max("updated_at"))["latest"]


ALERTS = Dataset(
    slug="alerts",
    title=_("Urgent alerts of the city"),
    description=_(
        "Every urgent alert the city published on the portal: power, water, heating and "
        "gas outages, shelter changes, road closures, water trucks; when it was in force, "
        "where, and when it ended."
    ),
    fields=(
        Field("id", INTEGER, _("The alert's number; its page is /alerts/<number>/.")),
        Field("kind", STRING, _("The kind of alert: power, water, heat, gas, shelter, road…")),
        Field("kind_label", STRING, _("The kind of alert in words.")),
        Field("severity", STRING, _("How serious: info, warning or critical.")),
        Field("severity_label", STRING, _("How serious, in words.")),
        Field("title", STRING, _("The alert's title.")),
        Field("text", STRING, _("The alert's text as published.")),
        Field(
            "status",
            STRING,
            _("published: in force or past its expected end; resolved: ended by an editor."),
        ),
        Field("starts_at", DATETIME, _("When the alert takes effect.")),
        Field("published_at", DATETIME, _("When the alert was published on the portal.")),
        Field(
            "ends_at",
            DATETIME,
            _("The expected end given when it was published; empty: until resolved."),
        ),
        Field("resolved_at", DATETIME, _("When an editor declared it over; empty: not yet.")),
        Field(
            "districts",
            STRING,
            _("The affected districts, comma-separated, or “whole city”."),
        ),
        Field("url", STRING, _("The alert's page on the portal.")),
    ),
    rows=_alert_rows,
    app_label="news",
    frequency=DAILY,
    keywords=(_("alerts"), _("outages"), _("shelters"), _("road closures")),
    modified=_modified,
)
