"""The settings page shows each person only the events that can reach them, grouped
(issue 19, point 4): residents never see staff work; staff see theirs by role."""

import pytest
from django.urls import reverse

from citizens.notifications import events
from citizens.notifications.forms import PreferencesForm
from citizens.notifications.models import NotificationPreference

pytestmark = pytest.mark.django_db

SETTINGS = reverse("notifications:settings")
STAFF_EVENTS = [e.key for e in events.registry().values() if e.staff_permissions]


def shown(response) -> set[str]:
    return {event.key for event in response.context["prefs_form"].events}


def test_every_staff_event_names_a_permission_and_every_other_a_group():
    assert "appeals.assigned" in STAFF_EVENTS
    assert "services.new_application" in STAFF_EVENTS
    for event in events.registry().values():
        assert event.section in events.GROUPS


def test_a_resident_sees_no_staff_events(client_for, resident):
    response = client_for(resident).get(SETTINGS)

    keys = shown(response)
    assert "appeals.status_changed" in keys
    assert "news.alert_critical" in keys
    assert not keys & set(STAFF_EVENTS)
    html = response.content.decode()
    assert 'id="pref-group-staff"' not in html
    assert PreferencesForm.field_name("appeals.assigned", "email") not in html


def test_the_page_is_grouped_with_city_alerts_open(client_for, resident):
    html = client_for(resident).get(SETTINGS, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    for key in ("requests", "alerts", "services", "account"):
        assert f'id="pref-group-{key}"' in html
    assert '<details class="pref-group" id="pref-group-alerts" open>' in html
    assert '<details class="pref-group" id="pref-group-requests">' in html
    assert html.index("pref-group-requests") < html.index("pref-group-alerts")


def test_department_staff_see_their_requests_work_but_not_e_services(client_for, department_staff):
    keys = shown(client_for(department_staff).get(SETTINGS))

    assert {"appeals.assigned", "appeals.author_replied", "appeals.escalated"} <= keys
    assert "services.new_application" not in keys
    assert "appeals.status_changed" in keys  # staff are residents too


def test_a_service_officer_sees_the_applications_work(client_for, service_officer):
    keys = shown(client_for(service_officer).get(SETTINGS))

    assert "services.new_application" in keys
    assert "appeals.assigned" not in keys


def test_staff_without_two_factor_see_what_a_resident_sees(client_for, staff_without_mfa):
    keys = shown(client_for(staff_without_mfa).get(SETTINGS))

    assert not keys & set(STAFF_EVENTS)


def test_a_resident_cannot_set_a_staff_event_by_posting_it(client_for, resident):
    client = client_for(resident)

    client.post(SETTINGS, {PreferencesForm.field_name("appeals.assigned", "email"): ""})

    assert not NotificationPreference.objects.filter(user=resident, event="appeals.assigned")
