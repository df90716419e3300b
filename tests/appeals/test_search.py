"""Search in Ukrainian word forms (both databases) and typo tolerance (PostgreSQL)."""

import pytest
from django.db import connection
from django.urls import reverse

from appeals.models import Appeal
from appeals.search import WORD_SIMILARITY, search, typo_tolerance

from .public_factories import public_appeal

pytestmark = pytest.mark.django_db
URL = reverse("appeals:list")

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="typo tolerance uses pg_trgm, which SQLite lacks (there: lemma match only)",
)
only_sqlite = pytest.mark.skipif(
    connection.vendor == "postgresql", reason="documents the embedded default's limit"
)


def found(query: str) -> set[str]:
    with typo_tolerance(Appeal):
        return set(search(Appeal.objects.public(), query).values_list("title", flat=True))


@pytest.fixture
def appeals(resident):
    public_appeal(resident, title="Не працюють ліхтарі", description="Темно у дворі.")
    public_appeal(resident, title="Глибокі ями на дорозі", description="Машини б'ються.")
    public_appeal(
        resident,
        title="Сміття біля будинку",
        description="Контейнери переповнені.",
        address="проспект Ушакова, 12",
    )


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("ліхтар", "Не працюють ліхтарі"),
        ("ЛІХТАРІ", "Не працюють ліхтарі"),
        ("Ліхтарях", "Не працюють ліхтарі"),
        ("яма", "Глибокі ями на дорозі"),
        ("Яму", "Глибокі ями на дорозі"),
        ("дорога яма", "Глибокі ями на дорозі"),
        ("Ушакова", "Сміття біля будинку"),
    ],
)
def test_search_finds_other_word_forms_in_any_case(appeals, query, title):
    assert found(query) == {title}


def test_search_needs_every_word(appeals):
    assert found("ліхтар яма") == set()


def test_search_for_an_unrelated_word_finds_nothing(appeals):
    assert found("велосипед") == set()


def test_search_through_the_list_page(client, appeals):
    html = client.get(URL, {"q": "ліхтар"}).content.decode()
    assert "Не працюють ліхтарі" in html
    assert "Глибокі ями на дорозі" not in html


def test_search_never_reveals_appeals_that_are_not_public(client, resident, appeals):
    public_appeal(resident, title="Приватні ліхтарі", is_public=False)
    public_appeal(resident, title="Неприйняті ліхтарі", accept=False)
    html = client.get(URL, {"q": "ліхтарі"}).content.decode()
    assert "Не працюють ліхтарі" in html
    assert "Приватні ліхтарі" not in html
    assert "Неприйняті ліхтарі" not in html


@needs_postgres
@pytest.mark.parametrize("typo", ["Ушакво", "Ушкова", "ушаков"])
def test_street_name_with_a_typo_is_found_on_postgresql(appeals, typo):
    assert found(typo) == {"Сміття біля будинку"}


@needs_postgres
def test_typo_tolerance_through_the_list_page_on_postgresql(client, appeals):
    html = client.get(URL, {"q": "Ушакво"}).content.decode()
    assert "Сміття біля будинку" in html


@needs_postgres
@pytest.mark.parametrize("query", ["Перекопська", "Ушатий", "Лісова", "велосипед"])
def test_different_words_are_not_taken_for_typos(appeals, query):
    assert found(query) == set()


@needs_postgres
def test_typo_tolerance_applies_only_inside_typo_tolerance_block(appeals):
    # Outside the block PostgreSQL's stricter default threshold (0.6) applies.
    titles = set(search(Appeal.objects.public(), "Ушакво").values_list("title", flat=True))
    assert titles == set()


@needs_postgres
def test_threshold_sits_between_a_typo_and_a_different_word():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT word_similarity('ушакво', 'проспект ушакова'),"
            " word_similarity('перекопський', 'проспект ушакова')"
        )
        typo, other = cursor.fetchone()
    assert other < WORD_SIMILARITY <= typo


@needs_postgres
def test_search_text_has_a_trigram_index_on_postgresql():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'appeals_search_text_trgm'"
        )
        (definition,) = cursor.fetchone()
    assert "gin_trgm_ops" in definition


@only_sqlite
def test_sqlite_matches_lemmas_only_without_typo_tolerance(appeals):
    assert found("Ушакво") == set()
