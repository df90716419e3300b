"""Forms: the news filter, a resident's subscriptions, the admin's GeoJSON field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from mycity.models import District

from .models import AlertKind, Topic


class NewsFilterForm(forms.Form):
    """Topic and district filters; choices come from the page's cache (no query on a hit)."""

    topic = forms.ChoiceField(label=_("Topic"), required=False)
    district = forms.ChoiceField(label=_("District"), required=False)

    def __init__(self, *args, topics=(), districts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [("", _("All topics")), *topics]
        self.fields["district"].choices = [("", _("The whole city")), *districts]

    def values(self) -> tuple[str, str]:
        """(topic slug, district slug) asked for, "" for none; an unknown value is ignored."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return data.get("topic", ""), data.get("district", "")


class SubscriptionForm(forms.Form):
    alert_districts = forms.ModelMultipleChoiceField(
        label=_("Also tell me about alerts in these districts"),
        help_text=_(
            "Alerts for your home district always reach you; add the districts "
            "where your family or your work is."
        ),
        queryset=District.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    muted_kinds = forms.MultipleChoiceField(
        label=_("Do not notify me about these kinds of alerts"),
        help_text=_("Critical alerts always reach you. Muted kinds still show on the site."),
        choices=AlertKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    digest = forms.BooleanField(label=_("Send me a daily news digest"), required=False)
    digest_topics = forms.ModelMultipleChoiceField(
        label=_("Digest topics"),
        help_text=_("None chosen: every topic."),
        queryset=Topic.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    digest_districts = forms.ModelMultipleChoiceField(
        label=_("Digest districts"),
        help_text=_("None chosen: the whole city. News for the whole city is always included."),
        queryset=District.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class GeoJSONField(forms.CharField):
    """A textarea of GeoJSON, checked by the service's parser; shows the stored value as JSON."""

    widget = forms.Textarea(attrs={"rows": 6, "class": "vLargeTextField geojson-input"})

    def prepare_value(self, value):
        import json

        if isinstance(value, dict):
            return json.dumps(value, ensure_ascii=False)
        return value

    def to_python(self, value):
        from django.core.exceptions import ValidationError

        from .services import geometry_parse

        value = super().to_python(value)
        try:
            return geometry_parse(value)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc
