import datetime as dt
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from citizens import services as citizens_services
from citizens.notifications.services import notify
from mycity.lib import references
from mycity.lib.text import normalize
from mycity.models import District

from .. import photos as photo_rules
from ..models import (
    Appeal,
    AppealEvent,
    AppealPhoto,
    Category,
    Kind,
    ReferenceCounter,
    legal_deadline,
)
from ..workflow import Action, Status
from .common import AppealError
from .duplicates import flag_likely_duplicates
from .incidents import after_filing, incident_to_link
from .places import queue_geocoding

TITLE_MAX = Appeal._meta.get_field("title").max_length
DESCRIPTION_MAX = Appeal._meta.get_field("description").max_length
ADDRESS_MAX = Appeal._meta.get_field("address").max_length


def next_reference(now: dt.datetime | None = None) -> str:
    """The next human reference number of the year, e.g. KH-2026-000123.

    Must run inside the caller's transaction: the counter row stays locked
    until it commits, so two submissions never get the same number.
    """
    return references.next_reference(ReferenceCounter, settings.CITY_CODE, now)


@dataclass(frozen=True)
class Filing:
    """What an appeal says, checked and cleaned: the rules of every way of filing."""

    kind: str
    category: Category
    title: str
    description: str
    address: str
    latitude: float | None
    longitude: float | None
    district: District | None
    photos: list


def check_filing(
    *,
    kind: str,
    category: Category,
    title: str,
    description: str,
    address: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    photos=(),
) -> Filing:
    """Check an appeal's content (AppealError when it cannot be registered)."""
    if kind not in Kind.values:
        raise AppealError(_("Choose what kind of request this is."))
    if not category.is_active or not category.accepts(kind):
        raise AppealError(_("This category does not take this kind of request."))
    title, description, address = title.strip(), description.strip(), address.strip()
    if not title or len(title) > TITLE_MAX:
        raise AppealError(
            _("Give the request a title of up to %(n)d characters.") % {"n": TITLE_MAX}
        )
    if not description or len(description) > DESCRIPTION_MAX:
        raise AppealError(
            _("Describe the request in up to %(n)d characters.") % {"n": DESCRIPTION_MAX}
        )
    if len(address) > ADDRESS_MAX:
        raise AppealError(_("Shorten the address to %(n)d characters.") % {"n": ADDRESS_MAX})
    if len(photos) > photo_rules.MAX_PHOTOS:
        raise AppealError(_("You can attach up to %(n)d photos.") % {"n": photo_rules.MAX_PHOTOS})
    if (latitude is None) != (longitude is None):
        # Half a point would break the location constraint: refuse it as a place.
        raise AppealError(_("Show the place on the map or type its address."))
    district = None
    if latitude is not None and longitude is not None:
        district = District.objects.locate(lat=latitude, lon=longitude)
        if district is None:
            raise AppealError(_("This place is outside the city. Put the pin inside the city."))
    elif category.location_required and not address:
        raise AppealError(_("Show the place on the map or type its address."))
    try:
        cleaned = [photo_rules.clean_photo(upload) for upload in photos]
    except ValidationError as exc:
        raise AppealError(exc.messages[0]) from exc

    return Filing(
        kind=kind,
        category=category,
        title=title,
        description=description,
        address=address,
        latitude=latitude,
        longitude=longitude,
        district=district,
        photos=cleaned,
    )


