"""Forms: the application form generated from a service's fields, and the small ones."""

import datetime as dt
import re
import uuid
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.validators import RegexValidator
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from phonenumber_field.formfields import PhoneNumberField

from .documents import ACCEPT, check_document
from .models import FormField
from .workflow import UrgentGround


class DocumentField(forms.FileField):
    """One PDF, JPEG or PNG, checked by content; cleaned to a CheckedDocument."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": ACCEPT}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if not upload:
            return None
        try:
            return check_document(upload)
        except forms.ValidationError:
            raise
        except Exception as exc:  # pragma: no cover - a broken upload stream
            raise forms.ValidationError(_("This file could not be read.")) from exc


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class DocumentsField(forms.FileField):
    """Several files at once, each checked on its own (the messages' attachments, a
    form's file field that takes several): cleaned to a list of CheckedDocument."""

    def __init__(self, *, max_files=None, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.max_files = max_files or settings.SERVICES_MAX_FILES

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else ([data] if data else [])
        uploads = [upload for upload in uploads if upload]
        if not uploads and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if len(uploads) > self.max_files:
            raise forms.ValidationError(
                ngettext(
                    "You can attach up to %(n)d file here.",
                    "You can attach up to %(n)d files here.",
                    self.max_files,
                )
                % {"n": self.max_files}
            )
        checked, errors = [], []
        for upload in uploads:
            try:
                checked.append(check_document(upload))
            except forms.ValidationError as exc:
                # Say which file: with several, "too large" alone does not help.
                errors.extend(f"{upload.name}: {message}" for message in exc.messages)
        if errors:
            raise forms.ValidationError(errors)
        return checked


def _number(value):
    return None if value is None else Decimal(value)


def build_field(spec: FormField) -> forms.Field:
    """The Django form field for one FormField row."""
    common = {
        "label": spec.label,
        "required": spec.required if spec.type != FormField.Type.YES_NO else False,
        "help_text": spec.help_text,
    }
    lo, hi = spec.min_value, spec.max_value
    kind = spec.type
    if kind in (FormField.Type.TEXT, FormField.Type.LONG_TEXT):
        widget = forms.Textarea(attrs={"rows": 5}) if kind == FormField.Type.LONG_TEXT else None
        limit = 5000 if kind == FormField.Type.LONG_TEXT else 300
        field = forms.CharField(
            min_length=int(lo) if lo is not None else None,
            max_length=min(int(hi), limit) if hi is not None else limit,
            widget=widget,
            **common,
        )
        if spec.pattern:
            field.validators.append(
                RegexValidator(
                    regex=rf"\A(?:{spec.pattern})\Z",
                    message=spec.pattern_message or _("Enter the value in the format shown."),
                )
            )
            if kind == FormField.Type.TEXT:
                field.widget.attrs["pattern"] = spec.pattern
        return field
    if kind == FormField.Type.NUMBER:
        return forms.DecimalField(
            min_value=_number(lo),
            max_value=_number(hi),
            max_digits=14,
            decimal_places=2,
            widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
            **common,
        )
    if kind == FormField.Type.DATE:
        field = forms.DateField(
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            input_formats=["%Y-%m-%d", "%d.%m.%Y"],
            **common,
        )
        field.earliest, field.latest = spec.date_bound(lo), spec.date_bound(hi)
        if field.earliest:
            field.widget.attrs["min"] = field.earliest.isoformat()
        if field.latest:
            field.widget.attrs["max"] = field.latest.isoformat()
        return field
    if kind == FormField.Type.CHOICE:
        options = [(str(i), text) for i, text in enumerate(spec.choice_list)]
        if len(options) <= 5:
            return forms.ChoiceField(choices=options, widget=forms.RadioSelect, **common)
        return forms.ChoiceField(choices=[("", "—"), *options], **common)
    if kind == FormField.Type.YES_NO:
        if spec.required:
            # A required yes/no is a statement the applicant must confirm.
            common["required"] = True
            return forms.BooleanField(**common)
        return forms.TypedChoiceField(
            choices=[("yes", _("Yes")), ("no", _("No"))],
            coerce=str,
            widget=forms.RadioSelect,
            label=spec.label,
            help_text=spec.help_text,
            required=False,
        )
    if kind == FormField.Type.FILE:
        return _file_field(spec, common)
    if kind == FormField.Type.EMAIL:
        return forms.EmailField(max_length=254, **common)
    if kind == FormField.Type.PHONE:
        return PhoneNumberField(
            region="UA", widget=forms.TextInput(attrs={"type": "tel"}), **common
        )
    raise ValueError(f"unknown field type {kind!r}")


def _file_field(spec: FormField, common: dict) -> forms.Field:
    mb = settings.SERVICES_UPLOAD_MAX_MB
    if (spec.max_files or 1) <= 1:
        common["help_text"] = spec.help_text or _("PDF, JPEG or PNG, up to %(mb)d MB.") % {"mb": mb}
        return DocumentField(**common)
    limit = ngettext(
        "Up to %(n)d file, each a PDF, JPEG or PNG up to %(mb)d MB; choose them together.",
        "Up to %(n)d files, each a PDF, JPEG or PNG up to %(mb)d MB; choose them together.",
        spec.max_files,
    ) % {"n": spec.max_files, "mb": mb}
    common["help_text"] = f"{spec.help_text} {limit}" if spec.help_text else limit
    return DocumentsField(max_files=spec.max_files, **common)


def _as_list(value) -> list:
    if not value:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


class ApplicationForm(forms.Form):
    """The form a service defines in the admin, made into a real Django form."""

    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, service, specs=None, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", uuid.uuid4())
        super().__init__(*args, **kwargs)
        self.service = service
        self.specs = list(service.fields.all()) if specs is None else specs
        for spec in self.specs:
            self.fields[f"f_{spec.code}"] = build_field(spec)
        if service.urgent_hours:
            self.fields["urgent"] = forms.BooleanField(
                label=gettext_lazy("The information is needed to protect life or freedom"),
                help_text=_(
                    "Then the answer is due within %(hours)d hours. Say why in your request."
                )
                % {"hours": service.urgent_hours},
                required=False,
                widget=forms.HiddenInput,
            )
            self.fields["urgent_ground"] = forms.ChoiceField(
                label=_("Do you need the answer within %(hours)d hours?")
                % {"hours": service.urgent_hours},
                help_text=_(
                    "The law sets the shorter term only on these grounds "
                    "(Art. 20(2) of the Law on Access to Public Information)."
                ),
                choices=[("", _("No, the usual term")), *UrgentGround.choices],
                required=False,
            )

    def clean(self):
        data = super().clean()
        for spec in self.specs:
            name = f"f_{spec.code}"
            value = data.get(name)
            field = self.fields[name]
            if isinstance(value, dt.date) and spec.type == FormField.Type.DATE:
                if field.earliest and value < field.earliest:
                    self.add_error(
                        name,
                        _("The date cannot be earlier than %(d)s.")
                        % {"d": formats.date_format(field.earliest, "SHORT_DATE_FORMAT")},
                    )
                if field.latest and value > field.latest:
                    self.add_error(
                        name,
                        _("The date cannot be later than %(d)s.")
                        % {"d": formats.date_format(field.latest, "SHORT_DATE_FORMAT")},
                    )
        if (
            sum(
                len(_as_list(data.get(f"f_{spec.code}")))
                for spec in self.specs
                if spec.type == FormField.Type.FILE
            )
            > settings.SERVICES_MAX_FILES
        ):
            raise forms.ValidationError(
                _("You can attach up to %(n)d files.") % {"n": settings.SERVICES_MAX_FILES}
            )
        return data

    def field_pairs(self):
        """(spec, bound field) in the service's order, for the template."""
        return [(spec, self[f"f_{spec.code}"]) for spec in self.specs]

    def submit_kwargs(self) -> dict:
        """The answers as stored (labels in both languages) and the documents."""
        answers, documents = [], []
        for spec in self.specs:
            value = self.cleaned_data.get(f"f_{spec.code}")
            if spec.type == FormField.Type.FILE:
                files = _as_list(value)
                documents.extend((spec.code, document) for document in files)
                text = ", ".join(document.name for document in files)
            else:
                text = _display(spec, value)
            answers.append(
                {
                    "code": spec.code,
                    "type": spec.type,
                    "label": {
                        "uk": spec.label_uk or spec.label,
                        "en": spec.label_en or spec.label_uk or spec.label,
                    },
                    "value": text,
                }
            )
        return {
            "answers": answers,
            "documents": documents,
            "urgent": bool(self.cleaned_data.get("urgent")),
            "urgent_ground": self.cleaned_data.get("urgent_ground") or "",
            "idempotency_key": self.cleaned_data["idempotency_key"],
        }


def _display(spec: FormField, value) -> str:
    if value in (None, ""):
        return ""
    if spec.type == FormField.Type.CHOICE:
        choices = spec.choice_list
        return choices[int(value)] if value.isdigit() and int(value) < len(choices) else ""
    if spec.type == FormField.Type.YES_NO:
        yes = value is True or value == "yes"
        return str(_("Yes") if yes else _("No"))
    if spec.type == FormField.Type.DATE:
        return value.strftime("%d.%m.%Y")
    if spec.type == FormField.Type.PHONE:
        return value.as_international
    if spec.type == FormField.Type.NUMBER:
        return re.sub(r"\.?0+$", "", f"{value:f}") if "." in f"{value:f}" else f"{value:f}"
    return str(value).strip()


class MessageForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Message"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    files = DocumentsField(
        label=gettext_lazy("Files"),
        help_text=gettext_lazy("PDF, JPEG or PNG."),
    )

    def clean(self):
        data = super().clean()
        if not self.errors and not (data.get("body") or "").strip() and not data.get("files"):
            raise forms.ValidationError(_("Write a message or attach a file."))
        return data


class BookingForm(forms.Form):
    centre = forms.TypedChoiceField(label=gettext_lazy("Service centre"), coerce=int)
    day = forms.DateField(
        label=gettext_lazy("Day"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
    )

    def __init__(self, *args, centres, **kwargs):
        """`centres`: the service's centres, already fetched (no query per use)."""
        super().__init__(*args, **kwargs)
        self.centres = {centre.pk: centre for centre in centres}
        self.fields["centre"].choices = [(pk, c.name) for pk, c in self.centres.items()]
        self.fields["centre"].widget.attrs["class"] = "form-select"

    def clean_centre(self):
        return self.centres[self.cleaned_data["centre"]]


class PublicRequestForm(ApplicationForm):
    """A request for public information without an account (Art. 19): the
    service's form plus a name and a postal or e-mail address for the answer.

    Spam protection without a third-party CAPTCHA: a field people never see
    (robots fill it in) and the rate limit of the view."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requester_name"] = forms.CharField(label=_("Your name"), max_length=200)
        self.fields["requester_email"] = forms.EmailField(
            label=_("E-mail for the answer"), required=False
        )
        self.fields["requester_address"] = forms.CharField(
            label=_("Postal address for the answer"),
            help_text=_("Give an e-mail or a postal address, or both."),
            max_length=500,
            required=False,
            widget=forms.Textarea(attrs={"rows": 2}),
        )
        self.fields["website"] = forms.CharField(
            label=_("Leave this field empty"),
            required=False,
            widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
        )

    def clean(self):
        data = super().clean()
        if data.get("website"):
            raise forms.ValidationError(_("The request could not be accepted."))
        if not data.get("requester_email") and not (data.get("requester_address") or "").strip():
            self.add_error("requester_email", _("Give a postal or e-mail address for the answer."))
        return data

    def public_kwargs(self) -> dict:
        kwargs = self.submit_kwargs()
        return {
            "answers": kwargs["answers"],
            "urgent_ground": kwargs["urgent_ground"],
            "idempotency_key": kwargs["idempotency_key"],
            "name": self.cleaned_data["requester_name"],
            "email": self.cleaned_data.get("requester_email") or "",
            "postal_address": self.cleaned_data.get("requester_address") or "",
        }
