"""The error every notification service refuses with (its message is shown to the person).

A module of its own so that the channels, telegram.py and push.py can raise
it without importing the services (no import cycle).
"""


class NotificationError(Exception):
    """A refused notification operation; the message is shown to the user."""
