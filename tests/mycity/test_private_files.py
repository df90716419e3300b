"""Public and private files live under separate roots; only the public one has a URL.

Settings refuse a private root inside the public one; the download helper
streams or hands over to nginx (X-Accel-Redirect); the production setup
(docker-compose.yml and deploy/nginx/mycity.conf) publishes only MEDIA_ROOT.
"""

import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import InMemoryStorage
from django.test import RequestFactory

from mycity.lib.downloads import file_etag, private_file_response
from mycity.lib.storage import move_files, private_storage

from .test_settings import PRODUCTION, run

ROOT = Path(settings.BASE_DIR)


def setting(name: str, **environment: str) -> str:
    result = run(
        [
            "-c",
            f"import django; django.setup(); from django.conf import settings; "
            f"print(settings.{name})",
        ],
        **PRODUCTION,
        **environment,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


# --- settings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "private_root",
    ["/srv/mycity/media", "/srv/mycity/media/private", "/srv/mycity"],
    ids=["same", "inside-media", "around-media"],
)
def test_the_private_root_may_not_overlap_the_public_one(private_root):
    result = run(
        ["-c", "import django; django.setup()"],
        **PRODUCTION,
        MEDIA_ROOT="/srv/mycity/media",
        PRIVATE_ROOT=private_root,
    )

    assert result.returncode != 0
    assert "PRIVATE_ROOT and MEDIA_ROOT must be separate folders" in result.stderr


def test_private_root_is_read_from_the_environment():
    assert setting("PRIVATE_ROOT", PRIVATE_ROOT="/srv/private") == "/srv/private"


def test_the_old_services_private_root_still_works():
    assert setting("PRIVATE_ROOT", SERVICES_PRIVATE_ROOT="/srv/old-private") == "/srv/old-private"


def test_every_private_file_uses_the_one_private_storage():
    options = setting('STORAGES["private"]["OPTIONS"]["location"]', PRIVATE_ROOT="/srv/private")
    assert options == "/srv/private"
    assert "services_private" not in setting("STORAGES")


@pytest.mark.parametrize("prefix", ["_private/", "/_private", "/media/private/"])
def test_a_bad_x_accel_prefix_stops_start_up(prefix):
    result = run(
        ["-c", "import django; django.setup()"],
        **PRODUCTION,
        PRIVATE_FILES_X_ACCEL_PREFIX=prefix,
    )

    assert result.returncode != 0
    assert "PRIVATE_FILES_X_ACCEL_PREFIX" in result.stderr


def test_s3_keeps_private_files_under_their_own_private_prefix():
    environment = {"MEDIA_STORAGE": "s3", "S3_BUCKET": "mycity"}
    assert setting('STORAGES["private"]["OPTIONS"]["location"]', **environment) == (
        "services-private"
    )
    assert setting('STORAGES["private"]["OPTIONS"]["default_acl"]', **environment) == "private"
    assert setting('STORAGES["private"]["OPTIONS"]["querystring_auth"]', **environment) == "True"


# --- the download helper ----------------------------------------------------------------


@pytest.fixture
def stored():
    name = private_storage.save("appeals/answers/2026/12/f.pdf", ContentFile(b"%PDF-1.4 x"))

    class Holder:
        file = private_storage.open(name)

    Holder.file.name = name
    Holder.file.storage = private_storage
    return Holder.file


def test_without_a_proxy_the_file_is_streamed(settings, stored):
    settings.PRIVATE_FILES_X_ACCEL_PREFIX = ""

    response = private_file_response(stored, filename="акт.pdf", content_type="application/pdf")

    assert b"".join(response.streaming_content) == b"%PDF-1.4 x"
    assert "X-Accel-Redirect" not in response
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


def test_behind_nginx_the_file_is_handed_over_by_x_accel_redirect(settings, stored):
    settings.PRIVATE_FILES_X_ACCEL_PREFIX = "/_private/"

    response = private_file_response(stored, filename="a b.pdf", content_type="application/pdf")

    assert response["X-Accel-Redirect"] == "/_private/appeals/answers/2026/12/f.pdf"
    assert response.content == b""
    assert response["Content-Disposition"] == 'attachment; filename="a b.pdf"'


def test_a_storage_not_on_local_disk_is_streamed_even_behind_nginx(settings):
    settings.PRIVATE_FILES_X_ACCEL_PREFIX = "/_private/"
    storage = InMemoryStorage()
    name = storage.save("x.pdf", ContentFile(b"%PDF-remote"))
    file = storage.open(name)
    file.storage = storage

    response = private_file_response(file, filename="x.pdf", content_type="application/pdf")

    assert "X-Accel-Redirect" not in response
    assert b"".join(response.streaming_content) == b"%PDF-remote"


