"""The filters of the public list and map of appeals: one GET form for both.

Category and district are chosen by slug and matched in the main query's
join, so validating the form costs no query and the map data stays one
query. The select boxes get their options only where they are shown
(`with_choices=True`). A value that does not validate is left out of the
filter and shown as an error next to its field: bad input never fails.
"""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mycity.lib.widgets import InlineSelect
from mycity.models import District

from .models import Category, Kind
from .search import search
from .workflow import PUBLIC_STATUSES, Status

# In the order the workflow moves, not alphabetically.
STATUS_CHOICES = [(s.value, s.label) for s in Status if s.value in PUBLIC_STATUSES]
EARLIEST = dt.date(2000, 1, 1)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class AppealFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Streetlight, pothole, street…")}
        ),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("Any kind")), *Kind.choices],
        widget=InlineSelect,
    )
    category = forms.SlugField(label=_("Category"), required=False, widget=InlineSelect)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *STATUS_CHOICES],
        widget=InlineSelect,
    )
    district = forms.SlugField(label=_("District"), required=False, widget=InlineSelect)
    date_from = forms.DateField(label=_("Registered from"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("Registered until"), required=False, widget=DateInput)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, with_choices: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            css = "form-check-input" if name == "overdue" else "form-control"
            if isinstance(field.widget, forms.Select):
                css = "form-select"
            field.widget.attrs.setdefault("class", css)
        if with_choices:
            self.fields["category"].widget.choices = category_choices()
            self.fields["district"].widget.choices = [
                ("", _("Any district")),
                *((d.slug, d.name) for d in District.objects.only("slug", "name_uk", "name_en")),
            ]

    def clean_date_from(self):
        return self._sane_date("date_from")

    def clean_date_to(self):
        return self._sane_date("date_to")

    def _sane_date(self, name):
        value = self.cleaned_data.get(name)
        # Year 1 or 9999 are valid dates but overflow the timezone arithmetic.
        if value and not EARLIEST <= value <= timezone.localdate() + dt.timedelta(days=366):
            raise forms.ValidationError(_("Enter a date between 2000 and next year."))
        return value

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            # add_error also drops date_to from cleaned_data: the filter is left out.
            self.add_error("date_to", _("This date is before the “from” date."))
        return cleaned

    @property
    def is_filtered(self) -> bool:
        return self.is_bound and any(self.filters().values())

    def filters(self) -> dict:
        """The values that validated; a field with an error is left out."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}

    def apply(self, queryset):
        """`queryset` narrowed by every filter that validated."""
        values = self.filters()
        if kind := values.get("kind"):
            queryset = queryset.filter(kind=kind)
        if category := values.get("category"):
            queryset = queryset.filter(category__slug=category)
        if status := values.get("status"):
            queryset = queryset.filter(status=status)
        if district := values.get("district"):
            queryset = queryset.filter(district__slug=district)
        if start := values.get("date_from"):
            queryset = queryset.filter(registered_at__gte=day_start(start))
        if end := values.get("date_to"):
            queryset = queryset.filter(registered_at__lt=day_start(end + dt.timedelta(days=1)))
        if values.get("overdue"):
            queryset = queryset.overdue()
        if q := values.get("q"):
            queryset = search(queryset, q)
        return queryset


def day_start(day: dt.date) -> dt.datetime:
    """Midnight in the city's time zone: "registered on the 5th" means Kherson's 5th."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def category_choices() -> list:
    """Public categories grouped as in the admin, with their icons (one query)."""
    groups: dict[str, list] = {}
    for category in Category.objects.filter(sensitive=False).select_related("group"):
        groups.setdefault(category.group.name, []).append((category.slug, str(category)))
    return [("", _("Any category")), *groups.items()]
