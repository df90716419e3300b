from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from mycity.lib import geocoder, untrusted
from mycity.models import District

from . import services
from .models import PriorityCategory, PriorityStatus, User
from .notifications.models import Channel


class SignupForm(AllauthSignupForm):
    """allauth's sign-up form (ACCOUNT_FORMS["signup"]) laid out for phones.

    The person's name comes from citizens.signup.SignupDetailsForm, shared
    with the apps' sign-up; the adapter's save_user stores it with the account.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["inputmode"] = "email"
        self.order_fields(["full_name", "email", "password1", "password2", "accept_privacy"])


class ProfileForm(forms.ModelForm):
    district = forms.ModelChoiceField(
        label=_("Home district"),
        queryset=District.objects.all(),
        required=False,
        empty_label=_("Not chosen"),
        help_text=_("Used to show you alerts and news for your district."),
    )

    class Meta:
        model = User
        fields = [
            "full_name",
            "display_name",
            "phone",
            "preferred_language",
            "district",
            "residence",
        ]
        widgets = {
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        }
        labels = {"preferred_language": _("Language of the portal and notifications")}

    def save_changes(self) -> User:
        """Save what was changed through services.user_update_profile (web and API alike).

        Raises services.CitizenError when the service refuses; call after is_valid().
        """
        return services.user_update_profile(
            user=self.instance, **{name: self.cleaned_data[name] for name in self.changed_data}
        )


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    next = forms.CharField(required=False)


class PriorityForm(forms.Form):
    category = forms.ChoiceField(
        label=_("Who the law gives priority"),
        choices=PriorityCategory.choices,
        widget=forms.RadioSelect,
    )
    document = forms.CharField(
        label=_("Document"),
        max_length=PriorityStatus._meta.get_field("document").max_length,
        required=False,
        help_text=PriorityStatus._meta.get_field("document").help_text,
    )


class WelcomeForm(forms.Form):
    """The welcome step: a district from the list (works without JavaScript) or
    a point (the map or "use my location" fill it), and the alert channels."""

    district = forms.ModelChoiceField(
        label=_("Your home district"),
        queryset=District.objects.all(),
        required=False,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        empty_label=None,
    )
    latitude = forms.FloatField(
        required=False, widget=forms.HiddenInput, min_value=-90, max_value=90
    )
    longitude = forms.FloatField(
        required=False, widget=forms.HiddenInput, min_value=-180, max_value=180
    )
    # Shown when the city has a geocoder (GEOCODER_URL): found when the form is sent.
    address = forms.CharField(
        label=_("Or type your street and house number"),
        max_length=geocoder.SEARCH_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address", "class": "form-control"}),
    )
    channels = forms.MultipleChoiceField(
        label=_("Where to send urgent city alerts"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input", "role": "switch"}),
    )

    def __init__(self, *args, channels: tuple[str, ...], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channels"].choices = [(c, Channel(c).label) for c in channels]
        if not settings.GEOCODER_URL:
            del self.fields["address"]

    def clean(self):
        cleaned = super().clean()
        lat, lon = cleaned.get("latitude"), cleaned.get("longitude")
        if (lat is None or lon is None) and cleaned.get("address"):
            # A typed address: its point, then the district that contains it.
            found = geocoder.search(cleaned["address"])
            if found is None:
                raise forms.ValidationError(
                    _(
                        "We could not find that address in the city. "
                        "Choose your district from the list."
                    )
                )
            lat, lon = found
        if lat is not None and lon is not None:
            # A point chosen on the map or by location: the district that contains it.
            district = District.objects.locate(lat=lat, lon=lon)
            if district is None:
                raise forms.ValidationError(
                    _(
                        "That place is outside the city's districts. "
                        "Choose your district from the list."
                    )
                )
            cleaned["district"] = district
        return cleaned


def _safe_text(value: str) -> None:
    """A NUL byte or a lone surrogate is refused with the field's error, not a 500."""
    if untrusted.text_problem(value or ""):
        raise forms.ValidationError(
            _("Remove the characters that are not allowed (a NUL byte or an invalid character).")
        )


class SavedPlaceForm(forms.Form):
    """A saved place: a name, and a point put on the map, typed as an address or as
    coordinates. Without JavaScript the address (with a geocoder) or the
    coordinates do it; the map fills the coordinates."""

    label = forms.CharField(
        label=_("Name of the place"),
        max_length=60,
        help_text=_("For example: home, parents, work."),
        validators=[_safe_text],
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    address = forms.CharField(
        label=_("Address"),
        max_length=geocoder.SEARCH_MAX_LENGTH,
        required=False,
        validators=[_safe_text],
        help_text=_("Street and house number, for example “Perekopska 17”."),
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    latitude = forms.FloatField(
        label=_("Latitude"),
        required=False,
        min_value=-90,
        max_value=90,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    longitude = forms.FloatField(
        label=_("Longitude"),
        required=False,
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        lat, lon = cleaned.get("latitude"), cleaned.get("longitude")
        if (lat is None) != (lon is None):
            self.add_error("latitude", _("Give both the latitude and the longitude."))
            return cleaned
        if lat is None:
            address = cleaned.get("address", "")
            if not address:
                raise forms.ValidationError(
                    _("Put a pin on the map, or type the address or the coordinates.")
                )
            found = geocoder.search(address)
            if found is None:
                self.add_error(
                    "address",
                    _(
                        "We could not find this address in the city. Put a pin on the map "
                        "or type the coordinates."
                    ),
                )
                return cleaned
            cleaned["latitude"], cleaned["longitude"] = found
        return cleaned
