"""Appeals in the states the public pages care about (tests of list, search, map)."""

import datetime as dt

from django.utils import timezone

from appeals.models import Appeal, AppealPhoto
from appeals.services import transition
from appeals.workflow import MODERATOR, Action
from tests.factories import CategoryFactory, DistrictFactory, submit_appeal


def public_appeal(author, *, accept=True, **fields):
    """An appeal filed through the service and, by default, accepted by a moderator."""
    appeal = submit_appeal(author, **fields)
    if accept:
        appeal = transition(appeal=appeal, action=Action.ACCEPT, actor=author, role=MODERATOR)
    return appeal


def many_public_appeals(author, n: int) -> list[Appeal]:
    """`n` accepted appeals over 4 categories and 4 districts, each with 2 photos."""
    categories = [CategoryFactory(icon="💡") for _ in range(4)]
    districts = [DistrictFactory() for _ in range(4)]
    appeals = [
        public_appeal(
            author,
            category=categories[i % 4],
            district=districts[i % 4],
            title=f"Не працюють ліхтарі {i}",
        )
        for i in range(n)
    ]
    AppealPhoto.objects.bulk_create(
        AppealPhoto(appeal=a, image=f"appeals/test/{a.pk}-{k}.jpg", width=10, height=10)
        for a in appeals
        for k in range(2)
    )
    return appeals


def set_registered(appeal: Appeal, day: dt.date, *, deadline_days: int = 15) -> Appeal:
    """Move an appeal's registration (and so its deadline) to `day`."""
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
    Appeal.objects.filter(pk=appeal.pk).update(
        registered_at=at, deadline=day + dt.timedelta(days=deadline_days)
    )
    appeal.refresh_from_db()
    return appeal
