"""Two endpoints of allauth's headless API, guarded where allauth answers input with a 500.

mycity/api_urls.py routes these before allauth's own URLs, under the same paths:

- password reset: a key with nothing before its "-" (such as "-1", in the JSON
  body or the X-Password-Reset-Key header) reaches allauth's base-36 decoding
  as None, a TypeError; it is an invalid key like any other.
- the phone number endpoint: allauth sets up an anonymous caller only for GET
  and POST, so PUT, PATCH or DELETE without a session is an AttributeError; it
  is answered as allauth answers every anonymous call there, 401.
"""

from allauth.account import app_settings as account_settings
from allauth.account.adapter import get_adapter
from allauth.headless.account import inputs, views
from allauth.headless.base.response import AuthenticationResponse
from allauth.headless.internal.restkit.response import ErrorResponse


def _malformed_link_key(key) -> bool:
    if account_settings.PASSWORD_RESET_BY_CODE_ENABLED or not isinstance(key, str):
        return False
    uidb36, _dash, token = key.partition("-")
    return not uidb36 or not token


class _LinkKeyShape:
    def _clean_key_link(self):
        if _malformed_link_key(self.cleaned_data["key"]):
            raise get_adapter().validation_error("invalid_password_reset")
        return super()._clean_key_link()


class ResetPasswordKeyInput(_LinkKeyShape, inputs.ResetPasswordKeyInput):
    pass


class ResetPasswordInput(_LinkKeyShape, inputs.ResetPasswordInput):
    pass


class ResetPasswordView(views.ResetPasswordView):
    input_class = ResetPasswordInput

    def get(self, request, *args, **kwargs):
        key = request.headers.get("X-Password-Reset-Key", "")
        if not self.process and _malformed_link_key(key):
            refused = ResetPasswordKeyInput({"key": key})
            refused.is_valid()
            return ErrorResponse(request, input=refused)
        return super().get(request, *args, **kwargs)


class ManagePhoneView(views.ManagePhoneView):
    def dispatch(self, request, *args, **kwargs):
        if request.method not in ("GET", "POST") and not request.user.is_authenticated:
            return AuthenticationResponse(request)
        return super().dispatch(request, *args, **kwargs)
