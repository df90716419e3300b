"""The catalogue with search and categories, a service page, the centres with "open now"."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from services.models import CentreException, Service

from .factories import ServiceCategoryFactory, ServiceCentreFactory, ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(cnap, centre):
    documents = ServiceCategoryFactory(slug="documents", name_uk="Документи", name_en="Documents")
    social = ServiceCategoryFactory(slug="social", name_uk="Соціальні", name_en="Social")
    ServiceFactory(
        slug="family-certificate",
        category=documents,
        department=cnap,
        name_uk="Довідка про склад сім'ї",
        name_en="Family composition certificate",
        summary_uk="Хто зареєстрований за адресою",
        summary_en="Who is registered at an address",
        centres=[centre],
    )
    ServiceFactory(
        slug="subsidy",
        category=social,
        department=cnap,
        name_uk="Житлова субсидія",
        name_en="Housing subsidy",
        summary_uk="Допомога на оплату комунальних послуг",
        centres=[centre],
    )
    ServiceFactory(slug="hidden", category=social, department=cnap, is_active=False)
    return documents, social


def names(response) -> list[str]:
    return [s.slug for _c, items in response.context["groups"] for s in items]


def test_the_catalogue_lists_published_services_by_category(client, catalogue):
    response = client.get(reverse("services:catalogue"))
    assert response.status_code == 200
    assert names(response) == ["family-certificate", "subsidy"]


def test_search_understands_ukrainian_word_forms(client, catalogue):
    assert names(client.get(reverse("services:catalogue"), {"q": "довідки"})) == [
        "family-certificate"
    ]
    assert names(client.get(reverse("services:catalogue"), {"q": "СУБСИДІЯ"})) == ["subsidy"]
    assert names(client.get(reverse("services:catalogue"), {"q": "комунальних послуг"})) == [
        "subsidy"
    ]
    assert names(client.get(reverse("services:catalogue"), {"q": "housing"})) == ["subsidy"]


def test_nothing_found_is_said_plainly(client, catalogue):
    response = client.get(reverse("services:catalogue"), {"q": "ракета"})
    assert response.context["found"] == 0
    assert response.status_code == 200


def test_a_category_filters_the_catalogue(client, catalogue):
    response = client.get(reverse("services:catalogue"), {"category": "social"})
    assert names(response) == ["subsidy"]


def test_the_catalogue_query_count_does_not_grow(client, cnap, django_assert_max_num_queries):
    categories = ServiceCategoryFactory.create_batch(4)
    for n in range(40):
        ServiceFactory(category=categories[n % 4], department=cnap)
    with django_assert_max_num_queries(4):
        response = client.get(reverse("services:catalogue"))
    assert response.context["found"] == 40


def test_a_service_page_shows_terms_fee_and_centres(client, service, centre, everything_in_english):
    service.urgent_hours, service.extension_days, service.fee = 48, 20, "42.50"
    service.save()
    response = client.get(service.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "Family composition certificate" in html
    assert "TsNAP Centre" in html
    assert ("48" in html and "20 working days" in html and "42.50" in html) or "42,50" in html
    assert reverse("services:apply", args=[service.slug]) in html
    assert reverse("services:book", args=[service.slug]) in html


def test_an_unpublished_service_is_404(client, cnap):
    hidden = ServiceFactory(department=cnap, is_active=False)
    assert client.get(hidden.get_absolute_url()).status_code == 404


def test_the_service_page_query_count_does_not_grow(client, service, django_assert_max_num_queries):
    for _ in range(6):
        service.centres.add(ServiceCentreFactory())
    with django_assert_max_num_queries(6):
        assert client.get(service.get_absolute_url()).status_code == 200


def test_the_centres_page_says_open_now_and_shows_exceptions(client, centre, everything_in_english):
    closed = ServiceCentreFactory(name_en="Closed branch", weekly=[])
    CentreException.objects.create(
        centre=centre,
        date=timezone.localdate() + dt.timedelta(days=1),
        reason="outage",
        note_en="Generator only",
    )
    response = client.get(reverse("services:centres"))
    centres = {c.pk: c for c in response.context["centres"]}
    local = timezone.localtime()
    assert centres[centre.pk].open_now is (9 <= local.hour < 17)
    assert centres[closed.pk].open_now is False
    html = response.content.decode()
    assert "Generator only" in html
    assert "Power outage" in html
    assert f'data-centre-lat="{centre.latitude}"' in html


def test_the_centres_page_query_count_does_not_grow(client, django_assert_max_num_queries):
    ServiceCentreFactory.create_batch(8)
    with django_assert_max_num_queries(4):
        assert client.get(reverse("services:centres")).status_code == 200


def test_a_service_slug_cannot_shadow_a_portal_page(cnap):
    from django.core.exceptions import ValidationError

    service = ServiceFactory.build(
        slug="centres", department=cnap, category=ServiceCategoryFactory()
    )
    with pytest.raises(ValidationError):
        service.full_clean()


def test_search_text_is_kept_in_both_languages(cnap):
    service = ServiceFactory(
        department=cnap, name_uk="Реєстрація місця проживання", name_en="Registration"
    )
    assert "реєстрація" in Service.objects.get(pk=service.pk).search_text


def test_the_catalogue_is_rendered_once_and_refreshed_when_a_service_changes(
    client, catalogue, django_assert_max_num_queries
):
    client.get(reverse("services:catalogue"))
    with django_assert_max_num_queries(0):
        assert client.get(reverse("services:catalogue")).status_code == 200
    service = Service.objects.get(slug="subsidy")
    service.name_uk = "Субсидія на комуналку"
    service.save()
    assert "Субсидія на комуналку" in client.get(reverse("services:catalogue")).content.decode()


def test_a_new_outage_shows_at_once_on_the_centres_page(client, centre, everything_in_english):
    client.get(reverse("services:centres"))
    CentreException.objects.create(
        centre=centre, date=timezone.localdate(), reason="outage", note_en="Blackout"
    )
    assert "Blackout" in client.get(reverse("services:centres")).content.decode()
