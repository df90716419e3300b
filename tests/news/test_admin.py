"""The editors' admin: smoke tests for every page, publishing news and alerts, role table."""

import io

import pytest
from django.utils import timezone
from PIL import Image

from citizens.notifications.models import Broadcast
from news.models import Alert, AlertUpdate, NewsItem, Topic

from .factories import TopicFactory, committed, make_alert, make_item

pytestmark = pytest.mark.django_db

PAGES = [
    "/admin/news/newsitem/",
    "/admin/news/newsitem/add/",
    "/admin/news/newsitem/?q=вода",
    "/admin/news/topic/",
    "/admin/news/topic/add/",
    "/admin/news/topic/?q=city",
    "/admin/news/alert/",
    "/admin/news/alert/add/",
    "/admin/news/alert/?q=укриття",
    "/admin/news/subscription/",
    "/admin/news/subscription/?q=example",
    "/admin/news/digestrun/",
]


@pytest.mark.parametrize("url", PAGES)
def test_admin_pages_open_for_a_superuser(client_for, superuser, north, url):
    make_item()
    make_alert(districts=[north])
    assert client_for(superuser).get(url).status_code == 200


def test_change_pages_open(client_for, superuser, north):
    item = make_item()
    alert = make_alert(districts=[north])
    client = client_for(superuser)
    assert client.get(f"/admin/news/newsitem/{item.pk}/change/").status_code == 200
    assert client.get(f"/admin/news/alert/{alert.pk}/change/").status_code == 200


@pytest.mark.parametrize(
    ("role", "news_status", "alert_status"),
    [
        ("anonymous", 302, 302),
        ("resident", 302, 302),
        ("moderator", 403, 403),
        ("department_staff", 403, 403),
        ("city_admin", 200, 200),
        ("editor", 200, 200),
        ("staff_without_mfa", 302, 302),
    ],
)
def test_news_admin_per_role(as_role, editor, role, news_status, alert_status):
    client = as_role(role)
    assert client.get("/admin/news/newsitem/").status_code == news_status
    assert client.get("/admin/news/alert/").status_code == alert_status


@pytest.mark.parametrize(("role", "status"), [("editor", 200), ("city_admin", 403)])
def test_only_editors_write_news_and_alerts(as_role, editor, role, status):
    assert as_role(role).get("/admin/news/newsitem/add/").status_code == status
    assert as_role(role).get("/admin/news/alert/add/").status_code == status


def cover() -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (1200, 800), (10, 120, 200)).save(out, "PNG")
    out.seek(0)
    out.name = "cover.png"
    return out


def news_form(topic, **extra):
    now = timezone.localtime()
    return {
        "title_uk": "Графік подачі води",
        "title_en": "Water supply schedule",
        "lead_uk": "Вода подається з 6:00 до 9:00.",
        "lead_en": "Water runs from 6:00 to 9:00.",
        "body_uk": "Деталі <script>alert(1)</script> **тут**.",
        "body_en": "Details **here**.",
        "cover_alt_uk": "Водогін",
        "cover_alt_en": "Water main",
        "topic": topic.pk,
        "status": "published",
        "published_at_0": now.strftime("%Y-%m-%d"),
        "published_at_1": now.strftime("%H:%M:%S"),
        **extra,
    }


