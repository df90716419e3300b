"""Demo e-services for Kherson: the catalogue, three centres (demo addresses) and a few
applications and visits. Idempotent: rows are found by slug and updated."""

import datetime as dt
import uuid

from django.contrib.auth import get_user_model
from django.utils import timezone

from citizens.services import department_add_member
from mycity.models import Department

from .demo_data import CATEGORIES, CENTRES, SERVICES
from .models import (
    Application,
    CentreException,
    FormField,
    OpeningHours,
    Service,
    ServiceCategory,
    ServiceCentre,
)
from .services import (
    ServiceError,
    application_message,
    application_submit,
    application_transition,
    appointment_book,
    free_times,
    public_request_submit,
    requester_post_record,
)
from .workflow import Action


def _pair(spec: dict, key: str) -> tuple[str, str]:
    return spec.get(key) or ("", "")


def _time(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


def _centres() -> dict[str, ServiceCentre]:
    centres = {}
    today = timezone.localdate()
    for order, row in enumerate(CENTRES):
        slug, name_uk, name_en, addr_uk, addr_en, lat, lon, phone, hours, notes_uk, notes_en = row
        centre, _created = ServiceCentre.objects.update_or_create(
            slug=slug,
            defaults={
                "name_uk": name_uk,
                "name_en": name_en,
                "address_uk": addr_uk,
                "address_en": addr_en,
                "latitude": lat,
                "longitude": lon,
                "phone": phone,
                "email": f"{slug}@demo.mycity.test",
                "notes_uk": notes_uk,
                "notes_en": notes_en,
                "ordering": order,
            },
        )
        centre.hours.all().delete()
        OpeningHours.objects.bulk_create(
            OpeningHours(centre=centre, weekday=d, opens=_time(o), closes=_time(c))
            for d, o, c in hours
        )
        centres[slug] = centre
    # A scheduled outage and a closed day in the coming days, so the pages show them.
    CentreException.objects.update_or_create(
        centre=centres["cnap-korabelnyi"],
        date=today + dt.timedelta(days=2),
        defaults={
            "reason": CentreException.Reason.OUTAGE,
            "opens": _time("10:00"),
            "closes": _time("14:00"),
            "note_uk": "Графік відключень: працюємо від генератора",
            "note_en": "Scheduled outage: working on a generator",
        },
    )
    CentreException.objects.update_or_create(
        centre=centres["cnap-dniprovskyi"],
        date=today + dt.timedelta(days=(1 - today.weekday()) % 7 or 7),
        defaults={
            "reason": CentreException.Reason.SAFETY,
            "opens": None,
            "closes": None,
            "note_uk": "Закрито через обстріли",
            "note_en": "Closed because of shelling",
        },
    )
    return centres


# File fields that take several files: a passport's two pages, a few attachments.
DEMO_MAX_FILES = {"passport": 2, "attachment": 5}


def seed(stdout):
    categories = {}
    for order, (slug, icon, name_uk, name_en) in enumerate(CATEGORIES):
        categories[slug], _created = ServiceCategory.objects.update_or_create(
            slug=slug,
            defaults={"icon": icon, "name_uk": name_uk, "name_en": name_en, "ordering": order},
        )
    centres = _centres()
    services = {}
    for order, spec in enumerate(SERVICES):
        service = Service.objects.filter(slug=spec["slug"]).first() or Service(slug=spec["slug"])
        service.category = categories[spec["category"]]
        service.department = Department.objects.get(slug=spec["department"])
        service.name_uk, service.name_en = spec["name"]
        service.summary_uk, service.summary_en = spec["summary"]
        service.who_may_apply_uk, service.who_may_apply_en = spec["who"]
        service.documents_uk, service.documents_en = _pair(spec, "documents")
        service.fee = spec["fee"]
        service.fee_note_uk, service.fee_note_en = _pair(spec, "fee_note")
        service.processing_days = spec["days"]
        service.urgent_hours = spec.get("urgent_hours")
        service.extension_days = spec.get("extension_days")
        service.public_information = spec.get("public_information", False)
        service.legal_basis_uk, service.legal_basis_en = _pair(spec, "legal")
        service.online, service.bookable = spec["online"], spec["bookable"]
        service.ordering = order
        service.save()
        service.centres.set([centres[slug] for slug in spec["centres"]])
        for position, field in enumerate(spec["fields"]):
            code, kind, required, l_uk, l_en, h_uk, h_en, c_uk, c_en, bounds, pattern = field
            FormField.objects.update_or_create(
                service=service,
                code=code,
                defaults={
                    "ordering": position,
                    "type": kind,
                    "required": required,
                    "label_uk": l_uk,
                    "label_en": l_en,
                    "help_text_uk": h_uk,
                    "help_text_en": h_en,
                    "choices_uk": c_uk,
                    "choices_en": c_en,
                    "min_value": bounds[0],
                    "max_value": bounds[1],
                    "pattern": pattern,
                    "max_files": DEMO_MAX_FILES.get(code, 1) if kind == FormField.Type.FILE else 1,
                    "pattern_message_uk": "Вкажіть 10 цифр." if pattern else "",
                    "pattern_message_en": "Enter 10 digits." if pattern else "",
                },
            )
        services[spec["slug"]] = service
    _officer()
    made = _examples(services, centres)
    made += _request_by_post(services["public-information-request"])
    stdout.write(
        f"  {len(SERVICES)} services, {len(CENTRES)} centres, {made} demo applications and visits"
    )


def _officer() -> None:
    """The demo service officer works in the TsNAP and social departments."""
    user = get_user_model().objects.filter(email="services@demo.mycity.test").first()
    if user is not None:
        for slug in ("cnap", "social"):
            department = Department.objects.get(slug=slug)
            department_add_member(department=department, person=user, by=None)


def _examples(services, centres) -> int:
    users = get_user_model().objects
    resident = users.filter(email="resident@demo.mycity.test").first()
    officer = users.filter(email="services@demo.mycity.test").first()
    if resident is None or officer is None:
        return 0
    if Application.objects.filter(applicant=resident).exists():
        return 0
    made = 0
    public_info = services["public-information-request"]
    application, _created = application_submit(
        applicant=resident,
        service=public_info,
        answers=[
            {
                "code": "request",
                "type": "long_text",
                "label": {"uk": "Яку інформацію ви запитуєте?", "en": "What information?"},
                "value": "Прошу надати копію графіка відновлення вуличного освітлення "
                "Корабельного району на 2026 рік та кошторис робіт.",
            },
            {
                "code": "answer_by",
                "type": "choice",
                "label": {"uk": "Як надіслати відповідь?", "en": "How to answer?"},
                "value": "Електронною поштою",
            },
        ],
        idempotency_key=uuid.uuid5(uuid.NAMESPACE_URL, "demo-public-info"),
    )
    application_transition(application=application, action=Action.START, actor=officer)
    application_message(
        application=application,
        author=officer,
        body="Добрий день! Запит прийнято в роботу, кошторис готує управління благоустрою.",
    )
    made += 1
    # A visit tomorrow (or the next open day) for a certificate.
    certificate = services["registered-persons-certificate"]
    centre = centres["cnap-centre"]
    for offset in range(1, 8):
        day = timezone.localdate() + dt.timedelta(days=offset)
        free = [t for t in free_times(centre=centre, service=certificate, day=day) if t["free"]]
        if free:
            start = free[min(3, len(free) - 1)]["start"]
            try:
                appointment_book(
                    resident=resident, service=certificate, centre=centre, starts_at=start
                )
                made += 1
            except ServiceError:
                pass
            break
    return made


def _request_by_post(public_info) -> int:
    """A request for public information filed without an account, with only a postal
    address (Art. 19(5)): the officer extends the term and records the letter."""
    officer = get_user_model().objects.filter(email="services@demo.mycity.test").first()
    key = uuid.uuid5(uuid.NAMESPACE_URL, "demo-public-info-by-post")
    if officer is None or Application.objects.filter(idempotency_key=key).exists():
        return 0
    application = public_request_submit(
        service=public_info,
        name="Василь Гончаренко",
        postal_address="вул. Перекопська, 15, кв. 8, м. Херсон, 73000",
        answers=[
            {
                "code": "request",
                "type": "long_text",
                "label": {"uk": "Яку інформацію ви запитуєте?", "en": "What information?"},
                "value": "Прошу надати перелік укриттів Дніпровського району з адресами "
                "та годинами роботи, а також акти їх останнього обстеження.",
            },
            {
                "code": "answer_by",
                "type": "choice",
                "label": {"uk": "Як надіслати відповідь?", "en": "How to answer?"},
                "value": "Поштою на адресу",
            },
        ],
        idempotency_key=key,
    )
    application_transition(
        application=application,
        action=Action.EXTEND,
        actor=officer,
        reason="Запит стосується великого обсягу даних: акти обстеження 46 укриттів.",
    )
    requester_post_record(
        application=application,
        officer=officer,
        what="Повідомлення про продовження строку розгляду до 20 робочих днів, "
        "рекомендований лист № 7300010012345.",
    )
    return 1
