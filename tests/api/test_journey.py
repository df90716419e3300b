"""The sample client (scripts/api_journey.py) makes a resident's whole journey on a live server.

The script talks HTTP to a real server thread and knows nothing of the project;
the only help it gets is the code from each e-mail, as a person would type it.
Push goes to a fake FCM on loopback, as in tests/citizens/notifications.
"""

import importlib.util
import re
import sys
from pathlib import Path

import pytest
from django.core import mail
from pytest_django.live_server_helper import LiveServer

from appeals.services import transition
from appeals.workflow import MODERATOR, Action
from citizens.models import User
from citizens.notifications.models import Device
from citizens.notifications.services import quiet_hours_set
from tests.citizens.notifications.fcm_helpers import FakeFcm, configure
from tests.factories import CategoryFactory, DistrictFactory, UserFactory, category_question

pytestmark = pytest.mark.django_db(transaction=True)

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "api_journey.py"
EMAIL = "journey@example.org"
CODE = re.compile(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", re.MULTILINE)
FCM_TOKEN = "journey-phone:APA91bH" + "j" * 140


def load_script():
    spec = importlib.util.spec_from_file_location("api_journey", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def live_server(_test_settings, transactional_db):
    """A live server per test, after the test settings (plain HTTP, no redirect)."""
    server = LiveServer("localhost")
    yield server
    server.stop()


@pytest.fixture
def fcm(settings):
    fake = FakeFcm()
    configure(settings, fake)
    yield fake
    fake.close()


def latest_code() -> str:
    """The code of the latest e-mail to the journey's address, as the person reads it."""
    message = [m for m in mail.outbox if EMAIL in m.to][-1]
    return CODE.search(message.body).group(1)


@pytest.fixture
def city(db):
    from tests.appeals.public_factories import public_appeal

    district = DistrictFactory()
    category = CategoryFactory()
    category_question(
        category,
        code="lamp",
        type="single",
        required=True,
        choices=[("Не світить", "Out"), ("Блимає", "Flickers")],
    )
    public_appeal(UserFactory(), category=category, district=district)
    return district


def test_the_sample_client_makes_the_whole_journey(live_server, city, fcm, eager):
    lines = []
    load_script().journey(
        live_server.url, EMAIL, latest_code, fcm_token=FCM_TOKEN, log=lines.append
    )
    assert lines[-1] == "journey complete", lines
    person = User.objects.get(email=EMAIL)
    assert person.district == city
    assert Device.objects.get(user=person).token == FCM_TOKEN
    [filed] = person.appeals.all()
    assert filed.extra_answers == {"lamp": "ne-svityt"}

    # The phone the journey registered gets the news of its appeal through FCM.
    quiet_hours_set(user=person, start=None, end=None)  # whenever the test runs
    transition(appeal=filed, action=Action.ACCEPT, actor=UserFactory(), role=MODERATOR)
    [pushed] = [sent for sent in fcm.sent if sent.message["token"] == FCM_TOKEN]
    assert filed.reference in pushed.message["data"]["url"]
