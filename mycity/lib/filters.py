"""Query filters of more than one app's API, stated in the schema as they are checked."""

import django_filters
from django import forms
from drf_spectacular.utils import extend_schema_field

# The longest slug a model allows (categories, services: 80).
SLUG_MAX_LENGTH = 80


# Empty is allowed: an empty filter is no filter (django-filter), as documented.
@extend_schema_field(
    {"type": "string", "pattern": r"^[-a-zA-Z0-9_]*$", "maxLength": SLUG_MAX_LENGTH}
)
class SlugFilter(django_filters.CharFilter):
    """A filter by a slug (a district, category, topic...): what cannot be a slug is a 400,
    not an empty list, and the schema says what a slug is."""

    field_class = forms.SlugField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", SLUG_MAX_LENGTH)
        super().__init__(*args, **kwargs)


SEARCH_MAX_LENGTH = 100


@extend_schema_field({"type": "string", "maxLength": SEARCH_MAX_LENGTH})
class SearchFilter(django_filters.CharFilter):
    """Words to look for; longer than SEARCH_MAX_LENGTH is a 400."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", SEARCH_MAX_LENGTH)
        super().__init__(*args, **kwargs)
