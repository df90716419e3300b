from django.utils.functional import cached_property

from .access import mfa_pending
from .notifications.models import Notification

# Past this the bell shows "99+": the exact figure adds nothing on a phone.
BELL_CAP = 99


class UnreadNotifications:
    """The signed-in person's unread count, counted on first use only.

    One COUNT over the partial index of unread rows (citizens_notif_unread);
    a template that never shows the bell (an htmx partial) costs no query.
    """

    def __init__(self, user):
        self._user = user

    @cached_property
    def count(self) -> int:
        return Notification.objects.filter(recipient=self._user, read_at__isnull=True).count()

    @property
    def label(self) -> str:
        return f"{BELL_CAP}+" if self.count > BELL_CAP else str(self.count)

    def __bool__(self) -> bool:
        return self.count > 0


def notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "notifications_unread": UnreadNotifications(user),
        # A staff account whose session has not passed two-factor authentication.
        "staff_mfa_pending": mfa_pending(user),
    }
