"""Staff powers need a session that passed two-factor authentication.

`has_staff_powers(user)` is the one predicate: every selector that widens
what a person sees or may do because they are staff (appeals, e-services,
surveys, news previews, the admin, the API) asks it, and `User.has_perm`
answers False while it is False. A staff account whose session did not pass
two-factor authentication sees and does what a resident does.

Each way a request is authenticated marks its user with what its session
proved: the web's session by `StaffSessionMiddleware`, the API's session
token by `SessionTokenAuthentication`. allauth records every method a
session used (password, mfa, …); a session passed two-factor authentication
when one of its records is "mfa" for that same user. A user object no
request marked (Celery tasks, management commands, the shell) acts for the
system and keeps its roles.
"""

from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.account.internal.flows.login import (
    _AUTHENTICATION_METHODS_USER_SESSION_KEY,
    record_authentication,
)
from allauth.account.internal.userkit import user_id_to_str
from allauth.headless.contrib.rest_framework.authentication import XSessionTokenAuthentication
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.django_allauth import XSessionTokenAuthenticationScheme
from rest_framework.exceptions import AuthenticationFailed

# On a user object: True or False once a request's session has been read.
MARK = "_session_passed_mfa"


def needs_mfa(user) -> bool:
    """Accounts whose powers go beyond a resident's: staff and superusers."""
    return bool(user.is_staff or user.is_superuser)


def session_passed_mfa(session, user) -> bool:
    """Whether `session` records a two-factor step by `user` (allauth's records)."""
    if session is None or user.pk is None:
        return False
    if session.get(_AUTHENTICATION_METHODS_USER_SESSION_KEY) != user_id_to_str(user):
        return False
    records = session.get(AUTHENTICATION_METHODS_SESSION_KEY)
    if not isinstance(records, list):
        return False
    return any(isinstance(r, dict) and r.get("method") == "mfa" for r in records)


def mark(user, session) -> None:
    """Record on `user` whether the session it came with passed two-factor authentication."""
    if user is not None and user.is_authenticated and needs_mfa(user):
        setattr(user, MARK, session_passed_mfa(session, user))


def mfa_pending(user) -> bool:
    """A staff account signed in by a session that has not passed two-factor authentication."""
    return getattr(user, MARK, True) is False


def has_staff_powers(user) -> bool:
    """Whether `user` may see and act as staff now: an active staff account, two-factor passed."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and not mfa_pending(user)
    )


# The challenge of a 401: the API's only credential is allauth's session token.
CHALLENGE = 'X-Session-Token realm="api"'


class SessionTokenAuthentication(XSessionTokenAuthentication):
    """allauth's X-Session-Token authentication, marking the user from the token's session.

    A token that is sent but unknown or expired is a 401 on every endpoint,
    public ones included: an app must learn that its session is gone rather
    than be served as an anonymous visitor. So is a bearer token in
    `Authorization`, a credential this API does not issue. Being the first
    authentication class, its `authenticate_header` makes every "sign in
    first" a 401 with `WWW-Authenticate` (DRF answers 403 without one).
    """

    def authenticate(self, request):
        if request.headers.get("Authorization", "").lower().startswith("bearer "):
            raise AuthenticationFailed(
                _("Bearer tokens are not accepted: send the session token in X-Session-Token."),
                code="invalid_token",
            )
        token = self.get_session_token(request)
        found = super().authenticate(request)
        if token and found is None:
            raise AuthenticationFailed(
                _("The session token is unknown or has expired: sign in again."),
                code="invalid_token",
            )
        if found is not None:
            user, session = found
            mark(user, session)
        return found

    def authenticate_header(self, request):
        return CHALLENGE


class SessionTokenAuthenticationScheme(XSessionTokenAuthenticationScheme):
    """The same X-Session-Token security scheme in the OpenAPI schema."""

    target_class = "citizens.access.SessionTokenAuthentication"


def on_authenticator_added(sender, request=None, user=None, authenticator=None, **kwargs):
    """Setting up TOTP proves the code as entering it at sign-in does: record it as such.

    Without this, staff who set up two-factor authentication after a password
    sign-in would be asked for a code again straight away.
    """
    if request is None or authenticator is None or authenticator.type != "totp":
        return
    record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type)
    # allauth sends this signal on commit, which may come after the response
    # middleware saved the session: save it here.
    request.session.save()
    mark(request.user, request.session)


def on_authenticator_removed(sender, request=None, user=None, authenticator=None, **kwargs):
    """Turning two-factor authentication off ends the staff powers of the session."""
    if request is None or authenticator is None or authenticator.type != "totp":
        return
    records = request.session.get(AUTHENTICATION_METHODS_SESSION_KEY)
    if isinstance(records, list):
        request.session[AUTHENTICATION_METHODS_SESSION_KEY] = [
            r for r in records if not (isinstance(r, dict) and r.get("method") == "mfa")
        ]
        request.session.save()
    mark(request.user, request.session)
