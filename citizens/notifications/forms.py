"""Forms of the person's notification settings page.

Both forms are parts of one HTML form with one Save button: the view saves
nothing unless both are valid, so a mistake in quiet hours never half-saves
the channel choices (and the page shows them as they were ticked).
"""

from django import forms
from django.db import transaction
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from . import channels, events, services
from .events import GROUPS, EventType
from .models import Channel, NotificationPreference, NotificationSettings


class PreferencesForm(forms.Form):
    """One checkbox per (mutable event × available channel), initially the effective state."""

    def __init__(
        self,
        *args,
        events: list[EventType],
        channels: tuple[str, ...],
        stored: dict[tuple[str, str], bool],
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.events = events
        self.channels = channels
        self._keys: dict[str, tuple[str, str]] = {}
        for event in events:
            for channel in channels:
                if not event.allows(channel):
                    continue  # SMS only for the few kinds worth a paid message
                name = self.field_name(event.key, channel)
                self._keys[name] = (event.key, channel)
                self.fields[name] = forms.BooleanField(
                    label=Channel(channel).label,
                    required=False,
                    initial=stored.get((event.key, channel), channel in event.default_channels),
                    widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
                )

    @staticmethod
    def field_name(event_key: str, channel: str) -> str:
        return f"{event_key}:{channel}"

    def rows(self):
        """(event, [bound checkbox per channel]) in registry order, for the template."""
        return [
            (
                event,
                [
                    self[self.field_name(event.key, c)]
                    for c in self.channels
                    if self.field_name(event.key, c) in self.fields
                ],
            )
            for event in self.events
        ]

    def groups(self):
        """[(key, label, rows)] of the settings page's sections, in GROUPS order."""
        sections: dict[str, list] = {}
        for event, fields in self.rows():
            sections.setdefault(event.section, []).append((event, fields))
        return [(key, GROUPS[key], sections[key]) for key in GROUPS if key in sections]

    def changed_choices(self) -> dict[tuple[str, str], bool]:
        """Only what the person changed: saving an untouched page writes nothing."""
        return {self._keys[name]: self.cleaned_data[name] for name in self.changed_data}


class QuietHoursForm(forms.Form):
    quiet_hours_start = forms.TimeField(
        label=_("From"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    quiet_hours_end = forms.TimeField(
        label=_("Until"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )

    def __init__(self, *args, urgent=(), held=(), **kwargs):
        """`urgent`: the urgent kinds of message (EventType); `held`: the keys the person holds."""
        super().__init__(*args, **kwargs)
        self.urgent_events = list(urgent)
        self._urgent = {}
        for event in self.urgent_events:
            name = self.passes_field(event.key)
            self._urgent[name] = event.key
            self.fields[name] = forms.BooleanField(
                label=format_lazy(_("“{}” may come during quiet hours"), event.label),
                required=False,
                initial=event.key not in held,
                help_text=_(
                    "On by default: an air-raid or shelter alert that waits until morning "
                    "is no use. Untick it to have these wait too."
                ),
            )

    @staticmethod
    def passes_field(event_key: str) -> str:
        return "passes_" + event_key.replace(".", "__")

    def urgent_fields(self):
        return [self[name] for name in self._urgent]

    def held(self) -> list[str]:
        """The urgent kinds the person chose to hold until quiet hours end."""
        return sorted(key for name, key in self._urgent.items() if not self.cleaned_data[name])

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("quiet_hours_start"), cleaned.get("quiet_hours_end")
        # A field that failed its own validation is already reported.
        if "quiet_hours_start" in self.errors or "quiet_hours_end" in self.errors:
            return cleaned
        if start is not None and end is None:
            self.add_error(
                "quiet_hours_end",
                _("Give the end of quiet hours too, or clear the start to have none."),
            )
        elif end is not None and start is None:
            self.add_error(
                "quiet_hours_start",
                _("Give the start of quiet hours too, or clear the end to have none."),
            )
        elif start is not None and start == end:
            self.add_error(
                "quiet_hours_end",
                _("Quiet hours must end at a different time than they start."),
            )
        return cleaned


class SettingsForms:
    """The settings page's two forms for `user`, as the web page and the API use them.

    Built from what is stored (the effective state of each checkbox), bound to
    `data` when given; `save()` stores what changed through the services, both
    forms or nothing.
    """

    def __init__(self, user, data=None):
        self.user = user
        self.available = channels.available()
        # Staff events only for staff whose roles they concern (events.for_user).
        stored = {
            (event, channel): enabled
            for event, channel, enabled in NotificationPreference.objects.filter(
                user=user
            ).values_list("event", "channel", "enabled")
        }
        quiet = NotificationSettings.objects.filter(user=user).first()
        self.prefs = PreferencesForm(
            data, events=events.for_user(user), channels=self.available, stored=stored
        )
        self.quiet = QuietHoursForm(
            data,
            initial={
                "quiet_hours_start": quiet.quiet_hours_start if quiet else None,
                "quiet_hours_end": quiet.quiet_hours_end if quiet else None,
            },
            prefix="quiet",
            urgent=[event for event in services.urgent_events() if event.reaches(user)],
            held=quiet.held_in_quiet_hours if quiet else (),
        )

    def is_valid(self) -> bool:
        # Both forms are validated, so every mistake is shown at once.
        return all([self.prefs.is_valid(), self.quiet.is_valid()])

    def save(self) -> None:
        """Store the changes; services.NotificationError if a service refuses one."""
        with transaction.atomic():
            services.preferences_set(user=self.user, choices=self.prefs.changed_choices())
            if self.quiet.has_changed():
                services.quiet_hours_set(
                    user=self.user,
                    start=self.quiet.cleaned_data["quiet_hours_start"],
                    end=self.quiet.cleaned_data["quiet_hours_end"],
                    held=self.quiet.held(),
                )


class PhoneForm(forms.Form):
    """The number to confirm for SMS (the code is sent by the service)."""

    phone = forms.CharField(
        label=_("Mobile phone number"),
        max_length=32,
        help_text=_("A Ukrainian number, for example +380 50 123 45 67."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )


class PhoneCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the SMS"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"}
        ),
    )
