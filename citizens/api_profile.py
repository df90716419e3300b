"""The signed-in person's profile and notification settings in the REST API (/api/v1/).

/api/v1/account/profile/        GET, PATCH: name, public name, phone, language, district
/api/v1/account/notifications/  GET, PATCH: event × channel choices and quiet hours

Both go through the web cabinet's own forms (citizens.forms.ProfileForm and
citizens.notifications.forms.SettingsForms) and their services, so a rule and
its side effects live in one place. A PATCH is turned into the data the web
form would send: what is stored, with the fields given in the request changed.
The serializers here check the request's shape (types, lengths, enums) and
document it; the forms decide whether the values are allowed.
"""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from mycity.lib.api import StrictCharField
from mycity.lib.parsers import BoundedJSONParser
from mycity.models import District

from . import services
from .forms import ProfileForm
from .notifications import events
from .notifications.forms import PreferencesForm, SettingsForms
from .notifications.models import Channel
from .notifications.services import NotificationError

# --- Profile -----------------------------------------------------------------


class ProfileSerializer(serializers.Serializer):
    """The person's profile as the web cabinet shows it."""

    email = serializers.EmailField(read_only=True, help_text=_("Changed in the account settings."))
    full_name = StrictCharField(read_only=True)
    display_name = StrictCharField(read_only=True)
    phone = StrictCharField(read_only=True, help_text=_("E.164, or empty."))
    preferred_language = serializers.ChoiceField(choices=settings.LANGUAGES, read_only=True)
    district = serializers.SlugField(
        read_only=True, allow_null=True, help_text=_("A slug from /api/v1/districts/.")
    )
    district_name = StrictCharField(read_only=True, allow_null=True)
    residence = StrictCharField(read_only=True)


class ProfileUpdateSerializer(serializers.Serializer):
    """The fields to change; those left out keep their value."""

    full_name = StrictCharField(max_length=150, allow_blank=True, required=False)
    display_name = StrictCharField(max_length=60, allow_blank=True, required=False)
    phone = StrictCharField(
        max_length=32,
        allow_blank=True,
        required=False,
        help_text=_("A Ukrainian number, for example +380501234567; empty to remove it."),
    )
    preferred_language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)
    district = serializers.SlugField(
        max_length=50,
        allow_null=True,
        required=False,
        help_text=_("A slug from /api/v1/districts/; null for none."),
    )
    residence = StrictCharField(max_length=200, allow_blank=True, required=False)


def profile_data(user) -> dict:
    return {
        "email": user.email,
        "full_name": user.full_name,
        "display_name": user.display_name,
        "phone": user.phone.as_e164 if user.phone else "",
        "preferred_language": user.preferred_language,
        "district": user.district.slug if user.district_id else None,
        "district_name": user.district.name if user.district_id else None,
        "residence": user.residence,
    }


def _profile_form_data(user, changes: dict) -> dict:
    """What the web form would send: the stored values with `changes` applied.

    The API names a district by its slug, as /api/v1/districts/ does; the form
    takes its primary key.
    """
    data = profile_data(user)
    data["district"] = user.district_id or ""
    for name, value in changes.items():
        data[name] = "" if value is None else value
    if changes.get("district"):
        found = District.objects.filter(slug=changes["district"]).values_list("pk", flat=True)
        if not found:
            raise ValidationError({"district": [_("Choose a district from /api/v1/districts/.")]})
        data["district"] = found[0]
    return {name: data[name] for name in ProfileForm.Meta.fields}


