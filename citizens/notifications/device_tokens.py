"""Forgetting a phone FCM refused.

Used by the app channel (channels/app.py); it imports no channel, so the
channels stay free of import cycles.
"""

from .addresses import cancel_pending
from .models import Device


def device_forget(*, device_id: int, token: str, reason: str) -> None:
    """The provider said this token is dead: cancel what waits for it and drop it.

    Only the row that still holds `token` goes: a phone re-registered with a
    fresh token in the meantime stays.
    """
    device = Device.objects.filter(pk=device_id, token=token).first()
    if device is None:
        return
    cancel_pending(device, reason=reason)
    device.delete()
