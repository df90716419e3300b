"""Our Ukrainian wording for strings of django-allauth.

Our catalogue (LOCALE_PATHS) takes precedence over the apps' own. Some of
allauth's strings are shadowed by another app's catalogue ("Email" stays
English) or are Title Cased (English style); listing their msgids here keeps makemessages
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
    gettext_noop("Current Password"),
    gettext_noop("New Password"),
    gettext_noop("New Password (again)"),
    gettext_noop("Account Inactive"),
    gettext_noop("Confirm Access"),
    gettext_noop("Enter Sign-In Code"),
    gettext_noop("Make Primary"),
    gettext_noop("Re-send Verification"),
    gettext_noop("Add Email Address"),
    gettext_noop("Add Email"),
    gettext_noop("Account Already Exists"),
    gettext_noop("Email Changed"),
    gettext_noop("Email Confirmation"),
    gettext_noop("Please Confirm Your Email Address"),
    gettext_noop("Email Removed"),
    gettext_noop("Sign-In Code"),
    gettext_noop("Password Changed"),
    gettext_noop("Password Reset Email"),
    gettext_noop("Password Set"),
    gettext_noop("Unknown Account"),
    gettext_noop("Email Address"),
    gettext_noop("Cancel Change"),
    gettext_noop("Change Email"),
    gettext_noop("Confirm Email Address"),
    gettext_noop("Forgot Password?"),
    gettext_noop("Bad Token"),
    gettext_noop("Set Password"),
    gettext_noop("Request Code"),
    gettext_noop("Sign Up Closed"),
    gettext_noop("Verify Your Email Address"),
    gettext_noop("New Recovery Codes Generated"),
    gettext_noop("Authenticator App Activated"),
    gettext_noop("Authenticator App Deactivated"),
    gettext_noop("Deactivate Authenticator App"),
    # allauth's Ukrainian text runs two words together here.
    gettext_noop(
        'Please confirm that <a href="mailto:%(email)s">%(email)s</a> is an email '
        "address for user %(user_display)s."
    ),
]