class ProfileView(APIView):
    """The signed-in person's profile: the same form and rules as /me/profile/."""

    permission_classes = [IsAuthenticated]
    parser_classes = [BoundedJSONParser]

    @extend_schema(responses={200: ProfileSerializer})
    def get(self, request):
        return Response(profile_data(request.user))

    @extend_schema(request=ProfileUpdateSerializer, responses={200: ProfileSerializer})
    def patch(self, request):
        shape = ProfileUpdateSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        user = request.user
        data = _profile_form_data(user, shape.validated_data)
        form = ProfileForm(data, instance=user)
        if not form.is_valid():
            user.refresh_from_db()  # the form set the refused values on the instance
            raise ValidationError(form.errors)
        try:
            form.save_changes()
        except services.CitizenError as exc:
            raise ValidationError({"detail": [str(exc)]}) from None
        if "preferred_language" in form.changed_data:
            # The answer in the language just chosen, as the next page would be.
            with translation.override(user.preferred_language):
                return Response(profile_data(user))
        return Response(profile_data(user))


# --- Notification settings -------------------------------------------------------

TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


def event_keys() -> list[str]:
    """Every notification event the installation declares (the schema's NotificationEventEnum)."""
    return sorted(events.registry())


def urgent_event_keys() -> list[str]:
    """The events that may pass quiet hours (the schema's UrgentNotificationEventEnum)."""
    return sorted(key for key, event in events.registry().items() if event.urgent)


class EventKeyField(serializers.ChoiceField):
    """A notification event's key; the enum is every event the installation declares."""

    def __init__(self, **kwargs):
        kwargs["choices"] = event_keys()
        super().__init__(**kwargs)


class UrgentEventKeyField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        kwargs["choices"] = urgent_event_keys()
        super().__init__(**kwargs)


class ChannelInfoSerializer(serializers.Serializer):
    key = serializers.ChoiceField(choices=Channel.choices)
    label = StrictCharField()


class ChannelChoiceSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=Channel.choices)
    enabled = serializers.BooleanField()


class EventSettingSerializer(serializers.Serializer):
    key = EventKeyField()
    label = StrictCharField()
    group = serializers.ChoiceField(choices=list(events.GROUPS))
    group_label = StrictCharField()
    urgent = serializers.BooleanField(help_text=_("May come during quiet hours (see those)."))
    channels = ChannelChoiceSerializer(
        many=True, help_text=_("Only the channels that may carry this kind of message.")
    )


class UrgentPassSerializer(serializers.Serializer):
    event = UrgentEventKeyField()
    label = StrictCharField(read_only=True)
    passes = serializers.BooleanField(
        help_text=_("Comes during quiet hours (true by default); false: waits for their end.")
    )


class QuietHoursSerializer(serializers.Serializer):
    start = serializers.RegexField(
        TIME_PATTERN, allow_null=True, help_text=_('"HH:MM", local time; null for none.')
    )
    end = serializers.RegexField(
        TIME_PATTERN, allow_null=True, help_text=_('"HH:MM", local time; null for none.')
    )
    urgent = UrgentPassSerializer(many=True, required=False, max_length=50)


class NotificationSettingsSerializer(serializers.Serializer):
    channels = ChannelInfoSerializer(
        many=True, help_text=_("The channels this installation offers, in display order.")
    )
    events = EventSettingSerializer(many=True)
    quiet_hours = QuietHoursSerializer()


class ChoiceSerializer(serializers.Serializer):
    event = EventKeyField()
    channel = serializers.ChoiceField(choices=Channel.choices)
    enabled = serializers.BooleanField()


class NotificationSettingsUpdateSerializer(serializers.Serializer):
    """Only what changes: choices not listed and quiet hours left out keep their value."""

    choices = serializers.ListField(child=ChoiceSerializer(), required=False, max_length=500)
    quiet_hours = QuietHoursSerializer(required=False)


def _hhmm(value) -> str | None:
    return value.strftime("%H:%M") if value is not None else None


