"""Open311 fixtures' building blocks: clients with keys, categories with questions."""

from appeals.models import CategoryQuestion
from appeals.open311.services import api_client_create
from tests.factories import CategoryFactory, category_question


def api_client(name="Херсон 311", **fields):
    """(client, key) issued through the service, as the admin does."""
    return api_client_create(name=name, **fields)


def pothole_category(**fields):
    """A problem-report category with one question of every type."""
    category = CategoryFactory(
        slug=fields.pop("slug", "pothole"),
        name_uk="Яма на дорозі",
        name_en="Pothole",
        kinds=["problem", "proposal"],
        **fields,
    )
    questions = [
        ("size", CategoryQuestion.Type.NUMBER, True, ()),
        ("lane", CategoryQuestion.Type.SINGLE, False, [("Ліва", "Left"), ("Права", "Right")]),
        ("hazards", CategoryQuestion.Type.MULTIPLE, False, [("Вода", "Water"), ("Скло", "Glass")]),
        ("repeat", CategoryQuestion.Type.YES_NO, False, ()),
        ("landmark", CategoryQuestion.Type.TEXT, False, ()),
    ]
    for order, (code, kind, required, choices) in enumerate(questions):
        category_question(
            category, code=code, type=kind, required=required, choices=choices, ordering=order
        )
    return category
