"""The fields every sign-up asks for, on the web form and in the apps' headless API.

allauth adds the fields of ACCOUNT_SIGNUP_FORM_CLASS to its base sign-up
form, which both the web form (citizens.forms.SignupForm) and the headless
sign-up input build on. It must not import allauth's forms (they import it).
"""

from django import forms
from django.urls import reverse_lazy
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _


def _privacy_help():
    return format_html(
        '<a href="{}" target="_blank" rel="noopener">{}</a>',
        reverse_lazy("privacy"),
        _("Read the privacy notice: what we keep, why, for how long, and your rights."),
    )


class SignupDetailsForm(forms.Form):
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        help_text=_("Only city staff see it. Public pages show initials or a public name."),
    )

    # Law "On Personal Data Protection", Art. 8 and 12: the person is told,
    # when their data is collected, who keeps it, why and their rights. The
    # adapter records the version and time of the acceptance.
    accept_privacy = forms.BooleanField(
        label=_("I have read the privacy notice and agree to the processing it describes"),
        required=True,
        help_text=lazy(_privacy_help, str)(),
    )

    def signup(self, request, user):
        """Nothing more to save: the adapter's save_user stored full_name with the account."""
