"""Every column and read-only field of our admin is headed in the reader's language
(issue 19, point 14).

A heading a Ukrainian reader sees in English ("CREATED AT", "USER", "ID") is
a field without a translated verbose name or a display without a description.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import label_for_field
from django.utils import translation

OURS = {Path(settings.BASE_DIR)}


def our_admins():
    for model, model_admin in admin.site._registry.items():
        if Path(model._meta.app_config.path).parent in OURS:
            yield model, model_admin


def columns(model, model_admin):
    for name in model_admin.list_display:
        if name not in ("action_checkbox", "__str__"):
            yield model, model_admin, name
    # The read-only facts of a change page are headed by the same labels.
    for name in model_admin.readonly_fields:
        yield model, model_admin, name
    for inline_class in model_admin.inlines:
        inline = inline_class(model, admin.site)
        for name in inline.fields or ():
            if isinstance(name, str):
                yield inline.model, inline, name


CASES = [
    pytest.param(target, owner, name, id=f"{model._meta.label}.{getattr(name, '__name__', name)}")
    for model, model_admin in our_admins()
    for target, owner, name in columns(model, model_admin)
]


@pytest.mark.parametrize(("target", "owner", "name"), CASES)
def test_the_column_heading_is_translated(target, owner, name):
    with translation.override("uk"):
        label = str(label_for_field(name, target, owner))

    assert re.search("[а-яіїєґ№]", label.lower()), label


def test_there_are_columns_to_check():
    assert len(CASES) > 100
