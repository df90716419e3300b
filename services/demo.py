"""Demo e-services for Kherson: the catalogue, three centres (demo addresses) and a few
applications and visits. Idempotent: rows are found by slug and updated."""

import datetime as dt
import uuid

from django.contrib.auth import get_user_model
from django.utils import timezone

from citizens.services import department_add_member
from mycity.models import Department

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

CATEGORIES = [
    ("information", "📄", "Звернення та публічна інформація", "Appeals and public information"),
    ("certificates", "🪪", "Довідки та реєстрація", "Certificates and registration"),
    ("social", "🤝", "Соціальна підтримка", "Social support"),
]

WEEKDAYS_8_17 = [(d, "08:00", "17:00") for d in range(4)] + [(4, "08:00", "16:00")]
CENTRES = [
    (
        "cnap-centre",
        "ЦНАП «Центральний» (демо)",
        "TsNAP Central (demo)",
        "просп. Ушакова, 37 (демо-адреса)",
        "37 Ushakova Avenue (demo address)",
        46.6372,
        32.6141,
        "+380 552 00 00 01",
        [*WEEKDAYS_8_17, (5, "09:00", "13:00")],
        "Вхід з двору, є пандус. Найближче укриття — у підвалі будівлі.",
        "Entrance from the yard, with a ramp. The nearest shelter is in the basement.",
    ),
    (
        "cnap-korabelnyi",
        "ЦНАП, відділення «Корабельне» (демо)",
        "TsNAP Korabelnyi branch (demo)",
        "вул. Перекопська, 170 (демо-адреса)",
        "170 Perekopska Street (demo address)",
        46.6641,
        32.5497,
        "+380 552 00 00 02",
        [(d, "08:00", "12:00") for d in range(5)] + [(d, "13:00", "17:00") for d in range(5)],
        "Обідня перерва 12:00–13:00. Працює генератор.",
        "Lunch break 12:00–13:00. Runs on a generator.",
    ),
    (
        "cnap-dniprovskyi",
        "ЦНАП, пункт «Дніпровський» (демо)",
        "TsNAP Dniprovskyi point (demo)",
        "вул. Миколаївське шосе, 5 (демо-адреса)",
        "5 Mykolaivske Highway (demo address)",
        46.6505,
        32.6830,
        "+380 552 00 00 03",
        [(1, "09:00", "15:00"), (3, "09:00", "15:00")],
        "Прийом лише за записом через обстріли поблизу.",
        "By appointment only because of shelling nearby.",
    ),
]

PUBLIC_INFO_FIELDS = [
    (
        "request",
        FormField.Type.LONG_TEXT,
        True,
        "Яку інформацію ви запитуєте?",
        "What information are you requesting?",
        "Опишіть документ або відомості якомога точніше: назва, дата, номер, період.",
        "Describe the document or data as exactly as you can: title, date, number, period.",
        "",
        "",
        (10, 5000),
        "",
    ),
    (
        "answer_by",
        FormField.Type.CHOICE,
        True,
        "Як надіслати відповідь?",
        "How should we send the answer?",
        "",
        "",
        "Електронною поштою\nПоштою на адресу\nЗаберу особисто в ЦНАП",
        "By e-mail\nBy post to my address\nI will collect it at a TsNAP",
        (None, None),
        "",
    ),
    (
        "email",
        FormField.Type.EMAIL,
        False,
        "Електронна пошта для відповіді",
        "E-mail for the answer",
        "Якщо інша, ніж у профілі.",
        "If different from the one in your profile.",
        "",
        "",
        (None, None),
        "",
    ),
    (
        "postal_address",
        FormField.Type.TEXT,
        False,
        "Поштова адреса",
        "Postal address",
        "Лише якщо відповідь надіслати поштою.",
        "Only if the answer goes by post.",
        "",
        "",
        (None, 250),
        "",
    ),
    (
        "attachment",
        FormField.Type.FILE,
        False,
        "Додаток (за потреби)",
        "Attachment (if needed)",
        "",
        "",
        "",
        "",
        (None, None),
        "",
    ),
]

