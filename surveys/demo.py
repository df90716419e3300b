"""Demo surveys for Kherson: one open to everyone, one for a district, one closed with results."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from mycity.models import District

from .models import Choice, Participation, Question, Survey

SURVEYS = [
    {
        "slug": "shelters-2026",
        "title_uk": "Укриття у вашому районі",
        "title_en": "Shelters in your neighbourhood",
        "description_uk": (
            "Місто планує облаштування укриттів на 2026 рік. Розкажіть, наскільки далеко "
            "найближче укриття, чого в ньому бракує і чи ви ним користуєтесь. Опитування "
            "анонімне: ніхто не побачить, які відповіді ваші."
        ),
        "description_en": (
            "The city is planning shelter works for 2026. Tell us how far the nearest shelter "
            "is, what it lacks and whether you use it. The survey is anonymous: nobody can "
            "see which answers are yours."
        ),
        "days": (-3, 25),
        "audience": "everyone",
        "is_anonymous": True,
        "results_visibility": "live",
        "responses": 240,
        "questions": [
            (
                1,
                "single",
                "Скільки часу йти до найближчого укриття?",
                "How long is the walk to the nearest shelter?",
                True,
                {"allow_other": True},
                [
                    ("До 5 хвилин", "Under 5 minutes"),
                    ("5–15 хвилин", "5–15 minutes"),
                    ("Понад 15 хвилин", "Over 15 minutes"),
                    ("Не знаю, де воно", "I don't know where it is"),
                ],
            ),
            (
                1,
                "multiple",
                "Чого найбільше бракує в укритті?",
                "What does the shelter lack most?",
                False,
                {"max_choices": 3, "allow_other": True},
                [
                    ("Питної води", "Drinking water"),
                    ("Освітлення", "Lighting"),
                    ("Місць для сидіння", "Seating"),
                    ("Туалету", "A toilet"),
                    ("Зв'язку та інтернету", "Mobile signal and internet"),
                    ("Доступного входу", "Step-free access"),
                ],
            ),
            (
                2,
                "rating",
                "Оцініть стан укриття",
                "Rate the shelter's condition",
                True,
                {"scale_max": 5},
                [],
            ),
            (
                2,
                "yes_no",
                "Чи ходите ви в укриття під час тривоги?",
                "Do you go to the shelter during air-raid alerts?",
                True,
                {},
                [],
            ),
            (3, "short_text", "Чому ні?", "Why not?", False, {"condition": ("yes_no", False)}, []),
            (
                3,
                "long_text",
                "Що ще місту варто знати?",
                "What else should the city know?",
                False,
                {},
                [],
            ),
        ],
    },
    {
        "slug": "korabelnyi-park",
        "title_uk": "Сквер на Корабельному: що облаштувати першим",
        "title_en": "The Korabelnyi square: what to build first",
        "description_uk": "Для мешканців Корабельного району: допоможіть розставити пріоритети.",
        "description_en": "For residents of Korabelnyi district: help us set the priorities.",
        "days": (-1, 14),
        "audience": "districts",
        "districts": ["korabelnyi"],
        "is_anonymous": False,
        "results_visibility": "after_close",
        "responses": 0,
        "questions": [
            (
                1,
                "ranking",
                "Розставте за важливістю",
                "Rank by importance",
                True,
                {},
                [
                    ("Дитячий майданчик", "Playground"),
                    ("Освітлення", "Lighting"),
                    ("Лавки й тінь", "Benches and shade"),
                    ("Укриття поруч", "A shelter nearby"),
                ],
            ),
            (
                1,
                "number",
                "Скільки разів на місяць ви буваєте у сквері?",
                "How many times a month do you visit the square?",
                False,
                {"number_min": 0, "number_max": 60},
                [],
            ),
        ],
    },
    {
        "slug": "bus-routes-2025",
        "title_uk": "Вечірні автобусні маршрути",
        "title_en": "Evening bus routes",
        "description_uk": "Які маршрути потрібні після 19:00? Опитування завершено.",
        "description_en": "Which routes are needed after 7 pm? The survey has closed.",
        "days": (-40, -10),
        "audience": "everyone",
        "is_anonymous": True,
        "results_visibility": "after_close",
        "responses": 180,
        "questions": [
            (
                1,
                "single",
                "Коли ви найчастіше повертаєтесь додому?",
                "When do you usually travel home?",
                True,
                {},
                [
                    ("До 18:00", "Before 6 pm"),
                    ("18:00–20:00", "6–8 pm"),
                    ("Після 20:00", "After 8 pm"),
                ],
            ),
            (
                1,
                "multiple",
                "Які напрямки потрібні ввечері?",
                "Which directions are needed in the evening?",
                False,
                {"min_choices": 1, "max_choices": 2},
                [
                    ("Центр – Корабельний", "Centre – Korabelnyi"),
                    ("Центр – Таврійський", "Centre – Tavriiskyi"),
                    ("Центр – Шуменський", "Centre – Shumenskyi"),
                ],
            ),
            (
                1,
                "rating",
                "Оцініть роботу громадського транспорту",
                "Rate public transport",
                True,
                {"scale_max": 10},
                [],
            ),
        ],
    },
]


def seed(stdout):
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    for spec in SURVEYS:
        opens, closes = spec["days"]
        survey, created = Survey.objects.update_or_create(
            slug=spec["slug"],
            defaults={
                "title_uk": spec["title_uk"],
                "title_en": spec["title_en"],
                "description_uk": spec["description_uk"],
                "description_en": spec["description_en"],
                "opens_at": now + dt.timedelta(days=opens),
                "closes_at": now + dt.timedelta(days=closes),
                "is_published": True,
                "audience": spec["audience"],
                "is_anonymous": spec["is_anonymous"],
                "results_visibility": spec["results_visibility"],
            },
        )
        if spec.get("districts"):
            survey.districts.set(District.objects.filter(slug__in=spec["districts"]))
        if not survey.questions.exists():
            _questions(survey, spec["questions"])
        if spec["responses"] and not survey.responses.exists():
            from .management.commands.surveys_seed_responses import seed_responses

            seed_responses(survey, spec["responses"], seed=len(spec["slug"]))
            _participations(survey, spec["responses"])
        stdout.write(f"    survey {survey.slug} ({'new' if created else 'updated'})")


def _participations(survey, count: int) -> None:
    """Who took part in the synthetic responses: inactive demo accounts, one per response.

    Every response has its participation (the daily check of counters,
    mycity.lib.counters, compares them), as a real survey would.
    """
    user_model = get_user_model()
    emails = [f"respondent-{n}@demo.mycity.test" for n in range(count)]
    unusable = make_password(None)
    user_model.objects.bulk_create(
        [user_model(email=email, password=unusable, is_active=False) for email in emails],
        ignore_conflicts=True,
    )
    people = user_model.objects.filter(email__in=emails).values_list("pk", flat=True)
    Participation.objects.bulk_create(
        [Participation(survey=survey, user_id=pk) for pk in people], ignore_conflicts=True
    )


def _questions(survey, specs):
    previous = {}
    for order, (page, kind, uk, en, required, extra, choices) in enumerate(specs):
        extra = dict(extra)
        condition = extra.pop("condition", None)
        question = Question(
            survey=survey,
            page=page,
            order=order,
            kind=kind,
            text_uk=uk,
            text_en=en,
            required=required,
            **extra,
        )
        if condition:
            question.condition_question = previous[condition[0]]
            question.condition_yes = condition[1]
        question.save()
        previous[kind] = question
        for index, (label_uk, label_en) in enumerate(choices):
            Choice.objects.create(
                question=question, order=index, label_uk=label_uk, label_en=label_en
            )
