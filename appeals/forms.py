"""Forms of the resident side: filing an appeal."""

import uuid
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from citizens.models import User
from citizens.services import appeal_details
from mycity.models import District

from . import photos as photo_rules
from .models import Category, CategoryQuestion, Kind

QUESTION_PREFIX = "q_"
PUBLIC, PRIVATE = "public", "private"
YES, NO = "yes", "no"


def _uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one <input type=file multiple> (the Django 5.2 recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class KeyedChoiceField(forms.ChoiceField):
    """A choice question's field: the value is the choice's key, the label is shown.

    Deprecated, for one release: a label in Ukrainian or English is taken for
    its key, as answers were sent before choices had keys (API clients, and a
    form page loaded before the change).
    """

    def __init__(self, question: CategoryQuestion, **kwargs):
        self.question = question
        choices = [(c.key, c.label) for c in question.choices.all()]
        super().__init__(choices=choices, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return (self.question.choice_key(value) or value) if value else value


class KeyedMultipleChoiceField(forms.MultipleChoiceField):
    """KeyedChoiceField for multiple choice: a list of keys."""

    def __init__(self, question: CategoryQuestion, **kwargs):
        self.question = question
        choices = [(c.key, c.label) for c in question.choices.all()]
        super().__init__(choices=choices, **kwargs)

    def to_python(self, value):
        keys = []
        for item in super().to_python(value):
            key = self.question.choice_key(item) or item
            if key not in keys:
                keys.append(key)
        return keys


def question_field(question: CategoryQuestion) -> forms.Field:
    """A real form field for one of the category's extra questions."""
    common = {
        "label": question.label,
        "help_text": question.help_text,
        "required": question.required,
    }
    if question.type == CategoryQuestion.Type.NUMBER:
        return forms.DecimalField(max_digits=12, decimal_places=2, **common)
    if question.type == CategoryQuestion.Type.YES_NO:
        return forms.ChoiceField(
            choices=[(YES, _("Yes")), (NO, _("No"))], widget=forms.RadioSelect, **common
        )
    if question.type == CategoryQuestion.Type.SINGLE:
        return KeyedChoiceField(question, widget=forms.RadioSelect, **common)
    if question.type == CategoryQuestion.Type.MULTIPLE:
        return KeyedMultipleChoiceField(question, widget=forms.CheckboxSelectMultiple, **common)
    return forms.CharField(max_length=500, **common)


class AppealForm(forms.Form):
    """Step 2 of /requests/new/: the appeal itself, for one kind and category.

    Cleans everything the service needs: photos are re-encoded here so each
    bad file gets its own message next to the field, and a point outside
    the city is refused on the location rather than on the whole form.
    """

    title = forms.CharField(
        label=_("Title"),
        max_length=150,
        help_text=_("In a few words: what and where."),
    )
    description = forms.CharField(
        label=_("Description"),
        min_length=20,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What is wrong, since when, what you expect from the city."),
    )
    address = forms.CharField(
        label=_("Address or landmark"),
        max_length=250,
        required=False,
        help_text=_("For example “Ushakova Ave 12, by the pharmacy”."),
    )
    latitude = forms.FloatField(
        label=_("Latitude"),
        required=False,
        min_value=-90,
        max_value=90,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    longitude = forms.FloatField(
        label=_("Longitude"),
        required=False,
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    photos = MultipleFileField(
        label=_("Photos"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*"}),
        help_text=_("Up to 5 photos, 10 MB each. Location data is removed from them."),
    )
    visibility = forms.ChoiceField(
        label=_("Who can see this request"),
        choices=[
            (
                PUBLIC,
                _(
                    "Public: everyone sees the text, the photos and the approximate place. "
                    "Never your name or your contacts."
                ),
            ),
            (PRIVATE, _("Private: only you and city staff see it.")),
        ],
        widget=forms.RadioSelect,
    )
    # Art. 5: asked only while the profile lacks them; saved to the profile.
    full_name = forms.CharField(
        label=_("Surname, name and patronymic"),
        max_length=User._meta.get_field("full_name").max_length,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        help_text=_("Patronymic where you have one. Kept in your profile for your next requests."),
    )
    residence = forms.CharField(
        label=_("Place of residence"),
        max_length=User._meta.get_field("residence").max_length,
        required=False,
        help_text=User._meta.get_field("residence").help_text,
    )
    # A CharField: a mangled token must not become an error on a hidden field.
    idempotency_key = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(
        self, *args, kind: str, category: Category, author=None, ask_details=None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        # The web form asks for the details the author's profile lacks (Art. 5);
        # the API always takes them (ask_details=True).
        details = appeal_details(author)
        self.asks_details = (not details.complete) if ask_details is None else ask_details
        if self.asks_details:
            self.fields["full_name"].initial = details.full_name
            self.fields["residence"].initial = details.residence
        else:
            del self.fields["full_name"], self.fields["residence"]
        if self.is_bound and _uuid(self.data.get("idempotency_key")) is None:
            # A lost or mangled token must not block the resident: it only
            # guards against double submits. Start a new one and keep it on re-render.
            self.data = self.data.copy()
            self.data["idempotency_key"] = str(uuid.uuid4())
        self.kind, self.category = kind, category
        self.fields["idempotency_key"].initial = uuid.uuid4()
        self.fields["visibility"].initial = (
            PUBLIC if kind in (Kind.PROBLEM, Kind.PROPOSAL) else PRIVATE
        )
        if category.sensitive:
            del self.fields["visibility"]
        if category.location_required:
            self.fields["address"].help_text = _(
                "Put a pin on the map or type the address: one of them is needed."
            )
        self.questions = list(category.questions.all())
        for question in self.questions:
            self.fields[QUESTION_PREFIX + question.code] = question_field(question)

    @property
    def question_fields(self):
        return [self[QUESTION_PREFIX + q.code] for q in self.questions]

    def clean_photos(self):
        uploads = self.cleaned_data["photos"]
        if len(uploads) > photo_rules.MAX_PHOTOS:
            raise ValidationError(
                _("You can attach up to %(n)d photos; you chose %(count)d."),
                params={"n": photo_rules.MAX_PHOTOS, "count": len(uploads)},
            )
        cleaned, errors = [], []
        for upload in uploads:
            try:
                cleaned.append(photo_rules.clean_photo(upload))
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise ValidationError(errors)
        return cleaned

    def clean_idempotency_key(self):
        return _uuid(self.cleaned_data["idempotency_key"])

    def clean(self):
        data = super().clean()
        lat, lon = data.get("latitude"), data.get("longitude")
        if "latitude" in self.errors or "longitude" in self.errors:
            return data
        if (lat is None) != (lon is None):
            self.add_error("latitude", _("Give both the latitude and the longitude, or neither."))
        elif lat is not None:
            if District.objects.locate(lat=lat, lon=lon) is None:
                self.add_error(
                    "latitude", _("This place is outside the city. Put the pin inside the city.")
                )
        elif self.category.location_required and not data.get("address", "").strip():
            self.add_error("address", _("Show the place on the map or type its address."))
        return data

    def extra_answers(self) -> dict:
        answers = {}
        for question in self.questions:
            value = self.cleaned_data.get(QUESTION_PREFIX + question.code)
            if value in (None, "", []):
                continue
            if isinstance(value, Decimal):
                value = float(value) if value != value.to_integral() else int(value)
            answers[question.code] = value
        return answers

    def submit_kwargs(self) -> dict:
        """Keyword arguments for appeal_submit (all but the author)."""
        data = self.cleaned_data
        return {
            "kind": self.kind,
            "category": self.category,
            "title": data["title"],
            "description": data["description"],
            "is_public": data.get("visibility") == PUBLIC,
            "idempotency_key": data["idempotency_key"],
            "latitude": data.get("latitude"),
            "longitude": data.get("longitude"),
            "address": data.get("address", ""),
            "extra_answers": self.extra_answers(),
            "photos": data.get("photos") or [],
            "full_name": data.get("full_name", ""),
            "residence": data.get("residence", ""),
        }
