"""The footer's pages: privacy notice, terms of use, contacts, accessibility statement.

Staff with the right edit them in both languages in the admin; everybody reads
them; the footer links them from every page without a query.
"""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from mycity.models import Page
from mycity.pages import FOOTER_PAGES, page_save
from tests.conftest import sign_in
from tests.factories import UserFactory, enable_mfa, give_role, verify_email

pytestmark = pytest.mark.django_db

TITLES = {
    "privacy": ("Повідомлення про приватність", "Privacy notice"),
    "terms": ("Умови користування", "Terms of use"),
    "contacts": ("Контакти міської влади", "Contacts of the administration"),
    "accessibility": ("Заява про доступність", "Accessibility statement"),
}


@pytest.fixture
def editor(db):
    user = UserFactory(is_staff=True, email="pages-editor@example.com")
    verify_email(user)
    enable_mfa(user)
    return give_role(user, "editor")


def in_language(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def page_url(slug):
    return reverse("privacy") if slug == "privacy" else reverse("page", args=[slug])


@pytest.mark.parametrize("slug", list(FOOTER_PAGES))
@pytest.mark.parametrize(("language", "index"), [("uk", 0), ("en", 1)])
def test_each_footer_page_opens_in_both_languages(
    client, slug, language, index, django_assert_max_num_queries
):
    in_language(client, language)

    with django_assert_max_num_queries(1):
        response = client.get(page_url(slug))

    assert response.status_code == 200
    body = response.content.decode()
    assert f'<h1 class="h3 mb-2">{TITLES[slug][index]}</h1>' in body
    # The placeholders are replaced by the settings' values, never shown raw.
    assert "{controller" not in body
    assert "{hotline}" not in body


def test_the_privacy_notice_says_what_why_how_long_who_and_how_to_ask(client):
    body = in_language(client, "en").get(reverse("privacy")).content.decode()

    assert settings.PRIVACY_CONTROLLER in body
    assert f"kept {settings.PRIVACY_RETENTION_YEARS} more year" in body
    assert "Priority status" in body  # sensitive data is named as such
    assert "Who sees your data" in body
    assert 'href="/me/data/"' in body
    assert 'href="/me/delete/"' in body
    assert "30 calendar days" in body
    assert "On Personal Data Protection" in body


def test_the_retention_follows_the_setting(client, settings):
    settings.PRIVACY_RETENTION_YEARS = 7
    body = in_language(client, "uk").get(reverse("privacy")).content.decode()
    assert "зберігаються ще 7 р." in body


@pytest.mark.parametrize("language", ["uk", "en"])
@pytest.mark.parametrize("path", ["/", "/news/", "/services/", "/privacy/", "/no-such-page/"])
def test_every_page_links_the_four_pages_in_its_footer(client, language, path):
    body = in_language(client, language).get(path).content.decode()
    footer = body[body.index("<footer") :]
    for slug in FOOTER_PAGES:
        assert f'href="{page_url(slug)}"' in footer


def test_the_footer_costs_no_query(client, django_assert_max_num_queries):
    # The home page makes none for an anonymous visitor: the footer adds none.
    with django_assert_max_num_queries(0):
        body = client.get("/").content.decode()
    assert "Умови користування" in body


def test_the_pages_address_of_the_privacy_notice_leads_to_it(client):
    response = client.get(reverse("page", args=["privacy"]))
    assert response.status_code == 301
    assert response["Location"] == reverse("privacy")


def test_an_unknown_page_is_a_404(client):
    assert client.get(reverse("page", args=["nothing-here"])).status_code == 404


def test_script_in_a_page_is_removed(client, editor):
    page = Page.objects.get(slug="terms")
    page.body_en = (
        '## Rules\n\n<script>alert("x")</script>\n\n<img src=x onerror="alert(1)">\n\n'
        '[click](javascript:alert(1)) <a href="/ok" onclick="steal()">ok</a>'
    )
    page_save(page=page, by=editor)

    body = in_language(client, "en").get(reverse("page", args=["terms"])).content.decode()
    article = body[body.index("<article") : body.index("</article>")]
    assert "<h2>Rules</h2>" in article
    assert "<script" not in article
    assert "alert(" not in article
    assert "onerror" not in article
    assert "onclick" not in article
    assert "<img" not in article
    assert "javascript:" not in article


def admin_change(client, page, **changes):
    data = {
        "title_uk": page.title_uk,
        "title_en": page.title_en,
        "body_uk": page.body_uk,
        "body_en": page.body_en,
        **changes,
    }
    return client.post(reverse("admin:mycity_page_change", args=[page.pk]), data)


def test_an_editor_edits_a_page_in_both_languages_in_the_admin(client, editor):
    sign_in(client, editor)
    page = Page.objects.get(slug="contacts")

    response = admin_change(
        client,
        page,
        title_uk="Контакти",
        title_en="Contacts",
        body_uk="Приймальня: пн–пт.",
        body_en="Reception: Mon–Fri.",
    )

    assert response.status_code == 302
    page.refresh_from_db()
    assert (page.title_uk, page.title_en) == ("Контакти", "Contacts")
    assert page.updated_by == editor
    # Read by a visitor in each language (the editor's own language would win).
    reader = Client()
    assert (
        "Reception: Mon–Fri." in in_language(reader, "en").get("/pages/contacts/").content.decode()
    )
    assert (
        "Приймальня: пн–пт." in in_language(reader, "uk").get("/pages/contacts/").content.decode()
    )


def test_a_page_needs_its_text_in_both_languages(client, editor):
    sign_in(client, editor)
    page = Page.objects.get(slug="terms")

    response = admin_change(client, page, body_en="")

    assert response.status_code == 200  # the form comes back with the error
    page.refresh_from_db()
    assert page.body_en


def test_the_footer_pages_cannot_be_deleted_or_renamed(client, superuser):
    sign_in(client, superuser)
    page = Page.objects.get(slug="privacy")

    assert client.get(reverse("admin:mycity_page_delete", args=[page.pk])).status_code == 403
    admin_change(client, page, slug="private")
    page.refresh_from_db()
    assert page.slug == "privacy"


@pytest.mark.parametrize("role", ["resident", "moderator", "department_staff"])
def test_others_cannot_edit_the_pages(as_role, role):
    client = as_role(role)
    page = Page.objects.get(slug="terms")

    response = admin_change(client, page, body_en="Hijacked")

    assert response.status_code in (302, 403)
    page.refresh_from_db()
    assert page.body_en != "Hijacked"


def test_an_editor_without_two_factor_cannot_edit(client, editor):
    from tests.conftest import password_only

    client = password_only(editor)
    page = Page.objects.get(slug="terms")
    admin_change(client, page, body_en="Hijacked")
    page.refresh_from_db()
    assert page.body_en != "Hijacked"


def test_page_save_refuses_an_empty_language(editor):
    from django.core.exceptions import ValidationError

    page = Page.objects.get(slug="accessibility")
    page.title_en = ""
    with pytest.raises(ValidationError):
        page_save(page=page, by=editor)


def test_a_footer_page_missing_from_the_database_is_restored_with_its_first_text(client):
    Page.objects.filter(slug__in=["privacy", "accessibility"]).delete()

    assert client.get(reverse("privacy")).status_code == 200
    response = client.get(reverse("page", args=["accessibility"]))

    assert response.status_code == 200
    assert "Заява про доступність" in response.content.decode()
    assert Page.objects.filter(slug="privacy").exists()
