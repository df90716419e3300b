"""Demo categories for Kherson and a few public appeals to look at."""

import datetime as dt
import uuid
from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from mycity.models import Department

from .models import (
    AnswerTemplate,
    Appeal,
    Category,
    CategoryGroup,
    CategoryQuestion,
    Kind,
    QuestionChoice,
)
from .services import (
    appeal_accept,
    appeal_extend,
    appeal_forward,
    appeal_return,
    appeal_submit,
    transition,
)
from .services.registration import appeal_register
from .workflow import MODERATOR, Action

ALL = [Kind.PROBLEM, Kind.PROPOSAL, Kind.APPLICATION, Kind.COMPLAINT]

GROUPS = [
    (
        "roads",
        "Дороги і транспорт",
        "Roads and transport",
        "roads",
        [
            (
                "pothole",
                "🕳️",
                "Яма на дорозі",
                "Pothole",
                True,
                False,
                [Kind.PROBLEM, Kind.COMPLAINT],
            ),
            (
                "traffic-lights",
                "🚦",
                "Світлофор не працює",
                "Traffic light out of order",
                True,
                False,
                [Kind.PROBLEM],
            ),
            (
                "public-transport",
                "🚌",
                "Громадський транспорт",
                "Public transport",
                False,
                False,
                ALL,
            ),
        ],
    ),
    (
        "housing",
        "Житло і комунальні послуги",
        "Housing and utilities",
        "housing",
        [
            (
                "streetlight",
                "💡",
                "Не працює вуличне освітлення",
                "Streetlight not working",
                True,
                False,
                [Kind.PROBLEM],
            ),
            ("water", "🚰", "Водопостачання", "Water supply", False, False, ALL),
            ("heating", "🔥", "Опалення", "Heating", False, False, ALL),
            (
                "no-power",
                "⚡",
                "Немає електроенергії",
                "No electricity",
                True,
                False,
                [Kind.PROBLEM],
            ),
            ("no-water", "🚱", "Немає води", "No water", True, False, [Kind.PROBLEM]),
            ("no-heating", "🌡️", "Немає опалення", "No heating", True, False, [Kind.PROBLEM]),
        ],
    ),
    (
        "improvement",
        "Благоустрій",
        "City improvement",
        "improvement",
        [
            (
                "rubbish",
                "🗑️",
                "Невивезене сміття",
                "Rubbish not collected",
                True,
                False,
                [Kind.PROBLEM, Kind.COMPLAINT],
            ),
            ("parks", "🌳", "Парки і сквери", "Parks and squares", False, False, ALL),
        ],
    ),
    (
        "safety",
        "Безпека",
        "Safety",
        "civil-protection",
        [
            ("shelter", "🛡️", "Укриття", "Shelters", True, False, ALL),
            (
                "shelling-damage",
                "🏚️",
                "Пошкодження від обстрілу",
                "Shelling damage",
                True,
                True,
                [Kind.PROBLEM, Kind.APPLICATION],
            ),
            (
                "uxo",
                "⚠️",
                "Вибухонебезпечний предмет",
                "Unexploded ordnance",
                True,
                True,
                [Kind.PROBLEM],
            ),
        ],
    ),
    (
        "social",
        "Соціальний захист",
        "Social protection",
        "social",
        [
            (
                "social-help",
                "🤝",
                "Соціальна допомога",
                "Social assistance",
                False,
                False,
                [Kind.APPLICATION, Kind.COMPLAINT, Kind.PROPOSAL],
            ),
        ],
    ),
]

SAMPLES = [
    (
        "pothole",
        Kind.PROBLEM,
        "Яма на дорозі біля зупинки",
        "Велика яма на проїжджій частині, машини об'їжджають по тротуару.",
        46.6405,
        32.6120,
    ),
    (
        "streetlight",
        Kind.PROBLEM,
        "Не працюють ліхтарі у дворі",
        "Уже тиждень не працюють ліхтарі між будинками, ввечері дуже темно.",
        46.6530,
        32.5900,
    ),
    (
        "rubbish",
        Kind.PROBLEM,
        "Сміття не вивозять другий тиждень",
        "Контейнери переповнені, сміття лежить навколо.",
        46.6650,
        32.6700,
    ),
    (
        "parks",
        Kind.PROPOSAL,
        "Встановити лавки в сквері",
        "Пропоную встановити лавки та урни в сквері біля школи.",
        46.6380,
        32.6250,
    ),
]