def create_appeal(
    filing: Filing, *, author, registered_at: dt.datetime, now: dt.datetime, **fields
) -> Appeal:
    """Number and register a checked appeal; its term runs from `registered_at`.

    Must run inside the caller's transaction (next_reference). Resident
    filing and staff registration (registration.py) share it, so both get
    the same numbering and the same legal deadline, the same duplicate flags
    for moderators and the same geocoding of the pin (queued on commit).
    """
    category, kind = filing.category, filing.kind
    appeal = Appeal.objects.create(
        reference=next_reference(now),
        kind=kind,
        category=category,
        department=category.department,
        author=author,
        title=filing.title,
        description=filing.description,
        status=Status.MODERATION,
        district=filing.district,
        latitude=filing.latitude,
        longitude=filing.longitude,
        address=filing.address,
        registered_at=registered_at,
        term_days=category.answer_days,
        deadline=legal_deadline(registered_at, category.answer_days),
        support_until=(
            timezone.localdate(registered_at) + dt.timedelta(days=settings.PROPOSAL_SUPPORT_DAYS)
            if kind == Kind.PROPOSAL
            else None
        ),
        search_text=normalize(filing.title, filing.description, filing.address),
        **fields,
    )
    # Both at filing, for every way in (web, API, Open311, staff registration).
    flag_likely_duplicates(appeal)
    queue_geocoding(appeal)
    for photo in filing.photos:
        AppealPhoto.objects.create(
            appeal=appeal,
            image=photo,
            width=photo.width,
            height=photo.height,
            added_by=author,
            is_public=not category.sensitive,
        )
    return appeal


def appeal_submit(
    *,
    author,
    kind: str,
    category: Category,
    title: str,
    description: str,
    is_public: bool,
    idempotency_key: uuid.UUID,
    latitude: float | None = None,
    longitude: float | None = None,
    address: str = "",
    extra_answers: dict | None = None,
    photos=(),
    full_name: str = "",
    residence: str = "",
    reporter_full_name: str | None = None,
) -> tuple[Appeal, bool]:
    """File an appeal; it waits for moderation. Returns (appeal, created).

    The same idempotency key from the same author returns the appeal it
    already created (a double tap, a form re-sent on a flaky connection).
    Photos are re-encoded without EXIF before anything is saved.

    The appeal keeps the author's full name and residence as registered
    (Art. 5); `full_name` / `residence` typed while filing are first saved to
    the author's profile. Without them the appeal is anonymous (Art. 8). An
    appeal relayed by an API client on someone's behalf (Open311) carries
    `reporter_full_name` instead and never the client account's profile. A
    verified priority status (Art. 20) of the author marks the appeal priority.
    A problem report about an outage (the category's outage kind) inside a
    known incident's area is linked to it (services/incidents.py).
    """
    existing = Appeal.objects.filter(author=author, idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing, False
    filing = check_filing(
        kind=kind,
        category=category,
        title=title,
        description=description,
        address=address,
        latitude=latitude,
        longitude=longitude,
        photos=photos,
    )
    if reporter_full_name is None and (full_name.strip() or residence.strip()):
        try:
            citizens_services.user_save_appeal_details(
                user=author, full_name=full_name, residence=residence
            )
        except citizens_services.CitizenError as exc:
            raise AppealError(str(exc)) from exc
    if reporter_full_name is None:
        details = citizens_services.appeal_details(author)
        priority = citizens_services.priority_category(author)
    else:
        details = citizens_services.AppealDetails(
            full_name=" ".join(reporter_full_name.split())[:150], residence=""
        )
        priority = ""

    incident = incident_to_link(
        category=filing.category,
        kind=filing.kind,
        latitude=filing.latitude,
        longitude=filing.longitude,
    )
    now = timezone.now()
    try:
        with transaction.atomic():
            appeal = create_appeal(
                filing,
                author=author,
                registered_at=now,
                now=now,
                author_full_name=details.full_name,
                author_residence=details.residence,
                priority=bool(priority),
                priority_category=priority,
                extra_answers=extra_answers or {},
                is_public=is_public and not category.sensitive,
                idempotency_key=idempotency_key,
                incident=incident,
            )
            after_filing(appeal)
            AppealEvent.objects.create(
                appeal=appeal,
                action=Action.SUBMIT,
                from_status="",
                to_status=Status.MODERATION,
                actor=author,
                created_at=now,
            )
            notify(
                recipients=[author],
                event="appeals.submitted",
                context={
                    "reference": appeal.reference,
                    "title": appeal.title,
                    "deadline": appeal.deadline.strftime("%d.%m.%Y"),
                },
                url=appeal.get_absolute_url(),
            )
    except IntegrityError:
        # The same key won a race with this call: return what it created.
        existing = Appeal.objects.filter(author=author, idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return existing, False
    return appeal, True
