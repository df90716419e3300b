"""mycity.lib.widgets: the same HTML as Django's widgets, in fewer templates."""

import re

import pytest
from django import forms
from django.template.base import Template

from appeals.filters import AppealFilterForm
from mycity.lib.widgets import InlineSelect

CHOICES = [
    ("", "Any"),
    ("a", "Plain"),
    ("b", 'Quotes " and <b>tags</b> & more'),
    ("Group", [("g1", "In a group"), ("g2", "Also <i>grouped</i>")]),
    (3, "A number"),
]


def same(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


@pytest.mark.parametrize("value", [None, "", "a", "g2", "3", "<script>"])
def test_an_inline_select_renders_what_djangos_select_renders(value):
    attrs = {"class": "form-select", "id": "id_x", "data-x": 'say "hi"'}
    django_html = forms.Select(attrs=attrs, choices=CHOICES).render("x", value)
    inline_html = InlineSelect(attrs=attrs, choices=CHOICES).render("x", value)

    assert same(inline_html) == same(django_html)
    assert "<b>" not in inline_html  # labels stay escaped


def test_option_attributes_are_kept():
    class Marked(InlineSelect):
        def create_option(self, *args, **kwargs):
            option = super().create_option(*args, **kwargs)
            option["attrs"]["disabled"] = option["value"] == "a"
            return option

    html = Marked(choices=CHOICES).render("x", "b")

    assert '<option value="a" disabled>' in html
    assert '<option value="b" selected>' in html


@pytest.mark.django_db
def test_the_appeal_filter_form_renders_few_templates(monkeypatch):
    from django.template.loader import render_to_string

    rendered = []
    original = Template.render

    def counting(self, context):
        rendered.append(self.origin.template_name)
        return original(self, context)

    form = AppealFilterForm({"kind": "problem"}, with_choices=True)
    render_to_string("appeals/_filter_form.html", {"form": form})  # loads the templates
    monkeypatch.setattr(Template, "render", counting)
    html = render_to_string("appeals/_filter_form.html", {"form": form})

    assert "django/forms/widgets/select_option.html" not in rendered
    assert len(rendered) <= 25  # 73 with Django's Select
    assert '<option value="problem" selected>' in html
