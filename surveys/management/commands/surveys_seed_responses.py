"""Fill a survey with many synthetic responses, fast, for benchmarks and load tests.

    manage.py surveys_seed_responses <slug> --count 100000

Writes Response and Answer rows with bulk_create in batches (no participations:
the responses have no people). Never run it on a real installation.
"""

import datetime as dt
import random
import uuid

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from mycity.models import District
from surveys.models import Answer, Kind, Response, Survey

BATCH = 5000


def seed_responses(survey: Survey, count: int, *, seed: int = 7) -> int:
    """Add `count` random responses to `survey`; returns the number of answers written.

    On PostgreSQL the rows are made by the database (generate_series): 100,000
    responses in seconds. Elsewhere in Python, with bulk_create in batches.
    """
    if connection.vendor == "postgresql":
        return _seed_in_postgres(survey, count)
    rng = random.Random(seed)
    questions = list(survey.questions.prefetch_related("choices"))
    choices = {q.pk: [c.pk for c in q.choices.all()] for q in questions}
    districts = list(District.objects.values_list("pk", flat=True)) or [None]
    start = timezone.now() - dt.timedelta(days=14)
    written = 0
    for offset in range(0, count, BATCH):
        responses = [
            Response(
                id=uuid.UUID(int=rng.getrandbits(128), version=4),
                survey=survey,
                district_id=rng.choice(districts),
                language=rng.choice(("uk", "uk", "uk", "en")),
                submitted_at=start + dt.timedelta(seconds=rng.randrange(14 * 24 * 3600)),
            )
            for _ in range(min(BATCH, count - offset))
        ]
        answers = []
        for response in responses:
            for question in questions:
                answers.extend(_answers(rng, question, choices[question.pk], response))
        with transaction.atomic():
            Response.objects.bulk_create(responses)
            Answer.objects.bulk_create(answers, batch_size=BATCH)
        written += len(answers)
    return written


def _answers(rng, question, choice_ids, response):
    kind = question.kind
    if kind == Kind.SINGLE:
        return [Answer(response=response, question=question, choice_id=rng.choice(choice_ids))]
    if kind == Kind.MULTIPLE:
        picked = rng.sample(choice_ids, rng.randint(1, min(3, len(choice_ids))))
        return [Answer(response=response, question=question, choice_id=pk) for pk in picked]
    if kind == Kind.RANKING:
        order = rng.sample(choice_ids, len(choice_ids))
        return [
            Answer(response=response, question=question, choice_id=pk, number=place)
            for place, pk in enumerate(order, start=1)
        ]
    if kind == Kind.RATING:
        return [
            Answer(response=response, question=question, number=rng.randint(1, question.scale_max))
        ]
    if kind == Kind.YES_NO:
        return [Answer(response=response, question=question, number=rng.randint(0, 1))]
    if kind == Kind.NUMBER:
        return [Answer(response=response, question=question, number=rng.randint(0, 30))]
    if rng.random() < 0.2:
        return [Answer(response=response, question=question, text=rng.choice(TEXTS))]
    return []


def _seed_in_postgres(survey: Survey, count: int) -> int:
    districts = list(District.objects.values_list("pk", flat=True))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS seed_responses")
        cursor.execute(
            "CREATE TEMP TABLE seed_responses ON COMMIT DROP AS "
            "SELECT gen_random_uuid() AS id FROM generate_series(1, %s)",
            [count],
        )
        cursor.execute(
            "INSERT INTO surveys_response (id, survey_id, district_id, language, submitted_at) "
            "SELECT id, %s, (%s::bigint[])[1 + floor(random() * %s)::int], "
            "CASE WHEN random() < 0.8 THEN 'uk' ELSE 'en' END, "
            "now() - random() * interval '14 days' FROM seed_responses",
            [survey.pk, districts or [None], max(len(districts), 1)],
        )
        before = Answer.objects.filter(question__survey=survey).count()
        for question in survey.questions.prefetch_related("choices"):
            ids = [c.pk for c in question.choices.all()]
            kind = question.kind
            if kind in (Kind.SINGLE, Kind.MULTIPLE, Kind.RANKING):
                params = [question.pk, ids] + ([len(ids)] if kind == Kind.SINGLE else [])
            elif kind in (Kind.RATING, Kind.YES_NO, Kind.NUMBER):
                top = {Kind.RATING: question.scale_max, Kind.YES_NO: 1, Kind.NUMBER: 30}[kind]
                low = 1 if kind == Kind.RATING else 0
                params = [question.pk, low, top - low + 1]
                kind = "numeric"
            else:
                params = [question.pk, TEXTS, len(TEXTS)]
                kind = "text"
            cursor.execute(ANSWER_SQL[kind], params)
        return Answer.objects.filter(question__survey=survey).count() - before


ANSWER_SQL = {
    Kind.SINGLE: (
        "INSERT INTO surveys_answer (response_id, question_id, choice_id, number, text) "
        "SELECT id, %s, (%s::bigint[])[1 + floor(random() * %s)::int], NULL, '' "
        "FROM seed_responses"
    ),
    Kind.MULTIPLE: (
        "INSERT INTO surveys_answer (response_id, question_id, choice_id, number, text) "
        "SELECT s.id, %s, c, NULL, '' FROM seed_responses s "
        "CROSS JOIN unnest(%s::bigint[]) c WHERE random() < 0.4"
    ),
    Kind.RANKING: (
        "INSERT INTO surveys_answer (response_id, question_id, choice_id, number, text) "
        "SELECT s.id, %s, c, row_number() OVER (PARTITION BY s.id ORDER BY random()), '' "
        "FROM seed_responses s CROSS JOIN unnest(%s::bigint[]) c"
    ),
    "numeric": (
        "INSERT INTO surveys_answer (response_id, question_id, choice_id, number, text) "
        "SELECT id, %s, NULL, %s + floor(random() * %s), '' FROM seed_responses"
    ),
    "text": (
        "INSERT INTO surveys_answer (response_id, question_id, choice_id, number, text) "
        "SELECT id, %s, NULL, NULL, (%s::text[])[1 + floor(random() * %s)::int] "
        "FROM seed_responses WHERE random() < 0.2"
    ),
}

TEXTS = [
    "Потрібно більше укриттів біля шкіл.",
    "Автобус №7 ходить рідко ввечері.",
    "Дякую за роботу комунальників!",
    "More street lights on Ushakova Avenue, please.",
]


class Command(BaseCommand):
    help = "Add many synthetic responses to a survey (benchmarks only)."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--count", type=int, default=100_000)

    def handle(self, *args, slug, count, **options):
        survey = Survey.objects.filter(slug=slug).first()
        if survey is None:
            raise CommandError(f"No survey {slug!r}")
        answers = seed_responses(survey, count)
        self.stdout.write(f"{count} responses, {answers} answers added to {slug}")
