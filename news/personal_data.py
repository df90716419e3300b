"""News' part of a person's data (citizens.personal_data): the subscription."""

from citizens.personal_data import PersonalData

from .models import Subscription


def export(user) -> tuple[dict, dict]:
    subscription = Subscription.objects.filter(user=user).first()
    if subscription is None:
        return {"subscription": None}, {}
    return {
        "subscription": {
            "digest": subscription.digest,
            "digest_topics": [str(t) for t in subscription.digest_topics.all()],
            "digest_districts": [str(d) for d in subscription.digest_districts.all()],
            "alert_districts": [str(d) for d in subscription.alert_districts.all()],
            "muted_kinds": subscription.muted_kind_list,
        }
    }, {}


def erase(user) -> None:
    Subscription.objects.filter(user=user).delete()


ENTRY = PersonalData(name="news", export=export, erase=erase)