def settings_data(forms: SettingsForms) -> dict:
    """The stored settings as the (unbound) forms show them, labels in the active language."""
    prefs, quiet = forms.prefs, forms.quiet
    return {
        "channels": [{"key": c, "label": str(Channel(c).label)} for c in forms.available],
        "events": [
            {
                "key": event.key,
                "label": str(event.label),
                "group": event.section,
                "group_label": str(events.GROUPS[event.section]),
                "urgent": event.urgent,
                "channels": [
                    {"channel": channel, "enabled": bool(prefs[name].initial)}
                    for channel in forms.available
                    if (name := PreferencesForm.field_name(event.key, channel)) in prefs.fields
                ],
            }
            for event in prefs.events
        ],
        "quiet_hours": {
            "start": _hhmm(quiet["quiet_hours_start"].initial),
            "end": _hhmm(quiet["quiet_hours_end"].initial),
            "urgent": [
                {
                    "event": event.key,
                    "label": str(event.label),
                    "passes": bool(quiet[quiet.passes_field(event.key)].initial),
                }
                for event in quiet.urgent_events
            ],
        },
    }


def _checkbox(on: bool) -> str | None:
    return "on" if on else None


def _settings_form_data(forms: SettingsForms, changes: dict) -> dict:
    """The web page's POST: what is stored, with the requested changes applied."""
    prefs, quiet = forms.prefs, forms.quiet
    data = {name: _checkbox(prefs[name].initial) for name in prefs.fields}
    data.update({quiet.add_prefix(name): _checkbox(quiet[name].initial) for name in quiet.fields})
    for name in ("quiet_hours_start", "quiet_hours_end"):
        data[quiet.add_prefix(name)] = _hhmm(quiet[name].initial) or ""

    refused = []
    for choice in changes.get("choices", []):
        name = PreferencesForm.field_name(choice["event"], choice["channel"])
        if name not in prefs.fields:
            refused.append(
                _("%(event)s cannot be chosen for %(channel)s here.")
                % {"event": choice["event"], "channel": choice["channel"]}
            )
        data[name] = _checkbox(choice["enabled"])
    if refused:
        raise ValidationError({"choices": refused})

    if "quiet_hours" in changes:
        hours = changes["quiet_hours"]
        data[quiet.add_prefix("quiet_hours_start")] = hours["start"] or ""
        data[quiet.add_prefix("quiet_hours_end")] = hours["end"] or ""
        for item in hours.get("urgent", []):
            name = quiet.passes_field(item["event"])
            if name not in quiet.fields:
                raise ValidationError(
                    {"quiet_hours": {"urgent": [_("This kind of message never reaches you.")]}}
                )
            data[quiet.add_prefix(name)] = _checkbox(item["passes"])
    return {name: value for name, value in data.items() if value is not None}


_QUIET_FIELDS = {"quiet_hours_start": "start", "quiet_hours_end": "end"}


class NotificationSettingsView(APIView):
    """Which kinds of message come by which channel, and quiet hours: the same form
    and rules as the web page /me/notifications/settings/."""

    permission_classes = [IsAuthenticated]
    parser_classes = [BoundedJSONParser]

    @extend_schema(responses={200: NotificationSettingsSerializer})
    def get(self, request):
        return Response(settings_data(SettingsForms(request.user)))

    @extend_schema(
        request=NotificationSettingsUpdateSerializer,
        responses={200: NotificationSettingsSerializer},
    )
    def patch(self, request):
        shape = NotificationSettingsUpdateSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        user = request.user
        data = _settings_form_data(SettingsForms(user), shape.validated_data)
        forms = SettingsForms(user, data)
        if not forms.is_valid():
            errors = {}
            if forms.prefs.errors:
                errors["choices"] = [str(e) for e in forms.prefs.errors.values()]
            if forms.quiet.errors:
                errors["quiet_hours"] = {
                    _QUIET_FIELDS.get(name, "detail" if name == "__all__" else "urgent"): list(
                        messages
                    )
                    for name, messages in forms.quiet.errors.items()
                }
            raise ValidationError(errors)
        try:
            forms.save()
        except NotificationError as exc:
            raise ValidationError({"detail": [str(exc)]}) from None
        return Response(settings_data(SettingsForms(user)))
