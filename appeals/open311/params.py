"""Reading Open311 parameters: the GET requests filters and the POST request form.

Every bad value raises Open311Error with the HTTP status and the text the
spec's error list carries; nothing here touches the database except the
service lookup.
"""

import datetime as dt
import math
import re

from django import forms
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from mycity.lib import untrusted

from ..forms import QUESTION_PREFIX, question_field
from ..models import Category
from ..workflow import UNRESOLVED_STATUSES

WINDOW = dt.timedelta(days=90)
MAX_RESULTS = 1000
MAX_DESCRIPTION = 4000
STATUSES = ("open", "closed")
# "+02:00" in an unencoded query string arrives as " 02:00".
_SPACE_OFFSET = re.compile(r"(T\d\d:\d\d(?::\d\d(?:\.\d+)?)?) (\d\d:?\d\d)$")


class Open311Error(Exception):
    """A refused Open311 call: HTTP status and the description for the error list."""

    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status, self.description = status, description


def parse_w3c(name: str, value: str) -> dt.datetime:
    """A W3C date or datetime (ISO 8601 with an offset or Z); naive ones are Kyiv time."""
    text = _SPACE_OFFSET.sub(r"\1+\2", value.strip())
    try:
        parsed = parse_datetime(text)
        if parsed is None:
            day = parse_date(text)
            if day is not None:
                parsed = dt.datetime.combine(day, dt.time.min)
    except ValueError:
        parsed = None
    if parsed is None or not 2000 <= parsed.year <= 2100:
        raise Open311Error(
            400,
            _("%(name)s must be a W3C datetime such as 2026-01-31T09:30:00+02:00.")
            % {"name": name},
        )
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def date_window(start: str | None, end: str | None, now: dt.datetime | None = None):
    """(start, end) of the requested_datetime window, both included.

    90 days at most, the last 90 by default; an end_date given as a date
    alone ends at that day's last moment.
    """
    now = now or timezone.now()
    start_at = parse_w3c("start_date", start) if start else None
    end_at = parse_w3c("end_date", end) if end else None
    if end_at and parse_date(end.strip()) is not None:
        # An end_date without a time includes that whole day: harvesting day by
        # day (start_date=D&end_date=D) must not miss all but midnight.
        end_at += dt.timedelta(days=1, microseconds=-1)
    if start_at and end_at:
        if end_at < start_at:
            raise Open311Error(400, _("end_date is before start_date."))
        if end_at - start_at > WINDOW:
            raise Open311Error(400, _("start_date and end_date may not span more than 90 days."))
    elif start_at:
        end_at = start_at + WINDOW
    elif end_at:
        start_at = end_at - WINDOW
    else:
        start_at, end_at = now - WINDOW, now
    return start_at, end_at


def refuse_bad_input(request, path_values) -> None:
    """A NUL byte or lone surrogate in the path, query or form: a 400 in Open311's error list."""
    try:
        untrusted.check_texts(str(value) for value in path_values)
        untrusted.check_querydict(request.GET)
        if request.method == "POST":
            untrusted.check_querydict(request.POST)
    except untrusted.RefusedInputError as refused:
        raise Open311Error(400, refused.message) from None