# Answers a department sends often, written as the city would: a clerk starts
# from one and adds what is particular to the request.
ANSWER_TEMPLATES = {
    "roads": [
        (
            "Ямковий ремонт заплановано",
            "Шановний заявнику! Ваше звернення розглянуто. Ділянку дороги включено до графіка "
            "ямкового ремонту; роботи буде виконано протягом 30 днів, щойно дозволять погодні "
            "умови та безпекова ситуація. Дякуємо, що повідомили.",
        ),
        (
            "Світлофорний об'єкт відновлено",
            "Шановний заявнику! Аварійна бригада перевірила світлофорний об'єкт і відновила "
            "його роботу. Якщо несправність повториться, повідомте, будь ласка, знову.",
        ),
    ],
    "housing": [
        (
            "Передано аварійній службі",
            "Шановний заявнику! Ваше звернення передано аварійно-диспетчерській службі "
            "КП «Херсонтеплоенерго» / КП «Херсонводоканал». Роботи з усунення несправності "
            "буде виконано в порядку черговості; про результат ми повідомимо додатково.",
        ),
        (
            "Освітлення відновлено",
            "Шановний заявнику! Працівники КП «Херсонміськсвітло» замінили несправні світильники, "
            "вуличне освітлення на вказаній ділянці відновлено. Дякуємо за звернення.",
        ),
    ],
    "improvement": [
        (
            "Сміття вивезено",
            "Шановний заявнику! Перевізника зобов'язано вивезти відходи з контейнерного "
            "майданчика; вивезення виконано, графік обслуговування майданчика посилено.",
        ),
        (
            "Пропозицію враховано в плані благоустрою",
            "Шановний заявнику! Дякуємо за пропозицію. Її включено до переліку робіт з "
            "благоустрою на наступний рік; виконання залежить від фінансування міського бюджету.",
        ),
    ],
    "civil-protection": [
        (
            "Укриття перевірено",
            "Шановний заявнику! Комісія перевірила стан укриття за вказаною адресою. Виявлені "
            "недоліки внесено до плану усунення; укриття відкрите цілодобово під час тривоги.",
        ),
        (
            "Передано піротехнікам ДСНС",
            "Шановний заявнику! Інформацію про вибухонебезпечний предмет передано піротехнічному "
            "підрозділу ДСНС. Не наближайтеся до предмета і не торкайтеся його; у разі небезпеки "
            "телефонуйте 101.",
        ),
    ],
    "social": [
        (
            "Запрошення на прийом",
            "Шановний заявнику! Для розгляду вашого звернення запрошуємо вас на особистий прийом "
            "до управління соціального захисту; візьміть із собою паспорт, ідентифікаційний код "
            "і документи, що підтверджують ваше право на допомогу.",
        ),
        (
            "Допомогу призначено",
            "Шановний заявнику! За результатами розгляду вашого звернення вам призначено "
            "допомогу; кошти буде перераховано протягом місяця.",
        ),
    ],
}


def seed_answer_templates() -> None:
    """Answer templates of the departments that answer the demo categories."""
    for slug, templates in ANSWER_TEMPLATES.items():
        department = Department.objects.filter(slug=slug).first()
        if department is None:
            continue
        for title, text in templates:
            AnswerTemplate.objects.update_or_create(
                department=department, title=title, defaults={"text": text, "is_active": True}
            )


