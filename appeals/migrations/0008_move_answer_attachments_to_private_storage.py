"""Answer attachments saved before 0007 lie in the public media storage: move them.

Each file is copied into the private storage under a new name (a random one:
the old name kept the staff's file name), the row is pointed at it, and the
public copy is deleted only once the transaction has committed, so a failed
migration leaves every row pointing at a file that exists. A row whose file
is already missing is left as it is. Going back copies the files to media.
The moving itself is mycity.lib.storage.move_files, shared with 0010 (photos).
"""

import os
import uuid

from django.core.files.storage import default_storage
from django.db import migrations
from django.utils import timezone

from mycity.lib.storage import move_files, private_storage


def _new_name(old: str) -> str:
    extension = os.path.splitext(old)[1].lower()
    return f"appeals/answers/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"


def to_private(apps, schema_editor):
    AnswerAttachment = apps.get_model("appeals", "AnswerAttachment")
    move_files(
        AnswerAttachment, "file", source=default_storage, target=private_storage, rename=_new_name
    )


def to_media(apps, schema_editor):
    AnswerAttachment = apps.get_model("appeals", "AnswerAttachment")
    move_files(
        AnswerAttachment,
        "file",
        source=private_storage,
        target=default_storage,
        rename=lambda old: old,
    )


class Migration(migrations.Migration):
    dependencies = [("appeals", "0007_answer_attachments_private")]

    operations = [migrations.RunPython(to_private, to_media)]
