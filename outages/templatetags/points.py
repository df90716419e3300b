"""How long ago a point was confirmed and how far it is, as residents read it."""

from django import template
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def confirmed_ago(point, now=None) -> str:
    """ "confirmed 12 minutes ago", "confirmed just now" or "not confirmed yet"."""
    if point.confirmed_at is None:
        return _("not confirmed yet")
    now = now or timezone.now()
    if (now - point.confirmed_at).total_seconds() < 60:
        return _("confirmed just now")
    return _("confirmed %(ago)s ago") % {"ago": timesince(point.confirmed_at, now, depth=1)}


@register.filter
def distance(metres) -> str:
    """ "350 m" or "1.2 km"."""
    if metres is None:
        return ""
    if metres < 1000:
        return _("%(m)s m") % {"m": int(round(metres, -1))}
    return _("%(km)s km") % {"km": number_format(metres / 1000, 1)}
