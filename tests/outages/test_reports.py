"""Residents' reports: anyone may send one, its operators and the moderators hear once."""

import uuid

import pytest
from django.urls import reverse

from citizens.notifications.models import Notification
from outages.models import PointReport
from outages.services import report_handle

pytestmark = pytest.mark.django_db


def _report(client, point, *, key=None, follow=False, **fields):
    data = {
        "problem": "closed",
        "comment": "Двері зачинені",
        "idempotency_key": key or uuid.uuid4(),
    }
    return client.post(
        reverse("outages:point_report", args=[point.pk]), {**data, **fields}, follow=follow
    )


def test_anonymous_visitors_report_a_point(client, point):
    response = _report(client, point)
    assert response.status_code == 302
    report = PointReport.objects.get()
    assert (report.point, report.problem, report.reporter) == (point, "closed", None)
    assert report.comment == "Двері зачинені"


def test_a_signed_in_resident_is_recorded_as_the_reporter(client_for, resident, point):
    _report(client_for(resident), point, problem="full")
    assert PointReport.objects.get().reporter == resident


def test_the_operators_and_moderators_are_told_once(
    client, point, operator, other_operator, moderator, resident
):
    _report(client, point)
    told = set(
        Notification.objects.filter(event="outages.point_reported").values_list(
            "recipient", flat=True
        )
    )
    assert told == {operator.pk, moderator.pk}
    notification = Notification.objects.get(recipient=operator)
    assert notification.context["point"]["uk"] == point.name_uk
    assert notification.context["problem"]["en"] == "It is closed"
    assert notification.url == f"/points/operate/#point-{point.pk}"
    assert Notification.objects.get(recipient=moderator).url.startswith("/admin/")


def test_an_operator_who_also_moderates_is_told_once(client, point, operator):
    from tests.factories import give_role

    give_role(operator, "moderator")
    _report(client, point)
    assert Notification.objects.filter(recipient=operator).count() == 1


def test_a_double_submit_is_one_report_and_one_message(client, point, operator):
    key = uuid.uuid4()
    assert _report(client, point, key=key).status_code == 302
    second = _report(client, point, key=key, follow=True)
    assert PointReport.objects.count() == 1
    assert Notification.objects.filter(recipient=operator).count() == 1
    assert "вже отримано" in second.content.decode()


def test_reports_are_rate_limited(client, settings, point):
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "point_report": {"account": "2/hour", "address": "2/hour"},
    }
    assert _report(client, point).status_code == 302
    assert _report(client, point).status_code == 302
    assert _report(client, point).status_code == 429
    assert PointReport.objects.count() == 2


def test_a_refused_form_does_not_use_up_the_allowance(client, settings, point):
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "point_report": {"account": "1/hour", "address": "1/hour"},
    }
    assert _report(client, point, problem="").status_code == 400
    assert _report(client, point).status_code == 302


@pytest.mark.parametrize(
    "fields",
    [
        {"problem": "exploded"},
        {"problem": ""},
        {"comment": "x" * 301},
        {"idempotency_key": "not-a-uuid"},
        {"idempotency_key": "9" * 400},
    ],
)
def test_bad_reports_are_form_errors_that_keep_what_was_typed(client, point, fields):
    response = _report(client, point, **fields)
    assert response.status_code == 400
    assert PointReport.objects.count() == 0
    if "comment" not in fields:
        assert "Двері зачинені" in response.content.decode()


def _raw_report(client, point, comment: str):
    return client.post(
        reverse("outages:point_report", args=[point.pk]),
        f"problem=closed&comment={comment}&idempotency_key={uuid.uuid4()}",
        content_type="application/x-www-form-urlencoded",
    )


def test_nul_bytes_are_refused_with_a_400(client, point):
    assert _raw_report(client, point, "a%00b").status_code == 400
    assert PointReport.objects.count() == 0


def test_a_lone_surrogate_is_never_stored_or_a_500(client, point):
    # Form bodies are decoded with replacement: the bytes never become a surrogate.
    response = _raw_report(client, point, "%ED%A0%80")
    assert response.status_code in (302, 400)
    for comment in PointReport.objects.values_list("comment", flat=True):
        comment.encode("utf-8")


def test_a_report_on_a_missing_point_is_a_404(client, point):
    response = client.post(
        "/points/999999/report/", {"problem": "closed", "idempotency_key": str(uuid.uuid4())}
    )
    assert response.status_code == 404


def test_the_operator_screen_shows_open_reports_and_marks_them_handled(
    client, client_for, operator, point
):
    _report(client, point, comment="ZQOPENREPORT")
    operator_client = client_for(operator)
    assert "ZQOPENREPORT" in operator_client.get("/points/operate/").content.decode()
    report = PointReport.objects.get()
    response = operator_client.post(reverse("outages:points_report_handled", args=[report.pk]))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.handled_by == operator
    assert report.handled_at is not None
    assert "ZQOPENREPORT" not in operator_client.get("/points/operate/").content.decode()


def test_moderators_handle_reports_on_any_point(client, moderator, point):
    _report(client, point)
    report = report_handle(report=PointReport.objects.get(), by=moderator)
    assert report.handled_by == moderator
