"""A dataset's rows as CSV, JSON or GeoJSON, written in chunks so a million rows stream.

CSV is UTF-8 with a byte order mark, so a spreadsheet opens Ukrainian text
right, and a text that a spreadsheet would take for a formula is prefixed
with an apostrophe. JSON is an array of objects keyed by the fields'
names. GeoJSON is a FeatureCollection of points (longitude, latitude), with
the other fields as properties and no geometry where a row has no place.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator

from django.utils import timezone

from mycity.transparency import Dataset

CSV, JSON, GEOJSON = "csv", "json", "geojson"
CONTENT_TYPES = {
    CSV: "text/csv; charset=utf-8",
    JSON: "application/json",
    GEOJSON: "application/geo+json",
}
MEDIA_TYPES = {CSV: "text/csv", JSON: "application/json", GEOJSON: "application/geo+json"}
BOM = "\ufeff"
CHUNK_ROWS = 500
# What a spreadsheet reads as the start of a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
POINT = ("latitude", "longitude")


def formats_of(dataset: Dataset) -> list[str]:
    return [CSV, JSON, GEOJSON] if dataset.geometry else [CSV, JSON]


def plain(value):
    """A value as JSON has it: dates in ISO 8601, times in local time with the offset."""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _csv_value(value) -> str:
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    value = plain(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _encode(text: str) -> bytes:
    # A lone surrogate cannot be written as UTF-8: it becomes U+FFFD, never an error.
    return text.encode("utf-8", errors="replace")


def csv_chunks(dataset: Dataset, rows: Iterable[dict]) -> Iterator[bytes]:
    names = [field.name for field in dataset.fields]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(names)
    for count, row in enumerate(rows, start=1):
        writer.writerow([_csv_value(row.get(name)) for name in names])
        if count % CHUNK_ROWS == 0:
            yield _encode(buffer.getvalue())
            buffer.seek(0)
            buffer.truncate()
    yield _encode(buffer.getvalue())


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=plain, separators=(",", ":"))


def json_chunks(dataset: Dataset, rows: Iterable[dict]) -> Iterator[bytes]:
    names = [field.name for field in dataset.fields]
    parts, separator = ["["], "\n"
    for count, row in enumerate(rows, start=1):
        parts.append(separator + _dumps({name: plain(row.get(name)) for name in names}))
        separator = ",\n"
        if count % CHUNK_ROWS == 0:
            yield _encode("".join(parts))
            parts = []
    parts.append("\n]\n")
    yield _encode("".join(parts))


def feature(names: list[str], row: dict) -> dict:
    latitude, longitude = row.get("latitude"), row.get("longitude")
    geometry = None
    if latitude is not None and longitude is not None:
        geometry = {"type": "Point", "coordinates": [longitude, latitude]}
    properties = {name: plain(row.get(name)) for name in names if name not in POINT}
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def geojson_chunks(dataset: Dataset, rows: Iterable[dict]) -> Iterator[bytes]:
    names = [field.name for field in dataset.fields]
    parts, separator = ['{"type":"FeatureCollection","features":['], "\n"
    for count, row in enumerate(rows, start=1):
        parts.append(separator + _dumps(feature(names, row)))
        separator = ",\n"
        if count % CHUNK_ROWS == 0:
            yield _encode("".join(parts))
            parts = []
    parts.append("\n]}\n")
    yield _encode("".join(parts))


WRITERS = {CSV: csv_chunks, JSON: json_chunks, GEOJSON: geojson_chunks}


def chunks(dataset: Dataset, fmt: str, rows: Iterable[dict] | None = None) -> Iterator[bytes]:
    """The dataset (or the given rows of it) in `fmt`, in chunks of bytes."""
    return WRITERS[fmt](dataset, dataset.rows() if rows is None else rows)
