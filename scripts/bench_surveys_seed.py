"""Run by scripts/bench_surveys.sh through `manage.py shell`: the 100,000-response
survey (made once) and the uncached cost of its results."""

import statistics
import sys
import time

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from surveys.management.commands.surveys_seed_responses import seed_responses
from surveys.models import Choice, Question, Survey
from surveys.results import survey_results
from surveys.services import survey_questions

TARGET = 100_000
survey, created = Survey.objects.get_or_create(
    slug="bench-100k",
    defaults={
        "title_uk": "Бенчмарк: 100 000 відповідей",
        "title_en": "Benchmark: 100,000 responses",
        "opens_at": timezone.now() - timezone.timedelta(days=15),
        "closes_at": timezone.now() + timezone.timedelta(days=365),
        "is_published": True,
        "results_visibility": "live",
    },
)
if created:
    kinds = [
        "single",
        "multiple",
        "ranking",
        "rating",
        "yes_no",
        "number",
        "short_text",
        "long_text",
    ]
    for order, kind in enumerate(kinds):
        question = Question.objects.create(
            survey=survey,
            order=order,
            kind=kind,
            text_uk=f"Питання {order}",
            text_en=f"Q {order}",
            scale_max=10 if kind == "rating" else 5,
        )
        if kind in ("single", "multiple", "ranking"):
            for n in range(5 if kind != "ranking" else 4):
                Choice.objects.create(
                    question=question, order=n, label_uk=f"Варіант {n}", label_en=f"Option {n}"
                )
missing = TARGET - survey.responses.count()
if missing > 0:
    started = time.perf_counter()
    answers = seed_responses(survey, missing)
    sys.stdout.write(
        f"seeded {missing} responses, {answers} answers in {time.perf_counter() - started:.1f} s\n"
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE surveys_response; ANALYZE surveys_answer")

questions = survey_questions(survey)
timings = []
for _ in range(5):
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        results = survey_results(survey, questions)
        timings.append(1000 * (time.perf_counter() - started))
sys.stdout.write(
    f"results of {results.total} responses uncached: median {statistics.median(timings):.0f} ms "
    f"(min {min(timings):.0f}, max {max(timings):.0f}), {len(queries.captured_queries)} queries\n"
)
