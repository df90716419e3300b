"""Reads that depend on who asks: which surveys a person sees, may answer, may read results of."""

from django.http import Http404
from django.utils.translation import gettext as _

from citizens.access import has_staff_powers

from .models import Audience, Participation, ResultsVisibility, Survey


def is_survey_staff(user) -> bool:
    return has_staff_powers(user) and user.has_perm("surveys.view_survey")


def can_see_full_results(user) -> bool:
    """Free-text answers, exports and results of any survey: survey staff only."""
    return has_staff_powers(user) and user.has_perm("surveys.view_results")


def get_survey_for_user(user, slug: str) -> Survey:
    """The survey at `slug` if `user` may see it, else 404 (drafts exist only for staff)."""
    survey = Survey.objects.filter(slug=slug).first()
    if survey is None:
        raise Http404
    if (not survey.is_published or survey.is_upcoming) and not is_survey_staff(user):
        raise Http404
    return survey


def in_audience(survey: Survey, user) -> bool:
    if survey.audience == Audience.EVERYONE:
        return True
    if survey.audience == Audience.VERIFIED:
        return bool(user.is_verified_resident)
    return user.district_id is not None and any(
        d.pk == user.district_id for d in survey.districts.all()
    )


def answer_refusal(survey: Survey, user, *, answered: bool | None = None) -> str | None:
    """Why `user` may not answer `survey` now, in their language; None if they may.

    `answered`: whether they took part, when the caller already knows (a list
    annotated with `with_answered`), so a list does not ask once per survey.
    """
    if not user.is_authenticated:
        return _("Please sign in to answer this survey.")
    if not survey.is_published or survey.is_upcoming:
        return _("This survey is not open yet.")
    if survey.is_closed:
        return _("This survey closed on %(date)s; answers are no longer accepted.") % {
            "date": _local_date(survey.closes_at)
        }
    if not in_audience(survey, user):
        if survey.audience == Audience.VERIFIED:
            return _(
                "This survey is for verified residents of Kherson. A service centre (ЦНАП) "
                "can confirm that you live in the city."
            )
        names = ", ".join(str(d) for d in survey.districts.all())
        if user.district_id is None:
            return _(
                "This survey is for residents of: %(districts)s. Set your home district in "
                "your profile to take part."
            ) % {"districts": names}
        return _("This survey is only for residents of: %(districts)s.") % {"districts": names}
    if answered is None:
        answered = Participation.objects.filter(survey=survey, user=user).exists()
    if answered:
        return _("You have already answered this survey. Thank you!")
    return None


def results_refusal(survey: Survey, user) -> str | None:
    """Why `user` may not see the results of `survey`; None if they may."""
    if can_see_full_results(user):
        return None
    if survey.results_visibility == ResultsVisibility.STAFF:
        return _("The results of this survey are for city staff only.")
    if survey.results_visibility == ResultsVisibility.AFTER_CLOSE and not survey.is_closed:
        return _("The results will be published when the survey closes on %(date)s.") % {
            "date": _local_date(survey.closes_at)
        }
    return None


def _local_date(value) -> str:
    from django.utils.formats import date_format
    from django.utils.timezone import localtime

    return date_format(localtime(value), "DATETIME_FORMAT")