RECEPTION_FIELDS = [
    (
        "official",
        FormField.Type.CHOICE,
        True,
        "До кого ви записуєтеся?",
        "Whom do you want to see?",
        "",
        "",
        "Начальник міської військової адміністрації\nЗаступник з питань ЖКГ\n"
        "Заступник з соціальних питань\nКеруючий справами",
        "Head of the city military administration\nDeputy head for housing and utilities\n"
        "Deputy head for social affairs\nChief of staff",
        (None, None),
        "",
    ),
    (
        "topic",
        FormField.Type.LONG_TEXT,
        True,
        "Питання, з яким ви звертаєтеся",
        "The matter you want to raise",
        "Коротко: що сталося і чого ви просите.",
        "In short: what happened and what you ask for.",
        "",
        "",
        (20, 2000),
        "",
    ),
    (
        "phone",
        FormField.Type.PHONE,
        True,
        "Телефон для узгодження часу",
        "Phone to agree the time",
        "",
        "",
        "",
        "",
        (None, None),
        "",
    ),
    (
        "preferred_date",
        FormField.Type.DATE,
        False,
        "Бажана дата",
        "Preferred date",
        "Не раніше завтрашнього дня і не пізніше ніж за 60 днів.",
        "From tomorrow and within 60 days.",
        "",
        "",
        (1, 60),
        "",
    ),
    (
        "earlier_appeal",
        FormField.Type.YES_NO,
        False,
        "Ви вже зверталися з цього питання?",
        "Have you raised this matter before?",
        "",
        "",
        "",
        "",
        (None, None),
        "",
    ),
]

CERTIFICATE_FIELDS = [
    (
        "address",
        FormField.Type.TEXT,
        True,
        "Адреса зареєстрованого місця проживання",
        "Address of the registered residence",
        "Вулиця, будинок, квартира.",
        "Street, house, flat.",
        "",
        "",
        (5, 250),
        "",
    ),
    (
        "birth_date",
        FormField.Type.DATE,
        True,
        "Дата народження",
        "Date of birth",
        "",
        "",
        "",
        "",
        (-45000, 0),
        "",
    ),
    (
        "tax_number",
        FormField.Type.TEXT,
        False,
        "РНОКПП (ідентифікаційний код)",
        "Taxpayer number (RNOKPP)",
        "10 цифр; можна не вказувати, якщо ви відмовилися від нього з релігійних переконань.",
        "10 digits; leave empty if you refused it for religious reasons.",
        "",
        "",
        (None, None),
        r"\d{10}",
    ),
    (
        "purpose",
        FormField.Type.CHOICE,
        True,
        "Для чого потрібна довідка?",
        "What is the certificate for?",
        "",
        "",
        "Субсидія\nДопомога ВПО\nБанк\nНотаріус\nІнше",
        "Housing subsidy\nIDP assistance\nBank\nNotary\nOther",
        (None, None),
        "",
    ),
    (
        "copies",
        FormField.Type.NUMBER,
        True,
        "Кількість примірників",
        "Number of copies",
        "",
        "",
        "",
        "",
        (1, 5),
        "",
    ),
    (
        "passport",
        FormField.Type.FILE,
        True,
        "Скан паспорта (сторінки з фото та реєстрацією)",
        "Passport scan (photo and registration pages)",
        "PDF, JPEG або PNG, до 10 МБ.",
        "PDF, JPEG or PNG, up to 10 MB.",
        "",
        "",
        (None, None),
        "",
    ),
    (
        "consent",
        FormField.Type.YES_NO,
        True,
        "Я погоджуюся на обробку персональних даних для надання послуги",
        "I agree to the processing of my personal data to provide the service",
        "",
        "",
        "",
        "",
        (None, None),
        "",
    ),
]