def test_editor_publishes_news_with_a_cover_through_the_admin(client_for, editor, media_root):
    topic = TopicFactory(slug="utilities")
    client = client_for(editor)
    with committed():
        response = client.post(
            "/admin/news/newsitem/add/", {**news_form(topic), "cover_file": cover()}
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    item = NewsItem.objects.get()
    assert item.author == editor
    assert item.slug_uk == "hrafik-podachi-vody"
    assert "<script" not in item.body_html_uk
    assert "<strong>тут</strong>" in item.body_html_uk
    assert item.cover_sizes["w"] == 1200
    assert "Графік подачі води" in client.get("/news/").content.decode()


def test_admin_refuses_a_cover_that_is_not_a_picture(client_for, editor, media_root):
    topic = TopicFactory(slug="utilities")
    bad = io.BytesIO(b"GIF89a broken")
    bad.name = "cover.gif"
    response = client_for(editor).post(
        "/admin/news/newsitem/add/", {**news_form(topic), "cover_file": bad}
    )
    assert response.status_code == 200
    assert not NewsItem.objects.exists()
    assert "Графік подачі води" in response.content.decode()  # what was typed is kept


def alert_form(districts, **extra):
    now = timezone.localtime()
    return {
        "kind": "shelter",
        "severity": "3",
        "title_uk": "Укриття зачинене",
        "title_en": "Shelter closed",
        "text_uk": "Ідіть до школи №5.",
        "text_en": "Go to school 5.",
        "districts": [d.pk for d in districts],
        "geometry": '{"type": "Point", "coordinates": [32.61, 46.63]}',
        "starts_at_0": (now - timezone.timedelta(minutes=1)).strftime("%Y-%m-%d"),
        "starts_at_1": (now - timezone.timedelta(minutes=1)).strftime("%H:%M:%S"),
        "status": "published",
        "updates-TOTAL_FORMS": "0",
        "updates-INITIAL_FORMS": "0",
        **extra,
    }


def test_editor_publishes_a_critical_alert_through_the_admin(client_for, editor, north, queued):
    client = client_for(editor)
    with committed():
        response = client.post("/admin/news/alert/add/", alert_form([north]))
    assert response.status_code == 302, response.content.decode()[:3000]
    alert = Alert.objects.get()
    assert alert.status == Alert.Status.PUBLISHED
    assert alert.notified_at is not None
    assert list(alert.districts.all()) == [north]
    assert Broadcast.objects.get().audience["district_ids"] == [north.pk]
    assert "Укриття зачинене" in client.get(f"/alerts/live/?district={north.pk}").content.decode()


def test_admin_alert_needs_districts_or_whole_city(client_for, editor):
    response = client_for(editor).post("/admin/news/alert/add/", alert_form([]))
    assert response.status_code == 200
    assert not Alert.objects.exists()


def test_admin_alert_refuses_bad_geojson_and_keeps_the_text(client_for, editor, north):
    response = client_for(editor).post(
        "/admin/news/alert/add/", alert_form([north], geometry='{"type": "Point"}')
    )
    assert response.status_code == 200
    assert not Alert.objects.exists()
    assert "Укриття зачинене" in response.content.decode()


def test_editor_adds_an_update_and_resolves_in_the_admin(client_for, editor, north):
    alert = make_alert(districts=[north])
    client = client_for(editor)
    url = f"/admin/news/alert/{alert.pk}/change/"
    with committed():
        response = client.post(
            url,
            alert_form(
                [north], update_text_uk="Відчинили.", update_text_en="Opened.", status="resolved"
            ),
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    alert.refresh_from_db()
    assert alert.status == Alert.Status.RESOLVED
    assert AlertUpdate.objects.filter(alert=alert).count() == 2  # the update and the resolution


def test_admin_refuses_resolving_a_draft(client_for, editor, north):
    alert = make_alert(districts=[north], publish=False)
    response = client_for(editor).post(
        f"/admin/news/alert/{alert.pk}/change/", alert_form([north], status="resolved")
    )
    assert response.status_code == 200
    alert.refresh_from_db()
    assert alert.status == Alert.Status.DRAFT


def test_resolve_action(client_for, editor, north):
    alerts = [make_alert(districts=[north]) for _ in range(2)]
    with committed():
        response = client_for(editor).post(
            "/admin/news/alert/",
            {"action": "resolve", "_selected_action": [a.pk for a in alerts]},
        )
    assert response.status_code == 302
    assert set(Alert.objects.values_list("status", flat=True)) == {"resolved"}


def test_publish_and_unpublish_actions(client_for, editor):
    item = make_item(status="draft")
    client = client_for(editor)
    with committed():
        client.post("/admin/news/newsitem/", {"action": "publish", "_selected_action": [item.pk]})
    item.refresh_from_db()
    assert item.status == "published"
    with committed():
        client.post("/admin/news/newsitem/", {"action": "unpublish", "_selected_action": [item.pk]})
    item.refresh_from_db()
    assert item.status == "draft"


def test_topic_admin_for_city_admin(client_for, city_admin):
    response = client_for(city_admin).post(
        "/admin/news/topic/add/",
        {"name_uk": "Освіта", "name_en": "Education", "slug": "education", "ordering": 5},
    )
    assert response.status_code == 302
    assert Topic.objects.filter(slug="education").exists()
