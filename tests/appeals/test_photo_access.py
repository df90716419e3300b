"""Photos of appeals are private files: shown only through the checked view, by role.

The rule is the appeal page's (selectors.appeal_photos): everyone sees the
photos of a public appeal that staff did not hide; the author and the staff
who may see the appeal see every photo, hidden ones included. Staff whose
session skipped two-factor authentication see what a resident sees.
"""

import importlib
import io
import uuid

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse
from django.views.static import serve
from PIL import Image
from rest_framework.test import APIClient

from appeals.models import AppealPhoto
from appeals.services import appeal_accept, photo_hide
from appeals.views.files import PUBLIC_PHOTO_MAX_AGE
from mycity.lib.storage import private_storage
from tests.appeals.following_helpers import staff_of
from tests.conftest import password_only
from tests.factories import CategoryFactory, submit_appeal
from tests.services.factories import image_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("everything_in_english")]

PUBLIC_CACHE = f"public, max-age={PUBLIC_PHOTO_MAX_AGE}"
PRIVATE_CACHE = "private, no-store"


def jpeg(name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes("JPEG", exif=True), content_type="image/jpeg")


@pytest.fixture
def routed_staff(department):
    return staff_of(department, email="roads-staff@example.com")


@pytest.fixture
def cases(resident, moderator, department):
    """One photo of each kind: {case: (appeal, photo)}."""

    def filed(*, accept=True, sensitive=False, is_public=True, photos=1):
        category = CategoryFactory(department=department, sensitive=sensitive)
        appeal = submit_appeal(
            resident, category, is_public=is_public, photos=[jpeg() for _ in range(photos)]
        )
        if accept:
            appeal = appeal_accept(appeal=appeal, moderator=moderator)
        return appeal

    public = filed(photos=2)
    shown, hidden = AppealPhoto.objects.filter(appeal=public)
    photo_hide(photo=hidden, moderator=moderator)
    found = {"public": (public, shown), "hidden": (public, hidden)}
    for case, appeal in {
        "private": filed(is_public=False),
        "sensitive": filed(sensitive=True),
        "moderation": filed(accept=False),
    }.items():
        found[case] = (appeal, AppealPhoto.objects.get(appeal=appeal))
    return found


def url(appeal, photo) -> str:
    return reverse("appeals:photo", args=[appeal.reference, photo.pk])


def api_url(appeal, photo) -> str:
    return f"/api/v1/appeals/{appeal.reference}/photos/{photo.pk}/"


@pytest.fixture
def web_client(request, client_for):
    """A web client for a role; `…_password_only`: signed in without the two-factor step."""

    def make(role: str):
        if role.endswith("_password_only"):
            return password_only(request.getfixturevalue(role.removesuffix("_password_only")))
        return client_for(request.getfixturevalue(role))

    return make


# --- who sees which photo ---------------------------------------------------------------------

EVERYONE = {"public": 200, "hidden": 404, "private": 404, "sensitive": 404, "moderation": 404}
ALL = dict.fromkeys(EVERYONE, 200)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", EVERYONE),
        ("resident", ALL),  # the author
        ("other_resident", EVERYONE),
        ("routed_staff", ALL),  # staff of the department the appeals are routed to
        ("department_staff", EVERYONE),  # staff of another department
        ("moderator", ALL),
        ("moderator_password_only", EVERYONE),
        ("routed_staff_password_only", EVERYONE),
        ("staff_without_mfa", EVERYONE),
    ],
)
def test_who_sees_each_photo(web_client, cases, role, expected):
    client = web_client(role)

    seen = {case: client.get(url(*cases[case])).status_code for case in cases}

    assert seen == expected


@pytest.mark.parametrize(
    "role",
    [
        "anonymous",
        "resident",
        "other_resident",
        "routed_staff",
        "department_staff",
        "moderator",
        "moderator_password_only",
    ],
)
def test_a_photo_is_shown_exactly_to_those_whose_appeal_page_shows_it(web_client, cases, role):
    client = web_client(role)

    for case, (appeal, photo) in cases.items():
        page = client.get(appeal.get_absolute_url())
        on_page = page.status_code == 200 and url(appeal, photo) in page.content.decode()
        assert (client.get(url(appeal, photo)).status_code == 200) == on_page, case


