"""seed_demo registers a hotline call without an account and a paper letter of a resident."""

from io import StringIO

import pytest
from django.core.management import call_command

from appeals.models import Appeal

pytestmark = pytest.mark.django_db


def test_seed_demo_registers_a_hotline_call_and_a_paper_letter():
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())

    hotline = Appeal.objects.get(channel="hotline")
    letter = Appeal.objects.get(channel="letter")
    assert hotline.author is None
    assert hotline.registered_by.email == "moderator@demo.mycity.test"
    assert hotline.contact.phone == "+380501234567"
    assert hotline.claim_code_hash
    assert letter.author.email == "resident@demo.mycity.test"
    assert letter.registered_by.email == "services@demo.mycity.test"
    assert letter.registered_at < letter.events.get().created_at
