"""The counters check of the core: every app's checks registered, a daily run, a clean report."""

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.management import call_command

from mycity.lib.counters import registered

pytestmark = pytest.mark.django_db


def test_each_feature_app_registers_its_counter_checks():
    assert {check.name for check in registered()} >= {
        "appeals.support_count",
        "surveys.responses",
        "services.slot_booked",
    }


def test_the_check_runs_daily():
    entry = settings.CELERY_BEAT_SCHEDULE["mycity-check-counters"]
    assert entry["task"] == "mycity.tasks.check_counters"
    assert isinstance(entry["schedule"], crontab)
    assert entry["schedule"].hour == {4}
    assert entry["schedule"].minute == {20}


def test_an_empty_database_has_every_counter_right(capsys):
    call_command("check_counters")
    assert capsys.readouterr().out == "All counters match their rows.\n"
