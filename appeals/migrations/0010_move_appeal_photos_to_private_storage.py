"""Photos saved before 0009 lie in the public media storage: move them.

As 0008 did for answer attachments (the same mycity.lib.storage.move_files):
each photo is copied into the private storage under a new random name, its
row is pointed at the copy, and the public copy is deleted only once the
transaction has committed, so a failed migration leaves every row pointing
at a file that exists; a row whose file is already missing is left as it
is. From then on a photo is reached only through the checked photo view: a
URL under /media/ that leaked before answers 404. Going back copies the
photos to media under their private names.
"""

import os
import uuid

from django.core.files.storage import default_storage
from django.db import migrations
from django.utils import timezone

from mycity.lib.storage import move_files, private_storage


def _new_name(old: str) -> str:
    extension = os.path.splitext(old)[1].lower() or ".jpg"
    return f"appeals/photos/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"


def to_private(apps, schema_editor):
    AppealPhoto = apps.get_model("appeals", "AppealPhoto")
    move_files(
        AppealPhoto, "image", source=default_storage, target=private_storage, rename=_new_name
    )


def to_media(apps, schema_editor):
    AppealPhoto = apps.get_model("appeals", "AppealPhoto")
    move_files(
        AppealPhoto, "image", source=private_storage, target=default_storage, rename=lambda old: old
    )


class Migration(migrations.Migration):
    dependencies = [("appeals", "0009_appeal_photos_private")]

    operations = [migrations.RunPython(to_private, to_media)]
