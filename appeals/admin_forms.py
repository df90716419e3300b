"""The forms of the action panel on an appeal's admin page (appeals/admin_views.py)."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import (
    Q,
)
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mycity.models import Department

from .forms import MultipleFileField
from .models import AnswerAttachment, AnswerTemplate, Appeal, RejectReason
from .services import staff as staff_services


def colleagues(departments):
    """Active staff accounts who work in any of `departments` (members or heads).

    Only staff: a resident added to a department by mistake is never offered.
    """
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(Q(departments__in=departments) | Q(headed_departments__in=departments))
        .distinct()
        .order_by("full_name", "email")
    )


class ColleagueChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name} <{obj.email}>" if obj.full_name else obj.email


# --- forms of the action panel ------------------------------------------------


class ActionForm(forms.Form):
    """A form of the action panel; it knows the appeal and who is acting."""

    def __init__(self, *args, appeal: Appeal, user, **kwargs):
        self.appeal = appeal
        self.user = user
        super().__init__(*args, **kwargs)


class AcceptForm(ActionForm):
    department = forms.ModelChoiceField(
        label=_("Route to department"), queryset=Department.objects.none()
    )
    term_days = forms.TypedChoiceField(
        label=_("Term"),
        coerce=int,
        choices=[
            (15, _("15 days (no extra study needed)")),
            (30, _("30 days (needs extra study)")),
        ],
    )
    title = forms.CharField(label=_("Public title"), max_length=150)
    description = forms.CharField(
        label=_("Public text"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Edit out personal data before the request goes public."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        appeal = self.appeal
        self.fields["department"].queryset = Department.objects.filter(is_active=True)
        self.fields["department"].initial = appeal.category.department_id
        self.fields["term_days"].initial = 30 if appeal.term_days > 15 else 15
        self.fields["title"].initial = appeal.title
        self.fields["description"].initial = appeal.description


class QuestionForm(ActionForm):
    question = forms.CharField(
        label=_("Question to the author"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class RejectForm(ActionForm):
    reason = forms.ChoiceField(label=_("Reason"), choices=RejectReason.choices)
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AnonymousForm(ActionForm):
    comment = forms.CharField(
        label=_("Comment to the author"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ForwardForm(ActionForm):
    body = forms.CharField(label=_("Forward to (body)"), max_length=250)
    comment = forms.CharField(
        label=_("Comment to the author"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MergeForm(ActionForm):
    into = forms.CharField(
        label=_("Reference of the original request"),
        max_length=20,
        help_text=_("For example KH-2026-000123."),
    )

    def clean_into(self):
        reference = self.cleaned_data["into"].strip().upper()
        original = (
            staff_services.appeals_for_staff(self.user)
            .exclude(pk=self.appeal.pk)
            .filter(reference=reference)
            .first()
        )
        if original is None:
            raise ValidationError(gettext("No request with this reference is open to you."))
        return original


class ExtendForm(ActionForm):
    days = forms.IntegerField(label=_("Extend by (days)"), min_value=1, max_value=30)
    reason = forms.CharField(
        label=_("Reason (shown to the author)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AnswerForm(ActionForm):
    text = forms.CharField(
        label=_("Official answer"), max_length=10000, widget=forms.Textarea(attrs={"rows": 8})
    )
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_("PDF, JPEG or PNG up to 10 MB each, checked like residents' documents."),
    )
    attachments_public = forms.BooleanField(
        label=_("Show the attachments on the public page"),
        required=False,
        help_text=_(
            "Only if the request is public. The author always sees them. "
            "Leave unticked for documents with personal data."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        template_id = self.initial.get("template")
        if template_id:
            template = self.templates().filter(pk=template_id).first()
            if template is not None:
                self.fields["text"].initial = template.text

    def templates(self):
        return AnswerTemplate.objects.filter(department=self.appeal.department_id, is_active=True)


class AssignForm(ActionForm):
    assignee = ColleagueChoiceField(label=_("Assign to"), queryset=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = colleagues([self.appeal.department_id])
        self.fields["assignee"].initial = self.appeal.assignee_id


class NoteForm(ActionForm):
    text = forms.CharField(
        label=_("Internal note (never shown to the author)"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RedactForm(ActionForm):
    title = forms.CharField(label=_("Public title"), max_length=150)
    description = forms.CharField(
        label=_("Public text"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].initial = self.appeal.title
        self.fields["description"].initial = self.appeal.description


class ConfirmForm(ActionForm):
    """An action without fields: the button is the form."""


class AttachmentsForm(ActionForm):
    public = forms.ModelMultipleChoiceField(
        label=_("Answer files shown on the public page"),
        queryset=AnswerAttachment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only while the request is public. The author always sees every file."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        files = AnswerAttachment.objects.filter(message__appeal=self.appeal)
        self.fields["public"].queryset = files
        self.fields["public"].initial = [f.pk for f in files if f.is_public]
