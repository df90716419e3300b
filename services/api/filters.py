"""Filters of the service catalogue in the API (django-filter), as the web catalogue's."""

import django_filters
from django.utils.translation import gettext_lazy as _

from mycity.lib.filters import SearchFilter, SlugFilter

from ..models import Service


class ServiceFilter(django_filters.FilterSet):
    category = SlugFilter(field_name="category__slug", label=_("Category"))
    department = SlugFilter(field_name="department__slug", label=_("Department"))
    online = django_filters.BooleanFilter(label=_("Can be applied for online"))
    bookable = django_filters.BooleanFilter(label=_("Visits can be booked"))
    q = SearchFilter(method="filter_q", label=_("Search"))

    class Meta:
        model = Service
        fields = []

    def filter_q(self, queryset, name, value):
        # The web catalogue's search: Ukrainian word forms (mycity/lib/text.py).
        return queryset.search(value) if value.strip() else queryset
