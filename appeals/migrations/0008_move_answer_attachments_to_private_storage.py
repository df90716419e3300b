"""Answer attachments saved before 0007 lie in the public media storage: move them.

Each file is copied into the private storage under a new name (a random one:
the old name kept the staff's file name), the row is pointed at it, and the
public copy is deleted only once the transaction has committed, so a failed
migration leaves every row pointing at a file that exists. A row whose file
is already missing is left as it is. Going back copies the files to media.
"""

import os
import uuid

from django.core.files.storage import default_storage
from django.db import migrations, transaction
from django.utils import timezone

from mycity.lib.storage import private_storage


def _new_name(old: str) -> str:
    extension = os.path.splitext(old)[1].lower()
    return f"appeals/answers/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"


def _move(apps, source, target, rename):
    AnswerAttachment = apps.get_model("appeals", "AnswerAttachment")
    moved = []
    for attachment in AnswerAttachment.objects.exclude(file="").iterator():
        old = attachment.file.name
        if not source.exists(old):
            continue
        with source.open(old, "rb") as handle:
            new = target.save(rename(old), handle)
        AnswerAttachment.objects.filter(pk=attachment.pk).update(file=new)
        moved.append(old)

    def delete_public_copies():
        for old in moved:
            source.delete(old)

    transaction.on_commit(delete_public_copies)


def to_private(apps, schema_editor):
    _move(apps, default_storage, private_storage, _new_name)


def to_media(apps, schema_editor):
    _move(apps, private_storage, default_storage, lambda old: old)


class Migration(migrations.Migration):
    dependencies = [("appeals", "0007_answer_attachments_private")]

    operations = [migrations.RunPython(to_private, to_media)]
