"""Filters of the public appeals list in the API (django-filter), as the web list filters."""

import datetime as dt

import django_filters
from django.utils.translation import gettext_lazy as _

from ..filters import EARLIEST, STATUS_CHOICES, day_start
from ..models import Appeal, Kind
from ..search import search


class AppealFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Kind.choices, label=_("Kind"))
    category = django_filters.CharFilter(field_name="category__slug", label=_("Category"))
    district = django_filters.CharFilter(field_name="district__slug", label=_("District"))
    status = django_filters.ChoiceFilter(choices=STATUS_CHOICES, label=_("Status"))
    registered_from = django_filters.DateFilter(method="filter_from", label=_("Registered from"))
    registered_until = django_filters.DateFilter(method="filter_until", label=_("Registered until"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue only"))
    q = django_filters.CharFilter(method="filter_q", max_length=100, label=_("Search"))

    class Meta:
        model = Appeal
        fields = []

    def filter_from(self, queryset, name, value):
        return queryset.filter(registered_at__gte=day_start(_sane(value)))

    def filter_until(self, queryset, name, value):
        return queryset.filter(registered_at__lt=day_start(_sane(value) + dt.timedelta(days=1)))

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue() if value else queryset

    def filter_q(self, queryset, name, value):
        return search(queryset, value) if value.strip() else queryset


def _sane(day: dt.date) -> dt.date:
    """Year 1 or 9999 are valid dates but overflow the time zone arithmetic."""
    return min(max(day, EARLIEST), LATEST)


LATEST = dt.date(2100, 1, 1)