# Issue 16: a returned, a forwarded and an extended appeal, made through the
# services so that their timelines, notices and audit rows are real.
TERM_SAMPLES = [
    (
        "returned",
        "resident3@demo.mycity.test",
        "water",
        "Немає холодної води в будинку",
        "Третій день немає холодної води, на гарячій лінії не можуть сказати, коли дадуть воду.",
        "Вкажіть, будь ласка, точну адресу будинку та номер під'їзду: "
        "у зверненні адреси немає, без неї ми не можемо передати його аварійній службі.",
    ),
    (
        "forwarded",
        "resident2@demo.mycity.test",
        "public-transport",
        "Міжміський автобус до Білозерки не ходить за розкладом",
        "Автобус о 7:40 з автовокзалу до Білозерки вже тиждень не виходить на рейс, "
        "люди не можуть дістатися на роботу.",
        "Херсонська обласна військова адміністрація",
    ),
    (
        "extended",
        "resident@demo.mycity.test",
        "heating",
        "Холодні батареї на верхніх поверхах",
        "У будинку на вулиці Перекопській батареї на п'ятому поверсі ледь теплі, "
        "на першому — гарячі. Просимо налагодити систему опалення.",
        "Потрібне обстеження внутрішньобудинкової системи опалення разом із "
        "КП «Херсонтеплоенерго»; акт обстеження буде готовий протягом десяти днів.",
    ),
]


def seed_terms(moderator, head) -> None:
    """The returned, forwarded and extended demo appeals, once each."""
    users = get_user_model().objects
    for index, (what, email, slug, title, text, detail) in enumerate(TERM_SAMPLES):
        key = uuid.uuid5(uuid.NAMESPACE_URL, f"demo-appeal-terms-{index}")
        if Appeal.objects.filter(idempotency_key=key).exists():
            continue
        appeal, _created = appeal_submit(
            author=users.get(email=email),
            kind=Kind.PROBLEM,
            category=Category.objects.get(slug=slug),
            title=title,
            description=text,
            is_public=True,
            idempotency_key=key,
        )
        if what == "returned":
            appeal_return(appeal=appeal, actor=moderator, question=detail)
        elif what == "forwarded":
            appeal_forward(
                appeal=appeal,
                actor=moderator,
                body=detail,
                comment="Міжміські автобусні перевезення організовує область, а не місто.",
            )
        else:
            accepted = appeal_accept(appeal=appeal, moderator=moderator)
            appeal_extend(appeal=accepted, actor=head, days=10, reason=detail)


# Reports in these categories are about an outage (Category.incident_kind): one
# inside a known outage's area is linked to it and gets its answer.
INCIDENT_KINDS = {"no-power": "power", "no-water": "water", "no-heating": "heat"}
# (key, Ukrainian, English): the keys are what migration 0024 made of the old lines.
POTHOLE_SIZES = [
    ("menshe-30-sm", "Менше 30 см", "Under 30 cm"),
    ("30-100-sm", "30–100 см", "30–100 cm"),
    ("bilshe-metra", "Більше метра", "Over a metre"),
]


def seed(stdout):
    for g_order, (_g_slug, g_uk, g_en, dept_slug, categories) in enumerate(GROUPS):
        group, _ = CategoryGroup.objects.update_or_create(
            name_en=g_en, defaults={"name_uk": g_uk, "ordering": g_order}
        )
        department = Department.objects.get(slug=dept_slug)
        for order, (slug, icon, uk, en, location, sensitive, kinds) in enumerate(categories):
            Category.objects.update_or_create(
                slug=slug,
                defaults={
                    "group": group,
                    "name_uk": uk,
                    "name_en": en,
                    "icon": icon,
                    "department": department,
                    "location_required": location,
                    "sensitive": sensitive,
                    "kinds": [str(k) for k in kinds],
                    "incident_kind": INCIDENT_KINDS.get(slug, ""),
                    "ordering": order,
                },
            )
    size, _created = CategoryQuestion.objects.update_or_create(
        category=Category.objects.get(slug="pothole"),
        code="size",
        defaults={
            "label_uk": "Приблизний розмір ями",
            "label_en": "Approximate size of the pothole",
            "type": CategoryQuestion.Type.SINGLE,
            "required": True,
        },
    )
    for order, (key, uk, en) in enumerate(POTHOLE_SIZES):
        QuestionChoice.objects.update_or_create(
            question=size, key=key, defaults={"label_uk": uk, "label_en": en, "ordering": order}
        )
    seed_answer_templates()
    users = get_user_model().objects
    author = users.get(email="resident@demo.mycity.test")
    moderator = users.get(email="moderator@demo.mycity.test")
    for index, (slug, kind, title, text, lat, lon) in enumerate(SAMPLES):
        key = uuid.uuid5(uuid.NAMESPACE_URL, f"demo-appeal-{index}")
        if Appeal.objects.filter(idempotency_key=key).exists():
            continue
        category = Category.objects.get(slug=slug)
        answers = {"size": "30-100-sm"} if slug == "pothole" else {}
        appeal, _created = appeal_submit(
            author=author,
            kind=kind,
            category=category,
            title=title,
            description=text,
            is_public=True,
            idempotency_key=key,
            latitude=lat,
            longitude=lon,
            extra_answers=answers,
        )
        transition(appeal=appeal, action=Action.ACCEPT, actor=moderator, role=MODERATOR)
    seed_terms(moderator, users.get(email="head@demo.mycity.test"))
    _priority_appeal(users.get(email="resident2@demo.mycity.test"))
    seed_registered_by_staff(stdout, author=author, moderator=moderator)
    seed_history()
    stdout.write(f"  {Category.objects.count()} categories, {Appeal.objects.count()} appeals")


