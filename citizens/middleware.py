from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from . import access


class PreferredLanguageMiddleware:
    """A signed-in person's language is the one in their profile.

    Placed after LocaleMiddleware and AuthenticationMiddleware. The cookie is
    kept in step so the language stays after signing out.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.languages = dict(settings.LANGUAGES)

    def __call__(self, request):
        user = getattr(request, "user", None)
        lang = None
        if user is not None and user.is_authenticated and user.preferred_language in self.languages:
            lang = user.preferred_language
            translation.activate(lang)
            request.LANGUAGE_CODE = lang
        response = self.get_response(request)
        # A view that set the cookie itself (set_language) has the newer choice.
        if (
            lang
            and settings.LANGUAGE_COOKIE_NAME not in response.cookies
            and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != lang
        ):
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                lang,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response


class StaffSessionMiddleware:
    """Staff powers need a session that passed two-factor authentication (citizens.access).

    Marks the signed-in user with what the session proved. Under /admin/ a
    staff account without two-factor authentication is sent to set it up, and
    one whose session has not passed it to enter a code; elsewhere the
    account sees what a resident sees (the header says why).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    @cached_property
    def admin_prefix(self):
        return reverse("admin:index")

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        access.mark(user, request.session)
        if access.needs_mfa(user) and request.path.startswith(self.admin_prefix):
            if not is_mfa_enabled(user):
                messages.warning(
                    request,
                    _(
                        "Staff accounts must use two-factor authentication. "
                        "Set it up to open the admin."
                    ),
                )
                return redirect(
                    f"{reverse('mfa_activate_totp')}?{urlencode({'next': request.path})}"
                )
            if access.mfa_pending(user):
                messages.warning(
                    request,
                    _("Enter a code from your authenticator app to work as staff."),
                )
                return redirect(
                    f"{reverse('mfa_reauthenticate')}?{urlencode({'next': request.path})}"
                )
        return self.get_response(request)
