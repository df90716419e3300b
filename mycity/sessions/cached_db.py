"""Django's cached database sessions, malformed keys refused (with Redis)."""

from django.contrib.sessions.backends import cached_db

from . import WellFormedKeys


class SessionStore(WellFormedKeys, cached_db.SessionStore):
    pass