def test_a_photo_of_another_appeal_is_not_found_under_this_one(client_for, resident, cases):
    public, _shown = cases["public"]
    _private, other = cases["private"]

    assert client_for(resident).get(url(public, other)).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/requests/{ref}/photos/99999999999999999999999999/",
        "/requests/{ref}/photos/0/",
        "/requests/KH-1999-000001/photos/1/",
        "/api/v1/appeals/{ref}/photos/999999999999999999/",
        "/api/v1/appeals/{ref}/photos/0/",
    ],
)
def test_odd_photo_addresses_are_404_not_500(client_for, resident, cases, path):
    public, _shown = cases["public"]

    assert client_for(resident).get(path.format(ref=public.reference)).status_code == 404


def test_only_get_is_answered(client_for, resident, cases):
    assert client_for(resident).post(url(*cases["public"])).status_code == 405


def test_a_photo_missing_from_storage_is_a_404(client_for, resident, cases):
    appeal, photo = cases["public"]
    private_storage.delete(photo.image.name)

    assert client_for(resident).get(url(appeal, photo)).status_code == 404


# --- what the answer says ---------------------------------------------------------------------


def test_a_public_photo_is_an_inline_jpeg_caches_may_keep(client_for, cases):
    appeal, photo = cases["public"]

    response = client_for(None).get(url(appeal, photo))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == PUBLIC_CACHE
    assert response["ETag"].startswith('"')
    content = b"".join(response.streaming_content)
    with Image.open(io.BytesIO(content)) as image:
        assert image.format == "JPEG"
        assert not image.getexif()  # re-encoded on upload, as before
    assert b"SecretCam" not in content