# A year of the city's work before the demo's own appeals, for the statistics
# (/stats/): all private, so the public lists, the map and the open data show
# the demo's own appeals only, while the figures count the year. Filed in the
# name of an inactive account that stands for many residents.
HISTORY_AUTHOR = "history@demo.mycity.test"
HISTORY_COUNT = 600


def seed_history() -> None:
    """HISTORY_COUNT appeals registered over the last year, as staff work leaves them."""
    person, _created = get_user_model().objects.get_or_create(
        email=HISTORY_AUTHOR,
        defaults={"full_name": "Мешканці Херсона", "preferred_language": "uk", "is_active": False},
    )
    if Appeal.objects.filter(author=person).exists():
        return
    person.set_unusable_password()
    person.save(update_fields=["password"])
    call_command(
        "seed_appeals",
        count=HISTORY_COUNT,
        mix="workflow",
        author=HISTORY_AUTHOR,
        private=100,
        stdout=StringIO(),
    )


def _priority_appeal(veteran) -> None:
    """An appeal of a resident with a verified priority status (Art. 20): first in the queue."""
    key = uuid.uuid5(uuid.NAMESPACE_URL, "demo-appeal-priority")
    if Appeal.objects.filter(idempotency_key=key).exists():
        return
    appeal_submit(
        author=veteran,
        kind=Kind.APPLICATION,
        category=Category.objects.get(slug="public-transport"),
        title="Low-floor bus on route 5 for a wheelchair",
        description=(
            "I use a wheelchair after a wound at the front. Route 5 has no low-floor bus in the "
            "morning; please put one on the schedule."
        ),
        is_public=False,
        idempotency_key=key,
    )


def seed_registered_by_staff(stdout, *, author, moderator) -> None:
    """Two oral and paper appeals (Art. 5): a hotline call without an account,
    and a paper letter of a resident who has one (registered at the service centre)."""
    officer = get_user_model().objects.get(email="services@demo.mycity.test")
    hotline, code, created = appeal_register(
        staff=moderator,
        channel="hotline",
        full_name="Бондаренко Галина Петрівна",
        residence="Херсон, вул. Перекопська",
        phone="+380501234567",
        kind=Kind.PROBLEM,
        category=Category.objects.get(slug="streetlight"),
        title="Не світять ліхтарі у дворі",
        description="Жителька телефонувала: у дворі будинку тиждень не світять ліхтарі.",
        address="вул. Перекопська, 12",
        idempotency_key=uuid.uuid5(uuid.NAMESPACE_URL, "demo-hotline-appeal"),
    )
    if created:
        stdout.write(f"  hotline appeal {hotline.reference}: claim code {code}")
    appeal_register(
        staff=officer,
        channel="letter",
        resident=author,
        full_name="Коваленко Оксана Іванівна",
        residence="Херсон, вул. Соборна",
        kind=Kind.COMPLAINT,
        category=Category.objects.get(slug="public-transport"),
        title="Маршрутка не ходить за розкладом",
        description="Лист: маршрут №15 уранці не ходить за розкладом уже місяць.",
        received_at=timezone.now() - dt.timedelta(days=2),
        idempotency_key=uuid.uuid5(uuid.NAMESPACE_URL, "demo-paper-letter"),
    )
