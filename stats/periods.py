"""The period the figures cover: the last 30 days, a quarter, a year, or dates of one's own.

Chosen with a plain GET form (no JavaScript); a period that cannot be read
falls back to the last 30 days with a message, never an error page.
"""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mycity.transparency import Period

LAST_30_DAYS = "30d"
CUSTOM = "custom"
# The portal's figures start no earlier than this; a custom period may not span more.
EARLIEST = dt.date(2020, 1, 1)
LONGEST_DAYS = 3 * 366
QUARTERS_OFFERED = 4
YEARS_OFFERED = 3


def quarter_of(day: dt.date) -> Period:
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = day.replace(month=first_month, day=1)
    following = (start + dt.timedelta(days=95)).replace(day=1)
    return Period(start, following - dt.timedelta(days=1))


def choices(today: dt.date) -> list[tuple[str, str]]:
    """The periods offered: 30 days, the last quarters and years, one's own dates."""
    offered = [(LAST_30_DAYS, _("Last 30 days"))]
    quarter = quarter_of(today)
    for _index in range(QUARTERS_OFFERED):
        number = (quarter.start.month - 1) // 3 + 1
        label = _("Q%(number)d %(year)d") % {"number": number, "year": quarter.start.year}
        if quarter.end >= today:
            label = _("%(quarter)s (so far)") % {"quarter": label}
        offered.append((f"{quarter.start.year}-q{number}", label))
        quarter = quarter_of(quarter.start - dt.timedelta(days=1))
    for year in range(today.year, today.year - YEARS_OFFERED, -1):
        label = str(year) if year < today.year else _("%(year)d (so far)") % {"year": year}
        offered.append((str(year), label))
    offered.append((CUSTOM, _("Dates of my own")))
    return offered


def parse(key: str, today: dt.date) -> Period | None:
    """The period a choice's key names, cut at today; None for an unknown key."""
    if key == LAST_30_DAYS:
        return Period(today - dt.timedelta(days=29), today)
    try:
        if "-q" in key:
            year, number = key.split("-q")
            period = quarter_of(dt.date(int(year), 3 * int(number) - 2, 1))
        else:
            year = int(key)
            period = Period(dt.date(year, 1, 1), dt.date(year, 12, 31))
    except ValueError:
        return None
    if key not in dict(choices(today)):
        return None
    return Period(period.start, min(period.end, today))


class PeriodForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), required=False)
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, today: dt.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        self.fields["period"].choices = choices(self.today)
        self.fields["period"].widget.attrs["class"] = "form-select"
        for name in ("start", "end"):
            self.fields[name].widget.attrs.update(
                {
                    "class": "form-control",
                    "min": EARLIEST.isoformat(),
                    "max": self.today.isoformat(),
                }
            )

    def clean(self):
        data = super().clean()
        key = data.get("period") or LAST_30_DAYS
        if key != CUSTOM:
            data["chosen"] = parse(key, self.today)
            return data
        start, end = data.get("start"), data.get("end")
        if not start or not end:
            raise forms.ValidationError(_("Give both dates of your own period."))
        if start > end:
            raise forms.ValidationError(_("The first date is after the last one."))
        if start < EARLIEST or end > self.today:
            raise forms.ValidationError(
                _("Choose dates from %(earliest)s to today.")
                % {"earliest": EARLIEST.strftime("%d.%m.%Y")}
            )
        if (end - start).days >= LONGEST_DAYS:
            raise forms.ValidationError(_("A period of your own may span three years at most."))
        data["chosen"] = Period(start, end)
        return data

    def chosen(self) -> Period:
        """The chosen period, or the last 30 days if the form does not hold one."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data["chosen"]
        return parse(LAST_30_DAYS, self.today)

    def query(self) -> str:
        """The chosen period as a query string, for links that keep it ("" for the default)."""
        if not (self.is_bound and self.is_valid()):
            return ""
        key = self.cleaned_data.get("period") or LAST_30_DAYS
        if key == LAST_30_DAYS:
            return ""
        if key != CUSTOM:
            return f"period={key}"
        chosen = self.cleaned_data["chosen"]
        return f"period={CUSTOM}&start={chosen.start.isoformat()}&end={chosen.end.isoformat()}"
