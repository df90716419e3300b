"""Session engines that treat a malformed session key as no session (the settings pick one).

The key comes from the session cookie (whose quoted form may carry a NUL as
the octal escape \\000) and, for apps, from allauth's X-Session-Token header.
Django accepts any key of eight characters or more and looks it up, which is a
500 on PostgreSQL for a NUL. Keys Django makes are 32 lowercase letters and
digits: anything outside that alphabet cannot name a session.
"""

import string

KEY_CHARACTERS = frozenset(string.ascii_lowercase + string.digits)


def well_formed(key) -> bool:
    return isinstance(key, str) and 8 <= len(key) <= 64 and set(key) <= KEY_CHARACTERS


class WellFormedKeys:
    """Mixed into a SessionStore: a malformed key is no session, not a failing query."""

    def _validate_session_key(self, key):
        return super()._validate_session_key(key) and well_formed(key)

    def exists(self, session_key):
        return well_formed(session_key) and super().exists(session_key)

    async def aexists(self, session_key):
        return well_formed(session_key) and await super().aexists(session_key)
