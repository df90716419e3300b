from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import override

from citizens.notifications.services import notify_audience

from ..models import Audience, Survey
from .common import SurveyError


def survey_announce(*, survey: Survey, actor=None):
    """Tell the survey's audience that it is open, once, through the notifications outbox.

    Locks the survey so two staff pressing "announce" together send one
    broadcast. Only a published survey that has not closed can be announced.
    Returns the Broadcast. Raises SurveyError.
    """
    with transaction.atomic():
        locked = Survey.objects.select_for_update().get(pk=survey.pk)
        if locked.announced_at is not None:
            raise SurveyError(
                _("“%(title)s” was already announced on %(date)s.")
                % {"title": locked.title, "date": date_format(locked.announced_at, "DATE_FORMAT")}
            )
        if not locked.is_published:
            raise SurveyError(_("Publish “%(title)s” before announcing it.") % {"title": locked})
        if locked.is_closed:
            raise SurveyError(
                _("“%(title)s” is closed: there is nothing to announce.") % {"title": locked}
            )
        district_ids = None
        if locked.audience == Audience.DISTRICTS:
            district_ids = list(locked.districts.values_list("pk", flat=True))
            if not district_ids:
                raise SurveyError(_("Choose the survey's districts before announcing it."))
        closes = {}
        for code in ("uk", "en"):
            with override(code):
                closes[code] = date_format(timezone.localtime(locked.closes_at), "DATE_FORMAT")
        broadcast = notify_audience(
            event="surveys.announced",
            context={
                "title": {"uk": locked.title_uk, "en": locked.title_en or locked.title_uk},
                "closes": closes,
            },
            url=locked.get_absolute_url(),
            district_ids=district_ids,
            verified_only=locked.audience == Audience.VERIFIED,
        )
        locked.announced_at = timezone.now()
        locked.save(update_fields=["announced_at", "updated_at"])
    return broadcast
