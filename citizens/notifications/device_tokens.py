"""Cancelling a phone's waiting messages, and forgetting a phone FCM refused.

Used by the app channel (channels/app.py) and by the devices' service
(devices.py); it imports neither, so the channels and the services stay free
of import cycles.
"""

from .models import Delivery, Device


def cancel_pending(device: Device, *, reason: str) -> int:
    """Cancel the messages still waiting for one phone (it is going away or changing hands)."""
    return Delivery.objects.filter(device=device, status=Delivery.Status.PENDING).update(
        status=Delivery.Status.CANCELLED, last_error=reason
    )


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