def test_a_public_photo_asked_again_is_not_modified(client_for, cases):
    appeal, photo = cases["public"]
    first = client_for(None).get(url(appeal, photo))

    again = client_for(None).get(url(appeal, photo), HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert again["Cache-Control"] == PUBLIC_CACHE


def test_a_weakened_etag_still_matches(client_for, cases):
    appeal, photo = cases["public"]
    etag = client_for(None).get(url(appeal, photo))["ETag"]

    assert (
        client_for(None).get(url(appeal, photo), HTTP_IF_NONE_MATCH=f"W/{etag}").status_code == 304
    )


@pytest.mark.parametrize(
    ("role", "case"),
    [
        ("resident", "hidden"),
        ("resident", "private"),
        ("moderator", "hidden"),
        ("routed_staff", "moderation"),
    ],
)
def test_a_photo_not_everyone_may_see_is_never_cached(client_for, request, cases, role, case):
    appeal, photo = cases[case]
    client = client_for(request.getfixturevalue(role))

    response = client.get(url(appeal, photo), HTTP_IF_NONE_MATCH="*")

    assert response.status_code == 200
    assert response["Cache-Control"] == PRIVATE_CACHE
    assert "ETag" not in response
    assert response["Content-Disposition"].startswith("inline;")


def test_hiding_a_photo_turns_its_answer_private(client_for, resident, moderator, cases):
    appeal, photo = cases["public"]
    photo_hide(photo=photo, moderator=moderator)

    assert client_for(None).get(url(appeal, photo)).status_code == 404
    assert client_for(resident).get(url(appeal, photo))["Cache-Control"] == PRIVATE_CACHE


def test_behind_nginx_a_public_photo_is_an_x_accel_redirect_with_public_caching(
    settings, client_for, cases
):
    settings.PRIVATE_FILES_X_ACCEL_PREFIX = "/_private/"
    appeal, photo = cases["public"]

    response = client_for(None).get(url(appeal, photo))

    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/_private/{photo.image.name}"
    assert response.content == b""
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["Cache-Control"] == PUBLIC_CACHE


def test_behind_nginx_a_hidden_photo_is_redirected_privately_or_not_at_all(
    settings, client_for, resident, cases
):
    settings.PRIVATE_FILES_X_ACCEL_PREFIX = "/_private/"
    appeal, photo = cases["hidden"]

    author = client_for(resident).get(url(appeal, photo))
    anyone = client_for(None).get(url(appeal, photo))

    assert author["X-Accel-Redirect"] == f"/_private/{photo.image.name}"
    assert author["Cache-Control"] == PRIVATE_CACHE
    assert anyone.status_code == 404
    assert "X-Accel-Redirect" not in anyone


def test_something_stored_under_a_photo_that_is_not_an_image_downloads_as_bytes(
    client_for, resident, cases
):
    appeal, photo = cases["private"]
    name = private_storage.save("appeals/photos/x.html", ContentFile(b"<script>alert(1)</script>"))
    AppealPhoto.objects.filter(pk=photo.pk).update(image=name)

    response = client_for(resident).get(url(appeal, photo))

    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


# --- where photos are stored ------------------------------------------------------------------


def test_uploaded_photos_are_stored_privately_under_a_random_name(settings, cases):
    _appeal, photo = cases["public"]

    path = private_storage.path(photo.image.name)
    assert not str(path).startswith(str(settings.MEDIA_ROOT))
    assert photo.image.name.startswith("appeals/photos/")
    assert "photo" not in photo.image.name.rsplit("/", 1)[1]
    assert not default_storage.exists(photo.image.name)
    with pytest.raises(ValueError, match="no public URL"):
        photo.image.url  # noqa: B018


def test_nothing_of_a_photo_is_reachable_under_media_url(settings, client_for, resident, cases):
    for case, (appeal, photo) in cases.items():
        request = RequestFactory().get(settings.MEDIA_URL + photo.image.name)
        # What DEBUG's /media/ (and nginx's /media/ alias) serves: MEDIA_ROOT only.
        with pytest.raises(Http404):
            serve(request, photo.image.name, document_root=settings.MEDIA_ROOT)
        html = client_for(resident).get(appeal.get_absolute_url()).content.decode()
        assert photo.image.name not in html, case
        assert f"{settings.MEDIA_URL}appeals/" not in html, case


def test_staff_remove_a_photo_and_its_private_file_goes(
    moderator, cases, django_capture_on_commit_callbacks
):
    from appeals.services import photo_remove

    _appeal, photo = cases["moderation"]
    name = photo.image.name

    with django_capture_on_commit_callbacks(execute=True):
        photo_remove(photo=photo, moderator=moderator)

    assert not private_storage.exists(name)


# --- on pages, in the admin, in the API and in Open311 -------------------------------------


def test_the_admin_shows_photos_through_the_checked_view(client_for, moderator, cases):
    appeal, hidden = cases["hidden"]
    _appeal, shown = cases["public"]

    html = (
        client_for(moderator)
        .get(reverse("admin:appeals_appeal_change", args=[appeal.pk]))
        .content.decode()
    )

    assert f'src="{url(appeal, shown)}"' in html
    assert f'src="{url(appeal, hidden)}"' in html


def test_the_moderation_queue_thumbnails_go_through_the_checked_view(client_for, moderator, cases):
    appeal, photo = cases["moderation"]

    html = client_for(moderator).get(reverse("admin:appeals_moderationqueue_changelist"))

    assert f'src="{url(appeal, photo)}"' in html.content.decode()


@pytest.fixture
def api_for():
    def make(user):
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


def test_the_api_gives_the_author_every_photo_with_checked_urls(api_for, resident, cases):
    appeal, shown = cases["public"]
    _appeal, hidden = cases["hidden"]

    data = api_for(resident).get(f"/api/v1/appeals/{appeal.reference}/").json()

    photos = {p["id"]: p for p in data["photos"]}
    assert set(photos) == {shown.pk, hidden.pk}
    assert photos[hidden.pk]["is_public"] is False
    assert photos[hidden.pk]["url"] == f"http://testserver{api_url(appeal, hidden)}"
    assert photos[hidden.pk]["web_url"] == f"http://testserver{url(appeal, hidden)}"
    response = api_for(resident).get(photos[hidden.pk]["url"], HTTP_ACCEPT="image/jpeg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == PRIVATE_CACHE


def test_the_api_gives_others_only_the_public_photo(api_for, other_resident, cases):
    appeal, shown = cases["public"]
    _appeal, hidden = cases["hidden"]

    data = api_for(other_resident).get(f"/api/v1/appeals/{appeal.reference}/").json()

    assert [p["id"] for p in data["photos"]] == [shown.pk]
    assert api_for(other_resident).get(api_url(appeal, hidden)).status_code == 404
    assert api_for(None).get(api_url(appeal, hidden)).status_code == 404
    public = api_for(None).get(api_url(appeal, shown))
    assert public.status_code == 200
    assert public["Cache-Control"] == PUBLIC_CACHE


@pytest.mark.parametrize("case", ["private", "sensitive", "moderation"])
def test_the_api_photo_of_a_non_public_appeal_is_for_its_author_only(
    api_for, resident, other_resident, cases, case
):
    appeal, photo = cases[case]

    assert api_for(resident).get(api_url(appeal, photo)).status_code == 200
    assert api_for(other_resident).get(api_url(appeal, photo)).status_code == 404
    assert api_for(None).get(api_url(appeal, photo)).status_code == 404


def test_the_api_detail_makes_no_query_per_photo(
    api_for, resident, cases, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    appeal, _shown = cases["public"]
    client = api_for(resident)
    path = f"/api/v1/appeals/{appeal.reference}/"
    client.get(path)
    with CaptureQueriesContext(connection) as few:
        client.get(path)
    AppealPhoto.objects.bulk_create(
        AppealPhoto(appeal=appeal, image=f"appeals/photos/{uuid.uuid4().hex}.jpg") for _ in range(5)
    )

    with django_assert_max_num_queries(len(few)):
        data = client.get(path).json()

    assert len(data["photos"]) == 7


def test_open311_media_url_is_the_checked_view_of_the_first_public_photo(settings, cases):
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    rows = {r["service_request_id"]: r for r in client.get("/open311/v2/requests.json").json()}
    appeal, shown = cases["public"]

    assert rows[appeal.reference]["media_url"] == f"{settings.SITE_URL}{url(appeal, shown)}"
    assert client.get(url(appeal, shown)).status_code == 200
    for case in ("private", "sensitive", "moderation"):
        assert cases[case][0].reference not in rows


def test_open311_gives_no_photo_url_that_would_not_open(cases):
    """A client's own request that is not public: its photo URL would be a 404 to the client."""
    from appeals.models import Appeal
    from appeals.open311.reads import FIELDS, RequestRows

    for case in ("private", "sensitive", "moderation"):
        appeal, photo = cases[case]
        row = Appeal.objects.filter(pk=appeal.pk).values(*FIELDS).get()
        row["photo"] = photo.pk

        assert RequestRows()._media_url(row, own=True) is None, case


# --- photos saved before: moved to the private storage -------------------------------------


def test_the_data_migration_moves_old_photos_out_of_media(
    client_for, cases, media_root, django_capture_on_commit_callbacks
):
    from django.apps import apps

    migration = importlib.import_module(
        "appeals.migrations.0010_move_appeal_photos_to_private_storage"
    )
    appeal, _shown = cases["public"]
    old_name = default_storage.save("appeals/2026/01/old.jpg", ContentFile(image_bytes("JPEG")))
    old = AppealPhoto.objects.create(appeal=appeal, image=old_name)
    missing = AppealPhoto.objects.create(appeal=appeal, image="appeals/2026/01/gone.jpg")

    with django_capture_on_commit_callbacks(execute=True):
        migration.to_private(apps, None)

    old.refresh_from_db()
    missing.refresh_from_db()
    assert old.image.name != old_name
    assert old.image.name.startswith("appeals/photos/")
    assert private_storage.open(old.image.name).read() == image_bytes("JPEG")
    assert not default_storage.exists(old_name)
    assert missing.image.name == "appeals/2026/01/gone.jpg"  # left as it was
    response = client_for(None).get(url(appeal, old))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == image_bytes("JPEG")


def test_a_failed_migration_keeps_the_public_copies(
    cases, media_root, django_capture_on_commit_callbacks
):
    from django.apps import apps

    migration = importlib.import_module(
        "appeals.migrations.0010_move_appeal_photos_to_private_storage"
    )
    appeal, _shown = cases["public"]
    old_name = default_storage.save("appeals/2026/01/kept.jpg", ContentFile(b"jpeg"))
    AppealPhoto.objects.create(appeal=appeal, image=old_name)

    # Nothing committed: the on-commit deletion never runs.
    with django_capture_on_commit_callbacks(execute=False):
        migration.to_private(apps, None)

    assert default_storage.exists(old_name)


def test_going_back_copies_the_photos_to_media(
    cases, media_root, django_capture_on_commit_callbacks
):
    from django.apps import apps

    migration = importlib.import_module(
        "appeals.migrations.0010_move_appeal_photos_to_private_storage"
    )
    _appeal, photo = cases["public"]
    name = photo.image.name

    with django_capture_on_commit_callbacks(execute=True):
        migration.to_media(apps, None)

    assert default_storage.exists(name)
    assert not private_storage.exists(name)