def comma_list(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def positive_int(name: str, value: str | None, default: int, maximum: int) -> int:
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except ValueError:
        number = 0
    if not 1 <= number <= maximum:
        raise Open311Error(
            400,
            _("%(name)s must be a whole number from 1 to %(max)d.")
            % {"name": name, "max": maximum},
        )
    return number


def request_filters(query) -> dict:
    """The GET requests parameters, checked; see the spec and docs/api.md."""
    ids = comma_list(query.get("service_request_id"))
    page = positive_int("page", query.get("page"), 1, 10_000)
    page_size = positive_int("page_size", query.get("page_size"), MAX_RESULTS, MAX_RESULTS)
    if ids:
        # The spec: a list of ids overrides every other parameter.
        if len(ids) > MAX_RESULTS:
            raise Open311Error(400, _("Ask for at most 1000 service_request_id at once."))
        return {"ids": ids, "page": page, "page_size": page_size}
    codes = comma_list(query.get("service_code"))
    statuses = comma_list(query.get("status"))
    for status in statuses:
        if status not in STATUSES:
            raise Open311Error(400, _("status must be open or closed (comma-separated)."))
    start, end = date_window(query.get("start_date"), query.get("end_date"))
    if codes:
        known = set(
            Category.objects.filter(slug__in=codes, sensitive=False).values_list("slug", flat=True)
        )
        unknown = [code for code in codes if code not in known]
        if unknown:
            raise Open311Error(
                400, _("service_code %(code)s was not found.") % {"code": unknown[0]}
            )
    return {
        "codes": codes,
        "statuses": statuses,
        "start": start,
        "end": end,
        "page": page,
        "page_size": page_size,
    }


def filtered(queryset, filters: dict):
    if "ids" in filters:
        return queryset.filter(reference__in=filters["ids"])
    queryset = queryset.filter(
        registered_at__gte=filters["start"], registered_at__lte=filters["end"]
    )
    if filters["codes"]:
        queryset = queryset.filter(category__slug__in=filters["codes"])
    if len(set(filters["statuses"])) == 1:
        open_ = sorted(UNRESOLVED_STATUSES)
        if filters["statuses"][0] == "open":
            queryset = queryset.filter(status__in=open_)
        else:
            queryset = queryset.exclude(status__in=open_)
    return queryset


# --- POST requests -----------------------------------------------------------


def _coordinate(name: str, value: str, limit: float) -> float:
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not -limit <= number <= limit:  # also false for NaN
        raise Open311Error(400, _("%(name)s must be a number in degrees.") % {"name": name})
    return number


def attribute_values(data, category: Category) -> dict:
    """attribute[code] values checked by the web form's own fields; returns the extra answers."""
    questions = list(category.questions.all())
    form = forms.Form(data={})
    bound = {}
    for question in questions:
        name = QUESTION_PREFIX + question.code
        form.fields[name] = question_field(question)
        values = data.getlist(f"attribute[{question.code}]") + data.getlist(
            f"attribute[{question.code}][]"
        )
        if isinstance(form.fields[name], forms.MultipleChoiceField):
            bound[name] = values
        elif values:
            bound[name] = values[0]
    form.data = bound
    form.is_bound = True
    if not form.is_valid():
        problems = []
        for question in questions:
            for message in form.errors.get(QUESTION_PREFIX + question.code, []):
                problems.append(f"attribute[{question.code}]: {message}")
        raise Open311Error(400, "; ".join(problems))
    answers = {}
    for question in questions:
        value = form.cleaned_data.get(QUESTION_PREFIX + question.code)
        if value in (None, "", []):
            continue
        if hasattr(value, "to_integral"):  # Decimal, stored as the web form stores it
            value = float(value) if value != value.to_integral() else int(value)
        answers[question.code] = value
    return answers


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def submission(data, category: Category) -> dict:
    """Keyword arguments for open311_request_submit (all but the client and category)."""
    lat, lon = data.get("lat", "").strip(), data.get("long", "").strip()
    address = data.get("address_string", "").strip()
    if data.get("address_id", "").strip():
        # Said in the discovery too: the city keeps no address register to refer to.
        raise Open311Error(
            400, _("address_id is not supported here: send lat and long, or address_string.")
        )
    if bool(lat) != bool(lon):
        raise Open311Error(400, _("Send both lat and long, or neither."))
    if not lat and not address:
        raise Open311Error(400, _("A location is required: lat and long, or address_string."))
    latitude = _coordinate("lat", lat, 90) if lat else None
    longitude = _coordinate("long", lon, 180) if lon else None
    description = data.get("description", "").strip()
    if len(description) > MAX_DESCRIPTION:
        raise Open311Error(400, _("description may be at most 4000 characters."))
    extra = attribute_values(data, category)
    place = address or f"{latitude:.5f}, {longitude:.5f}"
    if not description:
        description = f"{category.name}: {place}"
    contacts = {}
    limits = {"email": 254, "first_name": 100, "last_name": 100, "phone": 40}
    limits |= {"device_id": 100, "account_id": 100}
    for name, limit in limits.items():
        value = data.get(name, "").strip()
        if len(value) > limit:
            raise Open311Error(400, _("%(name)s is too long.") % {"name": name})
        contacts[name] = value
    if contacts["email"]:
        try:
            forms.EmailField().clean(contacts["email"])
        except forms.ValidationError:
            raise Open311Error(400, _("email is not a valid e-mail address.")) from None
    media_url = data.get("media_url", "").strip()
    if media_url:
        try:
            contacts["media_url"] = forms.URLField(max_length=500, assume_scheme="https").clean(
                media_url
            )
        except forms.ValidationError:
            raise Open311Error(400, _("media_url must be an http(s) URL.")) from None
    return {
        "title": _short(description, 100),
        "description": description,
        "latitude": latitude,
        "longitude": longitude,
        "address": address,
        "extra_answers": extra,
        "contacts": contacts,
    }
