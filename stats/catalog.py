"""The data passports (Resolution No. 835 of the Cabinet of Ministers) and the DCAT-AP index.

A passport is what a person reads before downloading: title, description,
publisher, responsible person and contact, keywords, update frequency,
formats, licence, last updated, the field list. The index says the same in
DCAT-AP as JSON-LD, in both languages, so that a national open-data portal
(CKAN's DCAT harvester, data.gov.ua) can harvest every dataset.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mycity import transparency
from mycity.lib.i18n import in_every_language
from mycity.transparency import (
    DAILY,
    IRREGULAR,
    MONTHLY,
    WEEKLY,
    Dataset,
)

from . import formats
from .models import PublishedFile

LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
# How long the "last updated" of a dataset is kept.
MODIFIED_SECONDS = 10 * 60
LICENCE_NAME = "CC BY 4.0"
FREQUENCY_LABELS = {
    DAILY: _("daily"),
    WEEKLY: _("weekly"),
    MONTHLY: _("monthly"),
    IRREGULAR: _("as it changes"),
}
EU = "http://publications.europa.eu/resource/authority/"
FREQUENCY_URIS = {
    DAILY: EU + "frequency/DAILY",
    WEEKLY: EU + "frequency/WEEKLY",
    MONTHLY: EU + "frequency/MONTHLY",
    IRREGULAR: EU + "frequency/IRREG",
}
FILE_TYPES = {
    formats.CSV: EU + "file-type/CSV",
    formats.JSON: EU + "file-type/JSON",
    formats.GEOJSON: EU + "file-type/GEOJSON",
}
LANGUAGE_URIS = {"uk": EU + "language/UKR", "en": EU + "language/ENG"}
FIELD_TYPES = {
    "string": _("text"),
    "integer": _("whole number"),
    "number": _("number"),
    "boolean": _("true or false"),
    "date": _("date (YYYY-MM-DD)"),
    "datetime": _("date and time (ISO 8601, local time with offset)"),
}


def publisher():
    return settings.OPEN_DATA_PUBLISHER or _("Kherson City Council")


def contact_name():
    return settings.OPEN_DATA_CONTACT_NAME or _("Open data officer of the city council")


def dataset(slug: str) -> Dataset | None:
    return next((d for d in transparency.open_datasets() if d.slug == slug), None)


def identifier(item: Dataset) -> str:
    return f"{settings.CITY_CODE.lower()}-{item.slug}"


def modified(item: Dataset):
    """When the data last changed, or else when its files were last built (None: not yet).

    Kept ten minutes: finding the newest public row of a million costs a scan.
    """
    return cache.get_or_set(
        f"stats:modified:{item.slug}", lambda: _modified(item), MODIFIED_SECONDS
    )


def _modified(item: Dataset):
    if item.modified is not None:
        changed = item.modified()
        if changed is not None:
            return changed
    latest = PublishedFile.objects.filter(dataset=item.slug).order_by("-built_at").first()
    return latest.built_at if latest else None


@dataclass(frozen=True)
class Distribution:
    format: str
    url: str
    media_type: str
    rows: int | None
    size: int | None


def distributions(item: Dataset, files=None) -> list[Distribution]:
    """The dataset's downloads, with the rows and size of the built file where there is one."""
    built = {f.format: f for f in (files if files is not None else [])}
    found = []
    for fmt in formats.formats_of(item):
        published = built.get(fmt)
        found.append(
            Distribution(
                format=fmt,
                url=reverse("stats:download", args=[item.slug, fmt]),
                media_type=formats.MEDIA_TYPES[fmt],
                rows=published.rows if published else None,
                size=published.size if published else None,
            )
        )
    return found


def _texts(text) -> list[dict]:
    return [
        {"@language": language, "@value": value}
        for language, value in in_every_language(text).items()
    ]


def _agent(name) -> dict:
    return {"@type": "foaf:Agent", "foaf:name": _texts(name)}


def _moment(value) -> dict:
    return {
        "@value": timezone.localtime(value).isoformat(timespec="seconds"),
        "@type": "xsd:dateTime",
    }


def jsonld(absolute) -> dict:
    """The DCAT-AP catalogue as JSON-LD; `absolute(path)` makes a full URL."""
    licence = {"@id": LICENCE_URL}
    contact = {
        "@type": "vcard:Organization",
        "vcard:fn": _texts(contact_name()),
        "vcard:hasEmail": {"@id": f"mailto:{settings.OPEN_DATA_CONTACT_EMAIL}"},
    }
    languages = [{"@id": LANGUAGE_URIS[code]} for code, _name in settings.LANGUAGES]
    entries = []
    for item in transparency.open_datasets():
        page = absolute(reverse("stats:passport", args=[item.slug]))
        entry = {
            "@id": page,
            "@type": "dcat:Dataset",
            "dct:identifier": identifier(item),
            "dct:title": _texts(item.title),
            "dct:description": _texts(item.description),
            "dct:publisher": _agent(publisher()),
            "dcat:contactPoint": contact,
            "dcat:keyword": [text for keyword in item.keywords for text in _texts(keyword)],
            "dct:accrualPeriodicity": {"@id": FREQUENCY_URIS[item.frequency]},
            "dct:license": licence,
            "dct:language": languages,
            "dcat:landingPage": {"@id": page},
            "dcat:distribution": [
                {
                    "@id": absolute(d.url),
                    "@type": "dcat:Distribution",
                    "dct:title": f"{item.slug}.{d.format}",
                    "dcat:accessURL": {"@id": page},
                    "dcat:downloadURL": {"@id": absolute(d.url)},
                    "dcat:mediaType": {
                        "@id": f"http://www.iana.org/assignments/media-types/{d.media_type}"
                    },
                    "dct:format": {"@id": FILE_TYPES[d.format]},
                    "dct:license": licence,
                }
                for d in distributions(item)
            ],
        }
        changed = modified(item)
        if changed is not None:
            entry["dct:modified"] = _moment(changed)
        entries.append(entry)
    return {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
            "vcard": "http://www.w3.org/2006/vcard/ns#",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
        },
        "@id": absolute(reverse("stats:catalog")),
        "@type": "dcat:Catalog",
        "dct:title": _texts(_("Open data of My City")),
        "dct:description": _texts(
            _(
                "Appeals to the city administration and how they are answered within the "
                "legal terms, e-services, service centres and urgent alerts, published by "
                "the city under CC BY 4.0."
            )
        ),
        "dct:publisher": _agent(publisher()),
        "dct:license": licence,
        "dct:language": languages,
        "foaf:homepage": {"@id": absolute(reverse("stats:data"))},
        "dcat:dataset": entries,
    }
