"""Where a person's pushed messages go: a browser's subscription or an app's phone.

One rule for both kinds of address (push.py, devices.py):
- an address is stored once: registering it again updates it, and if it belonged
  to someone else (a shared phone, a new sign-in) it moves to the new person,
  the former owner's messages still waiting for it cancelled, never shown to the
  new owner;
- a person keeps at most MAX_PER_PERSON, the least recent going first, so one
  account cannot make every notification fan out to thousands of rows;
- removing is by the person's own address only, and does not tell whether
  someone else has it.
"""

from django.db import IntegrityError, models, transaction

from ..models import User
from .models import Delivery, Device, PushSubscription

MAX_PER_PERSON = 10

# The Delivery field that points at each kind of address.
_DELIVERY_FIELD = {PushSubscription: "push_subscription", Device: "device"}


def cancel_pending(address: models.Model, *, reason: str) -> int:
    """Cancel the messages still waiting for one address (it is going away or moving)."""
    lookup = {_DELIVERY_FIELD[type(address)]: address}
    return Delivery.objects.filter(status=Delivery.Status.PENDING, **lookup).update(
        status=Delivery.Status.CANCELLED, last_error=reason
    )


def register(
    model: type[models.Model],
    *,
    user: User,
    key: dict,
    fields: dict,
    on_create: dict | None = None,
    recent_first: tuple[str, ...],
) -> tuple[models.Model, bool]:
    """Store the address `key` for `user` with `fields`; returns (address, created).

    `on_create` is only written to a new row; `recent_first` orders a person's
    addresses to keep the first MAX_PER_PERSON.
    """
    values = {"user": user, **fields}
    with transaction.atomic():
        address = model.objects.select_for_update().filter(**key).first()
        created = False
        if address is None:
            try:
                with transaction.atomic():
                    address = model.objects.create(**key, **values, **(on_create or {}))
                    created = True
            except IntegrityError:  # the same address registered twice at once
                address = model.objects.select_for_update().get(**key)
        if not created:
            if address.user_id != user.pk:
                cancel_pending(address, reason="device moved to another account")
            for name, value in values.items():
                setattr(address, name, value)
            address.save(update_fields=list(values))
        surplus = list(
            model.objects.filter(user=user)
            .order_by(*recent_first)
            .values_list("pk", flat=True)[MAX_PER_PERSON:]
        )
        for old in model.objects.filter(pk__in=surplus):
            cancel_pending(old, reason="device replaced by a newer one")
            old.delete()
    return address, created


def remove(model: type[models.Model], *, user: User, key: dict) -> bool:
    """Remove one of `user`'s addresses; False if they have no such one."""
    with transaction.atomic():
        address = model.objects.select_for_update().filter(user=user, **key).first()
        if address is None:
            return False
        cancel_pending(address, reason="device removed")
        address.delete()
    return True
