"""Forms of the register: the list's filters, a resident's report, an operator's status."""

import math
import uuid

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import Kind, PointStatus, Problem
from .models.points import COMMENT_MAX

# "Nearest to me" is looked for this far around the city's centre (degrees), no farther.
NEAR_AROUND_DEGREES = 0.5


def parse_near(value: str) -> tuple[float, float] | None:
    """ "46.63,32.61" as (lat, lon) near the city, or None for anything else."""
    parts = str(value or "").split(",")
    if len(parts) != 2 or len(value) > 60:
        return None
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        return None
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return None
    centre_lat, centre_lon = settings.MAP_CENTER
    if abs(lat - centre_lat) > NEAR_AROUND_DEGREES or abs(lon - centre_lon) > NEAR_AROUND_DEGREES:
        return None
    return lat, lon


class FilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *Kind.choices]
    )
    district = forms.ChoiceField(label=_("District"), required=False, choices=[])
    near = forms.CharField(required=False, widget=forms.HiddenInput)
    address = forms.CharField(
        label=_("Nearest to an address"),
        required=False,
        max_length=200,
        help_text=_("A street and house number in Kherson."),
    )

    def __init__(self, *args, districts=(), geocoding=False, **kwargs):
        super().__init__(*args, **kwargs)
        # The districts are read once by the view: choices without a query of their own.
        self.districts = {d.slug: d for d in districts}
        self.fields["district"].choices = [
            ("", _("All districts")),
            *((d.slug, d.name) for d in districts),
        ]
        if not geocoding:
            del self.fields["address"]

    def clean_district(self):
        return self.districts.get(self.cleaned_data.get("district") or "")

    def clean_near(self):
        value = self.cleaned_data.get("near", "").strip()
        if not value:
            return None
        found = parse_near(value)
        if found is None:
            raise forms.ValidationError(
                _("Your location could not be read or is too far from Kherson.")
            )
        return found


class ReportForm(forms.Form):
    problem = forms.ChoiceField(
        label=_("What is wrong?"), choices=Problem.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": COMMENT_MAX}),
    )
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("New status"), choices=PointStatus.choices, widget=forms.RadioSelect
    )
    generator_on = forms.BooleanField(label=_("Generator on"), required=False)
