"""Fixtures shared by the surveys tests."""

import pytest
from django.utils import translation

from tests.factories import DistrictFactory, UserFactory, enable_mfa, give_role, verify_email

from .factories import SurveyFactory, question_with_choices


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def everything_in_english(settings, monkeypatch, english):
    from citizens.models import User

    settings.LANGUAGE_CODE = "en"
    monkeypatch.setattr(User._meta.get_field("preferred_language"), "default", "en")


@pytest.fixture
def district(db):
    return DistrictFactory(name_uk="Дніпровський", name_en="Dniprovskyi")


@pytest.fixture
def other_district(db):
    return DistrictFactory(name_uk="Корабельний", name_en="Korabelnyi")


@pytest.fixture
def verified_resident(db, district):
    from django.utils import timezone

    user = UserFactory(
        email="verified@example.com",
        district=district,
        is_verified_resident=True,
        verified_at=timezone.now(),
    )
    verify_email(user)
    return user


@pytest.fixture
def far_resident(db, other_district):
    user = UserFactory(email="far@example.com", district=other_district)
    verify_email(user)
    return user


@pytest.fixture
def survey_manager(db):
    user = UserFactory(email="surveys@example.com", is_staff=True)
    verify_email(user)
    enable_mfa(user)
    give_role(user, "survey_manager")
    return user


@pytest.fixture
def survey(db):
    """An open survey for anyone signed in, with a required single-choice question."""
    survey = SurveyFactory(slug="shelters", title_uk="Укриття", title_en="Shelters")
    question_with_choices(survey, required=True, page=1)
    return survey


def answer_for(survey) -> dict:
    """Raw answers that pass: the first option of each choice question, and so on."""
    raw = {}
    for question in survey.questions.prefetch_related("choices"):
        choices = list(question.choices.all())
        if question.kind == "single":
            raw[str(question.pk)] = {"choice": str(choices[0].pk), "other": ""}
        elif question.kind == "multiple":
            raw[str(question.pk)] = {"choices": [str(choices[0].pk)], "other": ""}
        elif question.kind == "ranking":
            raw[str(question.pk)] = {str(c.pk): str(i) for i, c in enumerate(choices, 1)}
        elif question.kind == "rating":
            raw[str(question.pk)] = "4"
        elif question.kind == "yes_no":
            raw[str(question.pk)] = "yes"
        elif question.kind == "number":
            raw[str(question.pk)] = "3"
        else:
            raw[str(question.pk)] = "Більше світла на вулицях"
    return raw


@pytest.fixture
def count_survey_queries():
    """Count the queries a block makes on this app's tables.

    The base template's context processors belong to other apps (and change
    with them); pages of this app pin their own queries.
    """
    from contextlib import contextmanager

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    @contextmanager
    def counting():
        with CaptureQueriesContext(connection) as context:
            result = {"context": context}
            yield result
        result["count"] = sum('"surveys_' in query["sql"] for query in context.captured_queries)
        result["total"] = len(context.captured_queries)

    return counting
