from urllib.parse import urlencode

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpResponseRedirect
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from mycity.lib.ratelimit import client_ip

from . import onboarding
from .models import User


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request):
        # allauth's limits count per client address: read it as everything else does.
        return client_ip(request) or super().get_client_ip(request)

    def is_open_for_signup(self, request):
        return settings.SIGNUP_OPEN

    def save_user(self, request, user, form, commit=True):
        user.full_name = form.cleaned_data.get("full_name", "").strip()
        if form.cleaned_data.get("accept_privacy"):
            user.privacy_version = settings.PRIVACY_NOTICE_VERSION
            user.privacy_accepted_at = timezone.now()
        # The language the person signed up in is the one they will read.
        language = (get_language() or settings.LANGUAGE_CODE)[:2]
        if language in dict(settings.LANGUAGES):
            user.preferred_language = language
        return super().save_user(request, user, form, commit=commit)

    def format_email_subject(self, subject):
        return _("My City: %(subject)s") % {"subject": subject}

    def send_mail(self, template_prefix, email, context):
        """Account e-mails go out in the recipient's language when we know it."""
        context.setdefault("SITE_URL", settings.SITE_URL)
        language = (
            User.objects.filter(email__iexact=email)
            .values_list("preferred_language", flat=True)
            .first()
        )
        with translation.override(language or translation.get_language()):
            super().send_mail(template_prefix, email, context)

    def get_email_confirmation_url(self, request, emailconfirmation):
        """The link in the e-mail carries where the person was going (a safe local path).

        Opened in the browser that signed up, allauth signs the person in
        (ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION) and resumes to that place; opened
        elsewhere, the confirmation page sends them on to it, by the sign-in
        form when the place needs an account.
        """
        url = super().get_email_confirmation_url(request, emailconfirmation)
        data = getattr(request, "POST", None) or getattr(request, "GET", None) or {}
        target = onboarding.safe_next(request, data.get("next"))
        return f"{url}?{urlencode({'next': target})}" if target else url

    def post_login(self, request, user, **kwargs):
        """After the first sign-in the welcome step comes first, then where they were going."""
        response = super().post_login(request, user, **kwargs)
        if isinstance(response, HttpResponseRedirect) and onboarding.is_wanted(user, response.url):
            return HttpResponseRedirect(onboarding.welcome_url(response.url))
        return response
