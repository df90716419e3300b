from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from mycity.models import District

from .models import PriorityCategory, PriorityStatus, User


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
