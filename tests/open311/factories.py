"""Open311 fixtures' building blocks: clients with keys, categories with questions."""

from appeals.models import CategoryQuestion
from appeals.open311.services import api_client_create
from tests.factories import CategoryFactory


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
        ("size", CategoryQuestion.Type.NUMBER, True, ("", "")),
        ("lane", CategoryQuestion.Type.SINGLE, False, ("Ліва\nПрава", "Left\nRight")),
        ("hazards", CategoryQuestion.Type.MULTIPLE, False, ("Вода\nСкло", "Water\nGlass")),
        ("repeat", CategoryQuestion.Type.YES_NO, False, ("", "")),
        ("landmark", CategoryQuestion.Type.TEXT, False, ("", "")),
    ]
    for order, (code, kind, required, choices) in enumerate(questions):
        CategoryQuestion.objects.create(
            category=category,
            code=code,
            label_uk=f"Питання {code}",
            label_en=f"Question {code}",
            type=kind,
            required=required,
            choices_uk=choices[0],
            choices_en=choices[1],
            ordering=order,
        )
    return category
