"""Open data: every dataset downloads in each format, repeated downloads come from a file."""

import csv
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from stats import files
from stats.models import PublishedFile

pytestmark = pytest.mark.django_db


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def test_data_page_lists_each_dataset_with_its_formats(client, fake_dataset):
    page = client.get(reverse("stats:data")).content.decode()
    assert 'data-dataset="fake"' in page
    for fmt in ("csv", "json", "geojson"):
        assert reverse("stats:download", args=["fake", fmt]) in page
    assert reverse("stats:catalog") in page


def test_csv_opens_in_a_spreadsheet(client, fake_dataset):
    response = client.get(reverse("stats:download", args=["fake", "csv"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="fake.csv"' in response["Content-Disposition"]
    assert response["Access-Control-Allow-Origin"] == "*"
    raw = body(response)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == [
        "reference",
        "title",
        "answered_in_term",
        "registered_at",
        "answered_on",
        "score",
        "latitude",
        "longitude",
    ]
    # A formula is never a formula; local time with the offset; empty for none.
    assert rows[1] == [
        "KH-2026-000001",
        '\'=HYPERLINK("http://evil")',
        "true",
        "2026-11-02T10:30:00+02:00",
        "2026-11-10",
        "4.5",
        "46.635",
        "32.617",
    ]
    assert rows[2] == [
        "KH-2026-000002",
        'Вода, "кран"\nтече',
        "",
        "2026-11-03T11:00:00+02:00",
        "",
        "",
        "",
        "",
    ]
    assert len(rows) == 3


def test_json(client, fake_dataset):
    data = json.loads(body(client.get(reverse("stats:download", args=["fake", "json"]))))
    assert data[0]["answered_in_term"] is True
    assert data[0]["title"] == '=HYPERLINK("http://evil")'
    assert data[1] == {
        "reference": "KH-2026-000002",
        "title": 'Вода, "кран"\nтече',
        "answered_in_term": None,
        "registered_at": "2026-11-03T11:00:00+02:00",
        "answered_on": None,
        "score": None,
        "latitude": None,
        "longitude": None,
    }


def test_geojson_is_a_feature_collection_of_points(client, fake_dataset):
    response = client.get(reverse("stats:download", args=["fake", "geojson"]))
    assert response["Content-Type"] == "application/geo+json"
    data = json.loads(body(response))
    assert data["type"] == "FeatureCollection"
    first, second = data["features"]
    assert first["geometry"] == {"type": "Point", "coordinates": [32.617, 46.635]}
    assert "latitude" not in first["properties"]
    assert first["properties"]["reference"] == "KH-2026-000001"
    assert second["geometry"] is None


def test_an_unknown_dataset_or_format_is_not_found(client, fake_dataset):
    assert client.get("/stats/data/nope.csv").status_code == 404
    assert client.get("/stats/data/fake.xml").status_code == 404
    assert client.get("/stats/data/nope/").status_code == 404


def test_a_dataset_without_places_has_no_geojson(client, fake_dataset, monkeypatch):
    from dataclasses import replace

    from mycity import transparency

    flat = replace(fake_dataset, geometry=False)
    monkeypatch.setattr(transparency, "open_datasets", lambda: (flat,))
    assert client.get(reverse("stats:download", args=["fake", "geojson"])).status_code == 404
    assert client.get(reverse("stats:download", args=["fake", "csv"])).status_code == 200


def test_first_download_streams_and_asks_for_a_file_once(client, fake_dataset, monkeypatch):
    asked = []
    monkeypatch.setattr("stats.tasks.build_dataset.delay", lambda *args: asked.append(args))
    url = reverse("stats:download", args=["fake", "csv"])
    assert client.get(url).streaming
    assert client.get(url).streaming
    assert asked == [("fake", "csv", "uk")]


def test_a_built_file_serves_repeats_with_an_etag(client, fake_dataset):
    published = files.build(fake_dataset, "csv", "uk")
    assert (published.rows, published.language) == (2, "uk")
    url = reverse("stats:download", args=["fake", "csv"])
    response = client.get(url)
    assert not response.streaming or response.get("ETag")
    assert response["ETag"]
    assert "Last-Modified" in response
    assert b"".join(response.streaming_content).startswith(b"\xef\xbb\xbf")
    again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_a_rebuild_replaces_the_file_and_deletes_the_old_one(
    fake_dataset, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = files.build(fake_dataset, "json", "uk")
    old_name, storage = first.file.name, first.file.storage
    with django_capture_on_commit_callbacks(execute=True):
        second = files.build(fake_dataset, "json", "uk")
    assert second.pk == first.pk
    assert second.file.name != old_name
    assert not storage.exists(old_name)
    assert PublishedFile.objects.count() == 1


def test_a_stale_file_is_not_served(client, fake_dataset, monkeypatch):
    monkeypatch.setattr("stats.tasks.build_dataset.delay", lambda *args: None)
    published = files.build(fake_dataset, "csv", "uk")
    PublishedFile.objects.filter(pk=published.pk).update(
        built_at=timezone.now() - files.FRESH - timezone.timedelta(minutes=1)
    )
    assert client.get(reverse("stats:download", args=["fake", "csv"])).streaming
    assert "ETag" not in client.get(reverse("stats:download", args=["fake", "csv"]))


def test_the_nightly_build_writes_every_format_and_language(fake_dataset):
    assert files.build_all() == 6
    assert set(PublishedFile.objects.values_list("format", "language")) == {
        (fmt, language) for fmt in ("csv", "json", "geojson") for language in ("uk", "en")
    }


def test_one_broken_dataset_does_not_stop_the_others(monkeypatch, fake_dataset):
    from dataclasses import replace

    from mycity import transparency

    def broken():
        raise RuntimeError("the database went away")
        yield

    monkeypatch.setattr(
        transparency,
        "open_datasets",
        lambda: (replace(fake_dataset, slug="broken", rows=broken), fake_dataset),
    )
    assert files.build_all() == 6


def test_passport_has_the_fields_resolution_835_asks_for(client, fake_dataset):
    files.build(fake_dataset, "csv", "uk")
    response = client.get(reverse("stats:passport", args=["fake"]))
    page = response.content.decode()
    for field in (
        "identifier",
        "title",
        "description",
        "publisher",
        "contact",
        "keywords",
        "frequency",
        "modified",
        "formats",
        "licence",
    ):
        assert f'data-field="{field}"' in page, field
    assert "kh-fake" in page
    assert "CC BY 4.0" in page
    assert "3 листопада 2026" in page  # the dataset's own last change
    assert "2 рядки" in page  # rows of the built CSV
    for name in ("reference", "registered_at", "latitude"):
        assert f'data-field="{name}"' in page


def test_catalog_is_dcat_ap_json_ld(client, fake_dataset):
    response = client.get(reverse("stats:catalog"))
    assert response["Content-Type"] == "application/ld+json; charset=utf-8"
    catalog = json.loads(response.content)
    assert catalog["@type"] == "dcat:Catalog"
    assert set(catalog["@context"]) >= {"dcat", "dct", "foaf", "vcard"}
    (entry,) = catalog["dcat:dataset"]
    assert entry["@type"] == "dcat:Dataset"
    assert entry["dct:identifier"] == "kh-fake"
    assert {t["@language"] for t in entry["dct:title"]} == {"uk", "en"}
    assert entry["dct:license"] == {"@id": "https://creativecommons.org/licenses/by/4.0/"}
    assert entry["dct:accrualPeriodicity"]["@id"].endswith("/frequency/DAILY")
    assert entry["dct:modified"]["@value"] == "2026-11-03T11:00:00+02:00"
    assert entry["dcat:contactPoint"]["vcard:hasEmail"]["@id"].startswith("mailto:")
    downloads = [d["dcat:downloadURL"]["@id"] for d in entry["dcat:distribution"]]
    assert downloads == [
        f"http://testserver/stats/data/fake.{fmt}" for fmt in ("csv", "json", "geojson")
    ]
    assert entry["dcat:landingPage"]["@id"] == "http://testserver/stats/data/fake/"


def test_the_monthly_statistics_keep_the_small_group_rule(fake_source):
    from mycity.models import Department
    from stats.datasets import MONTHLY_STATISTICS, MONTHS

    Department.objects.create(name="Roads", slug="roads")
    rows = list(MONTHLY_STATISTICS.rows())
    # Per month, scope and measure (not "overdue now", a figure of the present only).
    assert len(rows) == MONTHS * 2 * 3
    assert {f.name for f in MONTHLY_STATISTICS.fields} == set(rows[0])
    by_month = {(r["month"], r["scope"], r["measure"]): r for r in rows}
    months = sorted({r["month"] for r in rows})
    # The fake source's month i has i cases: the first five months are withheld.
    early = by_month[(months[2], "city", "received")]
    assert (early["value"], early["withheld"], early["cases"]) == (None, True, None)
    late = by_month[(months[-1], "department", "in_term_pct")]
    assert late["value"] == 80.0
    assert late["withheld"] is False
    assert late["cases"] == MONTHS - 1
    assert late["department"] == "roads"
    assert not any(r["measure"] == "overdue_now" for r in rows)


def test_every_declared_dataset_downloads_in_each_format(client, eager):
    """The real apps' datasets (services, news, appeals, stats) on an empty city."""
    from mycity import transparency

    slugs = {d.slug for d in transparency.open_datasets()}
    assert {"services", "centres", "alerts", "statistics"} <= slugs
    for dataset in transparency.open_datasets():
        for fmt in ("csv", "json") + (("geojson",) if dataset.geometry else ()):
            response = client.get(reverse("stats:download", args=[dataset.slug, fmt]))
            assert response.status_code == 200, (dataset.slug, fmt)
            raw = body(response)
            if fmt == "csv":
                header = next(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
                assert header == [f.name for f in dataset.fields]
            else:
                json.loads(raw)
        assert client.get(reverse("stats:passport", args=[dataset.slug])).status_code == 200
