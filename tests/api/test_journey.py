"""The sample client (scripts/api_journey.py) makes a resident's whole journey on a live server.

The script talks HTTP to a real server thread and knows nothing of the project;
the only help it gets is the code from the e-mail, as a person would type it.
"""

import importlib.util
import re
import sys
from pathlib import Path

import pytest
from django.core import mail
from pytest_django.live_server_helper import LiveServer

from tests.factories import CategoryFactory, DistrictFactory

pytestmark = pytest.mark.django_db(transaction=True)

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "api_journey.py"


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


def code_from_the_email() -> str:
    [message] = [m for m in mail.outbox if "journey@example.org" in m.to]
    return re.search(r"/accounts/confirm-email/([^/\s]+)/", message.body).group(1)


def test_the_sample_client_makes_the_whole_journey(live_server):
    DistrictFactory()
    CategoryFactory()
    lines = []
    api_journey = load_script()
    api_journey.journey(
        live_server.url, "journey@example.org", code_from_the_email, log=lines.append
    )
    assert lines[-1] == "journey complete", lines
