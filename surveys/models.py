"""Surveys, their questions and choices, and the responses residents give.

One person answers a survey once: `Participation` (survey, user) is unique.
Answers live in `Response`/`Answer` rows; a response to an anonymous survey
carries no user and a random id, and its time is kept to the hour, so the
link between a person and what they answered is never stored.
Answers are normalised (one row per chosen option, number or text) so the
results are database aggregates.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from citizens.access import has_staff_powers
from mycity.models import District

# Paths beside the surveys' own (/api/v1/surveys/answered/).
RESERVED_SLUGS = frozenset({"answered"})


class Audience(models.TextChoices):
    EVERYONE = "everyone", _("Anyone signed in")
    VERIFIED = "verified", _("Verified residents only")
    DISTRICTS = "districts", _("Residents of chosen districts")


class ResultsVisibility(models.TextChoices):
    LIVE = "live", _("Live, while the survey is open")
    AFTER_CLOSE = "after_close", _("After the survey closes")
    STAFF = "staff", _("City staff only")


class Kind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    RATING = "rating", _("Rating scale")
    YES_NO = "yes_no", _("Yes or no")
    SHORT_TEXT = "short_text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")
    NUMBER = "number", _("Number")
    RANKING = "ranking", _("Ranking")


CHOICE_KINDS = {Kind.SINGLE, Kind.MULTIPLE, Kind.RANKING}
TEXT_KINDS = {Kind.SHORT_TEXT, Kind.LONG_TEXT}


class SurveyQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True, opens_at__lte=timezone.now())

    def open(self):
        now = timezone.now()
        return self.filter(is_published=True, opens_at__lte=now, closes_at__gt=now)

    def for_user(self, user):
        """Published surveys whose audience includes `user` (staff see every one)."""
        surveys = self.published()
        if not user.is_authenticated:
            return surveys
        if has_staff_powers(user):
            return surveys
        audience = Q(audience=Audience.EVERYONE)
        if user.is_verified_resident:
            audience |= Q(audience=Audience.VERIFIED)
        if user.district_id:
            audience |= Q(audience=Audience.DISTRICTS, districts=user.district_id)
        return surveys.filter(audience).distinct()

    def with_answered(self, user):
        if not user.is_authenticated:
            return self.annotate(answered=models.Value(False))
        return self.annotate(
            answered=Exists(Participation.objects.filter(survey=OuterRef("pk"), user=user))
        )


class Survey(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("address"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)
    cover = models.ImageField(_("cover image"), upload_to="surveys/covers/", blank=True)
    cover_alt = models.CharField(
        _("cover description"),
        max_length=200,
        blank=True,
        help_text=_("What the picture shows, for people who cannot see it."),
    )
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    is_published = models.BooleanField(
        _("published"), default=False, help_text=_("Drafts are seen only by staff.")
    )
    audience = models.CharField(
        _("who may answer"), max_length=12, choices=Audience.choices, default=Audience.EVERYONE
    )
    districts = models.ManyToManyField(
        District,
        blank=True,
        related_name="surveys",
        verbose_name=_("districts"),
        help_text=_("For “residents of chosen districts”: their home district in the profile."),
    )
    is_anonymous = models.BooleanField(
        _("anonymous"),
        default=True,
        help_text=_("Staff never see who gave which answers; only that a person took part."),
    )
    results_visibility = models.CharField(
        _("results are shown"),
        max_length=12,
        choices=ResultsVisibility.choices,
        default=ResultsVisibility.AFTER_CLOSE,
    )
    announced_at = models.DateTimeField(_("announced at"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = SurveyQuerySet.as_manager()

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-opens_at", "-pk"]
        permissions = [
            ("announce_survey", _("Can announce a survey to its audience")),
            ("view_results", _("Can see full results, free-text answers and exports")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="surveys_survey_closes_after_opening",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("surveys:detail", args=[self.slug])

    def clean(self):
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("A survey must close after it opens.")})
        if self.slug in RESERVED_SLUGS:
            raise ValidationError({"slug": _("This address is taken by the site; choose another.")})

    @property
    def is_open(self) -> bool:
        now = timezone.now()
        return self.is_published and self.opens_at <= now < self.closes_at

    @property
    def is_closed(self) -> bool:
        return timezone.now() >= self.closes_at

    @property
    def is_upcoming(self) -> bool:
        return timezone.now() < self.opens_at


class Question(models.Model):
    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="questions", verbose_name=_("survey")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    page = models.PositiveSmallIntegerField(
        _("screen"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_("Questions with the same number are shown together, one screen at a time."),
    )
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices)
    text = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("hint"), max_length=300, blank=True)
    required = models.BooleanField(_("required"), default=False)
    allow_other = models.BooleanField(
        _("“other, please specify”"),
        default=False,
        help_text=_("Single and multiple choice: offer a free-text “other” option."),
    )
    min_choices = models.PositiveSmallIntegerField(
        _("at least"), null=True, blank=True, help_text=_("Multiple choice: fewest options.")
    )
    max_choices = models.PositiveSmallIntegerField(
        _("at most"), null=True, blank=True, help_text=_("Multiple choice: most options.")
    )
    scale_max = models.PositiveSmallIntegerField(
        _("scale"),
        choices=[(5, "1–5"), (10, "1–10")],
        default=5,
        help_text=_("Rating scale: from 1 to this number."),
    )
    number_min = models.DecimalField(
        _("smallest number"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    number_max = models.DecimalField(
        _("largest number"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    condition_question = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dependants",
        verbose_name=_("show only if the answer to"),
        help_text=_("A single choice, multiple choice or yes/no question on an earlier screen."),
    )
    condition_choice = models.ForeignKey(
        "Choice",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("includes the option"),
    )
    condition_yes = models.BooleanField(
        _("is (yes/no)"),
        null=True,
        blank=True,
        help_text=_("For a yes/no question: the answer that shows this question."),
    )

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["survey", "page", "order", "pk"]
        indexes = [models.Index(fields=["survey", "page", "order"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_choices__isnull=True)
                | Q(max_choices__isnull=True)
                | Q(min_choices__lte=models.F("max_choices")),
                name="surveys_question_min_le_max",
            ),
        ]

    def __str__(self):
        return self.text

    def clean(self):
        errors = {}
        low, high = self.min_choices, self.max_choices
        if low is not None and high is not None and low > high:
            errors["max_choices"] = _("“At most” cannot be less than “at least”.")
        if (
            self.number_min is not None
            and self.number_max is not None
            and self.number_min > self.number_max
        ):
            errors["number_max"] = _("The largest number cannot be less than the smallest.")
        if self.allow_other and self.kind not in (Kind.SINGLE, Kind.MULTIPLE):
            errors["allow_other"] = _("Only single and multiple choice questions have “other”.")
        condition = self.condition_question
        if condition is not None:
            if condition.pk == self.pk or condition.survey_id != self.survey_id:
                errors["condition_question"] = _("Pick a question of the same survey.")
            elif condition.page >= self.page:
                errors["condition_question"] = _(
                    "The question it depends on must be on an earlier screen."
                )
            elif condition.kind == Kind.YES_NO:
                if self.condition_yes is None:
                    errors["condition_yes"] = _("Say which answer shows this question.")
            elif condition.kind in (Kind.SINGLE, Kind.MULTIPLE):
                if self.condition_choice is None:
                    errors["condition_choice"] = _("Pick the option that shows this question.")
                elif self.condition_choice.question_id != condition.pk:
                    errors["condition_choice"] = _(
                        "The option must belong to the question it depends on."
                    )
            else:
                errors["condition_question"] = _(
                    "Only single choice, multiple choice and yes/no answers can show a question."
                )
        elif self.condition_choice_id or self.condition_yes is not None:
            errors["condition_question"] = _("Pick the question this one depends on.")
        if errors:
            raise ValidationError(errors)

    @property
    def has_choices(self) -> bool:
        return self.kind in CHOICE_KINDS

    @property
    def is_text(self) -> bool:
        return self.kind in TEXT_KINDS


class Choice(models.Model):
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="choices", verbose_name=_("question")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    label = models.CharField(_("option"), max_length=200)

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["question", "order", "pk"]

    def __str__(self):
        return self.label


class Participation(models.Model):
    """That a person took part: what makes "one person, one response" a database rule."""

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="participations", verbose_name=_("survey")
    )
    # PROTECT: each participation stands for one response, so an account that
    # took part is erased (a tombstone), never hard-deleted (docs/operations.md).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="survey_participations",
        verbose_name=_("person"),
    )
    # The day only: a precise time could be matched to an anonymous response.
    day = models.DateField(_("day"), default=timezone.localdate)

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(fields=["survey", "user"], name="surveys_one_response_each")
        ]

    def __str__(self):
        return f"{self.survey_id}:{self.user_id}"


class Response(models.Model):
    # Random, so the order of responses cannot be matched to the order of participations.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="responses", verbose_name=_("survey")
    )
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="survey_responses",
        verbose_name=_("respondent"),
        help_text=_("Empty for anonymous surveys."),
    )
    district = models.ForeignKey(
        District,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )
    language = models.CharField(_("language"), max_length=8, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), db_index=True)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        ordering = ["-submitted_at"]
        indexes = [models.Index(fields=["survey", "submitted_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "respondent"],
                condition=Q(respondent__isnull=False),
                name="surveys_one_named_response_each",
            )
        ]

    def __str__(self):
        return str(self.id)


class Answer(models.Model):
    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="answers", verbose_name=_("response")
    )
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="answers", verbose_name=_("question")
    )
    choice = models.ForeignKey(
        Choice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="answers",
        verbose_name=_("option"),
    )
    # Rating, yes (1) / no (0), a number, or a ranked option's place (1 = first).
    number = models.DecimalField(
        _("number"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(-(10**12)), MaxValueValidator(10**12)],
    )
    text = models.TextField(_("text"), blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        indexes = [
            models.Index(fields=["question", "choice"]),
            models.Index(fields=["question", "number"]),
        ]

    def __str__(self):
        return f"{self.question_id}"
