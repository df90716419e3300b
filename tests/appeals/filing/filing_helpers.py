"""Helpers shared by the tests of filing an appeal through the two-step form."""

import uuid

from django.urls import reverse

NEW = reverse("appeals:new")


def speak(user, language: str) -> None:
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])


def step2(category, kind="problem") -> str:
    return f"{NEW}?kind={kind}&category={category.slug}"


def form_data(**fields) -> dict:
    data = {
        "title": "Яма на дорозі біля зупинки",
        "description": "Велика яма на проїжджій частині, машини об'їжджають по тротуару.",
        "address": "",
        "latitude": "",
        "longitude": "",
        "visibility": "public",
        "idempotency_key": str(uuid.uuid4()),
    }
    data.update(fields)
    return data


def errors_of(response, field):
    return response.context["form"].errors.get(field, [])
