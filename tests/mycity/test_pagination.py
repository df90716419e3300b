"""templates/includes/_pagination.html: the paging of every list, one markup."""

import re

import pytest
from django.core.paginator import Paginator
from django.template import engines
from django.test import RequestFactory
from django.utils import translation

PAGES = Paginator(list(range(100)), 10)


def render(template: str, *, url: str | None = "/list/", **context) -> str:
    request = RequestFactory().get(url) if url else None
    context.setdefault("page", PAGES.page(5))
    with translation.override("en"):
        html = engines["django"].from_string(template).render(context, request=request)
    return re.sub(r"\s+", " ", html).strip()


INCLUDE = '{% include "includes/_pagination.html" %}'


def hrefs(html: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', html)


def test_a_single_page_shows_no_paging():
    assert render(INCLUDE, page=Paginator([1, 2], 10).page(1)) == ""


def test_previous_the_page_and_next():
    html = render(INCLUDE)
    assert '<nav aria-label="Pages">' in html
    assert '<ul class="pagination flex-wrap">' in html
    assert '<a class="page-link" rel="prev" href="?page=4">← Previous</a>' in html
    assert '<span class="page-link" aria-current="page">Page 5 of 10</span>' in html
    assert '<a class="page-link" rel="next" href="?page=6">Next →</a>' in html
    assert "hx-get" not in html


def test_the_first_and_the_last_page_have_one_link_each():
    assert hrefs(render(INCLUDE, page=PAGES.page(1))) == ["?page=2"]
    assert hrefs(render(INCLUDE, page=PAGES.page(10))) == ["?page=9"]


def test_the_requests_other_parameters_are_kept():
    html = render(INCLUDE, url="/list/?q=яма&district=3&page=5")
    assert hrefs(html) == [
        "?q=%D1%8F%D0%BC%D0%B0&amp;district=3&amp;page=4",
        "?q=%D1%8F%D0%BC%D0%B0&amp;district=3&amp;page=6",
    ]


def test_another_lists_page_is_kept_when_this_one_has_its_own_parameter():
    html = render(
        '{% include "includes/_pagination.html" with param="following_page" %}',
        url="/me/requests/?page=2&following_page=5",
    )
    assert hrefs(html) == ["?page=2&amp;following_page=4", "?page=2&amp;following_page=6"]


def test_a_query_the_view_made_is_used_without_a_request():
    # A cached fragment (the news list) is rendered without a request.
    html = render(
        '{% include "includes/_pagination.html" with page_query="topic=water&district=centre" %}',
        url=None,
    )
    assert hrefs(html) == [
        "?topic=water&amp;district=centre&amp;page=4",
        "?topic=water&amp;district=centre&amp;page=6",
    ]


def test_without_a_request_or_a_query_only_the_page():
    assert hrefs(render(INCLUDE, url=None)) == ["?page=4", "?page=6"]


def test_htmx_swaps_the_target_in_place_and_the_plain_link_still_works():
    html = render(
        '{% include "includes/_pagination.html" with target="inbox-rows" newest_first=True %}'
    )
    assert (
        '<a class="page-link" rel="prev" href="?page=4" hx-get="?page=4" hx-target="#inbox-rows"'
        ' hx-swap="outerHTML show:window:top" hx-push-url="true">← Newer</a>'
    ) in html
    assert 'hx-get="?page=6"' in html
    assert "Older →</a>" in html


def test_label_and_classes_are_the_callers():
    html = render(
        '{% load i18n %}{% translate "Pages of proposals" as label %}'
        '{% include "includes/_pagination.html" with label=label classes="pagination-sm mb-0" %}'
    )
    assert (
        '<nav aria-label="Pages of proposals"> <ul class="pagination pagination-sm mb-0">' in html
    )


@pytest.mark.parametrize(
    ("language", "words"),
    [("uk", ["Новіші", "Сторінка 5 з 10", "Старіші"]), ("en", ["Newer", "Page 5 of 10", "Older"])],
)
def test_the_words_are_translated(language, words):
    with translation.override(language):
        html = (
            engines["django"]
            .from_string('{% include "includes/_pagination.html" with newest_first=True %}')
            .render({"page": PAGES.page(5)})
        )
    for word in words:
        assert word in html
