"""Django's database sessions, malformed keys refused (the embedded default)."""

from django.contrib.sessions.backends import db

from . import WellFormedKeys


class SessionStore(WellFormedKeys, db.SessionStore):
    pass
