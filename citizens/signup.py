"""The fields every sign-up asks for, on the web form and in the apps' headless API.

allauth adds the fields of ACCOUNT_SIGNUP_FORM_CLASS to its base sign-up
form, which both the web form (citizens.forms.SignupForm) and the headless
sign-up input build on. It must not import allauth's forms (they import it).
"""

from django import forms
from django.utils.translation import gettext_lazy as _


class SignupDetailsForm(forms.Form):
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        help_text=_("Only city staff see it. Public pages show initials or a public name."),
    )

    def signup(self, request, user):
        """Nothing more to save: the adapter's save_user stored full_name with the account."""
