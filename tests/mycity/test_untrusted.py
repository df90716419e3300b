"""mycity.lib.untrusted and mycity.lib.parsers: the one rule for input no part of the site takes."""

import io
import json

import pytest
from django.utils import translation
from rest_framework.exceptions import ParseError

from mycity.lib import untrusted
from mycity.lib.parsers import BoundedJSONParser

FORM = "application/x-www-form-urlencoded"


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("ліхтар не світить", None),
        ("emoji \U0001f600 is a pair, not a lone surrogate", None),
        ("a\x00b", "nul"),
        ("\ud800", "surrogate"),
        ("tail \udfff", "surrogate"),
    ],
)
def test_text_problem_names_nul_bytes_and_lone_surrogates(value, problem):
    assert untrusted.text_problem(value) == problem


def test_loads_takes_ordinary_json():
    assert untrusted.loads('{"a": [1, {"b": "ліхтар"}], "c": null}') == {
        "a": [1, {"b": "ліхтар"}],
        "c": None,
    }


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("[" * 100_000 + "]" * 100_000, id="arrays-100000-deep"),
        pytest.param('{"a":' * 100_000 + "1" + "}" * 100_000, id="objects-100000-deep"),
        pytest.param("[" * 33 + "]" * 33, id="one-past-the-bound"),
    ],
)
def test_loads_refuses_deep_nesting(body):
    with pytest.raises(untrusted.RefusedInputError) as refused:
        untrusted.loads(body)
    assert refused.value.reason == "depth"


def test_loads_takes_nesting_up_to_the_bound():
    depth = untrusted.MAX_JSON_DEPTH
    assert untrusted.loads("[" * depth + "]" * depth) is not None


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ('{"text": "a\\u0000b"}', "nul"),
        ('{"text": "\\ud800"}', "surrogate"),
        ('{"a\\u0000": 1}', "nul"),
        ('[["deep", ["\\udc00"]]]', "surrogate"),
    ],
)
def test_loads_refuses_nul_and_lone_surrogates_in_values_and_keys(body, reason):
    with pytest.raises(untrusted.RefusedInputError) as refused:
        untrusted.loads(body)
    assert refused.value.reason == reason


def test_loads_leaves_malformed_json_to_the_caller():
    with pytest.raises(json.JSONDecodeError):
        untrusted.loads("{not json")


def test_refusal_message_is_in_ukrainian():
    with translation.override("uk"):
        assert "NUL" in untrusted.refusal_message("nul")
        assert "вкладен" in untrusted.refusal_message("depth")


def parse(body: str):
    return BoundedJSONParser().parse(io.BytesIO(body.encode()), "application/json", {})


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("[" * 100_000 + "]" * 100_000, id="deep"),
        pytest.param('{"title": "a\\u0000b"}', id="nul"),
        pytest.param('{"title": "\\ud800"}', id="surrogate"),
        pytest.param('{"latitude": NaN}', id="nan"),
        pytest.param('{"latitude": -Infinity}', id="infinity"),
        pytest.param('{"n": ' + "9" * 5000 + "}", id="too-many-digits"),
    ],
)
def test_api_parser_answers_bad_json_with_a_parse_error(body):
    with pytest.raises(ParseError):
        parse(body)


def test_api_parser_reads_ordinary_json():
    assert parse('{"title": "Яма", "latitude": 46.63}') == {"title": "Яма", "latitude": 46.63}


def test_api_form_parsers_refuse_nul_in_keys_and_values():
    from django.test import RequestFactory

    from mycity.lib.parsers import BoundedFormParser, BoundedMultiPartParser

    with pytest.raises(ParseError):
        BoundedFormParser().parse(io.BytesIO(b"topic=a%00b"), FORM, {"request": None})
    with pytest.raises(ParseError):
        BoundedFormParser().parse(io.BytesIO(b"a%00b=1"), FORM, {"request": None})
    request = RequestFactory().put("/", {"topic": "a\x00b"})
    with pytest.raises(ParseError):
        BoundedMultiPartParser().parse(
            io.BytesIO(request.body),
            request.content_type,
            {"request": request, "encoding": "utf-8"},
        )
    assert BoundedFormParser().parse(io.BytesIO(b"topic=water"), FORM, {}) == {"topic": ["water"]}
