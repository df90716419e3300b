"""Categories of appeals, their groups and extra questions; the kinds of appeal."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mycity.models import IncidentKind


class Kind(models.TextChoices):
    PROBLEM = "problem", _("Problem report")
    PROPOSAL = "proposal", _("Proposal")
    APPLICATION = "application", _("Application")
    COMPLAINT = "complaint", _("Complaint")


class CategoryGroup(models.Model):
    name = models.CharField(_("name"), max_length=120)
    ordering = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("category group")
        verbose_name_plural = _("category groups")
        ordering = ["ordering", "name"]

    def __str__(self):
        return self.name


class Category(models.Model):
    group = models.ForeignKey(
        CategoryGroup, verbose_name=_("group"), on_delete=models.PROTECT, related_name="categories"
    )
    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)
    icon = models.CharField(
        _("icon"), max_length=8, blank=True, help_text=_("An emoji shown next to the name.")
    )
    kinds = models.JSONField(
        _("kinds"),
        default=list,
        help_text=_('Which kinds of appeal may use this category, e.g. ["problem", "proposal"].'),
    )
    department = models.ForeignKey(
        "mycity.Department",
        verbose_name=_("routed to"),
        on_delete=models.PROTECT,
        related_name="appeal_categories",
    )
    location_required = models.BooleanField(_("location required"), default=False)
    sensitive = models.BooleanField(
        _("sensitive"),
        default=False,
        help_text=_("Never public; the emergency numbers are shown before the form."),
    )
    answer_days = models.PositiveSmallIntegerField(
        _("days to answer"),
        default=15,
        # Art. 20: the first term is at most one month; 45 days only with an extension.
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_("15 when no extra study is needed, otherwise up to 30 (the law)."),
    )
    support_threshold = models.PositiveIntegerField(
        _("support threshold"),
        null=True,
        blank=True,
        help_text=_(
            "Supports a proposal needs for an official answer; empty: the city-wide setting."
        ),
    )
    # Reports in this category are about an outage of this kind: one inside a
    # live incident's area is linked to it (services/incidents.py).
    incident_kind = models.CharField(
        _("outage kind"),
        max_length=20,
        choices=IncidentKind,
        blank=True,
        help_text=_(
            "Which outage reports in this category are about, e.g. “No electricity” → power. "
            "A report inside a known outage of this kind is linked to it."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    ordering = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["group__ordering", "ordering", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(answer_days__gte=1, answer_days__lte=30),
                name="appeals_category_first_term_within_one_month",
            )
        ]

    def __str__(self):
        return f"{self.icon} {self.name}".strip()

    def accepts(self, kind: str) -> bool:
        return kind in (self.kinds or [])


class CategoryQuestion(models.Model):
    class Type(models.TextChoices):
        TEXT = "text", _("text")
        NUMBER = "number", _("number")
        YES_NO = "yes_no", _("yes/no")
        SINGLE = "single", _("single choice")
        MULTIPLE = "multiple", _("multiple choice")

    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.CASCADE, related_name="questions"
    )
    code = models.SlugField(_("code"), max_length=40)
    label = models.CharField(_("question"), max_length=200)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    type = models.CharField(_("type"), max_length=16, choices=Type, default=Type.TEXT)
    required = models.BooleanField(_("required"), default=False)
    ordering = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("extra question")
        verbose_name_plural = _("extra questions")
        ordering = ["ordering", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "code"], name="appeals_question_code_unique"
            )
        ]

    def __str__(self):
        return self.label

    @property
    def has_choices(self) -> bool:
        return self.type in (self.Type.SINGLE, self.Type.MULTIPLE)

    @property
    def listed_choices(self) -> list:
        """The choices a resident picks from (none unless single or multiple choice)."""
        return list(self.choices.all()) if self.has_choices else []

    def choice_key(self, value: str) -> str | None:
        """The key of the choice `value` names: its key, or (deprecated) its label in
        Ukrainian or English, as answers carried before choices had keys. None: no such choice.
        Reads the prefetched `choices`."""
        text = " ".join(str(value).split())
        for choice in self.choices.all():
            if text == choice.key:
                return choice.key
        folded = text.casefold()
        for choice in self.choices.all():
            if folded in (choice.label_uk.casefold(), (choice.label_en or "").casefold()):
                return choice.key
        return None


class QuestionChoice(models.Model):
    """One choice of a single or multiple choice question.

    Answers store the key, so a resident who read the Ukrainian label and one who
    read the English label file the same value. The key never changes once saved
    (apps keep it, and answers hold it); the label may be reworded freely.
    """

    question = models.ForeignKey(
        CategoryQuestion,
        verbose_name=_("question"),
        on_delete=models.CASCADE,
        related_name="choices",
    )
    key = models.SlugField(
        _("key"),
        max_length=60,
        blank=True,
        help_text=_(
            "Latin letters, digits and hyphens; made from the label when left empty. "
            "It never changes once saved: apps and stored answers use it."
        ),
    )
    label = models.CharField(_("label"), max_length=200)
    ordering = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("choice")
        verbose_name_plural = _("choices")
        ordering = ["ordering", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "key"], name="appeals_question_choice_key_unique"
            ),
            models.CheckConstraint(
                condition=~Q(key=""), name="appeals_question_choice_key_not_empty"
            ),
        ]

    def __str__(self):
        return self.label
