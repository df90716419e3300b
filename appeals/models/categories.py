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
    choices = models.TextField(
        _("choices"), blank=True, help_text=_("One per line, for single and multiple choice.")
    )
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
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]
