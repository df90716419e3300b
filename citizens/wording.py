"""Our Ukrainian wording for strings of django-allauth.

Our catalogue (LOCALE_PATHS) takes precedence over the apps' own. Some of
allauth's strings are shadowed by another app's catalogue ("Email" stays
English) or are title-cased; listing their msgids here keeps makemessages
from dropping our translations of them.
"""

from django.utils.translation import gettext_noop

ALLAUTH_STRINGS = [
    gettext_noop("Email"),
    gettext_noop("Remember Me"),
    gettext_noop("Password Reset"),
    gettext_noop("Reset My Password"),
    gettext_noop("Change Password"),
    gettext_noop("Two-Factor Authentication"),
    gettext_noop("Activate Authenticator App"),
    gettext_noop("Authenticator App"),
    gettext_noop("Recovery Codes"),
    gettext_noop("Sign In"),
    gettext_noop("Sign Up"),
    gettext_noop("Email Addresses"),
    # allauth's Ukrainian text runs two words together here.
    gettext_noop(
        'Please confirm that <a href="mailto:%(email)s">%(email)s</a> is an email '
        "address for user %(user_display)s."
    ),
]
