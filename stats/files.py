"""Datasets written to files nightly, so a repeated download costs the database nothing.

`build()` writes one dataset in one format and language to a temporary file
while counting its rows, stores it under a new name (names are never
reused: the name makes the ETag), and points the dataset's PublishedFile
at it; the previous file is deleted once that commits. `file_response()` serves
a fresh file; without one, the view streams the rows from the database and
asks for a build (stats.tasks.ask_for_build).
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from collections.abc import Iterator

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.http import StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header, http_date

from mycity import transparency
from mycity.lib.downloads import private_file_response
from mycity.transparency import Dataset

from . import formats
from .models import PublishedFile

log = logging.getLogger(__name__)

# A file older than this is not served: the nightly build has failed.
FRESH = dt.timedelta(hours=26)
# How long caches and browsers may keep a download.
FILE_MAX_AGE = 60 * 60
STREAM_MAX_AGE = 5 * 60


def languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def filename(dataset: Dataset, fmt: str) -> str:
    return f"{dataset.slug}.{fmt}"


class _Counted:
    """The dataset's rows, counted as they pass."""

    def __init__(self, rows):
        self.rows, self.count = rows, 0

    def __iter__(self) -> Iterator[dict]:
        for row in self.rows:
            self.count += 1
            yield row


def build(dataset: Dataset, fmt: str, language: str) -> PublishedFile:
    """Write the dataset out and publish the file in place of the previous one."""
    with translation.override(language), tempfile.TemporaryFile() as handle:
        rows = _Counted(dataset.rows())
        for chunk in formats.chunks(dataset, fmt, rows):
            handle.write(chunk)
        size = handle.tell()
        handle.seek(0)
        built_at = timezone.now()
        stamp = built_at.strftime("%Y%m%d%H%M%S")
        with transaction.atomic():
            published = (
                PublishedFile.objects.select_for_update()
                .filter(dataset=dataset.slug, format=fmt, language=language)
                .first()
            )
            old = published.file.name if published else None
            published = published or PublishedFile(
                dataset=dataset.slug, format=fmt, language=language
            )
            published.file.save(
                f"{dataset.slug}-{language}-{stamp}.{fmt}", File(handle), save=False
            )
            published.rows, published.size, published.built_at = rows.count, size, built_at
            published.save()
            if old:
                storage = published.file.storage
                transaction.on_commit(lambda: storage.delete(old))
    return published


def build_all() -> int:
    """Every dataset in every format and language; the nightly job. The files built."""
    built = 0
    for dataset in transparency.open_datasets():
        for fmt in formats.formats_of(dataset):
            for language in languages():
                try:
                    build(dataset, fmt, language)
                except Exception:
                    # One broken dataset must not keep the others stale.
                    log.exception("Could not build %s.%s (%s)", dataset.slug, fmt, language)
                else:
                    built += 1
    return built


def fresh_file(dataset: Dataset, fmt: str, language: str) -> PublishedFile | None:
    return PublishedFile.objects.filter(
        dataset=dataset.slug,
        format=fmt,
        language=language,
        built_at__gte=timezone.now() - FRESH,
    ).first()


def file_response(request, dataset: Dataset, fmt: str, published: PublishedFile):
    response = private_file_response(
        published.file,
        filename=filename(dataset, fmt),
        content_type=formats.CONTENT_TYPES[fmt],
        public_max_age=FILE_MAX_AGE,
        request=request,
    )
    response["Last-Modified"] = http_date(published.built_at.timestamp())
    return _open(response, published.language)


def _streamed(dataset: Dataset, fmt: str, language: str) -> Iterator[bytes]:
    # Written while the response is sent, after the view has returned.
    with translation.override(language):
        yield from formats.chunks(dataset, fmt)


def streamed_response(dataset: Dataset, fmt: str, language: str):
    """The rows straight from the database, a chunk at a time."""
    response = StreamingHttpResponse(
        _streamed(dataset, fmt, language), content_type=formats.CONTENT_TYPES[fmt]
    )
    response["Content-Disposition"] = content_disposition_header(True, filename(dataset, fmt))
    patch_cache_control(response, public=True, max_age=STREAM_MAX_AGE)
    return _open(response, language)


def _open(response, language: str):
    response["Content-Language"] = language
    # Anyone's page or tool may fetch open data.
    response["Access-Control-Allow-Origin"] = "*"
    return response