def test_a_file_anyone_may_have_is_inline_and_cacheable_with_an_etag(settings, stored):
    settings.PRIVATE_FILES_X_ACCEL_PREFIX = ""

    response = private_file_response(
        stored, filename="p.jpg", content_type="image/jpeg", inline=True, public_max_age=600
    )

    assert response["Content-Disposition"] == 'inline; filename="p.jpg"'
    assert response["Cache-Control"] == "public, max-age=600"
    assert response["ETag"] == file_etag(stored.name)
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_etag_comes_from_the_stored_name(stored):
    assert file_etag(stored.name) == file_etag(stored.name)
    assert file_etag(stored.name) != file_etag(stored.name + "x")


def test_a_matching_if_none_match_is_answered_304_without_the_file(settings, stored):
    settings.PRIVATE_FILES_X_ACCEL_PREFIX = "/_private/"
    request = RequestFactory().get("/", HTTP_IF_NONE_MATCH=f'"other", {file_etag(stored.name)}')

    response = private_file_response(
        stored, filename="p.jpg", content_type="image/jpeg", public_max_age=60, request=request
    )

    assert response.status_code == 304
    assert "X-Accel-Redirect" not in response
    assert response["Cache-Control"] == "public, max-age=60"


def test_if_none_match_is_ignored_for_a_private_file(settings, stored):
    settings.PRIVATE_FILES_X_ACCEL_PREFIX = "/_private/"
    request = RequestFactory().get("/", HTTP_IF_NONE_MATCH=file_etag(stored.name))

    response = private_file_response(
        stored, filename="p.jpg", content_type="image/jpeg", request=request
    )

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert "ETag" not in response


@pytest.mark.django_db
def test_move_files_moves_each_file_and_deletes_originals_only_on_commit(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    from appeals.models import AppealPhoto
    from tests.factories import UserFactory, submit_appeal

    settings.MEDIA_ROOT = tmp_path / "media"
    appeal = submit_appeal(UserFactory())
    source = InMemoryStorage()
    old = source.save("old/a.jpg", ContentFile(b"jpeg"))
    moved = AppealPhoto.objects.create(appeal=appeal, image=old)
    missing = AppealPhoto.objects.create(appeal=appeal, image="old/missing.jpg")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        count = move_files(
            AppealPhoto, "image", source=source, target=private_storage, rename=lambda n: "new.jpg"
        )
    assert count == 1
    assert source.exists(old)  # not yet: the transaction may still fail
    for callback in callbacks:
        callback()

    moved.refresh_from_db()
    missing.refresh_from_db()
    assert private_storage.open(moved.image.name).read() == b"jpeg"
    assert moved.image.name.startswith("new")
    assert missing.image.name == "old/missing.jpg"
    assert not source.exists(old)


# --- the production setup ---------------------------------------------------------------


def nginx_locations() -> dict[str, str]:
    """Each `location` of deploy/nginx/mycity.conf's HTTPS server and its body."""
    conf = (ROOT / "deploy" / "nginx" / "mycity.conf").read_text()
    https = conf[conf.index("listen 443") :]
    return dict(re.findall(r"location\s+(\S+)\s*\{([^}]*)\}", https))


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def mounts(service: dict) -> dict[str, str]:
    """Container path -> volume name (or host path) of a compose service."""
    pairs = (volume.split(":")[:2] for volume in service.get("volumes", []))
    return {target: source for source, target in pairs}


def test_nginx_serves_only_the_media_volume_at_media_url():
    locations = nginx_locations()
    nginx = compose()["services"]["nginx"]
    by_path = mounts(nginx)

    alias = re.search(r"alias\s+(\S+);", locations[settings.MEDIA_URL])[1].rstrip("/")
    assert by_path[alias] == "media"
    # The app writes public files to the same volume, at MEDIA_ROOT.
    app = compose()["x-app"]
    assert mounts(app)[app["environment"]["MEDIA_ROOT"]] == "media"


def test_the_private_volume_is_reachable_only_through_an_internal_location():
    locations = nginx_locations()
    app = compose()["x-app"]
    nginx = compose()["services"]["nginx"]
    prefix = app["environment"]["PRIVATE_FILES_X_ACCEL_PREFIX"]

    assert mounts(app)[app["environment"]["PRIVATE_ROOT"]] == "private"
    private_path = next(path for path, source in mounts(nginx).items() if source == "private")
    serving = [
        location
        for location, body in locations.items()
        if re.search(rf"(alias|root)\s+{re.escape(private_path)}/?;", body)
    ]
    assert serving == [prefix]
    assert re.search(r"^\s*internal;", locations[prefix], re.MULTILINE)
    assert not prefix.startswith(settings.MEDIA_URL)


def test_nothing_else_in_nginx_reads_files_from_disk():
    locations = nginx_locations()

    with_files = {path for path, body in locations.items() if re.search(r"\b(alias|root)\s", body)}

    assert with_files == {settings.MEDIA_URL, "/_private/"}


def test_the_app_is_published_only_through_nginx():
    services = compose()["services"]

    assert "ports" not in services["web"]
    assert sorted(services["nginx"]["ports"]) == ["443:443", "80:80"]
