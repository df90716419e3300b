"""The fault drill's steps inside Django (scripts/fault_drill.py runs them with its settings).

    .venv/bin/python scripts/fault_drill_steps.py notify COUNT TAG
    .venv/bin/python scripts/fault_drill_steps.py pending
    .venv/bin/python scripts/fault_drill_steps.py writers TAG

Each prints one line of JSON. They write on the drill's own database only.
"""

import json
import os
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mycity.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import ProtectedError  # noqa: E402

from appeals.models import Appeal, ProposalSupport  # noqa: E402
from appeals.services.proposals import proposal_support  # noqa: E402
from citizens.notifications.services import notify  # noqa: E402
from citizens.personal_data import user_erase  # noqa: E402
from mycity.lib.counters import counters_check  # noqa: E402

User = get_user_model()
WRITERS = 200


def people(prefix: str, count: int, tag: str) -> list:
    return [
        User.objects.get_or_create(
            email=f"{prefix}-{n}-{tag}@example.com", defaults={"full_name": f"Навчання {n}"}
        )[0]
        for n in range(count)
    ]


def step_notify(count: str, tag: str) -> dict:
    """`count` people get one e-mail each (the test notification)."""
    from allauth.account.models import EmailAddress

    recipients = people("drill", int(count), tag)
    for person in recipients:  # e-mail goes to confirmed addresses only
        EmailAddress.objects.get_or_create(
            user=person, email=person.email, defaults={"verified": True, "primary": True}
        )
    return {"notified": notify(recipients=recipients, event="citizens.test")}


def step_pending() -> dict:
    """Outbox rows not yet sent (pending or being sent)."""
    from citizens.notifications.models import Delivery

    waiting = (Delivery.Status.PENDING, Delivery.Status.SENDING)
    return {"pending": Delivery.objects.filter(status__in=waiting).count()}


def step_writers(tag: str) -> dict:
    """WRITERS supports of one proposal at once; then accounts deleted and erased."""
    proposal = Appeal.objects.filter(kind="proposal", status="accepted", is_public=True).first()
    writers = people("writer", WRITERS, tag)
    barrier, errors = threading.Barrier(WRITERS), []

    def support(person) -> None:
        try:
            barrier.wait()
            proposal_support(appeal=proposal, user=person)
        except Exception as error:
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=support, args=(person,)) for person in writers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    proposal.refresh_from_db()
    result = {
        "count": proposal.support_count,
        "rows": ProposalSupport.objects.filter(appeal=proposal).count(),
    }
    refused = 0
    for person in writers[:3]:
        try:
            person.delete()
        except ProtectedError:
            refused += 1
    for person in writers[3:6]:
        user_erase(user=person)
    proposal.refresh_from_db()
    result.update(
        after_count=proposal.support_count,
        after_rows=ProposalSupport.objects.filter(appeal=proposal).count(),
        delete_refused=refused,
        errors=errors[:3],
        drift=[str(found) for found in counters_check()],
    )
    return result


if __name__ == "__main__":
    step = {"notify": step_notify, "pending": step_pending, "writers": step_writers}[sys.argv[1]]
    sys.stdout.write(json.dumps(step(*sys.argv[2:])) + "\n")
