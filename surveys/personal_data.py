"""Surveys' part of a person's data (citizens.personal_data): export and erase.

Deleting an account unlinks the person's named responses (they stay counted
in the results, as anonymous ones do) and keeps the participation rows that
make "one person, one response" hold: they carry only the day.
"""

from citizens.personal_data import PersonalData

from .models import Participation, Response


def export(user) -> tuple[dict, dict]:
    responses = [
        {
            "survey": str(response.survey),
            "submitted_at": response.submitted_at,
            "answers": [
                {
                    "question": str(answer.question),
                    "option": str(answer.choice) if answer.choice_id else None,
                    "number": answer.number,
                    "text": answer.text,
                }
                for answer in response.answers.all()
            ],
        }
        for response in Response.objects.filter(respondent=user)
        .select_related("survey")
        .prefetch_related("answers__question", "answers__choice")
        .order_by("submitted_at")
    ]
    took_part = [
        {"survey": str(p.survey), "day": p.day}
        for p in Participation.objects.filter(user=user).select_related("survey").order_by("day")
    ]
    return {"named_responses": responses, "took_part_in": took_part}, {}


def erase(user) -> None:
    Response.objects.filter(respondent=user).update(respondent=None)


ENTRY = PersonalData(name="surveys", export=export, erase=erase)