SERVICES = [
    {
        "slug": "public-information-request",
        "category": "information",
        "department": "cnap",
        "name": ("Запит на публічну інформацію", "Request for public information"),
        "summary": (
            "Отримайте документи та відомості, якими володіє міська адміністрація: рішення, "
            "договори, кошториси, статистику. Відповідь — протягом 5 робочих днів.",
            "Get documents and data held by the city administration: decisions, contracts, "
            "budgets, statistics. The answer comes within 5 working days.",
        ),
        "who": (
            "Будь-яка особа без пояснення причин запиту.",
            "Anyone, without explaining why they ask.",
        ),
        "documents": ("Документи не потрібні.", "No documents are needed."),
        "fee": 0,
        "fee_note": (
            "Копії понад 10 сторінок оплачуються за фактичні витрати на копіювання.",
            "Copies over 10 pages are charged at the actual cost of copying.",
        ),
        "days": 5,
        "urgent_hours": 48,
        "extension_days": 20,
        "public_information": True,
        "legal": (
            "Закон України «Про доступ до публічної інформації», ст. 19–21",
            "Law of Ukraine “On Access to Public Information”, arts. 19–21",
        ),
        "online": True,
        "bookable": False,
        "centres": [],
        "fields": PUBLIC_INFO_FIELDS,
    },
    {
        "slug": "personal-reception",
        "category": "information",
        "department": "cnap",
        "name": ("Особистий прийом посадовою особою", "Personal reception by an official"),
        "summary": (
            "Запишіться на особистий прийом до керівника міської адміністрації або його "
            "заступника. Ми узгодимо з вами дату й час.",
            "Sign up for a personal reception by the head of the city administration or a "
            "deputy. We agree the date and time with you.",
        ),
        "who": (
            "Громадяни України, іноземці та особи без громадянства, які законно "
            "перебувають в Україні.",
            "Citizens of Ukraine, and foreigners and stateless persons legally in Ukraine.",
        ),
        "documents": (
            "Паспорт або ID-картка (на прийомі)",
            "Passport or ID card (at the reception)",
        ),
        "fee": 0,
        "days": 5,
        "legal": (
            "Закон України «Про звернення громадян», ст. 22",
            "Law of Ukraine “On Citizens' Appeals”, art. 22",
        ),
        "online": True,
        "bookable": False,
        "centres": ["cnap-centre"],
        "fields": RECEPTION_FIELDS,
    },
    {
        "slug": "registered-persons-certificate",
        "category": "certificates",
        "department": "cnap",
        "name": (
            "Довідка про зареєстрованих у житлі осіб",
            "Certificate of persons registered at a home",
        ),
        "summary": (
            "Витяг з реєстру територіальної громади про осіб, зареєстрованих за адресою "
            "(раніше — довідка про склад сім'ї). Потрібна для субсидії, допомоги ВПО, банку.",
            "An extract from the community register of the persons registered at an address "
            "(formerly the family composition certificate). Needed for subsidies, IDP "
            "assistance, banks.",
        ),
        "who": (
            "Власник житла або особа, зареєстрована за адресою.",
            "The owner of the home or a person registered at the address.",
        ),
        "documents": (
            "Паспорт або ID-картка\nРНОКПП (ідентифікаційний код)",
            "Passport or ID card\nTaxpayer number (RNOKPP)",
        ),
        "fee": 0,
        "days": 1,
        "legal": (
            "Закон України «Про надання публічних (електронних публічних) послуг щодо "
            "декларування та реєстрації місця проживання в Україні»",
            "Law of Ukraine on public services of declaring and registering the place of residence",
        ),
        "online": True,
        "bookable": True,
        "centres": ["cnap-centre", "cnap-korabelnyi", "cnap-dniprovskyi"],
        "fields": CERTIFICATE_FIELDS,
    },
    {
        "slug": "residence-registration",
        "category": "certificates",
        "department": "cnap",
        "name": ("Реєстрація місця проживання", "Registration of the place of residence"),
        "summary": (
            "Зареєструйте нове місце проживання. Зняття з попереднього місця — одночасно.",
            "Register a new place of residence. Deregistration from the old one happens at "
            "the same time.",
        ),
        "who": ("Особа, яка змінила місце проживання.", "A person who moved home."),
        "documents": (
            "Паспорт або ID-картка\nДокумент про право на житло або згода власника\n"
            "Квитанція про сплату адміністративного збору",
            "Passport or ID card\nProof of the right to the home, or the owner's consent\n"
            "Receipt for the administrative fee",
        ),
        "fee": "42.50",
        "fee_note": (
            "Адміністративний збір за реєстрацію в установлений строк.",
            "The administrative fee for registering within the term.",
        ),
        "days": 1,
        "online": False,
        "bookable": True,
        "centres": ["cnap-centre", "cnap-korabelnyi"],
        "fields": [],
    },
    {
        "slug": "housing-subsidy",
        "category": "social",
        "department": "social",
        "name": (
            "Житлова субсидія на оплату комунальних послуг",
            "Housing subsidy for utility bills",
        ),
        "summary": (
            "Допомога на оплату житлово-комунальних послуг для домогосподарств з невеликим "
            "доходом. Заяву приймає ЦНАП, рішення ухвалює управління соціального захисту.",
            "Help with utility bills for low-income households. A TsNAP takes the "
            "application; the social protection department decides.",
        ),
        "who": (
            "Зареєстровані в Херсоні домогосподарства, зокрема ВПО.",
            "Households registered in Kherson, IDPs included.",
        ),
        "documents": (
            "Паспорт або ID-картка\nЗаява та декларація про доходи\nДовідка ВПО (за наявності)",
            "Passport or ID card\nApplication and income declaration\nIDP certificate (if any)",
        ),
        "fee": 0,
        "days": 10,
        "online": False,
        "bookable": True,
        "centres": ["cnap-centre", "cnap-korabelnyi", "cnap-dniprovskyi"],
        "fields": [],
    },
]


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
