"""GET discovery, services, service definitions and requests, in XML and JSON."""

import datetime as dt

import pytest

from .conftest import BASE, errors, registered, xml

pytestmark = pytest.mark.django_db
FORMATS = ["json", "xml"]


def test_discovery_lists_the_v2_endpoint_in_both_formats(client):
    data = client.get(f"{BASE}/discovery.json").json()
    endpoint = data["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert endpoint["url"].endswith("/open311/v2")
    root = xml(client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.find("endpoints/endpoint/formats")] == [
        "text/xml",
        "application/json",
    ]


def test_services_are_problem_categories_without_sensitive_ones(client, city, pothole):
    data = client.get(f"{BASE}/services.json").json()
    assert [s["service_code"] for s in data] == ["pothole"]
    service = data[0]
    assert service == {
        "service_code": "pothole",
        "service_name": "Pothole",
        "description": pothole.description_en or "",
        "metadata": True,
        "type": "realtime",
        "keywords": "",
        "group": pothole.group.name_en,
    }


def test_services_xml_has_the_same_services(client, city):
    root = xml(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services"
    service = root.find("service")
    assert service.findtext("service_code") == "pothole"
    assert service.findtext("metadata") == "true"
    assert service.findtext("type") == "realtime"


def test_services_are_in_ukrainian_by_default(db, pothole):
    from django.test import Client

    data = Client().get(f"{BASE}/services.json").json()
    assert data[0]["service_name"] == "Яма на дорозі"


def test_category_without_problem_kind_is_not_a_service(client, pothole):
    from tests.factories import CategoryFactory

    CategoryFactory(slug="ideas", kinds=["proposal"])
    assert [s["service_code"] for s in client.get(f"{BASE}/services.json").json()] == ["pothole"]


def test_service_definition_gives_every_question_as_an_attribute(client, pothole):
    data = client.get(f"{BASE}/services/pothole.json").json()
    assert data["service_code"] == "pothole"
    attributes = {a["code"]: a for a in data["attributes"]}
    assert {code: a["datatype"] for code, a in attributes.items()} == {
        "size": "number",
        "lane": "singlevaluelist",
        "hazards": "multivaluelist",
        "repeat": "singlevaluelist",
        "landmark": "string",
    }
    assert attributes["size"]["required"] is True
    assert attributes["size"]["variable"] is True
    assert attributes["size"]["order"] == 1
    assert attributes["lane"]["values"] == [
        {"key": "liva", "name": "Left"},
        {"key": "prava", "name": "Right"},
    ]
    assert attributes["repeat"]["values"] == [
        {"key": "yes", "name": "Yes"},
        {"key": "no", "name": "No"},
    ]


def test_service_definition_xml_nests_attributes_and_values(client, pothole):
    root = xml(client.get(f"{BASE}/services/pothole.xml"))
    assert root.tag == "service_definition"
    lane = next(a for a in root.find("attributes") if a.findtext("code") == "lane")
    assert lane.findtext("datatype") == "singlevaluelist"
    assert [v.findtext("key") for v in lane.find("values")] == ["liva", "prava"]
    assert [v.findtext("name") for v in lane.find("values")] == ["Left", "Right"]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("code", ["nope", "violence"])
def test_unknown_or_sensitive_service_code_is_404(client, city, fmt, code):
    response = client.get(f"{BASE}/services/{code}.{fmt}")
    assert response.status_code == 404
    assert errors(response)[0]["code"] == 404


# --- GET requests ---------------------------------------------------------------


def _ids(client, query="", fmt="json"):
    response = client.get(f"{BASE}/requests.{fmt}{query}")
    assert response.status_code == 200, response.content
    if fmt == "xml":
        return [r.findtext("service_request_id") for r in xml(response).findall("request")]
    return [r["service_request_id"] for r in response.json()]


@pytest.mark.parametrize("fmt", FORMATS)
def test_requests_list_only_public_problem_reports(client, city, fmt):
    assert _ids(client, fmt=fmt) == [city["public"].reference]


def test_a_public_request_has_every_spec_field_and_no_exact_place(client, city):
    appeal = city["public"]
    [row] = client.get(f"{BASE}/requests.json").json()
    assert set(row) == {
        "service_request_id",
        "status",
        "status_notes",
        "service_name",
        "service_code",
        "description",
        "agency_responsible",
        "service_notice",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
        "address",
        "address_id",
        "zipcode",
        "lat",
        "long",
        "media_url",
    }
    assert row["status"] == "open"
    assert row["status_notes"] == "Accepted"
    assert row["service_code"] == "pothole"
    assert row["agency_responsible"] == appeal.department.name_en
    assert row["lat"] == round(appeal.latitude, 3)
    assert row["long"] == round(appeal.longitude, 3)
    assert row["address"] == "Central district"
    # W3C datetime with the city's offset
    assert row["requested_datetime"][-6:] in ("+02:00", "+03:00")


def test_private_and_sensitive_requests_are_absent_even_by_id(client, city):
    refs = ",".join(city[k].reference for k in ("private", "sensitive", "moderation"))
    assert _ids(client, f"?service_request_id={refs}") == []
    for key in ("private", "sensitive", "moderation", "proposal"):
        response = client.get(f"{BASE}/requests/{city[key].reference}.json")
        assert response.status_code == 404
        assert errors(response)[0]["code"] == 404


@pytest.mark.parametrize("fmt", FORMATS)
def test_request_by_id_is_a_list_of_one(client, city, fmt):
    ref = city["public"].reference
    response = client.get(f"{BASE}/requests/{ref}.{fmt}")
    assert response.status_code == 200
    if fmt == "json":
        assert [r["service_request_id"] for r in response.json()] == [ref]
    else:
        root = xml(response)
        assert root.tag == "service_requests"
        assert [r.findtext("service_request_id") for r in root] == [ref]
        assert root.find("request/zipcode").text is None  # null is an empty element


def test_closed_statuses_map_to_closed_with_notes(client, city):
    from appeals.models import Appeal

    Appeal.objects.filter(pk=city["public"].pk).update(status="forwarded", forwarded_to="ДСНС")
    [row] = client.get(f"{BASE}/requests.json").json()
    assert row["status"] == "closed"
    assert row["status_notes"] == "Forwarded to another body: ДСНС"
    assert _ids(client, "?status=open") == []
    assert _ids(client, "?status=closed") == [city["public"].reference]
    assert _ids(client, "?status=open,closed") == [city["public"].reference]


def test_service_code_filter(client, city, resident, district):
    from tests.appeals.public_factories import public_appeal
    from tests.factories import CategoryFactory

    lights = CategoryFactory(slug="lights", kinds=["problem"])
    other = public_appeal(resident, category=lights, district=district)
    assert _ids(client, "?service_code=lights") == [other.reference]
    assert set(_ids(client, "?service_code=lights,pothole")) == {
        other.reference,
        city["public"].reference,
    }


def test_default_window_is_the_last_90_days(client, city):
    registered(city["public"], 91)
    assert _ids(client) == []
    registered(city["public"], 89)
    assert _ids(client) == [city["public"].reference]


def test_start_date_alone_covers_90_days_from_it(client, city):
    registered(city["public"], 200)
    start = city["public"].registered_at.date().isoformat()
    assert _ids(client, f"?start_date={start}") == [city["public"].reference]


def test_end_date_alone_covers_90_days_before_it(client, city):
    appeal = registered(city["public"], 200)
    end = (appeal.registered_at.replace(microsecond=0) + dt.timedelta(seconds=1)).isoformat()
    assert _ids(client, f"?end_date={end.replace('+', '%2B')}") == [appeal.reference]
    assert _ids(client, "?end_date=2026-01-01T00:00:00Z") == []


def test_an_unencoded_plus_in_the_offset_is_understood(client, city):
    registered(city["public"], 10)
    assert _ids(client, "?start_date=2000-01-01T00:00:00+02:00&end_date=2000-02-01T00:00:00Z") == []


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "query",
    [
        "?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z",  # > 90 days
        "?start_date=2026-03-01T00:00:00Z&end_date=2026-02-01T00:00:00Z",  # end before start
        "?start_date=yesterday",
        "?end_date=2026-13-45",
        "?start_date=0001-01-01",
        "?status=pending",
        "?service_code=nope",
        "?service_code=violence",
        "?page_size=1001",
        "?page=0",
        "?page_size=abc",
    ],
)
def test_bad_request_filters_are_400_in_the_error_list(client, city, fmt, query):
    response = client.get(f"{BASE}/requests.{fmt}{query}")
    assert response.status_code == 400
    [error] = errors(response)
    assert error["code"] == 400
    assert error["description"]


def test_service_request_id_overrides_the_other_filters(client, city):
    appeal = registered(city["public"], 300)
    query = f"?service_request_id={appeal.reference}&status=closed&service_code=nope"
    assert _ids(client, query) == [appeal.reference]


def test_page_and_page_size(client, resident, pothole, district):
    from tests.appeals.public_factories import public_appeal

    appeals = [public_appeal(resident, category=pothole, district=district) for _ in range(3)]
    newest_first = [a.reference for a in reversed(appeals)]
    assert _ids(client, "?page_size=2") == newest_first[:2]
    assert _ids(client, "?page_size=2&page=2") == newest_first[2:]


def test_a_deep_page_is_read_by_key_with_the_same_rows(
    client, resident, pothole, district, monkeypatch
):
    from mycity.lib import pagination
    from tests.appeals.public_factories import public_appeal

    appeals = [public_appeal(resident, category=pothole, district=district) for _ in range(5)]
    newest_first = [a.reference for a in reversed(appeals)]
    monkeypatch.setattr(pagination, "DEEP_OFFSET", 1)

    assert _ids(client, "?page_size=2&page=2") == newest_first[2:4]
    assert _ids(client, "?page_size=2&page=3") == newest_first[4:]
    assert _ids(client, "?page_size=2&page=4") == []


def test_wrong_jurisdiction_is_404(client, city):
    response = client.get(f"{BASE}/services.json?jurisdiction_id=elsewhere.example")
    assert response.status_code == 404
    assert client.get(f"{BASE}/services.json?jurisdiction_id=testserver").status_code in (200, 404)


def test_right_jurisdiction_is_accepted(client, city, settings):
    settings.OPEN311_JURISDICTION = "kherson.example"
    assert client.get(f"{BASE}/services.json?jurisdiction_id=kherson.example").status_code == 200


def test_requests_list_makes_a_fixed_number_of_queries(
    client, settings, resident, pothole, district, django_assert_max_num_queries
):
    from appeals.models import AppealPhoto
    from tests.appeals.public_factories import public_appeal

    appeals = [public_appeal(resident, category=pothole, district=district) for _ in range(30)]
    photos = AppealPhoto.objects.bulk_create(
        AppealPhoto(appeal=a, image=f"appeals/t/{a.pk}.jpg", width=1, height=1) for a in appeals
    )
    with django_assert_max_num_queries(3):
        rows = client.get(f"{BASE}/requests.json").json()
    assert len(rows) == 30
    # Each through the checked photo view, at no query per row.
    expected = {
        f"{settings.SITE_URL}/requests/{a.reference}/photos/{p.pk}/"
        for a, p in zip(appeals, photos, strict=True)
    }
    assert {r["media_url"] for r in rows} == expected
    with django_assert_max_num_queries(3):
        assert len(xml(client.get(f"{BASE}/requests.xml")).findall("request")) == 30


def test_lists_are_cached_for_a_minute(client, city, monkeypatch):
    from appeals.models import Appeal
    from appeals.open311 import views

    monkeypatch.setattr(views, "CACHE_SECONDS", 60)
    assert _ids(client) == [city["public"].reference]
    Appeal.objects.filter(pk=city["public"].pk).update(is_public=False)
    assert _ids(client) == [city["public"].reference]  # the same answer within the minute
    assert _ids(client, "?page=1") == []  # another question is answered fresh


def test_a_page_past_the_end_is_empty(client, city):
    assert _ids(client, "?page=2") == []
    assert _ids(client, "?page=1") == [city["public"].reference]


def test_markup_in_texts_is_escaped_in_xml(client, city):
    from appeals.models import Appeal

    Appeal.objects.filter(pk=city["public"].pk).update(description='<b>"Яма" & </errors>')
    root = xml(client.get(f"{BASE}/requests.xml"))
    assert root.findtext("request/description") == '<b>"Яма" & </errors>'


def test_characters_xml_cannot_carry_are_left_out(client, city):
    from appeals.models import Appeal

    Appeal.objects.filter(pk=city["public"].pk).update(description="Яма\x01\x0bтут\ttab")
    root = xml(client.get(f"{BASE}/requests.xml"))
    assert root.findtext("request/description") == "Яматут\ttab"


def test_service_definition_names_values_in_the_requests_language_with_the_same_keys(pothole):
    from django.test import Client

    def lane(language):
        data = Client(HTTP_ACCEPT_LANGUAGE=language).get(f"{BASE}/services/pothole.json").json()
        return next(a for a in data["attributes"] if a["code"] == "lane")["values"]

    assert lane("uk") == [{"key": "liva", "name": "Ліва"}, {"key": "prava", "name": "Права"}]
    assert [v["key"] for v in lane("en")] == ["liva", "prava"]
