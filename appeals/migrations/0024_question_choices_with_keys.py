"""Choices of a category question get stable keys; stored answers hold the key.

Before: a question's choices were two texts, one label a line (Ukrainian and
English), and an answer stored the label in the language it was filed in, so
an app reading English could not file what the Ukrainian form offered. Now
each choice is a row with a key (an ASCII slug, unique within its question)
and a translated label; answers store the key.

Forward: every single/multiple choice question's lines become choices
(appeals.choice_keys.choices_from_lines), then the answers of appeals in those
categories that hold a label, in either language, are rewritten to its key
(answers_with_keys), in batches. A value naming no choice is kept as it is.
Back: the lines are rebuilt from the choices and keys become Ukrainian labels.
"""

from collections import defaultdict

import django.db.models.deletion
from django.db import migrations, models

from appeals.choice_keys import answers_with_keys, answers_with_labels, choices_from_lines

CHOICE_TYPES = ("single", "multiple")
BATCH = 1000


def _rewrite_answers(appeal_model, by_category, rewrite):
    for category_id, questions in by_category.items():
        rows = (
            appeal_model.objects.filter(category_id=category_id)
            .exclude(extra_answers={})
            .only("pk", "extra_answers")
            .order_by("pk")
        )
        batch = []
        for appeal in rows.iterator(chunk_size=BATCH):
            answers = rewrite(appeal.extra_answers, questions)
            if answers is not None:
                appeal.extra_answers = answers
                batch.append(appeal)
            if len(batch) >= BATCH:
                appeal_model.objects.bulk_update(batch, ["extra_answers"])
                batch = []
        if batch:
            appeal_model.objects.bulk_update(batch, ["extra_answers"])


def forward(apps, schema_editor):
    CategoryQuestion = apps.get_model("appeals", "CategoryQuestion")
    QuestionChoice = apps.get_model("appeals", "QuestionChoice")
    Appeal = apps.get_model("appeals", "Appeal")
    by_category = defaultdict(dict)
    for question in CategoryQuestion.objects.filter(type__in=CHOICE_TYPES).order_by("pk"):
        choices = choices_from_lines(question.choices_uk or question.choices, question.choices_en)
        QuestionChoice.objects.bulk_create(
            QuestionChoice(
                question=question,
                key=choice["key"],
                label=choice["label_uk"],
                label_uk=choice["label_uk"],
                label_en=choice["label_en"],
                ordering=order,
            )
            for order, choice in enumerate(choices)
        )
        by_category[question.category_id][question.code] = choices
    _rewrite_answers(Appeal, by_category, answers_with_keys)


def backward(apps, schema_editor):
    CategoryQuestion = apps.get_model("appeals", "CategoryQuestion")
    QuestionChoice = apps.get_model("appeals", "QuestionChoice")
    Appeal = apps.get_model("appeals", "Appeal")
    by_question = defaultdict(list)
    for choice in QuestionChoice.objects.order_by("ordering", "pk"):
        by_question[choice.question_id].append(
            {
                "key": choice.key,
                "label_uk": choice.label_uk or "",
                "label_en": choice.label_en or "",
            }
        )
    by_category = defaultdict(dict)
    for question in CategoryQuestion.objects.filter(pk__in=by_question):
        choices = by_question[question.pk]
        question.choices = question.choices_uk = "\n".join(c["label_uk"] for c in choices)
        question.choices_en = "\n".join(c["label_en"] or c["label_uk"] for c in choices)
        question.save(update_fields=["choices", "choices_uk", "choices_en"])
        by_category[question.category_id][question.code] = choices
    _rewrite_answers(Appeal, by_category, answers_with_labels)


class Migration(migrations.Migration):
    dependencies = [
        ("appeals", "0023_statistics_indexes"),
    ]

    operations = [
        # related_name "+" until the text field named `choices` is gone (below).
        migrations.CreateModel(
            name="QuestionChoice",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "key",
                    models.SlugField(
                        blank=True,
                        help_text=(
                            "Latin letters, digits and hyphens; made from the label when left "
                            "empty. It never changes once saved: apps and stored answers use it."
                        ),
                        max_length=60,
                        verbose_name="key",
                    ),
                ),
                ("label", models.CharField(max_length=200, verbose_name="label")),
                ("label_uk", models.CharField(max_length=200, null=True, verbose_name="label")),
                ("label_en", models.CharField(max_length=200, null=True, verbose_name="label")),
                ("ordering", models.PositiveSmallIntegerField(default=0, verbose_name="order")),
                (
                    "question",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="appeals.categoryquestion",
                        verbose_name="question",
                    ),
                ),
            ],
            options={
                "verbose_name": "choice",
                "verbose_name_plural": "choices",
                "ordering": ["ordering", "pk"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("question", "key"), name="appeals_question_choice_key_unique"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("key", ""), _negated=True),
                        name="appeals_question_choice_key_not_empty",
                    ),
                ],
            },
        ),
        migrations.RunPython(forward, backward),
        migrations.RemoveField(model_name="categoryquestion", name="choices"),
        migrations.RemoveField(model_name="categoryquestion", name="choices_en"),
        migrations.RemoveField(model_name="categoryquestion", name="choices_uk"),
        migrations.AlterField(
            model_name="questionchoice",
            name="question",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="choices",
                to="appeals.categoryquestion",
                verbose_name="question",
            ),
        ),
    ]
