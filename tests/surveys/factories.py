"""Factories for surveys: a published survey open now, its questions and options."""

import datetime as dt

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from surveys.models import Choice, Question, Survey


class SurveyFactory(DjangoModelFactory):
    class Meta:
        model = Survey
        skip_postgeneration_save = True

    title_uk = factory.Sequence(lambda n: f"Опитування {n}")
    title_en = factory.Sequence(lambda n: f"Survey {n}")
    slug = factory.Sequence(lambda n: f"survey-{n}")
    description_uk = "Розкажіть, що ви думаєте."
    description_en = "Tell us what you think."
    opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=7))
    is_published = True
    results_visibility = "live"

    @factory.post_generation
    def districts(self, create, extracted, **kwargs):
        if create and extracted:
            self.districts.set(extracted)


class QuestionFactory(DjangoModelFactory):
    class Meta:
        model = Question

    survey = factory.SubFactory(SurveyFactory)
    kind = "single"
    text_uk = factory.Sequence(lambda n: f"Питання {n}")
    text_en = factory.Sequence(lambda n: f"Question {n}")
    order = factory.Sequence(lambda n: n)


class ChoiceFactory(DjangoModelFactory):
    class Meta:
        model = Choice

    question = factory.SubFactory(QuestionFactory)
    label_uk = factory.Sequence(lambda n: f"Варіант {n}")
    label_en = factory.Sequence(lambda n: f"Option {n}")
    order = factory.Sequence(lambda n: n)


def question_with_choices(survey, kind="single", labels=("Так", "Ні", "Не знаю"), **fields):
    question = QuestionFactory(survey=survey, kind=kind, **fields)
    for index, label in enumerate(labels):
        ChoiceFactory(question=question, label_uk=label, label_en=f"{label} (en)", order=index)
    return question
